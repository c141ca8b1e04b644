// Migration 0005_trades on a store that already holds matches (written before the trades table
// existed): the table is filled from the event log with the same trades the market writes itself,
// on SQLite and PostgreSQL.
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { Wallet } from "../../src/chain/wallet.js";
import type { Store } from "../../src/store/store.js";
import { openMarket, openParties } from "../support/market.js";
import { rawDbFactories } from "../support/raw-db.js";

const factories = await rawDbFactories("Trades backfill", "backfill");

/** Every trade of a store. */
const tradesOf = (store: Store) => store.trades({ afterSeq: 0, limit: 500 });

for (const factory of factories) {
  describe(`trades backfill on ${factory().name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    it("a store whose matches predate the trades table gets the same trades from its event log", { timeout: 60_000 }, async () => {
      const db = factory();
      const parties = await openParties();
      cleanups.push(async () => {
        parties.chain.close();
        await db.dispose();
      });
      const market = await openMarket(await db.open(), parties);
      for (const [i, [model, price, gpus]] of (
        [
          ["NVIDIA H100 80GB", "2.5", 4],
          ["RTX 4090", "0.75", 1],
          ["A100", "1.125", 2],
        ] as const
      ).entries()) {
        await market.addOffer(`offer-${i}`, {
          providerId: Wallet.generate().address,
          gpuCapacity: { gpuCount: gpus, gpuModel: model, vramGb: 24 },
          pricePerHour: price,
          availableHours: 48,
        });
        await market.submitOrder(`order-${i}`, {
          buyerId: parties.buyer.address,
          requirements: { minGpuCount: gpus, minVramGb: 0, maxPricePerHour: price, estimatedHours: i + 1 },
        });
      }
      const written = await tradesOf(market.store);
      expect(written.map((t) => [t.gpuModel, t.costBaseUnits])).toEqual([
        ["H100", 10_000_000_000n],
        ["RTX4090", 1_500_000_000n],
        ["A100", 6_750_000_000n],
      ]);
      await market.close();

      // The store as it was before 0005_trades: no table, neither it nor a later migration applied
      // (Kysely applies migrations in order only), so 0006's indexes (less orders_buyer_id, which 0011 dropped), 0007's deadline column, 0008's offer encoding and 0009's index go too.
      const raw = db.raw();
      await db.ddl(raw, async (conn) => {
        await sql`drop table trades`.execute(conn);
        for (const index of ["orders_offer_id", "offers_provider_id", "orders_due_at_ms"])
          await sql`drop index ${sql.id(index)}`.execute(conn);
        await sql`alter table orders drop column due_at_ms`.execute(conn);
        await sql`alter table offers drop column book`.execute(conn);
        await sql`drop index events_type_seq`.execute(conn);
        // 0010 only sets a page fill on PostgreSQL, which it sets again.
        await sql`delete from kysely_migration where name >= '0005_trades'`.execute(conn);
      });
      await raw.destroy();

      const reopened = await db.open();
      await reopened.migrate();
      expect(await tradesOf(reopened)).toEqual(written);
      // 0007 backfills the deadline index: the stored matches are due at once, for the sweeper to compute their deadlines.
      expect(await reopened.ordersDueBy(0, 10)).toHaveLength(written.length);
      await reopened.close();
    });
  });
}
