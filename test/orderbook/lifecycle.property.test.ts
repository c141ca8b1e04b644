// Model-based property test: random sequences of book commands, with the invariants checked after
// every step: GPUs are conserved, matches keep every rule, no resting order is left that an offer
// could serve, submitOrder takes the reference's best offer, events are complete and in order.
// Orders carry random provider filters, some naming a provider that only offers later.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { isMarketError } from "../../src/core/errors.js";
import type { OfferId } from "../../src/core/ids.js";
import type { JobOrder } from "../../src/core/types.js";
import type { BookEvent } from "../../src/orderbook/events.js";
import { OrderBook } from "../../src/orderbook/order-book.js";
import { referenceSatisfies, referenceScan } from "../support/reference-scan.js";
import type { ReferenceOffer } from "../support/reference-scan.js";
import { T0, bookCommand, changeOffer, offerFrom, releaseOne } from "../support/arbitraries.js";
import { LATE_PROVIDER, filteredOrderFrom, hardFilterSpec } from "../support/provider-filters.js";

function view(book: OrderBook): ReferenceOffer[] {
  return book
    .activeOffers()
    .map((offer) => ({ offer, freeGpuCount: offer.freeGpuCount, reputation: book.providerReputation(offer.providerId) }));
}

describe("OrderBook lifecycle", () => {
  it("keeps its invariants under random command sequences", () => {
    // Each command with a provider filter (used by a submit) and whether an added offer is the late provider's.
    const step = fc.tuple(
      bookCommand,
      hardFilterSpec,
      fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
    );
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 80 }), (commands) => {
        const clock = new ManualClock(T0);
        const book = new OrderBook({ clock });
        const events: BookEvent[] = [];
        book.on((event) => events.push(event));
        const offerIds: OfferId[] = [];
        const submitted: JobOrder[] = [];

        for (const [step, filter, late] of commands) {
          const before = new Map(view(book).map((r) => [r.offer.id, r]));
          const firstEvent = events.length;
          switch (step.kind) {
            case "add": {
              const offer = offerFrom(late ? { ...step.spec, providerId: LATE_PROVIDER } : step.spec, clock);
              offerIds.push(book.addOffer(offer));
              break;
            }
            case "submit": {
              const order = filteredOrderFrom(step.spec, filter, clock);
              const best = referenceScan([...before.values()], order.requirements, order.maxBudget, clock.now(), 1)[0];
              const result = book.submitOrder(order);
              submitted.push(order);
              if (best === undefined) expect(result.status).toBe("Pending");
              else {
                expect(result.status).toBe("Matched");
                if (result.status === "Matched") expect(result.match.offerId).toBe(best.offer.offer.id);
              }
              break;
            }
            case "remove":
            case "pause":
            case "resume":
              changeOffer(book, step.kind, step.pick, offerIds);
              break;
            case "cancel": {
              const order = submitted[step.pick % Math.max(1, submitted.length)];
              if (order === undefined) break;
              const wasPending = book.pendingOrders().some((o) => o.id === order.id);
              try {
                book.cancelOrder(order.id);
                expect(wasPending).toBe(true);
              } catch (e) {
                expect(wasPending).toBe(false);
                expect(isMarketError(e, "ORDER_NOT_FOUND") || isMarketError(e, "INVALID_STATE_TRANSITION")).toBe(true);
              }
              break;
            }
            case "release":
              releaseOne(book, step.pick);
              break;
            case "expire": {
              clock.advance(step.ms);
              const expired = book.expire();
              for (const id of expired.offers) expect(book.hasOffer(id)).toBe(false);
              break;
            }
            case "reputation":
              book.setProviderReputation(step.provider, step.value);
              expect(book.providerReputation(step.provider)).toBe(step.value);
              break;
          }

          // Every match made in this step (submit, or resting orders served when an offer gained
          // capacity) keeps every rule, judged on the offer's free GPUs at that moment: free after
          // the step plus what this and later matches of the step took from it.
          const stepMatches = events.slice(firstEvent).filter((e) => e.type === "OrderMatched");
          for (const [i, event] of stepMatches.entries()) {
            const offerId = event.match.offerId;
            const takenFromHere = stepMatches
              .slice(i)
              .filter((e) => e.match.offerId === offerId)
              .reduce((sum, e) => sum + e.match.gpuCount, 0);
            const offer = book.getOffer(offerId);
            const candidate = {
              offer,
              freeGpuCount: offer.freeGpuCount + takenFromHere,
              reputation: book.providerReputation(offer.providerId),
            };
            expect(referenceSatisfies(candidate, event.order.requirements, event.order.maxBudget, clock.now())).toBe(true);
          }

          // GPUs are conserved: free + allocated = offered, for every offer the book holds.
          const allocated = new Map<OfferId, number>();
          for (const match of book.activeMatches()) allocated.set(match.offerId, (allocated.get(match.offerId) ?? 0) + match.gpuCount);
          for (const id of offerIds) {
            if (!book.hasOffer(id)) continue;
            const offer = book.getOffer(id);
            expect(offer.freeGpuCount).toBeGreaterThanOrEqual(0);
            expect(offer.freeGpuCount + (allocated.get(id) ?? 0)).toBe(offer.gpuCapacity.gpuCount);
          }

          // Nothing rests that an active offer could serve now.
          const now = view(book);
          for (const order of book.pendingOrders()) {
            if (order.expiresAt.getTime() <= clock.now()) continue;
            expect(referenceScan(now, order.requirements, order.maxBudget, clock.now(), 1)).toEqual([]);
          }
          // Resting orders are listed in serve order: priority, then age.
          const pending = book.pendingOrders();
          const rank = { Low: 0, Normal: 1, High: 2, Critical: 3 };
          for (let i = 1; i < pending.length; i++) {
            const a = pending[i - 1] as JobOrder;
            const b = pending[i] as JobOrder;
            expect(
              rank[a.priority] > rank[b.priority] ||
                (rank[a.priority] === rank[b.priority] && a.createdAt.getTime() <= b.createdAt.getTime()),
            ).toBe(true);
          }
        }
        // Events are numbered 1, 2, 3, ... with nothing missing.
        events.forEach((event, i) => {
          expect(event.seq).toBe(i + 1);
        });
        // Every order is in exactly one place: resting, matched, or gone by an event.
        const pendingIds = new Set(book.pendingOrders().map((o) => o.id));
        const matchedIds = new Set(book.activeMatches().map((m) => m.orderId));
        for (const order of submitted) {
          const endedBy = events.filter(
            (e) => (e.type === "OrderCancelled" || e.type === "OrderExpired" || e.type === "AllocationReleased") && e.orderId === order.id,
          );
          const places = (pendingIds.has(order.id) ? 1 : 0) + (matchedIds.has(order.id) ? 1 : 0) + endedBy.length;
          expect(places).toBe(1);
        }
      }),
      { numRuns: 200 },
    );
  });
});
