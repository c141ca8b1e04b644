// Replication: a follower book that applies every event of a leader book, in order, holds the same
// offers, resting orders and allocations, and makes no match of its own. Model-based property test
// over random command sequences, plus unit tests of apply's edge cases and of a rebuild from rows.
import fc from "fast-check";
import { expectMarketError } from "../support/expect-error.js";
import { describe, expect, it } from "vitest";
import { Amount } from "../../src/core/amount.js";
import { HOUR_MS, ManualClock } from "../../src/core/clock.js";
import type { MarketErrorCode } from "../../src/core/errors.js";
import type { OfferId } from "../../src/core/ids.js";
import { createOffer } from "../../src/core/offer.js";
import { createOrder } from "../../src/core/order.js";
import type { JobOrder } from "../../src/core/types.js";
import type { BookEvent } from "../../src/orderbook/events.js";
import { OrderBook } from "../../src/orderbook/order-book.js";
import { PROVIDERS, T0, bookCommand, orderFrom, orderSpec, runBookCommand } from "../support/arbitraries.js";
import type { DrivenBook } from "../support/arbitraries.js";

/** An event with its stamp blanked, to compare events of two books. */
function body(event: BookEvent): BookEvent {
  return { ...event, seq: 0, atMs: 0 };
}

const expectCode = (fn: () => unknown, code: MarketErrorCode): void => {
  expectMarketError(fn, code);
};

/** Same state, and the same answers to the same questions (indexes and reputations agree too). */
function expectSameBooks(a: OrderBook, b: OrderBook, probes: readonly JobOrder[]): void {
  expect(b.snapshot()).toEqual(a.snapshot());
  for (const provider of PROVIDERS) expect(b.providerReputation(provider)).toBe(a.providerReputation(provider));
  for (const probe of probes) expect(b.matchOrder(probe, 3)).toEqual(a.matchOrder(probe, 3));
}

describe("OrderBook replica", () => {
  it("a follower applying the leader's events holds the leader's state after every step, and never matches on its own", () => {
    fc.assert(
      fc.property(
        fc.array(bookCommand, { minLength: 1, maxLength: 60 }),
        fc.array(orderSpec, { minLength: 1, maxLength: 3 }),
        (commands, probeSpecs) => {
          const clock = new ManualClock(T0);
          const leader = new OrderBook({ clock });
          const follower = new OrderBook({ clock });
          const leaderEvents: BookEvent[] = [];
          const followerEvents: BookEvent[] = [];
          leader.on((event) => leaderEvents.push(event));
          leader.on((event) => {
            follower.apply(event);
          });
          follower.on((event) => followerEvents.push(event));
          const driven: DrivenBook = { offerIds: [], submitted: [] };

          for (const step of commands) {
            runBookCommand(leader, step, driven, clock);
            expect(follower.snapshot()).toEqual(leader.snapshot());
            // The follower tells of exactly the leader's events: no match (nor anything else) of its own.
            expect(followerEvents.map(body)).toEqual(leaderEvents.map(body));
          }
          followerEvents.forEach((event, i) => {
            expect(event.seq).toBe(i + 1);
          });
          expectSameBooks(
            leader,
            follower,
            probeSpecs.map((spec) => orderFrom(spec, clock)),
          );

          // A book rebuilt later from the stored events (stamps and all) ends in the same state.
          const rebuilt = new OrderBook({ clock });
          for (const event of leaderEvents) rebuilt.apply(event);
          expectSameBooks(
            leader,
            rebuilt,
            probeSpecs.map((spec) => orderFrom(spec, clock)),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("OrderBook.apply", () => {
  function offerOf(clock: ManualClock, gpuCount = 8, ttlMs = 24 * HOUR_MS) {
    return createOffer(
      {
        providerId: "provider-1",
        gpuCapacity: { gpuCount, gpuModel: "H100", vramGb: 80 },
        pricePerHour: Amount.fromMolt(10),
        availableHours: 24,
        expiresAt: new Date(clock.now() + ttlMs),
      },
      { clock },
    );
  }
  function orderOf(clock: ManualClock, minGpuCount: number) {
    return createOrder(
      { buyerId: "buyer-1", requirements: { minGpuCount, minVramGb: 40, maxPricePerHour: Amount.fromMolt(15), estimatedHours: 8 } },
      { clock },
    );
  }
  function matchedEvent(events: readonly BookEvent[]): Extract<BookEvent, { type: "OrderMatched" }> {
    const event = events.find((e) => e.type === "OrderMatched");
    if (event?.type !== "OrderMatched") throw new Error("no OrderMatched event");
    return event;
  }

  it("a match that does not fit throws INSUFFICIENT_CAPACITY and changes nothing, for a resting and for a direct order", () => {
    const clock = new ManualClock(T0);
    const leader = new OrderBook({ clock });
    const events: BookEvent[] = [];
    leader.on((e) => events.push(e));
    const offer = offerOf(clock);
    leader.addOffer(offer);
    const order = orderOf(clock, 4);
    leader.submitOrder(order);
    const matched = matchedEvent(events);
    expect(matched.match.gpuCount).toBe(4);

    const follower = new OrderBook({ clock });
    const told: BookEvent[] = [];
    follower.on((e) => told.push(e));
    follower.apply({ type: "OfferAdded", offer: { ...offer, freeGpuCount: 3 } });
    const direct = follower.snapshot();
    expectCode(() => {
      follower.apply(matched);
    }, "INSUFFICIENT_CAPACITY");
    expect(follower.snapshot()).toEqual(direct);
    expect(follower.getOffer(offer.id).freeGpuCount).toBe(3);

    follower.apply({ type: "OrderRested", order });
    const resting = follower.snapshot();
    expect(resting.restingOrders).toEqual([order.id]);
    expectCode(() => {
      follower.apply(matched);
    }, "INSUFFICIENT_CAPACITY");
    expect(follower.snapshot()).toEqual(resting);
    expect(follower.pendingOrders().map((o) => o.id)).toEqual([order.id]);
    // The book still answers from intact indexes: 3 free GPUs serve 3 but not 4.
    expect(follower.matchOrder(orderOf(clock, 3)).map((m) => m.offerId)).toEqual([offer.id]);
    expect(follower.matchOrder(orderOf(clock, 4))).toEqual([]);
    expect(told.map((e) => e.type)).toEqual(["OfferAdded", "OrderRested"]);

    // Other refusals change nothing either.
    expectCode(() => {
      follower.apply({ ...matched, match: { ...matched.match, offerId: "off_missing" as OfferId } });
    }, "OFFER_NOT_FOUND");
    expectCode(() => {
      follower.apply({ type: "OfferAdded", offer: { ...offer, freeGpuCount: 9 } });
    }, "DUPLICATE_ID");
    expectCode(() => {
      follower.apply({ type: "OfferAdded", offer: { ...offerOf(clock), freeGpuCount: 9 } });
    }, "OUT_OF_RANGE");
    expectCode(() => {
      follower.apply({ type: "OrderRested", order });
    }, "DUPLICATE_ID");
    expectCode(() => {
      follower.apply({ type: "OrderCancelled", orderId: orderOf(clock, 1).id });
    }, "ORDER_NOT_FOUND");
    expect(follower.snapshot()).toEqual(resting);
    expect(told).toHaveLength(2);
  });

  it("inserts an OfferAdded offer already past its expiry, and expire() then expires it", () => {
    const clock = new ManualClock(T0);
    const offer = offerOf(clock, 8, HOUR_MS);
    clock.advance(2 * HOUR_MS);
    const book = new OrderBook({ clock });
    expectCode(() => book.addOffer(offer), "EXPIRED");
    book.apply({ type: "OfferAdded", offer: { ...offer, freeGpuCount: 5 } });
    expect(book.hasOffer(offer.id)).toBe(true);
    expect(book.getOffer(offer.id).freeGpuCount).toBe(5);
    expect(book.matchOrder(orderOf(clock, 1))).toEqual([]); // past its expiry: never matches
    expect(book.expire().offers).toEqual([offer.id]);
    expect(book.hasOffer(offer.id)).toBe(false);
  });

  it("a book rebuilt from stored rows (offers with their free GPUs, then the live matches) equals the original", () => {
    const clock = new ManualClock(T0);
    const original = new OrderBook({ clock });
    const events: BookEvent[] = [];
    original.on((e) => events.push(e));
    const big = offerOf(clock, 8);
    const small = offerOf(clock, 4);
    const idle = offerOf(clock, 2);
    original.addOffers([big, small, idle]);
    original.setProviderReputation("provider-1", 0.9);
    for (const n of [4, 3]) original.submitOrder(orderOf(clock, n));
    const released = original.submitOrder(orderOf(clock, 2));
    original.releaseAllocation(released.orderId);
    original.pauseOffer(idle.id);
    const waiting = orderOf(clock, 8);
    original.submitOrder(waiting);
    expect(original.pendingOrders().map((o) => o.id)).toEqual([waiting.id]);
    const matches = original.activeMatches();
    expect(matches).toHaveLength(2);

    // The rows a store keeps: each offer as the book holds it now (free GPUs reduced by its matches),
    // each live match, each resting order, each reputation.
    const rows = {
      offers: [big, small, idle].map((o) => original.getOffer(o.id)),
      matches: matches.map((match) => ({ order: original.getOrder(match.orderId), match })),
      resting: original.pendingOrders(),
    };
    expect(rows.offers.some((o) => o.freeGpuCount < o.gpuCapacity.gpuCount && o.freeGpuCount > 0)).toBe(true);
    const rebuilt = new OrderBook({ clock });
    rebuilt.apply({ type: "ReputationChanged", providerId: "provider-1", reputation: 0.9 });
    for (const offer of rows.offers) {
      // The matches replayed below take their GPUs again: list the offer with those GPUs free.
      const held = rows.matches.filter((m) => m.match.offerId === offer.id).reduce((sum, m) => sum + m.match.gpuCount, 0);
      rebuilt.apply({ type: "OfferAdded", offer: { ...offer, freeGpuCount: offer.freeGpuCount + held } });
    }
    for (const { order, match } of rows.matches) rebuilt.apply({ type: "OrderMatched", order, match });
    for (const order of rows.resting) rebuilt.apply({ type: "OrderRested", order });
    expectSameBooks(original, rebuilt, [orderOf(clock, 1), orderOf(clock, 2), orderOf(clock, 4)]);
    expect(rebuilt.getOffer(idle.id).status).toBe("Paused");
    for (const { match } of rows.matches) expect(rebuilt.getMatch(match.orderId)).toEqual(match);

    // Replaying the original's own event log gives the same book too, with no match of its own.
    const replayed = new OrderBook({ clock });
    const told: BookEvent[] = [];
    replayed.on((e) => told.push(e));
    for (const event of events) replayed.apply(event);
    expectSameBooks(original, replayed, [orderOf(clock, 1)]);
    expect(told.map(body)).toEqual(events.map(body));

    // Once rebuilt, it goes on as a book of its own: a release serves the resting order.
    const first = matches.find((m) => m.offerId === big.id);
    if (first === undefined) throw new Error("no match on the big offer");
    original.releaseAllocation(first.orderId);
    rebuilt.releaseAllocation(first.orderId);
    expect(rebuilt.getMatch(waiting.id).offerId).toBe(big.id);
    expectSameBooks(original, rebuilt, [orderOf(clock, 1)]);
  });
});
