// The client side of `molt-market`: wallet, offer, order and stats commands that talk to a
// marketplace server through MarketClient, signing with a wallet file. Output: lines for people,
// one JSON document with --json. Reads the wallet file; talks HTTP.
import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { MarketClient } from "../client/client.js";
import type { OfferRequest } from "../contract/offers.js";
import type { OrderRequest } from "../contract/orders.js";
import { Wallet } from "../chain/wallet.js";
import { parseAddress } from "../core/address.js";
import { parseFeature } from "../core/enums.js";
import { MarketError } from "../core/errors.js";
import { JOB_USAGE, runJobCommand } from "./job-commands.js";
import { feeText, jobLines } from "./job-text.js";
import { oneFlag, readWorkload } from "./order-flags.js";
import { explanationText } from "./miss-text.js";
import { reputationFlag } from "./quote.js";
import { requiredFlag } from "./process.js";
import { progressDisplay } from "./progress.js";
import type { Progress } from "./progress.js";

/** Where the CLI finds the server when neither --server nor MOLT_SERVER_URL says. */
export const DEFAULT_SERVER_URL = "http://127.0.0.1:8080";
/** The wallet file used when neither --wallet nor MOLT_WALLET_PATH says. */
export const DEFAULT_WALLET_PATH = ".molt-market/wallet.json";

/** Usage of the client commands. */
export const CLIENT_USAGE = `Usage:
  molt-market wallet new [--force]            make a wallet file (Solana CLI keypair, mode 0600)
  molt-market wallet show                     its address
  molt-market wallet balance [ADDRESS]        MOLT held (the wallet's by default)
  molt-market wallet airdrop MOLT             test MOLT to the wallet (not on mainnet)
  molt-market offer add --gpus N --model M --vram GB --price MOLT --hours H [--feature F]... [--region R] [--country CC]
  molt-market offer pause|resume|withdraw OFFER_ID
  molt-market order submit --gpus N --max-price MOLT --hours H [--vram GB] [--feature F]... [--region R] [--country CC] [--budget MOLT]
                          [--model M]... [--min-reputation R] [--allow-provider ADDRESS]... [--deny-provider ADDRESS]...
                          [--workload FILE] [--rematch]
      --model: only offers of these GPU models (repeatable, any of; "h100" = "NVIDIA H100 80GB");
      --min-reputation: only providers with at least this reputation (0..1); both are hard filters.
      An order that finds nothing rests, and the answer says which constraint left no offer
      --workload FILE: JSON { image (pinned by @sha256 digest), command?, args?, env? } the provider runs
      (only the buyer and the matched provider can read it; never put a secret in it)
      --rematch: if the job fails (provider lost, or non-zero exit), the market submits a successor
      order for the remaining hours that excludes that provider; you fund it like any match
  molt-market order cancel|show ORDER_ID
  molt-market order quote --gpus N --max-price MOLT --hours H [--vram GB] [--feature F]... [--region R] [--country CC]
                          [--model M]... [--min-reputation R] [--allow-provider ADDRESS]... [--deny-provider ADDRESS]...
      --allow-provider: match only these providers (repeatable); --deny-provider: never these (repeatable)
  molt-market stats
${JOB_USAGE}
Every command takes --server URL (default $MOLT_SERVER_URL or ${DEFAULT_SERVER_URL}),
--wallet PATH (default $MOLT_WALLET_PATH or ${DEFAULT_WALLET_PATH}), --key K (Idempotency-Key:
repeat a command with the same key and it takes effect once) and --json.
`;

const OPTIONS = {
  server: { type: "string" },
  wallet: { type: "string" },
  key: { type: "string" },
  json: { type: "boolean", default: false },
  force: { type: "boolean", default: false },
  gpus: { type: "string" },
  model: { type: "string", multiple: true },
  "min-reputation": { type: "string" },
  vram: { type: "string" },
  price: { type: "string" },
  "max-price": { type: "string" },
  hours: { type: "string" },
  budget: { type: "string" },
  feature: { type: "string", multiple: true },
  region: { type: "string" },
  country: { type: "string" },
  "allow-provider": { type: "string", multiple: true },
  "deny-provider": { type: "string", multiple: true },
  workload: { type: "string" },
  rematch: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
  mine: { type: "boolean", default: false },
  provider: { type: "string" },
  limit: { type: "string" },
  output: { type: "string" },
  usage: { type: "string" },
  started: { type: "string" },
  ended: { type: "string" },
  exit: { type: "string" },
  reject: { type: "string" },
  reason: { type: "string" },
  evidence: { type: "string", multiple: true },
  "provider-share": { type: "string" },
} as const;

function integer(value: string | undefined, flag: string): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n))
    throw new MarketError("INVALID_FIELD", { field: flag, value: JSON.stringify(value ?? null), allowed: "a whole number" });
  return n;
}

/** The commands that talk to a server. */
export const CLIENT_COMMANDS = ["wallet", "offer", "order", "stats", "escrow", "job", "settle", "dispute"] as const;

/**
 * Runs a client command (`wallet`, `offer`, `order`, `stats` and the money commands); resolves to
 * what it prints, while `progress` shows the steps of chain transactions. @throws MarketError
 */
export async function runClientCommand(
  command: string,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
  progress: Progress = progressDisplay(() => undefined, false),
): Promise<string> {
  const { values, positionals } = parseArgs({ args: [...args], options: OPTIONS, strict: true, allowPositionals: true });
  if (values.help) return CLIENT_USAGE;
  const [action = "", target] = positionals;
  const walletPath = values.wallet ?? env.MOLT_WALLET_PATH ?? DEFAULT_WALLET_PATH;
  const baseUrl = values.server ?? env.MOLT_SERVER_URL ?? DEFAULT_SERVER_URL;
  const loadWallet = (): Wallet => {
    if (!existsSync(walletPath))
      throw new MarketError("WALLET_ERROR", { path: walletPath, reason: "no wallet file; make one with `molt-market wallet new`" });
    return Wallet.fromFile(walletPath);
  };
  const client = (signed: boolean): MarketClient => new MarketClient({ baseUrl, ...(signed ? { wallet: loadWallet() } : {}) });
  const print = (value: unknown, text: string): string => (values.json ? `${JSON.stringify(value)}\n` : `${text}\n`);
  const features = (values.feature ?? []).map((feature) => parseFeature(feature, "--feature"));
  const location =
    values.region === undefined && values.country === undefined
      ? {}
      : {
          location: {
            ...(values.region === undefined ? {} : { region: values.region }),
            ...(values.country === undefined ? {} : { country: values.country }),
          },
        };

  const allowProviders = values["allow-provider"] ?? [];
  const denyProviders = values["deny-provider"] ?? [];
  const providerFilter =
    allowProviders.length === 0 && denyProviders.length === 0
      ? {}
      : {
          providers: {
            ...(allowProviders.length === 0 ? {} : { allow: allowProviders.map((a) => parseAddress(a)) }),
            ...(denyProviders.length === 0 ? {} : { deny: denyProviders.map((a) => parseAddress(a)) }),
          },
        };

  // Orders take many models (a hard filter); the other commands one (offer add, offer list).
  const singleModel = command === "order" ? undefined : oneFlag(values.model, "--model");
  const money = await runJobCommand(
    { client, wallet: loadWallet, print, progress, options: { ...values, model: singleModel } },
    command,
    action,
    target,
  );
  if (money !== undefined) return money;

  if (command === "wallet" && action === "new") {
    if (existsSync(walletPath) && !values.force)
      throw new MarketError("WALLET_ERROR", {
        path: walletPath,
        reason: "a wallet file is there already; --force replaces it (its MOLT stays with the old key)",
      });
    mkdirSync(dirname(walletPath), { recursive: true });
    const wallet = Wallet.generate();
    wallet.save(walletPath, { overwrite: values.force });
    return print({ address: wallet.address, path: walletPath }, `wallet ${wallet.address}\nsaved ${walletPath}`);
  }
  if (command === "wallet" && action === "show") {
    const wallet = loadWallet();
    return print({ address: wallet.address, path: walletPath }, `wallet ${wallet.address}`);
  }
  if (command === "wallet" && action === "balance") {
    const result = await client(false).balance(target ?? loadWallet().address);
    return print(result, `${result.address} holds ${result.molt} MOLT`);
  }
  if (command === "wallet" && action === "airdrop") {
    const result = await client(true).airdrop(requiredFlag(target, "MOLT"), values.key);
    return print(result, `airdropped ${result.molt} MOLT to ${result.address}\ntransaction ${result.transactionId}`);
  }
  if (command === "offer" && action === "add") {
    const offer: OfferRequest = {
      gpuCapacity: {
        gpuCount: integer(values.gpus, "--gpus"),
        gpuModel: requiredFlag(singleModel, "--model"),
        vramGb: integer(values.vram, "--vram"),
      },
      pricePerHour: requiredFlag(values.price, "--price"),
      availableHours: integer(values.hours, "--hours"),
      ...(features.length === 0 ? {} : { features }),
      ...location,
    };
    const result = await client(true).addOffer(offer, values.key);
    return print(result, `offer ${result.offerId}`);
  }
  if (command === "offer" && (action === "pause" || action === "resume" || action === "withdraw")) {
    const result = await client(true).offerAction(requiredFlag(target, "OFFER_ID"), action, values.key);
    return print({ ...result, action }, `offer ${result.offerId}: ${action}d`);
  }
  const requirements = (): OrderRequest["requirements"] => ({
    minGpuCount: integer(values.gpus, "--gpus"),
    minVramGb: values.vram === undefined ? 0 : integer(values.vram, "--vram"),
    maxPricePerHour: requiredFlag(values["max-price"], "--max-price"),
    estimatedHours: integer(values.hours, "--hours"),
    ...(features.length === 0 ? {} : { requiredFeatures: features }),
    ...location,
    ...providerFilter,
    ...(values.model === undefined ? {} : { gpuModels: values.model }),
    ...(values["min-reputation"] === undefined ? {} : { minReputation: reputationFlag(values["min-reputation"]) }),
  });
  if (command === "order" && action === "submit") {
    const result = await client(true).submitOrder(
      {
        requirements: requirements(),
        ...(values.budget === undefined ? {} : { maxBudget: values.budget }),
        ...(values.workload === undefined ? {} : { workload: readWorkload(values.workload) }),
        ...(values.rematch ? { rematch: true } : {}),
      },
      values.key,
    );
    const matched =
      result.match === undefined
        ? `resting until an offer fits${result.explanation === undefined ? "" : `\n${explanationText(result.explanation)}`}`
        : `matched offer ${result.match.offerId} (${result.match.gpuCount} GPUs at ${result.match.pricePerHour} MOLT/GPU-h, total ${result.match.totalCost} MOLT, ${feeText(result.match)})`;
    return print(result, `order ${result.orderId}: ${result.status}, ${matched}`);
  }
  if (command === "order" && action === "cancel") {
    const result = await client(true).cancelOrder(requiredFlag(target, "ORDER_ID"), values.key);
    return print(result, `order ${result.orderId}: cancelled`);
  }
  if (command === "order" && action === "show") {
    const result = await client(false).getOrder(requiredFlag(target, "ORDER_ID"));
    const m = result.match;
    const lines = [
      `order ${result.orderId}: ${result.status}`,
      `  buyer     ${result.buyerId}`,
      m === null
        ? "  match     - (resting until an offer fits)"
        : `  match     offer ${m.offerId} of ${m.providerId}: ${m.gpuCount} GPUs x ${m.hours} h at ${m.pricePerHour} MOLT/GPU-h = ${m.totalCost} MOLT (${feeText(m)})`,
      `  escrow    ${result.escrowId ?? "- (the buyer funds it: molt-market escrow fund)"}`,
      ...jobLines(result),
    ];
    return print(result, lines.join("\n"));
  }
  if (command === "order" && action === "quote") {
    const r = requirements();
    const result = await client(false).quote({
      gpus: r.minGpuCount,
      vram: r.minVramGb,
      maxPrice: r.maxPricePerHour,
      hours: r.estimatedHours,
      features,
      ...(values.region === undefined ? {} : { region: values.region }),
      ...(values.country === undefined ? {} : { country: values.country }),
      ...(allowProviders.length === 0 ? {} : { allowProviders }),
      ...(denyProviders.length === 0 ? {} : { denyProviders }),
      ...(r.gpuModels === undefined ? {} : { models: r.gpuModels }),
      ...(r.minReputation === undefined ? {} : { minReputation: r.minReputation }),
    });
    return print(
      result,
      result.matches.length === 0
        ? `no offer fits${result.explanation === undefined ? "" : `\n${explanationText(result.explanation)}`}`
        : result.matches
            .map(
              (m, i) =>
                `${i + 1}. ${m.offerId}  ${m.pricePerHour} MOLT/GPU-h  total ${m.totalCost} MOLT (${feeText(m)})  score ${m.score.toFixed(3)}`,
            )
            .join("\n"),
    );
  }
  if (command === "stats") {
    const result = await client(false).stats();
    return print(
      result,
      result.models
        .map(
          (m) => `${m.gpuModel}: ${m.offers} offers, ${m.freeGpus} free GPUs, from ${m.lowestPrice} (median ${m.medianPrice}) MOLT/GPU-h`,
        )
        .join("\n") || "no offers",
    );
  }
  throw new MarketError("INVALID_FIELD", {
    field: "command",
    value: JSON.stringify(`${command} ${action}`.trim()),
    allowed: "see molt-market --help",
  });
}
