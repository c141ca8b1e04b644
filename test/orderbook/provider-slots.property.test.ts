// The per-provider walk of an allow list (ProviderSlots.best, which OfferSet uses when the allowed
// providers hold few offers) ranks exactly as the shape index does for the same query, so either
// path gives the same answer whatever ALLOW_WALK_MAX is.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { OfferSet } from "../../src/orderbook/offer-set.js";
import { compileQuery } from "../../src/orderbook/query.js";
import { ShapeIndex } from "../../src/orderbook/shape-index.js";
import { PROVIDERS, T0, offerFrom, offerSpec, orderSpec } from "../support/arbitraries.js";
import { filteredOrderFrom, hardFilterSpec } from "../support/provider-filters.js";

describe("allow lists: provider walk vs shape index", () => {
  it("gives the same slots in the same order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(offerSpec, fc.integer({ min: 0, max: 8 })), { minLength: 5, maxLength: 120 }),
        fc.array(fc.tuple(fc.constantFrom(...PROVIDERS), fc.double({ min: 0, max: 1, noNaN: true })), { maxLength: 4 }),
        fc.array(fc.tuple(orderSpec, hardFilterSpec, fc.subarray(PROVIDERS, { minLength: 1, maxLength: 3 })), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.integer({ min: 1, max: 20 }),
        (offers, reputations, orders, limit) => {
          const clock = new ManualClock(T0);
          const set = new OfferSet(10_000, 4096);
          for (const [spec, taken] of offers) {
            const offer = offerFrom(spec, clock);
            set.store(offer, Math.max(0, offer.gpuCapacity.gpuCount - taken), false);
          }
          for (const [provider, reputation] of reputations) set.setReputation(provider, reputation);
          const index = new ShapeIndex(set.table, set.reputations, true);
          for (let slot = 0; slot < set.table.highWater; slot++) if (set.isIndexed(slot)) index.insert(slot);
          for (const [spec, filters, allow] of orders) {
            const order = filteredOrderFrom(spec, { ...filters, providers: { allow } }, clock);
            const query = compileQuery(set.table, order.requirements, order.maxBudget, clock.now());
            expect(query.allowedProviders).toBeDefined();
            expect(set.bestSlots(query, limit)).toEqual(index.best(query, limit).slots);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
