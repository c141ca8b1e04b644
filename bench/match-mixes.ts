// bench:match's books of mostly distinct shapes (test/support/shape-mixes.ts): bestOffers latency
// against the reference scan's p50 on the same book in the same run, and their ratio.
import { ManualClock } from "../src/core/clock.js";
import type { JobOrder } from "../src/core/types.js";
import { OrderBook } from "../src/orderbook/order-book.js";
import { referenceScan } from "../test/support/reference-scan.js";
import type { ReferenceOffer } from "../test/support/reference-scan.js";
import { generateMixOffers, generateMixOrders } from "../test/support/shape-mixes.js";
import type { ShapeMix } from "../test/support/shape-mixes.js";
import { collectGarbage, nowNs, percentile } from "./report.js";

/** The bound every mix is held to: book p99 <= scan p50 / SCAN_RATIO_MIN. */
export const SCAN_RATIO_MIN = 20;
const ORDERS = 5_000;
const WARMUP_ORDERS = 500;
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
  scanP50Us: number;
  scanOrders: number;
  /** scan p50 / book p99: at least SCAN_RATIO_MIN is the target. */
  scanP50OverBookP99: number;
}

/** Builds a book of `size` offers of `mix`, times bestOffers for fresh orders (each its first time), then the scan. */
export function runMix(mix: ShapeMix, size: number, nowMs: number): MixRow {
  collectGarbage();
  const clock = new ManualClock(nowMs);
  const book = new OrderBook({ clock });
  const offers = generateMixOffers(mix, { seed: size + 31, offers: size, nowMs });
  let start = nowNs();
  book.addOffers(offers);
  const buildMs = Number(nowNs() - start) / 1e6;
  const orders = generateMixOrders(mix, { seed: size + 37, orders: ORDERS + WARMUP_ORDERS, nowMs });
  for (const order of orders.slice(0, WARMUP_ORDERS)) book.bestOffers(order.requirements, 10);
  const measured = orders.slice(WARMUP_ORDERS);
  const samples = new Float64Array(measured.length);
  for (let i = 0; i < measured.length; i++) {
    const requirements = (measured[i] as JobOrder).requirements;
    start = nowNs();
    book.bestOffers(requirements, 10);
    samples[i] = Number(nowNs() - start) / 1000;
  }
  const view: ReferenceOffer[] = book.activeOffers().map((offer) => ({ offer, freeGpuCount: offer.freeGpuCount, reputation: 0.5 }));
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
  const scanP50Us = percentile(scan, 50);
  return {
    mix,
    offers: size,
    buildMs,
    bookP50Us: percentile(samples, 50),
    bookP99Us,
    bookMaxUs: percentile(samples, 100),
    scanP50Us,
    scanOrders: scan.length,
    scanP50OverBookP99: scanP50Us / bookP99Us,
  };
}
