// Ties built on purpose: offers whose score parts differ but whose weighted sum is equal by the
// formula. The book must rank them by price, then offer age, then id (DESIGN.md), where the float
// sum it used before ranked them by rounding error. Each case computes that old float score to show
// the old book would have ordered the pair the other way.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Amount } from "../../src/core/amount.js";
import { ManualClock } from "../../src/core/clock.js";
import { newOfferId } from "../../src/core/ids.js";
import type { OfferId } from "../../src/core/ids.js";
import { createOffer } from "../../src/core/offer.js";
import { createOrder } from "../../src/core/order.js";
import type { BookOffer, JobOrder, OrderMatch } from "../../src/core/types.js";
import { OrderBook } from "../../src/orderbook/order-book.js";
import { referenceScan } from "../support/reference-scan.js";
import { SCORE_WEIGHTS } from "../../src/orderbook/score.js";

const T0 = Date.parse("2026-11-23T00:00:00Z");
const MAX_PRICE = "9";

/** The score as the book computed it before integer units: three float groups, summed in this order. */
function oldFloatScore(offer: BookOffer, reputation: number, order: JobOrder): number {
  const w = SCORE_WEIGHTS;
  const r = order.requirements;
  const price = w.priceHeadroom * (1 - Number(offer.pricePerHour.baseUnits) / Number(r.maxPricePerHour.baseUnits));
  const gpuFit = r.minGpuCount / offer.freeGpuCount;
  const vramFit = r.minVramGb === 0 ? 1 : r.minVramGb / offer.gpuCapacity.vramGb;
  const shape = w.gpuFit * gpuFit + w.vramFit * vramFit + w.preferredModel * 0 + w.extraFeatures * 0;
  const fixed = w.reputation * reputation + w.utilization * (1 - (offer.gpuCapacity.currentUtilization ?? 0) / 100);
  return price + shape + fixed;
}

interface TieOffer {
  readonly id: OfferId;
  readonly price: string;
  readonly utilization: number;
  readonly providerId: string;
  readonly createdAtMs: number;
}

function buildBook(offers: readonly TieOffer[], reputations: Readonly<Record<string, number>>): { book: OrderBook; clock: ManualClock } {
  const clock = new ManualClock(T0 + 60_000);
  const book = new OrderBook({ clock });
  for (const [providerId, reputation] of Object.entries(reputations)) book.setProviderReputation(providerId, reputation);
  for (const o of offers) {
    book.addOffer(
      createOffer(
        {
          id: o.id,
          providerId: o.providerId,
          gpuCapacity: { gpuCount: 8, gpuModel: "H100", vramGb: 80, currentUtilization: o.utilization },
          pricePerHour: o.price,
          availableHours: 24,
          createdAt: new Date(o.createdAtMs),
        },
        { clock },
      ),
    );
  }
  return { book, clock };
}

function tieOrder(clock: ManualClock): JobOrder {
  return createOrder(
    { buyerId: "buyer", requirements: { minGpuCount: 4, minVramGb: 40, maxPricePerHour: MAX_PRICE, estimatedHours: 2 } },
    { clock },
  );
}

/** Two offer ids stamped at the same time, lower first. */
function twoIds(): [OfferId, OfferId] {
  const [a, b] = [newOfferId(T0), newOfferId(T0)].sort();
  return [a as OfferId, b as OfferId];
}

/**
 * Checks one tie: `first` must be matched before `second`; their scores are equal and their parts
 * differ; the old float score put `second` ahead; the reference scan agrees with the book.
 */
function expectTieBrokenFor(first: TieOffer, second: TieOffer, reputations: Readonly<Record<string, number>>): void {
  // Added in both orders, so arrival order decides nothing.
  for (const offers of [
    [first, second],
    [second, first],
  ]) {
    const { book, clock } = buildBook(offers, reputations);
    const order = tieOrder(clock);
    const matches = book.matchOrder(order, 10);
    expect(matches.map((m) => m.offerId)).toEqual([first.id, second.id]);
    const [a, b] = matches as [OrderMatch, OrderMatch];
    expect(a.score).toBe(b.score);
    expect(a.scoreBreakdown.total).toBe(b.scoreBreakdown.total);
    expect(a.scoreBreakdown).not.toEqual(b.scoreBreakdown);

    // The old float sum of the same parts ranked the second offer first: the bug this fixes.
    const reputationOf = (o: TieOffer): number => reputations[o.providerId] ?? 0.5;
    const oldFirst = oldFloatScore(book.getOffer(first.id), reputationOf(first), order);
    const oldSecond = oldFloatScore(book.getOffer(second.id), reputationOf(second), order);
    expect(oldSecond).toBeGreaterThan(oldFirst);

    const view = book
      .activeOffers()
      .map((offer) => ({ offer, freeGpuCount: offer.freeGpuCount, reputation: book.providerReputation(offer.providerId) }));
    expect(referenceScan(view, order.requirements, order.maxBudget, clock.now(), 10).map((r) => r.offer.offer.id)).toEqual([
      first.id,
      second.id,
    ]);

    const submitted = book.submitOrder(order);
    expect(submitted.status === "Matched" ? submitted.match.offerId : undefined).toBe(first.id);
  }
}

describe("equal scores tie exactly and break by price, then age, then id", () => {
  it("the cheaper offer first: 1.00 MOLT at 3% utilization ties 1.01 MOLT at 2% (against 9 MOLT)", () => {
    // 0.45 x 0.01 / 9 = 0.0005 = 0.05 x 1%: the cheaper offer gives back in utilization exactly what it gains in price.
    const [lowId, highId] = twoIds();
    const cheaper: TieOffer = { id: highId, price: "1", utilization: 3, providerId: "p", createdAtMs: T0 };
    const dearer: TieOffer = { id: lowId, price: "1.01", utilization: 2, providerId: "p", createdAtMs: T0 - 1000 };
    // The dearer offer is older and has the lower id: only the price can put the cheaper first.
    expectTieBrokenFor(cheaper, dearer, {});
  });

  it("the older offer first at equal price: reputation 0 at 10% utilization ties reputation 0.1 at 20%", () => {
    const [lowId, highId] = twoIds();
    const older: TieOffer = { id: highId, price: "4.5", utilization: 10, providerId: "p-old", createdAtMs: T0 - 1000 };
    const newer: TieOffer = { id: lowId, price: "4.5", utilization: 20, providerId: "p-new", createdAtMs: T0 };
    expectTieBrokenFor(older, newer, { "p-old": 0, "p-new": 0.1 });
  });

  it("the lower id first at equal price and age", () => {
    const [lowId, highId] = twoIds();
    const low: TieOffer = { id: lowId, price: "4.5", utilization: 10, providerId: "p-low", createdAtMs: T0 };
    const high: TieOffer = { id: highId, price: "4.5", utilization: 20, providerId: "p-high", createdAtMs: T0 };
    expectTieBrokenFor(low, high, { "p-low": 0, "p-high": 0.1 });
  });

  it("dense ties: results come in score, then price, age and id order, as the reference scan gives them", () => {
    // Prices, utilizations and reputations on grids where price, utilization and reputation trade
    // exactly (0.01 MOLT = 1% utilization = 0.01 reputation against 9 MOLT), so many sums tie.
    const tieOffer = fc.record({
      cents: fc.integer({ min: 100, max: 110 }),
      utilization: fc.integer({ min: 0, max: 12 }),
      provider: fc.integer({ min: 0, max: 3 }),
      ageMs: fc.constantFrom(0, 1000, 2000),
    });
    fc.assert(
      fc.property(
        fc.array(tieOffer, { minLength: 2, maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 4, maxLength: 4 }),
        fc.integer({ min: 1, max: 10 }),
        (specs, reputationCents, limit) => {
          const clock = new ManualClock(T0 + 60_000);
          const book = new OrderBook({ clock });
          reputationCents.forEach((cents, i) => {
            book.setProviderReputation(`p${i}`, cents / 100);
          });
          for (const spec of specs) {
            book.addOffer(
              createOffer(
                {
                  providerId: `p${spec.provider}`,
                  gpuCapacity: { gpuCount: 8, gpuModel: "H100", vramGb: 80, currentUtilization: spec.utilization },
                  pricePerHour: Amount.fromLamports(BigInt(spec.cents) * 10_000_000n),
                  availableHours: 24,
                  createdAt: new Date(T0 - spec.ageMs),
                },
                { clock },
              ),
            );
          }
          const order = tieOrder(clock);
          const matches = book.matchOrder(order, limit);
          const view = book
            .activeOffers()
            .map((offer) => ({ offer, freeGpuCount: offer.freeGpuCount, reputation: book.providerReputation(offer.providerId) }));
          expect(matches.map((m) => m.offerId)).toEqual(
            referenceScan(view, order.requirements, undefined, clock.now(), limit).map((r) => r.offer.offer.id),
          );
          for (let i = 1; i < matches.length; i++) {
            const [prev, next] = [matches[i - 1] as OrderMatch, matches[i] as OrderMatch];
            expect(prev.score).toBeGreaterThanOrEqual(next.score);
            if (prev.score !== next.score) continue;
            const byPrice = prev.pricePerHour.compare(next.pricePerHour);
            expect(byPrice).toBeLessThanOrEqual(0);
            if (byPrice < 0) continue;
            const [prevAge, nextAge] = [book.getOffer(prev.offerId).createdAt.getTime(), book.getOffer(next.offerId).createdAt.getTime()];
            expect(prevAge).toBeLessThanOrEqual(nextAge);
            if (prevAge === nextAge) expect(prev.offerId < next.offerId).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
