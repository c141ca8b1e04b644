// bench:match's tables: the numbers runSize, runMix and the sustained run measured, printed for a
// reader (the --json line is printed by match.ts).
import type { FilterRow, MissRow } from "./match-filters.js";
import { SCAN_RATIO_MIN } from "./match-mixes.js";
import type { MixRow } from "./match-mixes.js";
import type { Sustained } from "./match-sustained.js";
import { fixed, printTable } from "./report.js";
import type { MachinePauses } from "./twin-timing.js";

/** bestOffers or matchOrder at one size, the book against the reference scan. */
export interface LatencyRow {
  offers: number;
  op: string;
  bookP50Us: number;
  bookP99Us: number;
  /** p99 of the faster of each order's first calls on two identical books (twin-timing.ts). */
  twinP99Us: number;
  referenceP50Us: number;
  referenceP99Us: number;
  referenceOrders: number;
  p50Ratio: number;
  p99Ratio: number;
}

/** The book builds of the realistic mix. */
export interface BuildRow {
  offers: number;
  buildMs: number;
  bulkMs: number;
  heapBytesPerOffer: number;
}

/** What one bench:match run measured. */
export interface MatchReport {
  latency: LatencyRow[];
  mixRows: MixRow[];
  filters: FilterRow[];
  misses: MissRow[];
  builds: BuildRow[];
  sustained: Sustained | undefined;
  pauses: MachinePauses;
  targets: {
    bestOffersP99UsMax: number;
    bestOffersSpeedupMin: number;
    submitOrdersPerSecondMin: number;
    heapBytesPerOfferMax: number;
    buildMsMax: number;
  };
  reached: {
    bestOffersP99Us: number;
    bestOffersTwinP99Us: number;
    bestOffersSpeedupP99: number;
    bestOffersSpeedupP50: number;
    submitOrdersPerSecond: number;
    heapBytesPerOffer: number;
    buildMs: number;
    bulkBuildMs: number;
  };
}

/** Prints bench:match's tables, the targets last. */
export function printMatchReport(report: MatchReport): void {
  const { latency, mixRows, filters, misses, builds, sustained, pauses, targets, reached } = report;
  printTable(
    "Latency, 10 results, µs (reference = filter all offers, score, sort)",
    latency.map((r) => ({
      offers: r.offers,
      op: r.op,
      "book p50": fixed(r.bookP50Us),
      "book p99": fixed(r.bookP99Us),
      "twin p99": fixed(r.twinP99Us),
      "ref p50": fixed(r.referenceP50Us),
      "ref p99": fixed(r.referenceP99Us),
      "ref orders": r.referenceOrders,
      "p50 x": fixed(r.p50Ratio, 0),
      "p99 x": fixed(r.p99Ratio, 0),
      "ref p50 / book p99": fixed(r.referenceP50Us / r.bookP99Us, 1),
    })),
  );
  console.log(
    "twin p99: each order's first call on two identical books, the faster of the two: a machine pause must hit both calls to count",
  );
  printTable(
    `Books of mostly distinct shapes: bestOffers, 10 results, fresh orders, µs; target book p99 <= scan p50 / ${SCAN_RATIO_MIN}`,
    mixRows.map((r) => ({
      mix: r.mix,
      offers: r.offers,
      "build ms": fixed(r.buildMs, 0),
      "book p50": fixed(r.bookP50Us),
      "book p99": fixed(r.bookP99Us),
      "book max": fixed(r.bookMaxUs),
      "twin p99": fixed(r.twinP99Us),
      "scan p50": fixed(r.scanP50Us),
      "scan orders": r.scanOrders,
      "scan p50 / book p99": fixed(r.scanP50OverBookP99, 1),
      "scan p50 / twin p99": fixed(r.scanP50OverTwinP99, 1),
      reached: r.scanP50OverBookP99 >= SCAN_RATIO_MIN ? "yes" : r.scanP50OverTwinP99 >= SCAN_RATIO_MIN ? "twin only" : "no",
    })),
  );
  printTable(
    "Hard filters: bestOffers of the same orders with and without them, same book, timed alternately, µs (ratio = with / without)",
    filters.map((r) => ({
      offers: r.offers,
      filters: r.filters,
      "without p50": fixed(r.plainP50Us),
      "without p99": fixed(r.plainP99Us),
      "with p50": fixed(r.filteredP50Us),
      "with p99": fixed(r.filteredP99Us),
      "p50 ratio": fixed(r.p50Ratio, 2),
      "p99 ratio": fixed(r.p99Ratio, 2),
    })),
  );
  printTable(
    "Explaining a miss (explainMiss: one bounded pass over the book, on a miss only), ms",
    misses.map((r) => ({ offers: r.offers, miss: r.miss, constraint: r.constraint, p50: fixed(r.p50Ms, 2), p99: fixed(r.p99Ms, 2) })),
  );
  printTable(
    "Build (addOffer one by one as offers stream in; addOffers in one call as a rebuild does)",
    builds.map((b) => ({
      offers: b.offers,
      "addOffer ms": fixed(b.buildMs),
      "addOffer /s": fixed(b.offers / (b.buildMs / 1000), 0),
      "addOffers ms": fixed(b.bulkMs),
      "heap B/offer": fixed(b.heapBytesPerOffer, 0),
    })),
  );
  if (sustained !== undefined) {
    printTable("Sustained submitOrder on a 10^5 book (1 offer arrives per 10 orders, jobs end after 20k running)", [
      {
        orders: sustained.orders,
        seconds: fixed(sustained.seconds, 2),
        "orders/s": fixed(sustained.ordersPerSecond, 0),
        "submit-only/s": fixed(sustained.submitOnlyPerSecond, 0),
        "µs submit": fixed(sustained.submitUs, 2),
        "µs addOffer": fixed(sustained.addOfferUs, 2),
        "µs release": fixed(sustained.releaseUs, 2),
        matched: sustained.matched,
        rested: sustained.rested,
        "offers added": sustained.offersAdded,
        released: sustained.released,
      },
    ]);
  }
  const worstMix = mixRows.reduce<MixRow | undefined>(
    (w, r) => (w === undefined || r.scanP50OverBookP99 < w.scanP50OverBookP99 ? r : w),
    undefined,
  );
  printTable("Machine pauses in this run (a tight loop reading the clock for 2 s; gaps over 10 µs)", [
    {
      "per second": fixed(pauses.perSecond, 0),
      "median µs": fixed(pauses.medianUs, 1),
      "p90 µs": fixed(pauses.p90Us, 1),
      "share of time": `${fixed(pauses.shareOfTime * 100, 1)} %`,
    },
  ]);
  printTable("Targets at the largest size", [
    { metric: "bestOffers p99 µs", target: `<= ${targets.bestOffersP99UsMax}`, reached: fixed(reached.bestOffersP99Us, 1) },
    {
      metric: "bestOffers p99 µs, faster twin (machine pauses taken out)",
      target: `<= ${targets.bestOffersP99UsMax}`,
      reached: fixed(reached.bestOffersTwinP99Us, 1),
    },
    {
      metric: "bestOffers speedup (p99 ratio)",
      target: `>= ${targets.bestOffersSpeedupMin}`,
      reached: fixed(reached.bestOffersSpeedupP99, 0),
    },
    {
      metric: "orders/s, 10^5 book, with arrivals and job ends",
      target: `>= ${targets.submitOrdersPerSecondMin}`,
      reached: fixed(reached.submitOrdersPerSecond, 0),
    },
    { metric: "submitOrder calls alone /s", target: "", reached: fixed(sustained?.submitOnlyPerSecond ?? NaN, 0) },
    {
      metric: `worst scan p50 / book p99 of the shape mixes${worstMix === undefined ? "" : ` (${worstMix.mix}, ${worstMix.offers})`}`,
      target: `>= ${SCAN_RATIO_MIN}`,
      reached: fixed(worstMix?.scanP50OverBookP99 ?? NaN, 1),
    },
    {
      metric: "worst scan p50 / twin p99 of the shape mixes",
      target: `>= ${SCAN_RATIO_MIN}`,
      reached: fixed(mixRows.length === 0 ? NaN : Math.min(...mixRows.map((r) => r.scanP50OverTwinP99)), 1),
    },
    { metric: "heap bytes per offer", target: `<= ${targets.heapBytesPerOfferMax}`, reached: fixed(reached.heapBytesPerOffer, 0) },
    { metric: "build ms, addOffer one by one", target: `<= ${targets.buildMsMax}`, reached: fixed(reached.buildMs, 0) },
    { metric: "build ms, addOffers in one call", target: `<= ${targets.buildMsMax}`, reached: fixed(reached.bulkBuildMs, 0) },
  ]);
}
