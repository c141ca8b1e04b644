// The client side of `molt-market`: wallet, offer, order, escrow, job, settle, dispute and stats
// commands that talk to a marketplace server through MarketClient, signing with a wallet file.
// Checks the command line against each subcommand's help (command-help.ts) before it runs.
// Output: lines for people, one JSON document with --json. Reads the wallet file; talks HTTP.
import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { MarketClient } from "../client/client.js";
import type { OfferRequest } from "../contract/offers.js";
import { Wallet } from "../chain/wallet.js";
import { parseFeature } from "../core/enums.js";
import { MarketError } from "../core/errors.js";
import { argsOf, commandHelp, flagsOf, groupHelp, subcommandsOf } from "./command-help.js";
import { DEFAULT_WALLET_PATH, serverUrl } from "./defaults.js";
import { runJobCommand } from "./job-commands.js";
import { oneFlag } from "./order-flags.js";
import { runOrderCommand } from "./order-commands.js";
import { requiredFlag, wholeNumberFlag } from "./process.js";
import { progressDisplay } from "./progress.js";
import type { Progress } from "./progress.js";
import { UsageError } from "./usage-error.js";

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
  status: { type: "string" },
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

/** The commands that talk to a server. */
export const CLIENT_COMMANDS = ["wallet", "offer", "order", "stats", "escrow", "job", "settle", "dispute"] as const;

/** The subcommand of a command line for its help: the first word after a group command, "" otherwise. */
export function subcommandOf(command: string, args: readonly string[]): string {
  return subcommandsOf(command) === undefined ? "" : (args.find((arg) => !arg.startsWith("-")) ?? "");
}

/**
 * The command line checked against the subcommand's help: a group command names one of its
 * subcommands, every flag given is one the subcommand takes, and its arguments are there.
 * Returns the subcommand ("" for settle and stats) and its arguments.
 * @throws UsageError
 */
function checkedLine(
  command: string,
  positionals: readonly string[],
  given: readonly string[],
): { readonly action: string; readonly args: readonly string[] } {
  const subcommands = subcommandsOf(command);
  const action = subcommands === undefined ? "" : (positionals[0] ?? "");
  const args = subcommands === undefined ? positionals : positionals.slice(1);
  if (subcommands !== undefined && !subcommands.includes(action))
    throw new UsageError(
      action === "" ? `molt-market ${command} needs a subcommand` : `molt-market ${command} has no subcommand ${JSON.stringify(action)}`,
      groupHelp(command),
    );
  const name = `molt-market ${`${command} ${action}`.trim()}`;
  const flags = flagsOf(command, action) ?? [];
  const stray = given.find((flag) => !flags.includes(flag));
  if (stray !== undefined) throw new UsageError(`${stray} is not a flag of ${name}`, commandHelp(command, action));
  const { names, optional } = argsOf(command, action);
  if (args.length < names.length - optional)
    throw new UsageError(`${name} needs ${names.slice(args.length).join(" ")}`, commandHelp(command, action));
  if (args.length > names.length)
    throw new UsageError(
      `${name} takes ${names.length === 0 ? "no argument" : names.join(" ")}, not ${JSON.stringify(args.join(" "))}`,
      commandHelp(command, action),
    );
  return { action, args };
}

/**
 * Runs a client command (`wallet`, `offer`, `order`, `stats` and the money commands); resolves to
 * what it prints (its help with --help), while `progress` shows the steps of chain transactions.
 * @throws UsageError (the command line), MarketError (bad flag values, the server's answer)
 */
export async function runClientCommand(
  command: string,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
  progress: Progress = progressDisplay(() => undefined, false),
): Promise<string> {
  const { values, positionals, tokens } = parseArgs({
    args: [...argv],
    options: OPTIONS,
    strict: true,
    allowPositionals: true,
    tokens: true,
  });
  if (values.help) {
    const action = positionals[0] ?? "";
    return subcommandsOf(command)?.includes(action) === false ? groupHelp(command) : commandHelp(command, action);
  }
  const given = tokens.flatMap((token) => (token.kind === "option" ? [`--${token.name}`] : []));
  const { action, args } = checkedLine(command, positionals, given);
  const target = args[0];
  const walletPath = values.wallet ?? env.MOLT_WALLET_PATH ?? DEFAULT_WALLET_PATH;
  const baseUrl = serverUrl(values.server, env);
  const loadWallet = (): Wallet => {
    if (!existsSync(walletPath))
      throw new MarketError("WALLET_ERROR", { path: walletPath, reason: "no wallet file; make one with `molt-market wallet new`" });
    return Wallet.fromFile(walletPath);
  };
  const client = (signed: boolean): MarketClient => new MarketClient({ baseUrl, ...(signed ? { wallet: loadWallet() } : {}) });
  const print = (value: unknown, text: string): string => (values.json ? `${JSON.stringify(value)}\n` : `${text}\n`);

  const ordered = await runOrderCommand(
    {
      client,
      wallet: loadWallet,
      viewer: () => (existsSync(walletPath) ? loadWallet().address : undefined),
      print,
      options: values,
      nowMs: Date.now,
    },
    command,
    action,
    target,
  );
  if (ordered !== undefined) return ordered;
  // Orders take many models (a hard filter); the other commands one (offer add, offer list, job complete).
  const singleModel = oneFlag(values.model, "--model");
  const money = await runJobCommand(
    { client, wallet: loadWallet, print, progress, options: { ...values, model: singleModel } },
    command,
    command === "settle" ? (target ?? "") : action,
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
    return print({ address: wallet.address, path: walletPath }, `wallet ${wallet.address}\nfile   ${walletPath}`);
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
    const features = (values.feature ?? []).map((feature) => parseFeature(feature, "--feature"));
    const offer: OfferRequest = {
      gpuCapacity: {
        gpuCount: wholeNumberFlag(values.gpus, "--gpus", "4"),
        gpuModel: requiredFlag(singleModel, "--model", "H100"),
        vramGb: wholeNumberFlag(values.vram, "--vram", "80"),
      },
      pricePerHour: requiredFlag(values.price, "--price", "2.5"),
      availableHours: wholeNumberFlag(values.hours, "--hours", "24"),
      ...(features.length === 0 ? {} : { features }),
      ...(values.region === undefined && values.country === undefined
        ? {}
        : {
            location: {
              ...(values.region === undefined ? {} : { region: values.region }),
              ...(values.country === undefined ? {} : { country: values.country }),
            },
          }),
    };
    const result = await client(true).addOffer(offer, values.key);
    return print(result, `offer ${result.offerId}`);
  }
  if (command === "offer" && (action === "pause" || action === "resume" || action === "withdraw")) {
    const result = await client(true).offerAction(requiredFlag(target, "OFFER_ID"), action, values.key);
    return print({ ...result, action }, `offer ${result.offerId}: ${action}d`);
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
  throw new UsageError(`molt-market ${`${command} ${action}`.trim()} is not a command`, groupHelp(command));
}
