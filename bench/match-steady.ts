// bench:match-steady — submitOrder CPU cost in a market that fills up (no job ends) and in a steady
// one (the oldest of 20,000 running jobs ends as each new one starts, its GPUs back in the book and
// served to resting orders), on two books of the same size in one process: every offer of one shape
// (a fleet of identical 8-GPU nodes at 400 prices: long lists of equal offers, the worst case of the
// index edits a take makes) and the realistic mix (where unmatched orders pile up resting, the
// worst case of serving them when GPUs return). The realistic steady run is the baseline of the ratios.
// Flags: `--sizes=20000,100000` (offers), `--json` prints one JSON object as the last line.
import { ManualClock } from "../src/core/clock.js";
import { createOffer } from "../src/core/offer.js";
import { createOrder } from "../src/core/order.js";
import type { OrderId } from "../src/core/ids.js";
import type { CapacityOffer, JobOrder } from "../src/core/types.js";
import { OrderBook } from "../src/orderbook/order-book.js";
import { generateOffers, generateOrders } from "../test/support/sample-market.js";
import { benchArgs, fixed, printTable } from "./report.js";

const NOW_MS = Date.parse("2026-12-02T00:00:00Z");
/** Orders submitted before the timed ones (JIT), and timed: about 105,000 GPUs, what 20,000 offers of 8 hold. */
const WARMUP_ORDERS = 10_000;
const TIMED_ORDERS = 60_000;
/** Jobs running at once in a steady run: beyond this, the oldest ends and its GPUs return to the book. */
const RUNNING_MAX = 20_000;

/** What one book measured: CPU µs per submitOrder (with the job ends it causes), how many matched, how many rest at the end. */
interface Run {
  readonly book: string;
  readonly offers: number;
  readonly cpuUsPerSubmit: number;
  readonly matched: number;
  readonly resting: number;
}

/** `count` offers of one shape: 8 x H100 80 GB, 400 prices from 1.00 to 4.99, 997 providers. */
function oneShapeOffers(count: number, clock: ManualClock): CapacityOffer[] {
  return Array.from({ length: count }, (_, i) =>
    createOffer(
      {
        providerId: `provider-${i % 997}`,
        gpuCapacity: { gpuCount: 8, gpuModel: "H100", vramGb: 80 },
        pricePerHour: (1 + (i % 400) / 100).toFixed(2),
        availableHours: 100,
      },
      { clock },
    ),
  );
}

/** Orders of 1 or 2 GPUs that every offer of oneShapeOffers fits. */
function oneShapeOrders(count: number, clock: ManualClock): JobOrder[] {
  return Array.from({ length: count }, (_, i) =>
    createOrder(
      {
        buyerId: `buyer-${i % 5000}`,
        requirements: { minGpuCount: 1 + (i % 2), minVramGb: 80, maxPricePerHour: "5", estimatedHours: 1 },
      },
      { clock },
    ),
  );
}

/**
 * Submits the orders (made outside the timer), ending the oldest job past `runningMax` (a steady
 * market) or none (a market filling up); CPU time of the timed part.
 */
function run(name: string, offers: readonly CapacityOffer[], orders: readonly JobOrder[], clock: ManualClock, runningMax: number): Run {
  const book = new OrderBook({ clock });
  for (const offer of offers) book.addOffer(offer);
  const running: OrderId[] = [];
  let head = 0;
  let matched = 0;
  const submit = (order: JobOrder): void => {
    const result = book.submitOrder(order);
    if (result.status !== "Matched") return;
    matched++;
    running.push(result.orderId);
    if (running.length - head > runningMax) book.releaseAllocation(running[head++] as OrderId);
  };
  for (let i = 0; i < WARMUP_ORDERS; i++) submit(orders[i] as JobOrder);
  matched = 0;
  const start = process.cpuUsage();
  for (let i = WARMUP_ORDERS; i < orders.length; i++) submit(orders[i] as JobOrder);
  const cpu = process.cpuUsage(start);
  return {
    book: name,
    offers: offers.length,
    cpuUsPerSubmit: (cpu.user + cpu.system) / (orders.length - WARMUP_ORDERS),
    matched,
    resting: book.pendingOrders().length,
  };
}

const { json, sizes = [20_000, 100_000] } = benchArgs();
const clock = new ManualClock(NOW_MS);
const rows: { filling: Run; steady: Run; realistic: Run }[] = [];
for (const size of sizes) {
  const total = WARMUP_ORDERS + TIMED_ORDERS;
  const orders = oneShapeOrders(total, clock);
  const filling = run("one shape, filling", oneShapeOffers(size, clock), orders, clock, Infinity);
  const steady = run("one shape, steady", oneShapeOffers(size, clock), orders, clock, RUNNING_MAX);
  const realistic = run(
    "realistic, steady",
    generateOffers({ seed: 11, offers: size, nowMs: NOW_MS }),
    generateOrders({ seed: 12, orders: total, nowMs: NOW_MS }),
    clock,
    RUNNING_MAX,
  );
  rows.push({ filling, steady, realistic });
}
if (json) console.log(JSON.stringify({ bench: "match-steady", node: process.version, rows }));
else
  printTable(
    `submitOrder, CPU µs each (with the job ends it causes), ${TIMED_ORDERS} timed after ${WARMUP_ORDERS}; ratio to the realistic book`,
    rows.map(({ filling, steady, realistic }) => ({
      offers: filling.offers,
      "one shape, filling µs": fixed(filling.cpuUsPerSubmit, 2),
      "one shape, steady µs": fixed(steady.cpuUsPerSubmit, 2),
      "realistic, steady µs": fixed(realistic.cpuUsPerSubmit, 2),
      "filling / realistic": `${fixed(filling.cpuUsPerSubmit / realistic.cpuUsPerSubmit, 2)}x`,
      "steady / realistic": `${fixed(steady.cpuUsPerSubmit / realistic.cpuUsPerSubmit, 2)}x`,
      "matched, one shape / realistic": `${steady.matched} / ${realistic.matched}`,
      "resting at the end, realistic": realistic.resting,
    })),
  );
