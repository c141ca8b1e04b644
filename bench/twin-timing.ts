// Latency of single calls on a machine that pauses: a warm-up by time (the JIT settles), each call
// timed on two identical books (a machine pause must hit both to count), and the pauses a tight
// clock loop sees in the same run (the noise every timed call is exposed to).
import { performance } from "node:perf_hooks";
import { nowNs, percentile } from "./report.js";

/** What a tight loop reading the clock lost to the machine (hypervisor, kernel) in the same run. */
export interface MachinePauses {
  /** Gaps over PAUSE_MIN_US between two clock reads, per second. */
  perSecond: number;
  medianUs: number;
  p90Us: number;
  /** Share of the loop's time lost in them. */
  shareOfTime: number;
}

/** A gap between two clock reads longer than this is a pause (a read takes well under 1 µs). */
const PAUSE_MIN_US = 10;

/**
 * Reads the clock in a tight loop for `ms` and counts the gaps over PAUSE_MIN_US: the machine's
 * pauses. performance.now() makes no bigint, so the loop allocates nothing a collection would stop.
 */
export function machinePauses(ms = 1000): MachinePauses {
  const gaps: number[] = [];
  const end = performance.now() + ms;
  let last = performance.now();
  for (;;) {
    const now = performance.now();
    const gapUs = (now - last) * 1000;
    if (gapUs > PAUSE_MIN_US) gaps.push(gapUs);
    last = now;
    if (now > end) break;
  }
  const lost = gaps.reduce((sum, gap) => sum + gap, 0);
  return {
    perSecond: gaps.length / (ms / 1000),
    medianUs: percentile(gaps, 50),
    p90Us: percentile(gaps, 90),
    shareOfTime: lost / (ms * 1000),
  };
}

/**
 * Calls `run` over `items` (cycling) for at least `ms` and at least `minCalls` calls: long enough
 * for the optimizing compiler to finish with the code the timed calls run (on this machine it
 * takes 40-90 ms to compile the index walk, and a few hundred calls do not get there).
 * Returns the calls made.
 */
export function warmUp<T>(items: readonly T[], run: (item: T) => void, ms: number, minCalls: number): number {
  const end = nowNs() + BigInt(ms) * 1_000_000n;
  let calls = 0;
  while (calls < minCalls || nowNs() < end) {
    run(items[calls % items.length] as T);
    calls++;
  }
  return calls;
}

/** Samples of timeTwins, µs: each item on twin a, on twin b, and the faster of the two. */
export interface TwinSamples {
  a: Float64Array;
  b: Float64Array;
  faster: Float64Array;
}

/**
 * Times each item once on each of two identical books, a then b, each call the item's first on
 * that book. The faster of a pair is the call's own cost unless a machine pause hit both calls.
 */
export function timeTwins<T>(items: readonly T[], runA: (item: T) => void, runB: (item: T) => void): TwinSamples {
  const a = new Float64Array(items.length);
  const b = new Float64Array(items.length);
  const faster = new Float64Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as T;
    let start = nowNs();
    runA(item);
    a[i] = Number(nowNs() - start) / 1000;
    start = nowNs();
    runB(item);
    b[i] = Number(nowNs() - start) / 1000;
    faster[i] = Math.min(a[i] ?? 0, b[i] ?? 0);
  }
  return { a, b, faster };
}
