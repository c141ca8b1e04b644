// bench:match's sustained run: submitOrder throughput on a 10^5 book with continuous arrivals.
// Run alone: `tsc -p tsconfig.bench.json && node build/bench/match-sustained.js [--runs=3] [--json]`.
import { pathToFileURL } from "node:url";
import { ManualClock } from "../src/core/clock.js";
import type { OrderId } from "../src/core/ids.js";
import type { CapacityOffer, JobOrder } from "../src/core/types.js";
import { OrderBook } from "../src/orderbook/order-book.js";
import { generateOffers, generateOrders } from "../test/support/sample-market.js";
import { fixed, nowNs, printTable } from "./report.js";

// Sustained submitOrder throughput on a 10^5 book with continuous arrivals: one new offer every
// 10 orders, and jobs ending (GPUs released) once 20k are running.
/** What the sustained run measured. */
export interface Sustained {
  orders: number;
  seconds: number;
  ordersPerSecond: number;
  /** Orders per second of this process's CPU time (user + system) over the timed chunks: less bent by other load on the machine. */
  ordersPerCpuSecond: number;
  /** submitOrder calls alone, per second of their own time. */
  submitOnlyPerSecond: number;
  submitUs: number;
  /**
   * The bound of submitOrder in the same run: matchOrder(order, 1) on the same book between chunks
   * (validate, compile, find the best offer, build the match), what a submit does before it
   * changes the book. submitUs / quoteUs is what taking the GPUs and recording cost on top.
   */
  quoteUs: number;
  addOfferUs: number;
  releaseUs: number;
  matched: number;
  rested: number;
  offersAdded: number;
  released: number;
}
/** matchOrder calls timed after each chunk of orders: the same-run bound of a submit. */
const QUOTES_PER_CHUNK = 500;

/** Runs 300k submitOrder calls on a 10^5 book with offers arriving and jobs ending; the clock stays at `nowMs`. */
export function throughput(nowMs: number): Sustained {
  const clock = new ManualClock(nowMs);
  const book = new OrderBook({ clock });
  for (const offer of generateOffers({ seed: 11, offers: 100_000, nowMs })) book.addOffer(offer);
  const streamLength = 300_000;
  const chunkLength = 5_000;
  const arrivals = generateOffers({ seed: 13, offers: 30_000, nowMs });
  const quotes = generateOrders({ seed: 99, orders: QUOTES_PER_CHUNK * 4, nowMs });
  let quoteNs = 0n;
  let quoted = 0;
  const running: OrderId[] = [];
  let runningHead = 0;
  let matched = 0;
  let rested = 0;
  let offersAdded = 0;
  let released = 0;
  let elapsedNs = 0n;
  let cpuUs = 0;
  let submitNs = 0n;
  let addNs = 0n;
  let releaseNs = 0n;
  // Orders are made in chunks outside the timer and dropped after, as a server would receive them.
  for (let chunkStart = 0; chunkStart < streamLength; chunkStart += chunkLength) {
    const stream = generateOrders({ seed: 12 + chunkStart, orders: chunkLength, nowMs });
    const cpuStart = process.cpuUsage();
    const start = nowNs();
    for (let j = 0; j < stream.length; j++) {
      const i = chunkStart + j;
      const submitStart = nowNs();
      const result = book.submitOrder(stream[j] as JobOrder);
      submitNs += nowNs() - submitStart;
      if (result.status === "Matched") {
        matched++;
        running.push(result.orderId);
      } else rested++;
      if (i % 10 === 0 && offersAdded < arrivals.length) {
        const addStart = nowNs();
        book.addOffer(arrivals[offersAdded++] as CapacityOffer);
        addNs += nowNs() - addStart;
      }
      if (running.length - runningHead > 20_000) {
        const releaseStart = nowNs();
        book.releaseAllocation(running[runningHead++] as OrderId);
        releaseNs += nowNs() - releaseStart;
        released++;
      }
    }
    elapsedNs += nowNs() - start;
    const cpu = process.cpuUsage(cpuStart);
    cpuUs += cpu.user + cpu.system;
    // Outside the timers above: quotes on the book as this chunk left it.
    for (let q = 0; q < QUOTES_PER_CHUNK; q++) {
      const quote = quotes[quoted++ % quotes.length] as JobOrder;
      const quoteStart = nowNs();
      book.matchOrder(quote, 1);
      quoteNs += nowNs() - quoteStart;
    }
  }
  const seconds = Number(elapsedNs) / 1e9;
  return {
    orders: streamLength,
    seconds,
    ordersPerSecond: streamLength / seconds,
    ordersPerCpuSecond: streamLength / (cpuUs / 1e6),
    submitOnlyPerSecond: streamLength / (Number(submitNs) / 1e9),
    submitUs: Number(submitNs) / 1000 / streamLength,
    quoteUs: Number(quoteNs) / 1000 / Math.max(1, quoted),
    addOfferUs: Number(addNs) / 1000 / Math.max(1, offersAdded),
    releaseUs: Number(releaseNs) / 1000 / Math.max(1, released),
    matched,
    rested,
    offersAdded,
    released,
  };
}

/** The sustained run alone, `--runs=N` times in one process (the first warms the JIT as much as the rest). */
function main(): void {
  const json = process.argv.includes("--json");
  const runsArg = process.argv.find((a) => a.startsWith("--runs="));
  const runs = runsArg === undefined ? 3 : Math.max(1, Number(runsArg.slice("--runs=".length)));
  const nowMs = Date.parse("2026-11-23T00:00:00Z");
  const rows: Sustained[] = [];
  for (let run = 0; run < runs; run++) rows.push(throughput(nowMs));
  if (json) {
    console.log(JSON.stringify({ bench: "match-sustained", node: process.version, runs: rows }));
    return;
  }
  printTable(
    "sustained submitOrder, 10^5 book",
    rows.map((row) => ({
      "orders/s": fixed(row.ordersPerSecond, 0),
      "orders/cpu-s": fixed(row.ordersPerCpuSecond, 0),
      "submit-only/s": fixed(row.submitOnlyPerSecond, 0),
      "µs submit": fixed(row.submitUs, 2),
      "µs quote (bound)": fixed(row.quoteUs, 2),
      "submit / quote": fixed(row.submitUs / row.quoteUs, 2),
      "µs addOffer": fixed(row.addOfferUs, 2),
      "µs release": fixed(row.releaseUs, 2),
      matched: row.matched,
      rested: row.rested,
    })),
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
