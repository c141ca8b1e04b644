// A batch written in parts while it is applied (BatchWriteStream; PostgreSQL's writer does it, and
// here a SQLite writer is told to as well): the store ends as the answers say, GPUs are conserved,
// a restart rebuilds the same book, and a part that fails fails its whole batch, leaving nothing
// of it in the store, with the market still taking commands. On each store.
import { afterEach, describe, expect, it } from "vitest";
import { Wallet } from "../../src/chain/wallet.js";
import { Amount } from "../../src/core/amount.js";
import { MarketError, isMarketError } from "../../src/core/errors.js";
import { MARKET_LIMITS } from "../../src/market/limits.js";
import type { Marketplace } from "../../src/market/marketplace.js";
import type { CommittedBatch, Store, StoreWriter } from "../../src/store/store.js";
import { postgresUrl } from "../support/postgres.js";
import { conservationErrors, openMarket, openParties, postgresFactory, sqliteFactory } from "../support/market.js";
import type { Parties, StoreFactory } from "../support/market.js";

const url = await postgresUrl("batches written in parts");
const factories: StoreFactory[] = [sqliteFactory, ...(url === undefined ? [] : [postgresFactory(url)])];

/** Small parts, so that every burst below is written in several. */
const PART_COMMANDS = 8;
const limits = MARKET_LIMITS as { writePartCommands: number };
const partCommandsBefore = limits.writePartCommands;

/** What the parted writer saw: batches, parts, and which part (1-based, per batch) to fail. */
interface PartLog {
  batches: number;
  parts: number;
  failPart?: number;
}

/** `store` whose batch writer says its writes overlap (so batches go in parts) and counts them; it can fail one part. */
function parted(store: Store, log: PartLog): Store {
  const commitBatch = <T>(fn: (writer: StoreWriter) => Promise<T>): Promise<CommittedBatch<T>> =>
    store.commitBatch((writer) => {
      log.batches++;
      let part = 0;
      return fn({
        ...writer,
        writesOverlap: true,
        write: (rows) => {
          log.parts++;
          if (++part === log.failPart) return Promise.reject(new MarketError("INSUFFICIENT_CAPACITY", { required: 1, available: 0 }));
          return writer.write(rows);
        },
      });
    });
  return new Proxy(store, {
    get: (target, key, receiver) => (key === "commitBatch" ? commitBatch : (Reflect.get(target, key, receiver) as unknown)),
  });
}

const offerInput = (provider: string, price: string) => ({
  providerId: provider,
  gpuCapacity: { gpuCount: 8, gpuModel: "NVIDIA H100 80GB", vramGb: 80 },
  pricePerHour: price,
  availableHours: 48,
});
/** 2 GPUs that any offer here fits, or (`rests`) a VRAM no offer has, so the order rests. */
const orderInput = (buyer: string, rests: boolean) => ({
  buyerId: buyer,
  requirements: { minGpuCount: 2, minVramGb: rests ? 160 : 40, maxPricePerHour: "5", estimatedHours: 1 },
});

for (const factory of factories) {
  describe(`batches written in parts on ${factory.name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      limits.writePartCommands = partCommandsBefore;
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    async function setup(): Promise<{ market: Marketplace; parties: Parties; log: PartLog; openStore: () => Promise<Store> }> {
      limits.writePartCommands = PART_COMMANDS;
      const db = await factory.fresh();
      const parties = await openParties("1000000");
      const log: PartLog = { batches: 0, parts: 0 };
      const market = await openMarket(parted(await db.open(), log), parties);
      cleanups.push(async () => {
        await market.close().catch(() => undefined);
        parties.chain.close();
        await db.dispose();
      });
      for (let i = 0; i < 20; i++) await market.addOffer(`offer-${i}`, offerInput(parties.provider.address, `${2 + i / 10}`));
      return { market, parties, log, openStore: db.open };
    }

    it("stores what the answers say, conserves GPUs and rebuilds the same book", async () => {
      const { market, parties, log, openStore } = await setup();
      const buyer = parties.buyer.address;
      const rested = await Promise.all(Array.from({ length: 40 }, (_, i) => market.submitOrder(`rest-${i}`, orderInput(buyer, true))));
      const before = { batches: log.batches, parts: log.parts };
      // One burst: 60 orders that match (120 of the 160 GPUs), 50 that rest, and cancels of 30 resting ones.
      const [matched, restedToo] = await Promise.all([
        Promise.all(Array.from({ length: 60 }, (_, i) => market.submitOrder(`match-${i}`, orderInput(buyer, false)))),
        Promise.all(Array.from({ length: 50 }, (_, i) => market.submitOrder(`rest-more-${i}`, orderInput(buyer, true)))),
        Promise.all(rested.slice(0, 30).map((order, i) => market.cancelOrder(`cancel-${i}`, order.orderId, buyer))),
      ]);
      expect(log.parts - before.parts, "the burst went in more parts than batches").toBeGreaterThan(log.batches - before.batches);
      expect(matched.every((order) => order.status === "Matched")).toBe(true);
      expect(restedToo.every((order) => order.status === "Pending")).toBe(true);

      expect(await conservationErrors(await openStore())).toEqual([]);
      const events = await market.events(0, 1000);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      // A second process on the same store rebuilds the book from what was written.
      const reopened = await openMarket(await openStore(), parties);
      try {
        const expected = [
          ...matched.map((o) => [o.orderId, "Matched"] as const),
          ...restedToo.map((o) => [o.orderId, "Pending"] as const),
          ...rested.map((o, i) => [o.orderId, i < 30 ? "Cancelled" : "Pending"] as const),
        ];
        for (const [orderId, status] of expected) expect((await reopened.getOrder(orderId)).status, orderId).toBe(status);
        const free = (m: Marketplace) =>
          m.book
            .activeOffers()
            .map((o) => `${o.id}:${o.freeGpuCount}`)
            .sort();
        expect(free(reopened)).toEqual(free(market));
        expect(reopened.book.pendingOrders().length).toBe(market.book.pendingOrders().length);
      } finally {
        await reopened.close();
      }
    });

    it("a part that fails fails its batch: nothing of it is stored, and the market goes on", async () => {
      const { market, parties, log, openStore } = await setup();
      const buyer = parties.buyer.address;
      const eventsBefore = (await market.events(0, 1000)).length;
      log.failPart = 2;
      const burst = await Promise.allSettled(
        Array.from({ length: 40 }, (_, i) => market.submitOrder(`fail-${i}`, orderInput(buyer, false))),
      );
      delete log.failPart;
      const refused = burst.filter((r) => r.status === "rejected");
      expect(refused.length, "the first batch of the burst failed").toBeGreaterThanOrEqual(2 * PART_COMMANDS);
      for (const r of refused) expect(isMarketError(r.reason) ? r.reason.code : r.reason).toBe("INSUFFICIENT_CAPACITY");
      const answered = burst.filter((r) => r.status === "fulfilled").length;
      // Only the batches that committed wrote events, gap-free: one OrderMatched per order they answered.
      const events = await market.events(0, 1000);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(events.slice(eventsBefore).filter((e) => e.type === "OrderMatched").length).toBe(answered);
      expect(await conservationErrors(await openStore())).toEqual([]);
      const other = Wallet.generate();
      await parties.chain.airdrop(other.address, Amount.parse("100"));
      const after = await market.submitOrder("after", orderInput(other.address, false));
      expect(after.status).toBe("Matched");
      expect((await market.getOrder(after.orderId)).status).toBe("Matched");
    });
  });
}
