// A market for provider-agent tests: `molt-market serve` spawned on fresh SQLite with short receipt
// timeout, dispute window and sweep interval; a buyer with test MOLT; providers (two by default),
// each with a wallet file and one offer listed; and a helper that submits and funds an order with a
// workload for one chosen provider.
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MarketClient } from "../../src/client/client.js";
import { Wallet } from "../../src/chain/wallet.js";
import { serveProcess } from "./serve-process.js";
import type { ServeProcess } from "./serve-process.js";

/** Test MOLT the buyer starts with. */
export const BUYER_AIRDROP_MOLT = "100";
/** The image every test workload names (the command runner never pulls it). */
export const TEST_IMAGE = `registry.example/molt/sleep:1@sha256:${"c".repeat(64)}`;
/** The server's flags: receipts time out after 3 s, the dispute window is 2 s, the sweeper runs every second. */
export const AGENT_SERVE_ARGS = ["--no-demo", "--receipt-timeout", "3", "--dispute-window", "2", "--sweep-interval", "1"] as const;

/** One provider: its wallet (and file, for the agent), a client signed by it, and its offer. */
export interface MarketProvider {
  readonly wallet: Wallet;
  readonly walletFile: string;
  readonly client: MarketClient;
  readonly offerId: string;
}

/** The market, its parties, and where an agent may keep its state. */
export interface AgentMarket {
  readonly dir: string;
  readonly server: ServeProcess;
  readonly reader: MarketClient;
  readonly buyer: { readonly wallet: Wallet; readonly client: MarketClient };
  readonly providers: readonly MarketProvider[];
  /** A fresh state directory for an agent. */
  stateDir(name: string): string;
  close(): Promise<number | null>;
}

/** Starts the server and lists one 1-GPU offer per provider (2.5 MOLT/GPU-h, 24 h). */
export async function agentMarket(
  options: { readonly providers?: number; readonly serveArgs?: readonly string[] } = {},
): Promise<AgentMarket> {
  const dir = mkdtempSync(join(tmpdir(), "molt-agent-market-"));
  const server = await serveProcess(join(dir, "server"), { args: options.serveArgs ?? AGENT_SERVE_ARGS });
  const baseUrl = server.url;
  const buyerWallet = Wallet.generate();
  const buyer = { wallet: buyerWallet, client: new MarketClient({ baseUrl, wallet: buyerWallet }) };
  await buyer.client.airdrop(BUYER_AIRDROP_MOLT);
  mkdirSync(join(dir, "wallets"));
  const providers: MarketProvider[] = [];
  for (let i = 0; i < (options.providers ?? 2); i++) {
    const wallet = Wallet.generate();
    const walletFile = join(dir, "wallets", `provider-${i}.json`);
    wallet.save(walletFile);
    const client = new MarketClient({ baseUrl, wallet });
    const { offerId } = await client.addOffer({
      gpuCapacity: { gpuCount: 1, gpuModel: "NVIDIA H100 80GB", vramGb: 80 },
      pricePerHour: "2.5",
      availableHours: 24,
    });
    providers.push({ wallet, walletFile, client, offerId });
  }
  return {
    dir,
    server,
    reader: new MarketClient({ baseUrl }),
    buyer,
    providers,
    stateDir: (name) => join(dir, "agents", name),
    close: async () => (await server.stop()).code,
  };
}

/**
 * The buyer orders 1 GPU for `hours` (default 1) from `provider` only (any provider when undefined),
 * with the sleep workload's args and `rematch` when asked, and funds it. Resolves to the order id.
 */
export async function fundedOrder(
  market: AgentMarket,
  provider: MarketProvider | undefined,
  run: { readonly seconds: number; readonly exitCode?: number; readonly hours?: number; readonly rematch?: boolean },
): Promise<string> {
  const submitted = await market.buyer.client.submitOrder({
    requirements: {
      minGpuCount: 1,
      minVramGb: 80,
      maxPricePerHour: "3",
      estimatedHours: run.hours ?? 1,
      ...(provider === undefined ? {} : { providers: { allow: [provider.wallet.address] } }),
    },
    ...(run.rematch === undefined ? {} : { rematch: run.rematch }),
    workload: { image: TEST_IMAGE, args: [String(run.seconds), String(run.exitCode ?? 0)] },
  });
  if (submitted.match === undefined || (provider !== undefined && submitted.match.providerId !== provider.wallet.address))
    throw new Error(`order ${submitted.orderId} did not match ${provider === undefined ? "any offer" : "the provider"}`);
  await market.buyer.client.fundEscrow(submitted.orderId);
  return submitted.orderId;
}
