// Differential property tests: the indexed book returns exactly what the reference scan returns,
// in the same order, for random books (with allocations, pauses and reputations) and orders (with
// random hard filters: provider allow / deny lists, of providers in the book and of unknown ones,
// GPU models in other spellings and one no book holds, a minimum reputation), including books of
// mostly distinct shapes (high-cardinality and adversarial mixes) that the price walk answers.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Amount } from "../../src/core/amount.js";
import { ManualClock } from "../../src/core/clock.js";
import { normalizeGpuModel } from "../../src/core/gpu-model.js";
import { createOrder } from "../../src/core/order.js";
import type { BookOffer } from "../../src/core/types.js";
import { OrderBook } from "../../src/orderbook/order-book.js";
import { referenceSatisfies, referenceScan } from "../support/reference-scan.js";
import type { ReferenceOffer } from "../support/reference-scan.js";
import { PROVIDERS, T0, adversarialOfferSpec, offerFrom, offerSpec, orderFrom, orderSpec, wideOfferSpec } from "../support/arbitraries.js";
import { filteredOrderFrom, hardFilterSpec } from "../support/provider-filters.js";

function referenceView(book: OrderBook): ReferenceOffer[] {
  return book
    .activeOffers()
    .map((offer: BookOffer) => ({ offer, freeGpuCount: offer.freeGpuCount, reputation: book.providerReputation(offer.providerId) }));
}

const bookSetup = fc.record({
  offers: fc.array(offerSpec, { minLength: 10, maxLength: 120 }),
  fillers: fc.array(fc.tuple(orderSpec, hardFilterSpec), { maxLength: 15 }),
  pauses: fc.array(fc.nat(), { maxLength: 5 }),
  reputations: fc.array(fc.tuple(fc.constantFrom(...PROVIDERS), fc.double({ min: 0, max: 1, noNaN: true })), { maxLength: 4 }),
  advanceMs: fc.constantFrom(0, 30 * 60_000, 90 * 60_000),
});

type BookSetup = typeof bookSetup extends fc.Arbitrary<infer T> ? T : never;

/**
 * Books of mostly distinct shapes: high-cardinality, adversarial, or both with ordinary offers; the
 * shape count past which queries walk by price is drawn too, so that every path answers (the price
 * walk, its fallback to the shape walk when over budget, the shape walk alone).
 */
const distinctShapesSetup = fc.record({
  offers: fc.oneof(
    fc.array(wideOfferSpec, { minLength: 10, maxLength: 150 }),
    fc.array(adversarialOfferSpec, { minLength: 10, maxLength: 150 }),
    fc.array(fc.oneof(offerSpec, wideOfferSpec, adversarialOfferSpec), { minLength: 10, maxLength: 150 }),
  ),
  fillers: fc.array(fc.tuple(orderSpec, hardFilterSpec), { maxLength: 15 }),
  pauses: fc.array(fc.nat(), { maxLength: 5 }),
  reputations: fc.array(fc.tuple(fc.constantFrom(...PROVIDERS), fc.double({ min: 0, max: 1, noNaN: true })), { maxLength: 4 }),
  advanceMs: fc.constantFrom(0, 30 * 60_000, 90 * 60_000),
  shapeWalkShapesMax: fc.constantFrom(0, 1, 4, 16, 4096),
});

function buildBook(setup: BookSetup & { readonly shapeWalkShapesMax?: number }): { book: OrderBook; clock: ManualClock } {
  const clock = new ManualClock(T0);
  const book = new OrderBook(
    setup.shapeWalkShapesMax === undefined ? { clock } : { clock, limits: { shapeWalkShapesMax: setup.shapeWalkShapesMax } },
  );
  for (const spec of setup.offers) book.addOffer(offerFrom(spec, clock));
  for (const [provider, reputation] of setup.reputations) book.setProviderReputation(provider, reputation);
  // Orders that match take GPUs, so offers end up partly allocated.
  for (const [spec, filter] of setup.fillers) book.submitOrder(filteredOrderFrom(spec, filter, clock));
  const active = book.activeOffers();
  for (const pick of setup.pauses) {
    const offer = active[pick % Math.max(1, active.length)];
    if (offer !== undefined && book.getOffer(offer.id).status === "Active") book.pauseOffer(offer.id);
  }
  // Time passes without a sweep: expired offers must still never match.
  clock.advance(setup.advanceMs);
  return { book, clock };
}

describe("OrderBook vs reference scan", () => {
  it("bestOffers returns exactly the reference's offers in the reference's order", () => {
    fc.assert(
      fc.property(
        bookSetup,
        fc.array(fc.tuple(orderSpec, hardFilterSpec), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 1, max: 20 }),
        (setup, orders, limit) => {
          const { book, clock } = buildBook(setup);
          const view = referenceView(book);
          for (const [spec, filter] of orders) {
            const order = filteredOrderFrom(spec, filter, clock);
            const expected = referenceScan(view, order.requirements, undefined, clock.now(), limit).map((r) => r.offer.offer.id);
            expect(book.bestOffers(order.requirements, limit).map((o) => o.id)).toEqual(expected);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("matchOrder returns the reference's matches, with scores, costs and allocations that keep every rule", () => {
    fc.assert(
      fc.property(bookSetup, fc.array(fc.tuple(orderSpec, hardFilterSpec), { minLength: 1, maxLength: 10 }), (setup, orders) => {
        const { book, clock } = buildBook(setup);
        const view = referenceView(book);
        const byId = new Map(view.map((r) => [r.offer.id, r]));
        for (const [spec, filter] of orders) {
          const order = filteredOrderFrom(spec, filter, clock);
          const expected = referenceScan(view, order.requirements, order.maxBudget, clock.now(), 1000);
          const matches = book.matchOrder(order, 1000);
          expect(matches.map((m) => m.offerId)).toEqual(expected.map((r) => r.offer.offer.id));
          matches.forEach((match, i) => {
            const candidate = byId.get(match.offerId) as ReferenceOffer;
            expect(referenceSatisfies(candidate, order.requirements, order.maxBudget, clock.now())).toBe(true);
            expect(match.score).toBe(expected[i]?.score);
            expect(match.score).toBeGreaterThanOrEqual(0);
            expect(match.score).toBeLessThanOrEqual(1);
            const b = match.scoreBreakdown;
            expect(b.total).toBe(match.score);
            expect(
              Math.abs(
                b.priceHeadroom + b.gpuFit + b.vramFit + b.preferredModel + b.extraFeatures + b.reputation + b.utilization - b.total,
              ),
            ).toBeLessThan(1e-12);
            expect(match.gpuCount).toBe(order.requirements.minGpuCount);
            expect(match.gpuCount).toBeLessThanOrEqual(candidate.freeGpuCount);
            expect(match.hours).toBe(order.requirements.estimatedHours);
            expect(match.totalCost.baseUnits).toBe(candidate.offer.pricePerHour.baseUnits * BigInt(match.gpuCount * match.hours));
            if (order.maxBudget !== undefined) expect(match.totalCost.lte(order.maxBudget)).toBe(true);
          });
        }
      }),
      { numRuns: 300 },
    );
  });

  it("hard filters never return, quote or match an offer outside them", () => {
    fc.assert(
      fc.property(bookSetup, fc.array(fc.tuple(orderSpec, hardFilterSpec), { minLength: 1, maxLength: 10 }), (setup, orders) => {
        const { book, clock } = buildBook(setup);
        for (const [spec, filters] of orders) {
          const order = filteredOrderFrom(spec, filters, clock);
          const models = filters.gpuModels?.map((model) => normalizeGpuModel(model));
          const inside = (offer: BookOffer): boolean =>
            (models === undefined || models.includes(normalizeGpuModel(offer.gpuCapacity.gpuModel))) &&
            (filters.minReputation === undefined || book.providerReputation(offer.providerId) >= filters.minReputation) &&
            (filters.providers?.allow === undefined || filters.providers.allow.includes(offer.providerId)) &&
            filters.providers?.deny?.includes(offer.providerId) !== true;
          for (const offer of book.bestOffers(order.requirements, 50)) expect(inside(offer)).toBe(true);
          for (const match of book.matchOrder(order, 50)) expect(inside(book.getOffer(match.offerId))).toBe(true);
          const result = book.submitOrder(order);
          if (result.status === "Matched") expect(inside(book.getOffer(result.match.offerId))).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("explainMiss explains exactly the misses, with its constraint's code and a nearest offer of the book", () => {
    fc.assert(
      fc.property(bookSetup, fc.array(fc.tuple(orderSpec, hardFilterSpec), { minLength: 1, maxLength: 10 }), (setup, orders) => {
        const { book, clock } = buildBook(setup);
        const view = referenceView(book);
        for (const [spec, filters] of orders) {
          const order = filteredOrderFrom(spec, filters, clock);
          const matches = book.matchOrder(order, 1);
          const explanation = book.explainMiss(order.requirements, order.maxBudget);
          expect(explanation === undefined).toBe(matches.length > 0);
          if (explanation === undefined) continue;
          expect(explanation.code).toBe(
            explanation.constraint === "price" || explanation.constraint === "budget" ? "PRICE_EXCEEDS_BUDGET" : "NO_MATCHING_OFFERS",
          );
          // The nearest offer is a live, unexpired offer with free GPUs, of the book.
          if (explanation.nearest !== undefined) expect(view.some((r) => r.offer.id === explanation.nearest?.offerId)).toBe(true);
          else expect(explanation.constraint).toBe("offers");
        }
      }),
      { numRuns: 200 },
    );
  });

  it("books of mostly distinct shapes: bestOffers and matchOrder answer exactly as the reference, whichever walk answers", () => {
    fc.assert(
      fc.property(
        distinctShapesSetup,
        fc.array(fc.tuple(orderSpec, hardFilterSpec), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 1, max: 20 }),
        (setup, orders, limit) => {
          const { book, clock } = buildBook(setup);
          const view = referenceView(book);
          for (const [spec, filter] of orders) {
            const order = filteredOrderFrom(spec, filter, clock);
            const expectedBest = referenceScan(view, order.requirements, undefined, clock.now(), limit).map((r) => r.offer.offer.id);
            expect(book.bestOffers(order.requirements, limit).map((o) => o.id)).toEqual(expectedBest);
            const expected = referenceScan(view, order.requirements, order.maxBudget, clock.now(), limit);
            const matches = book.matchOrder(order, limit);
            expect(matches.map((m) => [m.offerId, m.score])).toEqual(expected.map((r) => [r.offer.offer.id, r.score]));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("the price walk's pruning never drops a winner: high-cardinality and adversarial books, few results", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(wideOfferSpec, adversarialOfferSpec), { minLength: 100, maxLength: 400 }),
        fc.array(fc.tuple(fc.constantFrom(...PROVIDERS), fc.double({ min: 0, max: 1, noNaN: true })), { maxLength: 4 }),
        fc.array(
          fc
            .tuple(orderSpec, fc.integer({ min: 0, max: 160 }), fc.integer({ min: 1, max: 8 }))
            .map(([spec, minVramGb, minGpuCount]) => ({ ...spec, location: -1, minVramGb, minGpuCount })),
          { minLength: 1, maxLength: 5 },
        ),
        fc.integer({ min: 1, max: 3 }),
        (specs, reputations, orders, limit) => {
          const clock = new ManualClock(T0);
          const book = new OrderBook({ clock, limits: { shapeWalkShapesMax: 0 } });
          for (const spec of specs) book.addOffer(offerFrom({ ...spec, ttlHours: 10 }, clock));
          for (const [provider, reputation] of reputations) book.setProviderReputation(provider, reputation);
          const view = referenceView(book);
          for (const spec of orders) {
            const { requirements } = orderFrom(spec, clock);
            const expected = referenceScan(view, requirements, undefined, clock.now(), limit).map((r) => r.offer.offer.id);
            expect(book.bestOffers(requirements, limit).map((o) => o.id)).toEqual(expected);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it("pruning never drops a winner: dense books of one shape, varied prices, utilizations and reputations", () => {
    const denseOffer = offerSpec.chain((spec) =>
      fc
        .record({ price: fc.bigInt({ min: 1_000_000_000n, max: 1_200_000_000n }), utilization: fc.integer({ min: 0, max: 100 }) })
        .map(({ price, utilization }) => ({
          ...spec,
          model: 0,
          place: 0,
          gpuCount: 8,
          features: [],
          availableHours: 100,
          minCommitmentHours: 1,
          price: Amount.fromLamports(price).toString(),
          utilization,
        })),
    );
    fc.assert(
      fc.property(
        fc.array(denseOffer, { minLength: 100, maxLength: 400 }),
        fc.array(fc.tuple(fc.constantFrom(...PROVIDERS), fc.double({ min: 0, max: 1, noNaN: true })), { maxLength: 4 }),
        fc.constantFrom("1.2", "1.25", "2", "50"),
        fc.integer({ min: 1, max: 3 }),
        (specs, reputations, maxPrice, limit) => {
          const clock = new ManualClock(T0);
          const book = new OrderBook({ clock });
          for (const spec of specs) book.addOffer(offerFrom(spec, clock));
          for (const [provider, reputation] of reputations) book.setProviderReputation(provider, reputation);
          const requirements = createOrder(
            { buyerId: "b", requirements: { minGpuCount: 8, maxPricePerHour: maxPrice, estimatedHours: 1 } },
            { clock },
          ).requirements;
          const expected = referenceScan(referenceView(book), requirements, undefined, clock.now(), limit).map((r) => r.offer.offer.id);
          expect(book.bestOffers(requirements, limit).map((o) => o.id)).toEqual(expected);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("addOffers (bulk) builds a book that answers exactly like one built offer by offer", () => {
    fc.assert(
      fc.property(
        fc.array(offerSpec, { minLength: 1, maxLength: 150 }),
        fc.array(fc.tuple(orderSpec, hardFilterSpec), { minLength: 1, maxLength: 8 }),
        (specs, orders) => {
          const clock = new ManualClock(T0);
          const offers = specs.map((spec) => offerFrom(spec, clock));
          const single = new OrderBook({ clock });
          for (const offer of offers) single.addOffer(offer);
          const bulk = new OrderBook({ clock });
          expect(bulk.addOffers(offers)).toEqual(offers.map((o) => o.id));
          for (const [spec, filter] of orders) {
            const order = filteredOrderFrom(spec, filter, clock);
            expect(bulk.matchOrder(order, 50)).toEqual(single.matchOrder(order, 50));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it("addOffers is all or nothing", () => {
    const clock = new ManualClock(T0);
    const book = new OrderBook({ clock });
    const offers = fc.sample(offerSpec, { numRuns: 5, seed: 1 }).map((spec) => offerFrom(spec, clock));
    expect(() => book.addOffers([...offers, offers[0] as (typeof offers)[number]])).toThrow(/already exists/);
    expect(book.offerCount).toBe(0);
    const limited = new OrderBook({ clock, limits: { offersMax: 4 } });
    expect(() => limited.addOffers(offers)).toThrow(/offersMax/);
    expect(limited.offerCount).toBe(0);
  });

  it("a quote changes nothing", () => {
    fc.assert(
      fc.property(bookSetup, orderSpec, hardFilterSpec, (setup, spec, filter) => {
        const { book, clock } = buildBook(setup);
        const before = JSON.stringify(book.activeOffers());
        book.matchOrder(filteredOrderFrom(spec, filter, clock), 50);
        book.bestOffers(filteredOrderFrom(spec, filter, clock).requirements, 50);
        expect(JSON.stringify(book.activeOffers())).toBe(before);
      }),
      { numRuns: 100 },
    );
  });
});
