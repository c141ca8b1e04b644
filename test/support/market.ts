// Opening marketplaces for tests: a store of each dialect (SQLite file, PostgreSQL schema), an
// embedded chain, an arbiter's PaymentService, wallets with MOLT, and checks of the stored state.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmbeddedMoltClient } from "../../src/chain/embedded/embedded-client.js";
import { Wallet } from "../../src/chain/wallet.js";
import { Amount } from "../../src/core/amount.js";
import { HOUR_MS } from "../../src/core/clock.js";
import type { Clock } from "../../src/core/clock.js";
import { Marketplace } from "../../src/market/marketplace.js";
import type { MarketplaceOptions } from "../../src/market/marketplace.js";
import { PaymentService } from "../../src/payments/payment-service.js";
import { SqlStore } from "../../src/store/sql-store.js";
import type { Store } from "../../src/store/store.js";
import { dropSchema } from "./postgres.js";

/** How to get a fresh store of one dialect, and a second handle on the same database. */
export interface StoreFactory {
  readonly name: "sqlite" | "postgres";
  fresh(): Promise<{ readonly open: () => Promise<Store>; readonly dispose: () => Promise<void> }>;
}

/** SQLite files in a fresh directory. */
export const sqliteFactory: StoreFactory = {
  name: "sqlite",
  fresh: () => {
    const path = join(mkdtempSync(join(tmpdir(), "molt-market-")), "market.db");
    return Promise.resolve({ open: () => Promise.resolve(SqlStore.openSqlite(path)), dispose: () => Promise.resolve() });
  },
};

let schemas = 0;
/** PostgreSQL schemas at `url`, dropped on dispose. */
export function postgresFactory(url: string): StoreFactory {
  return {
    name: "postgres",
    fresh: () => {
      const schema = `molt_market_${process.pid}_${++schemas}`;
      return Promise.resolve({
        open: () => SqlStore.openPostgres(url, { schema }),
        dispose: () => dropSchema(url, schema),
      });
    },
  };
}

/** The people of a test market. */
export interface Parties {
  readonly chain: EmbeddedMoltClient;
  readonly arbiter: Wallet;
  readonly buyer: Wallet;
  readonly provider: Wallet;
}

/** A chain with a funded buyer. */
export async function openParties(buyerMolt = "100000"): Promise<Parties> {
  const chain = await EmbeddedMoltClient.open({ dataDir: mkdtempSync(join(tmpdir(), "molt-market-chain-")) });
  const [arbiter, buyer, provider] = [Wallet.generate(), Wallet.generate(), Wallet.generate()];
  await chain.airdrop(buyer.address, Amount.parse(buyerMolt));
  return { chain, arbiter, buyer, provider };
}

/** A marketplace on `store` for these parties. */
export function openMarket(
  store: Store,
  parties: Parties,
  clock?: Clock,
  nodeId?: string,
  options: Partial<Pick<MarketplaceOptions, "receiptTimeoutMs" | "fundingWindowMs">> = {},
): Promise<Marketplace> {
  const payments = new PaymentService({
    client: parties.chain,
    arbiter: parties.arbiter,
    disputeWindowMs: HOUR_MS,
    ...(clock === undefined ? {} : { clock }),
  });
  return Marketplace.open({
    store,
    payments,
    ...options,
    ...(clock === undefined ? {} : { clock }),
    ...(nodeId === undefined ? {} : { nodeId }),
  });
}

/** Offers whose free + allocated GPUs differ from their GPU count, read from the database. */
export async function conservationErrors(store: Store): Promise<string[]> {
  const book = await store.loadBook();
  const allocated = new Map<string, number>();
  for (const row of book.allocated) {
    const match = JSON.parse(row.match ?? "{}") as { offerId: string; gpuCount: number };
    allocated.set(match.offerId, (allocated.get(match.offerId) ?? 0) + match.gpuCount);
  }
  return book.offers
    .filter((o) => o.freeGpus + (allocated.get(o.id) ?? 0) !== o.gpuCount)
    .map((o) => `${o.id}: free ${o.freeGpus} + allocated ${allocated.get(o.id) ?? 0} != ${o.gpuCount}`);
}
