// A marketplace behind the HTTP app for server tests: SQLite in a fresh directory, the embedded
// chain, funded parties; listening on a free port when asked.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { Marketplace, MarketplaceOptions } from "../../src/market/marketplace.js";
import { buildApp } from "../../src/server/app.js";
import type { AppDeps } from "../../src/server/app.js";
import { SqlStore } from "../../src/store/sql-store.js";
import { openMarket, openParties } from "./market.js";
import type { Parties } from "./market.js";

/** The served market and how to stop it. */
export interface ServedMarket {
  readonly parties: Parties;
  readonly market: Marketplace;
  readonly app: FastifyInstance;
  /** The server's URL when it listens, else "". */
  readonly baseUrl: string;
  close(): Promise<void>;
}

/** Opens a market and its app (listening on 127.0.0.1 and a free port with `listen`). */
export async function openServedMarket(
  options: {
    readonly listen?: boolean;
    readonly deps?: Omit<AppDeps, "market">;
    readonly market?: Partial<Pick<MarketplaceOptions, "receiptTimeoutMs">>;
  } = {},
): Promise<ServedMarket> {
  const parties = await openParties();
  const market = await openMarket(
    SqlStore.openSqlite(join(mkdtempSync(join(tmpdir(), "molt-served-")), "market.db")),
    parties,
    undefined,
    undefined,
    options.market,
  );
  const app = await buildApp({ market, ...options.deps });
  const baseUrl = options.listen === true ? await app.listen({ host: "127.0.0.1", port: 0 }) : "";
  return {
    parties,
    market,
    app,
    baseUrl,
    async close() {
      await app.close();
      await market.close();
      parties.chain.close();
    },
  };
}
