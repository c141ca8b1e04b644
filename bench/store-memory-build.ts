// bench:store's bound for the rebuild: the same offers built into an in-memory OrderBook in the same
// process, addOffer one by one and addOffers once per wave, offers made outside the timers. Wall
// time and the process's CPU time (user + system, every thread) are both kept: on a shared machine
// the CPU-time ratio is the one other load does not bend.
import { performance } from "node:perf_hooks";
import type { CapacityOffer } from "../src/core/types.js";
import { OrderBook } from "../src/orderbook/order-book.js";

/** Wall and CPU seconds of one timed step. */
export interface Timed {
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
}

/** Runs `fn`, timing its wall and process CPU seconds. */
export async function timed<T>(fn: () => T | Promise<T>): Promise<{ readonly value: T; readonly time: Timed }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return { value, time: { wallSeconds: (performance.now() - start) / 1000, cpuSeconds: (used.user + used.system) / 1e6 } };
}

/**
 * Builds one book of `count` offers in memory, addOffer one by one or addOffers once per wave, over
 * waves made by `wave(from, size)` outside the timer; the book is dropped after.
 * @throws Error when the book does not hold every offer
 */
export function memoryBuild(count: number, waveSize: number, wave: (from: number, size: number) => CapacityOffer[], bulk: boolean): Timed {
  const book = new OrderBook();
  let wallMs = 0;
  let cpuUs = 0;
  for (let from = 0; from < count; from += waveSize) {
    const offers = wave(from, Math.min(waveSize, count - from));
    const cpu = process.cpuUsage();
    const start = performance.now();
    if (bulk) book.addOffers(offers);
    else for (const offer of offers) book.addOffer(offer);
    wallMs += performance.now() - start;
    const used = process.cpuUsage(cpu);
    cpuUs += used.user + used.system;
  }
  if (book.offerCount !== count) throw new Error(`in-memory build holds ${book.offerCount} offers, not ${count}`);
  return { wallSeconds: wallMs / 1000, cpuSeconds: cpuUs / 1e6 };
}
