// Market history on each store (SQLite, and PostgreSQL when reachable): every match is a trade, and
// candles summed over any window equal the trades in it (count, GPU-hours, MOLT, high = max,
// low = min, open = first, close = last), with closed buckets served from the cache while trades
// keep coming; two Marketplaces on one store give the same answers.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Wallet } from "../../src/chain/wallet.js";
import { Amount } from "../../src/core/amount.js";
import { HOUR_MS, ManualClock } from "../../src/core/clock.js";
import { normalizeGpuModel } from "../../src/core/gpu-model.js";
import { buildApp } from "../../src/server/app.js";
import type { Marketplace } from "../../src/market/marketplace.js";
import { CANDLE_INTERVALS_MS, MarketHistory } from "../../src/market/market-history.js";
import type { CandleInterval } from "../../src/market/market-history.js";
import type { TradeRow } from "../../src/store/store.js";
import { openMarket, openParties, postgresFactory, sqliteFactory } from "../support/market.js";
import type { Parties, StoreFactory } from "../support/market.js";
import { postgresUrl } from "../support/postgres.js";

const url = await postgresUrl("Market history");
const factories: StoreFactory[] = [sqliteFactory, ...(url === undefined ? [] : [postgresFactory(url)])];
const MODELS = ["NVIDIA H100 80GB", "A100", "RTX 4090"] as const;
const START_MS = Date.parse("2026-03-01T00:00:00Z");

/** One trade to make: an offer of exactly the GPUs the order then takes, at a price in base units. */
const tradeArb = fc.record({
  model: fc.constantFrom(...MODELS),
  priceCents: fc.integer({ min: 1, max: 999 }),
  gpus: fc.integer({ min: 1, max: 4 }),
  hours: fc.integer({ min: 1, max: 4 }),
  advanceMs: fc.integer({ min: 0, max: 7 * HOUR_MS }),
});
type Spec = typeof tradeArb extends fc.Arbitrary<infer T> ? T : never;

/** A view over the history of one market: the windows' checks run against what the store says. */
interface Harness {
  readonly market: Marketplace;
  readonly clock: ManualClock;
  readonly parties: Parties;
  readonly expected: TradeRow[];
  next: number;
}

async function trade(h: Harness, market: Marketplace, spec: Spec): Promise<void> {
  h.clock.advance(spec.advanceMs);
  const price = Amount.fromBaseUnits(BigInt(spec.priceCents) * 10_000_000n).toString();
  const key = `${market === h.market ? "a" : "b"}-${++h.next}`;
  const provider = Wallet.generate().address;
  await market.addOffer(`offer-${key}`, {
    providerId: provider,
    gpuCapacity: { gpuCount: spec.gpus, gpuModel: spec.model, vramGb: 80 },
    pricePerHour: price,
    availableHours: 48,
  });
  const submitted = await market.submitOrder(`order-${key}`, {
    buyerId: h.parties.buyer.address,
    requirements: { minGpuCount: spec.gpus, minVramGb: 0, maxPricePerHour: price, estimatedHours: spec.hours },
  });
  const match = submitted.match;
  if (match === undefined) return;
  const offer = market.book.getOffer(match.offerId);
  const seq = await market.store.lastSeq();
  h.expected.push({
    seq,
    atMs: h.clock.now(),
    orderId: submitted.orderId,
    offerId: match.offerId,
    providerId: match.providerId,
    gpuModel: normalizeGpuModel(offer.gpuCapacity.gpuModel),
    gpuCount: match.gpuCount,
    hours: match.hours,
    gpuHours: match.gpuCount * match.hours,
    priceBaseUnits: match.pricePerHour.baseUnits,
    costBaseUnits: match.totalCost.baseUnits,
  });
}

/** Candles of `history` over [fromMs, toMs) checked against the trades of the store in those buckets. */
async function checkWindow(
  history: MarketHistory,
  trades: readonly TradeRow[],
  window: { model: string | undefined; interval: CandleInterval; fromMs: number; toMs: number },
): Promise<void> {
  const answer = await history.candles({
    ...(window.model === undefined ? {} : { gpuModel: window.model }),
    interval: window.interval,
    fromMs: window.fromMs,
    toMs: window.toMs,
  });
  const inside = trades.filter(
    (t) => (window.model === undefined || t.gpuModel === window.model) && t.atMs >= answer.fromMs && t.atMs < answer.toMs,
  );
  const candles = answer.candles;
  expect(candles.reduce((n, c) => n + c.trades, 0)).toBe(inside.length);
  expect(candles.reduce((n, c) => n + c.gpuHours, 0n)).toBe(inside.reduce((n, t) => n + BigInt(t.gpuHours), 0n));
  expect(candles.reduce((n, c) => n + c.molt.baseUnits, 0n)).toBe(inside.reduce((n, t) => n + t.costBaseUnits, 0n));
  const intervalMs = CANDLE_INTERVALS_MS[window.interval];
  for (const candle of candles) {
    const bucket = inside.filter((t) => Math.floor(t.atMs / intervalMs) * intervalMs === candle.startMs);
    expect(bucket.length).toBe(candle.trades);
    const prices = bucket.map((t) => t.priceBaseUnits);
    expect(candle.high.baseUnits).toBe(prices.reduce((a, b) => (b > a ? b : a)));
    expect(candle.low.baseUnits).toBe(prices.reduce((a, b) => (b < a ? b : a)));
    expect(candle.open.baseUnits).toBe(bucket[0]?.priceBaseUnits);
    expect(candle.close.baseUnits).toBe(bucket[bucket.length - 1]?.priceBaseUnits);
  }
  // Over the whole window: high = max, low = min, open = first, close = last.
  if (inside.length > 0) {
    expect(candles[0]?.open.baseUnits).toBe(inside[0]?.priceBaseUnits);
    expect(candles[candles.length - 1]?.close.baseUnits).toBe(inside[inside.length - 1]?.priceBaseUnits);
  } else expect(candles).toEqual([]);
}

/** Every trade of the store, paged. */
async function allTrades(history: MarketHistory): Promise<TradeRow[]> {
  const out: TradeRow[] = [];
  for (let after = 0; ;) {
    const page = await history.trades(undefined, after, 7);
    out.push(...page);
    if (page.length < 7) return out;
    after = page[page.length - 1]?.seq ?? after;
  }
}

for (const factory of factories) {
  describe(`market history on ${factory.name}`, () => {
    let h: Harness;
    let second: Marketplace;
    let dispose: () => Promise<void>;
    beforeAll(async () => {
      const db = await factory.fresh();
      const parties = await openParties("1000000");
      const clock = new ManualClock(START_MS);
      const market = await openMarket(await db.open(), parties, clock, "node-a", { fundingWindowMs: 24 * HOUR_MS });
      second = await openMarket(await db.open(), parties, clock, "node-b", { fundingWindowMs: 24 * HOUR_MS });
      h = { market, clock, parties, expected: [], next: 0 };
      dispose = async () => {
        await second.close();
        await market.close();
        parties.chain.close();
        await db.dispose();
      };
    });
    afterAll(() => dispose());

    it("candles summed over any window equal the trades in it; every match is a trade", { timeout: 120_000 }, async () => {
      const history = new MarketHistory(h.market.store, h.clock);
      const windowArb = fc.record({
        model: fc.option(fc.constantFrom(...MODELS.map((m) => normalizeGpuModel(m))), { nil: undefined }),
        interval: fc.constantFrom<CandleInterval>("1h", "1d"),
        fromOffsetMs: fc.integer({ min: -HOUR_MS, max: 40 * HOUR_MS }),
        lengthMs: fc.integer({ min: 1, max: 30 * HOUR_MS }),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.array(tradeArb, { minLength: 1, maxLength: 5 }),
          fc.array(windowArb, { minLength: 1, maxLength: 4 }),
          async (specs, windows) => {
            for (const spec of specs) await trade(h, h.market, spec);
            const stored = await allTrades(history);
            expect(stored).toEqual(h.expected);
            for (const w of windows) {
              const fromMs = START_MS + w.fromOffsetMs;
              await checkWindow(history, stored, { model: w.model, interval: w.interval, fromMs, toMs: fromMs + w.lengthMs });
            }
            // The whole history at once, in day buckets, from a cache filled by earlier windows.
            await checkWindow(history, stored, { model: undefined, interval: "1d", fromMs: START_MS, toMs: h.clock.now() + 1 });
          },
        ),
        { numRuns: 12 },
      );
      expect(h.expected.length).toBeGreaterThan(10);
    });

    it("two Marketplaces on one store give the same trades and candles", { timeout: 60_000 }, async () => {
      for (const [i, model] of MODELS.entries()) {
        await trade(h, second, { model, priceCents: 100 + i, gpus: 1, hours: 1, advanceMs: HOUR_MS });
        await trade(h, h.market, { model, priceCents: 200 + i, gpus: 2, hours: 1, advanceMs: 0 });
      }
      await h.market.follow();
      await second.follow();
      const a = new MarketHistory(h.market.store, h.clock);
      const b = new MarketHistory(second.store, h.clock);
      expect(await allTrades(a)).toEqual(h.expected);
      expect(await allTrades(b)).toEqual(h.expected);
      for (const interval of ["1h", "1d"] as const) {
        const request = { interval, fromMs: START_MS, toMs: h.clock.now() + 1 };
        expect(await b.candles(request)).toEqual(await a.candles(request));
        expect(await b.candles({ ...request, gpuModel: "H100" })).toEqual(await a.candles({ ...request, gpuModel: "H100" }));
      }
      // The same through each node's HTTP app (its own caches; depth from its own book).
      const apps = [await buildApp({ market: h.market, clock: h.clock }), await buildApp({ market: second, clock: h.clock })];
      try {
        for (const url of [
          "/v1/market/trades?limit=500",
          "/v1/market/trades?model=A100&after=3",
          "/v1/market/candles?interval=1h",
          `/v1/market/candles?interval=1d&from=${START_MS}&to=${h.clock.now() + 1}`,
          "/v1/market/depth",
        ]) {
          const [fromA, fromB] = await Promise.all(apps.map((app) => app.inject({ method: "GET", url })));
          expect(fromA?.statusCode).toBe(200);
          expect(fromB?.json()).toEqual(fromA?.json());
        }
      } finally {
        for (const app of apps) await app.close();
      }
    });
  });
}
