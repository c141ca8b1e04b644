// bench:match — the order book against the reference scan in the same process, at 10^3..10^6 offers
// of a realistic mix: bestOffers / matchOrder latency, submitOrder throughput with continuous
// arrivals (match-sustained.ts), heap bytes per offer and build time; then books of mostly distinct shapes (high-cardinality
// and adversarial mixes, match-mixes.ts), each in a child process of its own, against the scan's p50
// on the same book.
// Flags: `--sizes=1000,10000`, `--mixes=realistic,high-cardinality,adversarial` (default all; the
// sustained run belongs to realistic), `--json` prints one JSON object as the last line.
import { ManualClock } from "../src/core/clock.js";
import type { CapacityOffer, JobOrder } from "../src/core/types.js";
import { OrderBook } from "../src/orderbook/order-book.js";
import { referenceScan } from "../test/support/reference-scan.js";
import type { ReferenceOffer } from "../test/support/reference-scan.js";
import { generateOffers, generateOrders } from "../test/support/sample-market.js";
import { filterRows, missRows } from "./match-filters.js";
import type { FilterRow, MissRow } from "./match-filters.js";
import { runMixChildIfAsked, runMixInChild } from "./match-mixes.js";
import { throughput } from "./match-sustained.js";
import type { MixRow } from "./match-mixes.js";
import type { ShapeMix } from "../test/support/shape-mixes.js";
import { benchArgs, collectGarbage, heapBytes, nowNs, percentile } from "./report.js";
import { machinePauses, timeTwins, warmUp } from "./twin-timing.js";
import { printMatchReport } from "./match-report.js";
import type { BuildRow, LatencyRow } from "./match-report.js";

const NOW_MS = Date.parse("2026-11-23T00:00:00Z");
// A child of runMixInChild times one shape-mix book and ends here (stdout to a pipe is synchronous on Linux).
if (runMixChildIfAsked(NOW_MS)) process.exit(0);
const ORDERS_PER_SIZE = 10_000;
/** Warm-up orders (the first of the stream), called for at least WARMUP_MS on both books. */
const WARMUP_ORDERS = 2_000;
const WARMUP_MS = 1_000;
/** The reference scan is slow at large sizes: it gets this many nanoseconds per size, at least 50 orders. */
const REFERENCE_BUDGET_NS = 15e9;
const { json, sizes = [1_000, 10_000, 100_000, 1_000_000] } = benchArgs();
const MIXES = ["realistic", "high-cardinality", "adversarial"] as const;
const mixesArg = process.argv.find((a) => a.startsWith("--mixes="));
const mixes = mixesArg === undefined ? [...MIXES] : mixesArg.slice("--mixes=".length).split(",");
for (const mix of mixes) if (!(MIXES as readonly string[]).includes(mix)) throw new Error(`unknown mix ${mix}: ${MIXES.join(", ")}`);
const realistic = mixes.includes("realistic");
const shapeMixes = mixes.filter((mix): mix is ShapeMix => mix !== "realistic");

function timeReference(offers: readonly ReferenceOffer[], orders: readonly JobOrder[], useBudget: boolean): Float64Array {
  const samples: number[] = [];
  const started = nowNs();
  for (const order of orders) {
    const start = nowNs();
    referenceScan(offers, order.requirements, useBudget ? order.maxBudget : undefined, NOW_MS, 10);
    samples.push(Number(nowNs() - start) / 1000);
    if (samples.length >= 50 && Number(nowNs() - started) > REFERENCE_BUDGET_NS) break;
  }
  return Float64Array.from(samples);
}

const latency: LatencyRow[] = [];
const filters: FilterRow[] = [];
const misses: MissRow[] = [];
const builds: BuildRow[] = [];
const orders = generateOrders({ seed: 7, orders: ORDERS_PER_SIZE + WARMUP_ORDERS, nowMs: NOW_MS });
const warmup = orders.slice(0, WARMUP_ORDERS);
const measured = orders.slice(WARMUP_ORDERS);

/** Offers arrive in chunks made outside the timer and dropped after, as a server receives them. */
const BUILD_CHUNK = 10_000;

/** One size, in a function of its own so nothing of it stays reachable when the next starts. */
function runSize(size: number): void {
  collectGarbage();
  const heapBefore = heapBytes();
  const clock = new ManualClock(NOW_MS);
  const book = new OrderBook({ clock });
  let buildNs = 0n;
  for (let chunk = 0; chunk * BUILD_CHUNK < size; chunk++) {
    const offers = generateOffers({
      seed: size + chunk,
      offers: Math.min(BUILD_CHUNK, size - chunk * BUILD_CHUNK),
      nowMs: NOW_MS,
      providers: Math.max(10, Math.floor(size / 20)),
    });
    const start = nowNs();
    for (const offer of offers) book.addOffer(offer);
    buildNs += nowNs() - start;
  }
  const buildMs = Number(buildNs) / 1e6;
  collectGarbage();
  const heapBytesPerOffer = (heapBytes() - heapBefore) / size;
  // A rebuild (from a store, say) adds all offers in one addOffers call: the same offers, so this
  // book is the first one's twin for the latency runs (twin-timing.ts).
  const all: CapacityOffer[] = [];
  for (let chunk = 0; chunk * BUILD_CHUNK < size; chunk++) {
    for (const offer of generateOffers({
      seed: size + chunk,
      offers: Math.min(BUILD_CHUNK, size - chunk * BUILD_CHUNK),
      nowMs: NOW_MS,
      providers: Math.max(10, Math.floor(size / 20)),
    })) {
      all.push(offer);
    }
  }
  collectGarbage();
  const twin = new OrderBook({ clock });
  const bulkStart = nowNs();
  twin.addOffers(all);
  const bulkMs = Number(nowNs() - bulkStart) / 1e6;
  all.length = 0;
  collectGarbage();
  builds.push({ offers: size, buildMs, bulkMs, heapBytesPerOffer });
  warmUp(
    warmup,
    (order) => {
      for (const each of [book, twin]) {
        each.bestOffers(order.requirements, 10);
        each.matchOrder(order, 10);
      }
    },
    WARMUP_MS,
    warmup.length,
  );
  const best = timeTwins(
    measured,
    (order) => book.bestOffers(order.requirements, 10),
    (order) => twin.bestOffers(order.requirements, 10),
  );
  const match = timeTwins(
    measured,
    (order) => book.matchOrder(order, 10),
    (order) => twin.matchOrder(order, 10),
  );
  // The same orders with hard filters, timed beside their unfiltered twins on the same book.
  for (const row of filterRows(book, measured, size, Math.max(10, Math.floor(size / 20)))) filters.push(row);
  for (const row of missRows(book, size)) misses.push(row);

  // The reference sees the same offers, as plain objects, after the book is timed.
  const referenceOffers: ReferenceOffer[] = book
    .activeOffers()
    .map((offer) => ({ offer, freeGpuCount: offer.freeGpuCount, reputation: 0.5 }));
  collectGarbage();
  timeReference(referenceOffers, warmup.slice(0, 20), false);
  const referenceBest = timeReference(referenceOffers, measured, false);
  const referenceMatch = timeReference(referenceOffers, measured, true);
  for (const [op, timed, referenceSamples] of [
    ["bestOffers", best, referenceBest],
    ["matchOrder", match, referenceMatch],
  ] as const) {
    const row: LatencyRow = {
      offers: size,
      op,
      bookP50Us: percentile(timed.a, 50),
      bookP99Us: percentile(timed.a, 99),
      twinP99Us: percentile(timed.faster, 99),
      referenceP50Us: percentile(referenceSamples, 50),
      referenceP99Us: percentile(referenceSamples, 99),
      referenceOrders: referenceSamples.length,
      p50Ratio: 0,
      p99Ratio: 0,
    };
    row.p50Ratio = row.referenceP50Us / row.bookP50Us;
    row.p99Ratio = row.referenceP99Us / row.bookP99Us;
    latency.push(row);
  }
  if (!json) console.error(`size ${size} done`);
}
if (realistic) for (const size of sizes) runSize(size);
const mixRows: MixRow[] = [];
for (const mix of shapeMixes) {
  for (const size of sizes) {
    mixRows.push(runMixInChild(process.argv[1] ?? "", mix, size));
    if (!json) console.error(`${mix} ${size} done`);
  }
}

const sustained = realistic ? throughput(NOW_MS) : undefined;
// The noise every timed call above was exposed to: the machine's own pauses, measured last (after
// a collection, so that none of the books above is collected during it).
collectGarbage();
const pauses = machinePauses(2_000);

const largest = builds.at(-1);
const bestAtLargest = latency.find((r) => r.offers === largest?.offers && r.op === "bestOffers");
const targets = {
  bestOffersP99UsMax: 50,
  bestOffersSpeedupMin: 500,
  submitOrdersPerSecondMin: 200_000,
  heapBytesPerOfferMax: 400,
  buildMsMax: 3000,
};
const reached = {
  bestOffersP99Us: bestAtLargest?.bookP99Us ?? NaN,
  bestOffersTwinP99Us: bestAtLargest?.twinP99Us ?? NaN,
  bestOffersSpeedupP99: bestAtLargest?.p99Ratio ?? NaN,
  bestOffersSpeedupP50: bestAtLargest?.p50Ratio ?? NaN,
  submitOrdersPerSecond: sustained?.ordersPerSecond ?? NaN,
  heapBytesPerOffer: largest?.heapBytesPerOffer ?? NaN,
  buildMs: largest?.buildMs ?? NaN,
  bulkBuildMs: largest?.bulkMs ?? NaN,
};

if (!json) printMatchReport({ latency, mixRows, filters, misses, builds, sustained, pauses, targets, reached });
console.log(
  JSON.stringify({
    bench: "match",
    node: process.version,
    latency,
    filters,
    misses,
    builds,
    sustained,
    mixes: mixRows,
    pauses,
    targets,
    reached,
  }),
);
