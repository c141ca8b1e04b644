// Unit tests of the order book's rules: the spec's quick start, continuous matching, serve order,
// expiry, release, errors and limits, events.
import { expectMarketError } from "../support/expect-error.js";
import { describe, expect, it } from "vitest";
import { Amount } from "../../src/core/amount.js";
import { HOUR_MS, ManualClock } from "../../src/core/clock.js";
import type { MarketErrorCode } from "../../src/core/errors.js";
import type { Priority } from "../../src/core/enums.js";
import { newOfferId } from "../../src/core/ids.js";
import type { OrderId } from "../../src/core/ids.js";
import { createOffer } from "../../src/core/offer.js";
import type { CreateOfferInput } from "../../src/core/offer.js";
import { createOrder } from "../../src/core/order.js";
import type { RequirementsInput } from "../../src/core/order.js";
import type { BookEvent } from "../../src/orderbook/events.js";
import { OrderBook } from "../../src/orderbook/order-book.js";

const T0 = Date.parse("2026-11-23T00:00:00Z");

function setup(): { clock: ManualClock; book: OrderBook; events: BookEvent[] } {
  const clock = new ManualClock(T0);
  const book = new OrderBook({ clock });
  const events: BookEvent[] = [];
  book.on((e) => events.push(e));
  return { clock, book, events };
}

function offer(clock: ManualClock, overrides: Partial<CreateOfferInput> = {}) {
  return createOffer(
    {
      providerId: "provider-123",
      gpuCapacity: { gpuCount: 8, gpuModel: "H100", vramGb: 80 },
      pricePerHour: Amount.fromMolt(10),
      availableHours: 24,
      ...overrides,
    },
    { clock },
  );
}

function order(
  clock: ManualClock,
  requirements: Partial<RequirementsInput> = {},
  extra: { priority?: Priority; maxBudget?: string; ttlMs?: number } = {},
) {
  return createOrder(
    {
      buyerId: "buyer-456",
      requirements: { minGpuCount: 4, minVramGb: 40, maxPricePerHour: Amount.fromMolt(15), estimatedHours: 8, ...requirements },
      ...(extra.priority === undefined ? {} : { priority: extra.priority }),
      ...(extra.maxBudget === undefined ? {} : { maxBudget: extra.maxBudget }),
      ...(extra.ttlMs === undefined ? {} : { expiresAt: new Date(clock.now() + extra.ttlMs) }),
    },
    { clock },
  );
}

const expectCode = (fn: () => unknown, code: MarketErrorCode): void => {
  expectMarketError(fn, code);
};

describe("OrderBook", () => {
  it("runs the spec's quick start: 8 H100 at 10 MOLT, an order for 4 x 40 GB at <= 15 for 8 hours", () => {
    const { clock, book } = setup();
    const offerId = book.addOffer(offer(clock));
    const matches = book.matchOrder(order(clock));
    expect(matches).toHaveLength(1);
    const [match] = matches;
    expect(match?.offerId).toBe(offerId);
    expect(match?.providerId).toBe("provider-123");
    expect(match?.gpuCount).toBe(4);
    expect(match?.hours).toBe(8);
    expect(match?.pricePerHour.toString()).toBe("10");
    expect(match?.totalCost.toString()).toBe("320"); // 10 x 4 GPUs x 8 hours
    expect(match?.score).toBeGreaterThan(0);
    expect(match?.score).toBeLessThanOrEqual(1);
  });

  it("submitOrder allocates exactly minGpuCount GPUs, and releaseAllocation returns them", () => {
    const { clock, book, events } = setup();
    const offerId = book.addOffer(offer(clock));
    const first = book.submitOrder(order(clock));
    expect(first.status).toBe("Matched");
    expect(book.getOffer(offerId).freeGpuCount).toBe(4);
    const second = book.submitOrder(order(clock));
    expect(second.status).toBe("Matched");
    expect(book.getOffer(offerId).freeGpuCount).toBe(0);
    const third = book.submitOrder(order(clock));
    expect(third.status).toBe("Pending");
    expect(book.pendingOrders().map((o) => o.id)).toEqual([third.orderId]);
    // The job of the first order ends: its 4 GPUs go straight to the resting third order.
    book.releaseAllocation(first.orderId);
    expect(book.pendingOrders()).toEqual([]);
    expect(book.getOrder(third.orderId).status).toBe("Matched");
    expect(book.getOffer(offerId).freeGpuCount).toBe(0);
    expect(events.map((e) => e.type)).toEqual([
      "OfferAdded",
      "OrderMatched",
      "OrderMatched",
      "OrderRested",
      "AllocationReleased",
      "OrderMatched",
    ]);
  });

  it("serves resting orders by priority, then age", () => {
    const { clock, book } = setup();
    const low = book.submitOrder(order(clock, {}, { priority: "Low" }));
    clock.advance(1000);
    const normalOld = book.submitOrder(order(clock, {}, { priority: "Normal" }));
    clock.advance(1000);
    const critical = book.submitOrder(order(clock, {}, { priority: "Critical" }));
    clock.advance(1000);
    const normalNew = book.submitOrder(order(clock, {}, { priority: "Normal" }));
    expect(book.pendingOrders().map((o) => o.id)).toEqual([critical.orderId, normalOld.orderId, normalNew.orderId, low.orderId]);
    // 8 GPUs serve two orders of 4: the critical one, then the older normal one.
    const offerId = book.addOffer(offer(clock));
    expect(book.getMatch(critical.orderId).offerId).toBe(offerId);
    expect(book.getMatch(normalOld.orderId).offerId).toBe(offerId);
    expect(book.pendingOrders().map((o) => o.id)).toEqual([normalNew.orderId, low.orderId]);
  });

  it("prefers the cheaper offer, and explains the score", () => {
    const { clock, book } = setup();
    book.addOffer(offer(clock, { pricePerHour: "12" }));
    const cheap = book.addOffer(offer(clock, { pricePerHour: "9" }));
    const [best] = book.matchOrder(order(clock));
    expect(best?.offerId).toBe(cheap);
    expect(best?.scoreBreakdown.priceHeadroom).toBeCloseTo(0.45 * (1 - 9 / 15), 12);
    expect(best?.scoreBreakdown.gpuFit).toBeCloseTo(0.15 * (4 / 8), 12);
    expect(best?.scoreBreakdown.vramFit).toBeCloseTo(0.1 * (40 / 80), 12);
    expect(best?.scoreBreakdown.reputation).toBeCloseTo(0.05 * 0.5, 12);
  });

  it("respects budget, features, location, hours and the price limit exactly to the base unit", () => {
    const { clock, book } = setup();
    const id = book.addOffer(
      offer(clock, { features: ["NvLink"], location: { region: "us-east-1", country: "US" }, minCommitmentHours: 4 }),
    );
    expect(book.matchOrder(order(clock, {}, { maxBudget: "320" })).map((m) => m.offerId)).toEqual([id]);
    expect(book.matchOrder(order(clock, {}, { maxBudget: "319.999999999" }))).toEqual([]);
    expect(book.matchOrder(order(clock, { maxPricePerHour: "10" }))).toHaveLength(1);
    expect(book.matchOrder(order(clock, { maxPricePerHour: "9.999999999" }))).toEqual([]);
    expect(book.matchOrder(order(clock, { requiredFeatures: ["NvLink"] }))).toHaveLength(1);
    expect(book.matchOrder(order(clock, { requiredFeatures: ["NvLink", "FP8"] }))).toEqual([]);
    expect(book.matchOrder(order(clock, { location: { region: "us-east-1" } }))).toHaveLength(1);
    expect(book.matchOrder(order(clock, { location: { country: "DE" } }))).toEqual([]);
    expect(book.matchOrder(order(clock, { location: { region: "eu-west-1" } }))).toEqual([]);
    expect(book.matchOrder(order(clock, { estimatedHours: 3 }))).toEqual([]); // below min commitment
    expect(book.matchOrder(order(clock, { estimatedHours: 25 }))).toEqual([]); // above available hours
    expect(book.matchOrder(order(clock, { minGpuCount: 9 }))).toEqual([]);
    expect(book.matchOrder(order(clock, { minVramGb: 81 }))).toEqual([]);
    // preferredModels is soft: it raises the score and never filters.
    const preferred = book.matchOrder(order(clock, { preferredModels: ["NVIDIA H100 SXM5 80GB"] }))[0];
    const other = book.matchOrder(order(clock, { preferredModels: ["B200"] }))[0];
    expect(preferred?.scoreBreakdown.preferredModel).toBe(0.15);
    expect(other?.scoreBreakdown.preferredModel).toBe(0);
  });

  it("expires offers and orders by the clock, and never matches an expired offer", () => {
    const { clock, book, events } = setup();
    const offerId = book.addOffer(offer(clock, { expiresAt: new Date(T0 + 2 * HOUR_MS) }));
    const resting = book.submitOrder(order(clock, { minGpuCount: 16 }, { ttlMs: HOUR_MS }));
    expect(resting.status).toBe("Pending");
    clock.advance(HOUR_MS);
    expect(book.expire()).toEqual({ offers: [], orders: [resting.orderId] });
    clock.advance(HOUR_MS);
    expect(book.matchOrder(order(clock))).toEqual([]); // expired though not swept yet
    expect(book.expire()).toEqual({ offers: [offerId], orders: [] });
    expect(book.hasOffer(offerId)).toBe(false);
    expect(events.filter((e) => e.type === "OrderExpired" || e.type === "OfferExpired").map((e) => e.type)).toEqual([
      "OrderExpired",
      "OfferExpired",
    ]);
  });

  it("pauses and resumes offers", () => {
    const { clock, book } = setup();
    const id = book.addOffer(offer(clock));
    book.pauseOffer(id);
    expect(book.getOffer(id).status).toBe("Paused");
    expect(book.activeOffers()).toEqual([]);
    const waiting = book.submitOrder(order(clock));
    expect(waiting.status).toBe("Pending");
    expectCode(() => {
      book.pauseOffer(id);
    }, "INVALID_STATE_TRANSITION");
    book.resumeOffer(id);
    expect(book.getOrder(waiting.orderId).status).toBe("Matched");
    expectCode(() => {
      book.resumeOffer(id);
    }, "INVALID_STATE_TRANSITION");
  });

  it("removing an offer keeps running jobs' allocations until they end", () => {
    const { clock, book } = setup();
    const id = book.addOffer(offer(clock));
    const matched = book.submitOrder(order(clock));
    book.removeOffer(id);
    expect(book.hasOffer(id)).toBe(false);
    expect(book.getMatch(matched.orderId).offerId).toBe(id);
    book.releaseAllocation(matched.orderId);
    expect(book.allocationCount).toBe(0);
    expectCode(() => {
      book.removeOffer(id);
    }, "OFFER_NOT_FOUND");
  });

  it("refuses bad calls with stable codes", () => {
    const { clock, book } = setup();
    const o = offer(clock);
    book.addOffer(o);
    expectCode(() => book.addOffer(o), "DUPLICATE_ID");
    expectCode(() => {
      book.removeOffer(newOfferId(T0));
    }, "OFFER_NOT_FOUND");
    expectCode(() => {
      book.cancelOrder("ord_01JD0000000000000000000000" as OrderId);
    }, "ORDER_NOT_FOUND");
    expectCode(() => {
      book.releaseAllocation("ord_01JD0000000000000000000000" as OrderId);
    }, "ORDER_NOT_FOUND");
    const matched = book.submitOrder(order(clock));
    expectCode(() => {
      book.cancelOrder(matched.orderId);
    }, "INVALID_STATE_TRANSITION");
    expectCode(() => book.submitOrder(book.getOrder(matched.orderId)), "INVALID_FIELD"); // status Matched is not a new order
    expectCode(() => book.addOffer(offer(clock, { createdAt: new Date(T0 - 2 * HOUR_MS), expiresAt: new Date(T0 - HOUR_MS) })), "EXPIRED");
  });

  it("refuses expired input and bounds results and size", () => {
    const clock = new ManualClock(T0);
    const book = new OrderBook({ clock, limits: { offersMax: 1, resultLimitMax: 5 } });
    const stale = order(clock, {}, { ttlMs: 1000 });
    book.addOffer(offer(clock));
    expectCode(() => book.addOffer(offer(clock)), "LIMIT_EXCEEDED");
    expectCode(() => book.matchOrder(order(clock), 6), "OUT_OF_RANGE");
    expectCode(() => book.bestOffers(order(clock).requirements, 0), "OUT_OF_RANGE");
    clock.advance(1000);
    expectCode(() => book.submitOrder(stale), "EXPIRED");
    expectCode(() => book.matchOrder(stale), "EXPIRED");
    expectCode(() => {
      book.setProviderReputation("p", 1.5);
    }, "OUT_OF_RANGE");
  });

  it("validates plain objects that did not come from a factory", () => {
    const { clock, book } = setup();
    const plain = { ...offer(clock), id: newOfferId(T0), gpuCapacity: { gpuCount: 0, gpuModel: "H100", vramGb: 80 } };
    expectCode(() => book.addOffer(plain), "OUT_OF_RANGE");
    expect(book.offerCount).toBe(0);
  });

  it("compares prices above 2^53 base units exactly: one over the cap does not hide one under it with the same float", () => {
    const { clock, book } = setup();
    const cap = 2n ** 54n + 4n; // floats are 4 apart here: 2^54 + 3 and 2^54 + 5 both round to the cap's float
    expect(Number(cap - 1n)).toBe(Number(cap + 1n));
    const over = book.addOffer(offer(clock, { pricePerHour: Amount.fromLamports(cap + 1n) }));
    const under = book.addOffer(offer(clock, { pricePerHour: Amount.fromLamports(cap - 1n) }));
    const requirements = { minGpuCount: 1, minVramGb: 0, maxPricePerHour: Amount.fromLamports(cap), estimatedHours: 1 };
    expect(book.bestOffers(order(clock, requirements).requirements).map((o) => o.id)).toEqual([under]);
    expect(book.matchOrder(order(clock, requirements)).map((m) => m.offerId)).toEqual([under]);
    expect(book.hasOffer(over)).toBe(true);
  });

  it("serves a resting order naming a region or country the book had never seen once an offer there arrives, and only there", () => {
    const { clock, book } = setup();
    const byRegion = book.submitOrder(order(clock, { location: { region: "ap-south-1" } }));
    const byCountry = book.submitOrder(order(clock, { location: { country: "IN" } }));
    const byBoth = book.submitOrder(order(clock, { location: { region: "ap-south-1", country: "JP" } }));
    expect([byRegion.status, byCountry.status, byBoth.status]).toEqual(["Pending", "Pending", "Pending"]);
    book.addOffer(offer(clock)); // no location: serves none of them
    book.addOffer(offer(clock, { location: { region: "eu-west-1", country: "IN" } }));
    expect(book.getOrder(byCountry.orderId).status).toBe("Matched");
    expect(book.getOrder(byRegion.orderId).status).toBe("Pending");
    book.addOffer(offer(clock, { location: { region: "ap-south-1", country: "IN" } }));
    expect(book.getOrder(byRegion.orderId).status).toBe("Matched");
    expect(book.getOrder(byBoth.orderId).status).toBe("Pending");
  });
});
