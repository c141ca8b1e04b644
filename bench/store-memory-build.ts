// bench:store's bound for the rebuild: the same offers built into an in-memory OrderBook in the same
// process, addOffer one by one and addOffers once per wave, offers made outside the timers.
import { performance } from "node:perf_hooks";
import type { CapacityOffer } from "../src/core/types.js";
import { OrderBook } from "../src/orderbook/order-book.js";

/** Seconds to build one book of `count` offers in memory, both ways, and the faster of the two. */
export interface MemoryBuild {
  readonly offers: number;
  readonly addOfferSeconds: number;
  readonly addOffersSeconds: number;
  /** min(addOfferSeconds, addOffersSeconds): what the rebuild is measured against. */
  readonly boundSeconds: number;
}

/** One way of building, timed over waves of offers made by `wave(from, size)` outside the timer. */
function timeBuild(count: number, waveSize: number, wave: (from: number, size: number) => CapacityOffer[], bulk: boolean): number {
  const book = new OrderBook();
  let elapsedMs = 0;
  for (let from = 0; from < count; from += waveSize) {
    const offers = wave(from, Math.min(waveSize, count - from));
    const start = performance.now();
    if (bulk) book.addOffers(offers);
    else for (const offer of offers) book.addOffer(offer);
    elapsedMs += performance.now() - start;
  }
  if (book.offerCount !== count) throw new Error(`in-memory build holds ${book.offerCount} offers, not ${count}`);
  return elapsedMs / 1000;
}

/**
 * Builds the book of `count` offers in memory twice (addOffer one by one, then addOffers per wave),
 * each book dropped before the next. @throws Error when a book does not hold every offer
 */
export function memoryBuild(count: number, waveSize: number, wave: (from: number, size: number) => CapacityOffer[]): MemoryBuild {
  const addOfferSeconds = timeBuild(count, waveSize, wave, false);
  const addOffersSeconds = timeBuild(count, waveSize, wave, true);
  return { offers: count, addOfferSeconds, addOffersSeconds, boundSeconds: Math.min(addOfferSeconds, addOffersSeconds) };
}
