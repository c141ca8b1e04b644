// Expiry of resting orders by the expiry heap: expire() costs what is due, not what rests; it
// removes exactly the due orders, in the order they were submitted; matched and cancelled orders
// leave stale heap entries that stay bounded and are never reported.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Amount } from "../../src/core/amount.js";
import { HOUR_MS, ManualClock } from "../../src/core/clock.js";
import type { OrderId } from "../../src/core/ids.js";
import { createOffer } from "../../src/core/offer.js";
import { createOrder } from "../../src/core/order.js";
import { ORDER_BOOK_LIMITS } from "../../src/orderbook/book-limits.js";
import { BookState } from "../../src/orderbook/book-state.js";
import { addOffer } from "../../src/orderbook/offer-lifecycle.js";
import { cancelOrder, submitOrder } from "../../src/orderbook/order-lifecycle.js";

const T0 = Date.parse("2026-11-23T00:00:00Z");
const MINUTE_MS = 60_000;

function restingOrder(clock: ManualClock, ttlMs: number, minGpuCount = 4) {
  return createOrder(
    {
      buyerId: "buyer-456",
      requirements: { minGpuCount, minVramGb: 40, maxPricePerHour: Amount.fromMolt(15), estimatedHours: 8 },
      expiresAt: new Date(clock.now() + ttlMs),
    },
    { clock },
  );
}

function setup(): { clock: ManualClock; state: BookState } {
  const clock = new ManualClock(T0);
  return { clock, state: new BookState(clock, ORDER_BOOK_LIMITS) };
}

describe("resting order expiry", () => {
  it("examines only the due entries of 10^4 resting orders, and removes exactly those", () => {
    const { clock, state } = setup();
    const due: OrderId[] = [];
    for (let i = 0; i < 10_000; i++) {
      const soon = i === 17 || i === 4_242 || i === 9_999;
      const result = submitOrder(state, restingOrder(clock, soon ? 30 * MINUTE_MS - i : 2 * HOUR_MS + i));
      expect(result.status).toBe("Pending");
      if (soon) due.push(result.orderId);
    }
    clock.advance(30 * MINUTE_MS);
    const expired = state.expireDue();
    expect(expired.orders).toEqual(due); // submit order, though 9_999 expires first
    expect(state.resting.expiryStats.examinedLast).toBe(3);
    expect(state.resting.size).toBe(9_997);
    for (const id of due) expect(state.resting.get(id)).toBeUndefined();
    // Nothing more is due: the next call looks at no entry.
    expect(state.expireDue().orders).toEqual([]);
    expect(state.resting.expiryStats.examinedLast).toBe(0);
    clock.advance(2 * HOUR_MS);
    expect(state.expireDue().orders).toHaveLength(9_997);
    expect(state.resting.size).toBe(0);
  });

  it("never reports a matched or cancelled order, and keeps stale entries bounded", () => {
    const { clock, state } = setup();
    const ids: OrderId[] = [];
    for (let i = 0; i < 2_000; i++) ids.push(submitOrder(state, restingOrder(clock, HOUR_MS + i, 1 + (i % 8))).orderId);
    for (let i = 0; i < 1_500; i++) cancelOrder(state, ids[i] as OrderId);
    const { heapSize } = state.resting.expiryStats;
    expect(heapSize).toBeLessThanOrEqual(2 * state.resting.size + 64);
    // An offer of 8 GPUs serves the resting orders it fits (serve order: oldest first).
    addOffer(
      state,
      createOffer(
        {
          providerId: "p",
          gpuCapacity: { gpuCount: 8, gpuModel: "H100", vramGb: 80 },
          pricePerHour: Amount.fromMolt(1),
          availableHours: 24,
        },
        { clock },
      ),
    );
    const matched = ids.filter((id) => state.allocations.has(id));
    expect(matched.length).toBeGreaterThan(0);
    const heapBefore = state.resting.expiryStats.heapSize;
    expect(heapBefore).toBeLessThanOrEqual(2 * state.resting.size + 64);
    clock.advance(2 * HOUR_MS);
    const expired = state.expireDue().orders;
    const live = ids.slice(1_500).filter((id) => !matched.includes(id));
    expect(expired).toEqual(live);
    // Every entry was due: live ones are reported, stale ones (matched) are dropped unreported.
    expect(state.resting.expiryStats).toEqual({ examinedLast: heapBefore, heapSize: 0 });
  });

  it("matches a full scan on any mix of rests, cancels and expiries", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("rest" as const), ttlMinutes: fc.integer({ min: 1, max: 120 }) }),
      fc.record({ kind: fc.constant("cancel" as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant("expire" as const), advanceMinutes: fc.integer({ min: 0, max: 60 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 40, maxLength: 300 }), (ops) => {
        const { clock, state } = setup();
        const model: { id: OrderId; expiresAtMs: number }[] = []; // resting, in submit order
        for (const step of ops) {
          if (step.kind === "rest") {
            const order = restingOrder(clock, step.ttlMinutes * MINUTE_MS);
            submitOrder(state, order);
            model.push({ id: order.id, expiresAtMs: order.expiresAt.getTime() });
          } else if (step.kind === "cancel") {
            if (model.length === 0) continue;
            const [gone] = model.splice(step.pick % model.length, 1);
            cancelOrder(state, (gone as { id: OrderId }).id);
          } else {
            clock.advance(step.advanceMinutes * MINUTE_MS);
            const dueIds = model.filter((entry) => entry.expiresAtMs <= clock.now()).map((entry) => entry.id);
            expect(state.expireDue().orders).toEqual(dueIds);
            expect(state.resting.expiryStats.examinedLast).toBeGreaterThanOrEqual(dueIds.length);
            model.splice(0, model.length, ...model.filter((entry) => entry.expiresAtMs > clock.now()));
          }
          expect(state.resting.size).toBe(model.length);
          expect(state.resting.expiryStats.heapSize).toBeLessThanOrEqual(2 * model.length + 64);
        }
      }),
      { numRuns: 200 },
    );
  });
});
