// The resting orders' bucket index: the orders an offer could serve are exactly those a full scan
// finds (GPUs, VRAM, features, region, price), in serve order, after any mix of rests and removals.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Amount } from "../../src/core/amount.js";
import { HOUR_MS, ManualClock } from "../../src/core/clock.js";
import { FEATURES } from "../../src/core/enums.js";
import type { OrderId } from "../../src/core/ids.js";
import { createOrder } from "../../src/core/order.js";
import { ORDER_BOOK_LIMITS } from "../../src/orderbook/book-limits.js";
import { BookState } from "../../src/orderbook/book-state.js";
import { cancelOrder, submitOrder } from "../../src/orderbook/order-lifecycle.js";
import type { CapacityProbe, RestingOrder } from "../../src/orderbook/resting-orders.js";

const T0 = Date.parse("2026-11-23T00:00:00Z");
const REGIONS = ["", "us-east-1", "eu-west-1", "ap-northeast-1"] as const;

const orderArb = fc.record({
  // Few shapes, so buckets hold several orders and their highest price cap moves.
  minGpuCount: fc.integer({ min: 1, max: 3 }),
  minVramGb: fc.constantFrom(0, 40),
  features: fc.subarray(FEATURES.slice(0, 2) as string[], { maxLength: 1 }),
  region: fc.constantFrom(...REGIONS.slice(0, 3)),
  maxPriceMolt: fc.integer({ min: 1, max: 20 }),
});
const probeArb = fc.record({
  freeGpus: fc.integer({ min: 1, max: 3 }),
  vramGb: fc.constantFrom(24, 40, 80),
  featureBits: fc.integer({ min: 0, max: 3 }),
  region: fc.constantFrom(...REGIONS, "sa-east-1"),
  priceMolt: fc.integer({ min: 1, max: 20 }),
});

/** What the bucket index must find: the rule of candidatesFor applied to every resting order. */
function scanFor(entries: readonly RestingOrder[], probe: CapacityProbe): OrderId[] {
  return entries
    .filter((entry) => {
      const q = entry.query;
      const region = entry.order.requirements.location?.region ?? "";
      return (
        probe.freeGpus >= q.minGpu &&
        probe.vramGb >= q.minVram &&
        (probe.mask & q.requiredMask) === q.requiredMask &&
        (region === "" || region === probe.region) &&
        q.priceCap >= probe.price
      );
    })
    .map((entry) => entry.order.id);
}

describe("resting buckets", () => {
  it("find exactly the orders a full scan finds, in serve order, after rests and cancels", () => {
    const step = fc.oneof(
      { weight: 3, arbitrary: fc.record({ kind: fc.constant("rest" as const), order: orderArb }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("cancel" as const), pick: fc.nat() }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant("probe" as const), probe: probeArb }) },
    );
    fc.assert(
      fc.property(fc.array(step, { minLength: 40, maxLength: 200 }), (steps) => {
        const clock = new ManualClock(T0);
        const state = new BookState(clock, ORDER_BOOK_LIMITS);
        const ids: OrderId[] = [];
        for (const s of steps) {
          if (s.kind === "rest") {
            const { minGpuCount, minVramGb, features, region, maxPriceMolt } = s.order;
            const order = createOrder(
              {
                buyerId: "buyer",
                requirements: {
                  minGpuCount,
                  minVramGb,
                  maxPricePerHour: Amount.fromMolt(maxPriceMolt),
                  estimatedHours: 2,
                  requiredFeatures: features,
                  ...(region === "" ? {} : { location: { region } }),
                },
                expiresAt: new Date(T0 + HOUR_MS),
              },
              { clock },
            );
            ids.push(submitOrder(state, order).orderId);
            clock.advance(1); // distinct ages
          } else if (s.kind === "cancel") {
            if (ids.length === 0) continue;
            const [id] = ids.splice(s.pick % ids.length, 1);
            cancelOrder(state, id as OrderId);
          } else {
            const { freeGpus, vramGb, featureBits, region, priceMolt } = s.probe;
            const probe = { freeGpus, vramGb, mask: featureBits, region, price: Amount.fromMolt(priceMolt).baseUnits };
            const found = state.resting.candidatesFor(probe).map((entry) => entry.order.id);
            expect(found).toEqual(scanFor(state.resting.inServeOrder(), probe));
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
