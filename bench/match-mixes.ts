// bench:match's books of mostly distinct shapes (test/support/shape-mixes.ts): bestOffers latency
// against the reference scan's p50 on the same book in the same run, and their ratio; each order
// timed on two identical books too (twin-timing.ts), so the machine's pauses can be told apart.
import { execFileSync } from "node:child_process";
import { ManualClock } from "../src/core/clock.js";
import { OrderBook } from "../src/orderbook/order-book.js";
import { referenceScan } from "../test/support/reference-scan.js";
import type { ReferenceOffer } from "../test/support/reference-scan.js";
import { generateMixOffers, generateMixOrders } from "../test/support/shape-mixes.js";
import type { ShapeMix } from "../test/support/shape-mixes.js";
import { collectGarbage, nowNs, percentile } from "./report.js";
import { timeTwins, warmUp } from "./twin-timing.js";

/** The bound every mix is held to: book p99 <= scan p50 / SCAN_RATIO_MIN. */
export const SCAN_RATIO_MIN = 20;
const ORDERS = 5_000;
/** Warm-up, on orders of another seed: at least this many calls and this long (steady state, twin-timing.ts). */
const WARMUP_ORDERS = 500;
const WARMUP_MS = 2_000;
/** The scan's warm-up, at least 20 calls. */
const SCAN_WARMUP_MS = 1_000;
/** The reference scan gets this many nanoseconds per book, at least 30 orders. */
const SCAN_BUDGET_NS = 8e9;

/** bestOffers (10 results) on one book of a mix, with the scan's p50 of the same orders. */
export interface MixRow {
  mix: ShapeMix;
  offers: number;
  buildMs: number;
  bookP50Us: number;
  bookP99Us: number;
  bookMaxUs: number;
  /** p99 of the faster of each order's two first calls, on two identical books: the book's own tail, without the machine's pauses. */
  twinP99Us: number;
  scanP50Us: number;
  scanOrders: number;
  /** scan p50 / book p99: at least SCAN_RATIO_MIN is the target. */
  scanP50OverBookP99: number;
  /** scan p50 / twin p99. */
  scanP50OverTwinP99: number;
}

/**
 * Builds two identical books of `size` offers of `mix`, warms both up on other orders, times
 * bestOffers for fresh orders (each its first time on each book), then the scan on the first book.
 */
export function runMix(mix: ShapeMix, size: number, nowMs: number): MixRow {
  collectGarbage();
  const clock = new ManualClock(nowMs);
  const book = new OrderBook({ clock });
  const twin = new OrderBook({ clock });
  const offers = generateMixOffers(mix, { seed: size + 31, offers: size, nowMs });
  let start = nowNs();
  book.addOffers(offers);
  const buildMs = Number(nowNs() - start) / 1e6;
  twin.addOffers(offers);
  const warm = generateMixOrders(mix, { seed: size + 41, orders: 4 * WARMUP_ORDERS, nowMs });
  warmUp(
    warm,
    (order) => {
      book.bestOffers(order.requirements, 10);
      twin.bestOffers(order.requirements, 10);
    },
    WARMUP_MS,
    WARMUP_ORDERS,
  );
  const measured = generateMixOrders(mix, { seed: size + 37, orders: ORDERS, nowMs });
  const timed = timeTwins(
    measured,
    (order) => book.bestOffers(order.requirements, 10),
    (order) => twin.bestOffers(order.requirements, 10),
  );
  const samples = timed.a;
  const view: ReferenceOffer[] = book.activeOffers().map((offer) => ({ offer, freeGpuCount: offer.freeGpuCount, reputation: 0.5 }));
  // The scan is warmed up too (its p50 moved 2x between runs of the same book without it).
  warmUp(warm, (order) => referenceScan(view, order.requirements, undefined, nowMs, 10), SCAN_WARMUP_MS, 20);
  collectGarbage();
  const scan: number[] = [];
  const scanStarted = nowNs();
  for (const order of measured) {
    start = nowNs();
    referenceScan(view, order.requirements, undefined, nowMs, 10);
    scan.push(Number(nowNs() - start) / 1000);
    if (scan.length >= 30 && Number(nowNs() - scanStarted) > SCAN_BUDGET_NS) break;
  }
  const bookP99Us = percentile(samples, 99);
  const twinP99Us = percentile(timed.faster, 99);
  const scanP50Us = percentile(scan, 50);
  return {
    mix,
    offers: size,
    buildMs,
    bookP50Us: percentile(samples, 50),
    bookP99Us,
    bookMaxUs: percentile(samples, 100),
    twinP99Us,
    scanP50Us,
    scanOrders: scan.length,
    scanP50OverBookP99: scanP50Us / bookP99Us,
    scanP50OverTwinP99: scanP50Us / twinP99Us,
  };
}

/** The flag that makes bench:match a child timing one book: `--mix-child=<mix>:<size>`. */
const CHILD_FLAG = "--mix-child=";

/**
 * runMix in a process of its own (`script` again, with this process's node flags), so that each
 * book starts with a clean heap and JIT: in one process a book's p99 depended on the books timed
 * before it (the high-cardinality 10^4 book measured 57.7 to 101.3 µs on the same code).
 */
export function runMixInChild(script: string, mix: ShapeMix, size: number): MixRow {
  const out = execFileSync(process.execPath, [...process.execArgv, script, `${CHILD_FLAG}${mix}:${size}`], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  return JSON.parse(out.trim().split("\n").at(-1) ?? "") as MixRow;
}

/** In a child started by runMixInChild: times its book and prints the row as one JSON line; else false. */
export function runMixChildIfAsked(nowMs: number): boolean {
  const arg = process.argv.find((a) => a.startsWith(CHILD_FLAG));
  if (arg === undefined) return false;
  const [mix, size] = arg.slice(CHILD_FLAG.length).split(":");
  console.log(JSON.stringify(runMix(mix as ShapeMix, Number(size), nowMs)));
  return true;
}
