// The quote cache never answers what a fresh computation would not: over random books (adds,
// matches, releases, pauses, withdrawals, reputation changes, expiries by the clock with and
// without expire(), a follower moved by the leader's events), a cached quote or best-offers answer
// equals the one computed now; and an unchanged book is not computed again.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Static } from "@sinclair/typebox";
import { ManualClock } from "../../src/core/clock.js";
import type { QuoteQuery } from "../../src/contract/market-data.js";
import type { BestOffersQuery } from "../../src/contract/offers.js";
import { OrderBook } from "../../src/orderbook/order-book.js";
import { bestOffersAnswer, bestOffersKey, quoteAnswer, quoteKey } from "../../src/server/quote-answers.js";
import { QuoteCache } from "../../src/server/quote-cache.js";
import type { QuoteSource } from "../../src/server/quote-cache.js";
import { T0, bookCommand, offerFrom, runBookCommand } from "../support/arbitraries.js";
import type { DrivenBook } from "../support/arbitraries.js";

const FEE_BPS = 250;
const QUOTES: Static<typeof QuoteQuery>[] = [
  { gpus: "1", maxPrice: "9", hours: "1" },
  { gpus: "2", maxPrice: "2", hours: "4", limit: "3" },
  { gpus: "4", vram: "48", maxPrice: "3", hours: "8", minReputation: "0.4" },
  { gpus: "1", maxPrice: "9", hours: "1", denyProviders: "p-alpha", limit: "1" },
  { gpus: "8", maxPrice: "0.5", hours: "1" },
];
const BESTS: Static<typeof BestOffersQuery>[] = [
  { gpus: "1", maxPrice: "9", hours: "1" },
  { gpus: "2", maxPrice: "2.5", hours: "4", models: "A100", limit: "2" },
  { gpus: "8", maxPrice: "0.5", hours: "1" },
];

/** A quote and a best-offers cache over `source`, and a check that each answers what is computed now. */
function caches(source: QuoteSource, clock: ManualClock, entriesMax = { quotes: 3, bests: 2 }) {
  const quotes = new QuoteCache<ReturnType<typeof quoteAnswer>["answer"]>(source, clock, entriesMax.quotes);
  const bests = new QuoteCache<ReturnType<typeof bestOffersAnswer>["answer"]>(source, clock, entriesMax.bests);
  let computed = 0;
  return {
    get computed() {
      return computed;
    },
    check(): void {
      for (const q of QUOTES) {
        const cached = quotes.get(quoteKey(q), () => (computed++, quoteAnswer(source.book, q, clock, FEE_BPS)));
        expect(cached).toEqual(quoteAnswer(source.book, q, clock, FEE_BPS).answer);
      }
      for (const q of BESTS) {
        const cached = bests.get(bestOffersKey(q), () => (computed++, bestOffersAnswer(source.book, q)));
        expect(cached).toEqual(bestOffersAnswer(source.book, q).answer);
      }
      expect(quotes.size).toBeLessThanOrEqual(entriesMax.quotes);
      expect(bests.size).toBeLessThanOrEqual(entriesMax.bests);
    },
  };
}

const step = fc.oneof(
  { weight: 6, arbitrary: bookCommand },
  { weight: 2, arbitrary: fc.constantFrom(60_000, 30 * 60_000, 61 * 60_000).map((ms) => ({ kind: "tick" as const, ms })) },
);

describe("QuoteCache", () => {
  it("a cached answer always equals a fresh computation, on the leader's book and on a follower's", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 50 }), fc.array(fc.nat({ max: 4 }), { maxLength: 50 }), (steps, repeats) => {
        const clock = new ManualClock(T0);
        const leader = new OrderBook({ clock });
        const follower = new OrderBook({ clock });
        let followerSeq = 0;
        leader.on((event) => {
          follower.apply(event);
          followerSeq++;
        });
        const onLeader = caches({ book: leader, lastSeq: 0 }, clock);
        const onFollower = caches(
          {
            book: follower,
            get lastSeq() {
              return followerSeq;
            },
          },
          clock,
        );
        const driven: DrivenBook = { offerIds: [], submitted: [] };
        steps.forEach((s, i) => {
          // A tick: time passes and nothing expires the offers, so the answers must still leave them out.
          if (s.kind === "tick") clock.advance(s.ms);
          else runBookCommand(leader, s, driven, clock);
          // Each answer asked again up to four times with nothing changed.
          for (let n = 0; n <= (repeats[i] ?? 0); n++) {
            onLeader.check();
            onFollower.check();
          }
        });
      }),
      { numRuns: 150 },
    );
  });

  it("an unchanged book is not computed again; a change, the clock past an answer's offer, or another book is", () => {
    const clock = new ManualClock(T0);
    const book = new OrderBook({ clock });
    const source = { book, lastSeq: 0 };
    const cache = caches(source, clock, { quotes: 16, bests: 16 });
    const offer = offerFrom(
      {
        providerId: "p-alpha",
        model: 1,
        vramPick: 1,
        gpuCount: 8,
        price: "1",
        availableHours: 24,
        minCommitmentHours: 0,
        features: [],
        place: -1,
        utilization: undefined,
        ageMs: 0,
        ttlHours: 1,
      },
      clock,
    );
    book.addOffer(offer);
    const all = QUOTES.length + BESTS.length;
    // Misses that explain themselves are never kept (their explanation counts every offer).
    const misses = QUOTES.filter((q) => quoteAnswer(book, q, clock, FEE_BPS).answer.explanation !== undefined).length;
    expect(misses).toBeLessThan(QUOTES.length);
    const computedBy = (change: () => void): number => {
      const before = cache.computed;
      change();
      cache.check();
      return cache.computed - before;
    };
    expect(computedBy(() => undefined)).toBe(all);
    expect(computedBy(() => undefined)).toBe(misses);
    expect(
      computedBy(() => {
        book.setProviderReputation("p-alpha", 0.9);
      }),
    ).toBe(all);
    expect(computedBy(() => undefined)).toBe(misses);
    // A feed seq moved by another process's event.
    expect(computedBy(() => (source.lastSeq = 1))).toBe(all);
    expect(
      computedBy(() => {
        clock.set(offer.expiresAt.getTime() - 1);
      }),
    ).toBe(misses);
    // The clock reaches the expiry of the offer the kept answers hold; an empty list of best offers stays empty.
    const emptyBests = BESTS.filter((q) => bestOffersAnswer(book, q).answer.offers.length === 0).length;
    expect(emptyBests).toBeGreaterThan(0);
    expect(
      computedBy(() => {
        clock.set(offer.expiresAt.getTime());
      }),
    ).toBe(all - emptyBests);
    const other = new OrderBook({ clock });
    source.book = other;
    expect(computedBy(() => (source.book = other))).toBe(all);
  });
});
