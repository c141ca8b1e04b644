// PriceList: slots kept in ascending price order, in chunks of bounded length, so an insert or a
// removal moves at most a chunk's worth of entries however long the list grows. In memory only.

/** Most entries in one chunk before it splits in two. */
export const PRICE_LIST_CHUNK_MAX = 256;
/** A walk position is chunk * POSITION_STRIDE + offset. */
export const POSITION_STRIDE = 1024;

/** One sorted run of a PriceList: slots and their prices, element for element. */
export interface PriceChunk {
  readonly slots: number[];
  readonly prices: number[];
}

/** First index of ascending `prices` above `price` (`pastEqual`) or at least `price`. */
export function searchPrices(prices: readonly number[], price: number, pastEqual: boolean): number {
  let lo = 0;
  let hi = prices.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const value = prices[mid] ?? 0;
    if (value < price || (pastEqual && value === price)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A sorted multiset of (slot, price). Invariants: chunks are non-empty, each sorted, and every
 * price of a chunk is <= every price of the next; no chunk is longer than chunkMax.
 */
export class PriceList {
  readonly chunks: PriceChunk[] = [];
  private count = 0;

  constructor(private readonly chunkMax = PRICE_LIST_CHUNK_MAX) {}

  /** Number of entries. */
  get size(): number {
    return this.count;
  }

  /** Lowest price, Infinity when empty. */
  headPrice(): number {
    return this.chunks[0]?.prices[0] ?? Infinity;
  }

  /** The chunk that holds, or would hold, `price`: the first whose last price is above it (after equals when `pastEqual`). */
  private chunkFor(price: number, pastEqual: boolean): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const prices = (this.chunks[mid] as PriceChunk).prices;
      const last = prices[prices.length - 1] ?? 0;
      if (last < price || (pastEqual && last === price)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds a slot at its price, after entries of equal price. */
  insert(slot: number, price: number): void {
    this.count++;
    if (this.chunks.length === 0) {
      this.chunks.push({ slots: [slot], prices: [price] });
      return;
    }
    const index = this.chunkFor(price, true);
    const chunk = this.chunks[index] as PriceChunk;
    const at = searchPrices(chunk.prices, price, true);
    if (at === chunk.slots.length) {
      chunk.slots.push(slot);
      chunk.prices.push(price);
    } else {
      chunk.slots.splice(at, 0, slot);
      chunk.prices.splice(at, 0, price);
    }
    if (chunk.slots.length > this.chunkMax) {
      const half = chunk.slots.length >>> 1;
      this.chunks.splice(index + 1, 0, { slots: chunk.slots.splice(half), prices: chunk.prices.splice(half) });
    }
  }

  /** Removes a slot stored at `price`; false when it is not there. */
  remove(slot: number, price: number): boolean {
    for (let index = this.chunkFor(price, false); index < this.chunks.length; index++) {
      const chunk = this.chunks[index] as PriceChunk;
      for (let at = searchPrices(chunk.prices, price, false); at < chunk.slots.length && chunk.prices[at] === price; at++) {
        if (chunk.slots[at] !== slot) continue;
        if (at === chunk.slots.length - 1) {
          chunk.slots.pop();
          chunk.prices.pop();
        } else {
          chunk.slots.splice(at, 1);
          chunk.prices.splice(at, 1);
        }
        if (chunk.slots.length === 0) this.chunks.splice(index, 1);
        this.count--;
        return true;
      }
      if ((chunk.prices[chunk.prices.length - 1] ?? Infinity) > price) return false;
    }
    return false;
  }

  /** Adds many entries at once, then sorts and re-chunks the whole list. */
  insertMany(slots: readonly number[], prices: readonly number[]): void {
    const allSlots: number[] = [];
    const allPrices: number[] = [];
    for (const chunk of this.chunks) {
      allSlots.push(...chunk.slots);
      allPrices.push(...chunk.prices);
    }
    allSlots.push(...slots);
    allPrices.push(...prices);
    const order = Array.from(allSlots.keys()).sort((a, b) => (allPrices[a] ?? 0) - (allPrices[b] ?? 0));
    this.chunks.length = 0;
    const fill = Math.max(1, this.chunkMax >>> 1);
    for (let start = 0; start < order.length; start += fill) {
      const part = order.slice(start, start + fill);
      this.chunks.push({ slots: part.map((i) => allSlots[i] ?? 0), prices: part.map((i) => allPrices[i] ?? 0) });
    }
    this.count = allSlots.length;
  }

  /** The price at a walk position, undefined past the end. */
  priceAt(position: number): number | undefined {
    return this.chunks[Math.floor(position / POSITION_STRIDE)]?.prices[position % POSITION_STRIDE];
  }

  /** The slot at a walk position. */
  slotAt(position: number): number {
    return this.chunks[Math.floor(position / POSITION_STRIDE)]?.slots[position % POSITION_STRIDE] ?? -1;
  }

  /** The walk position after `position`. */
  next(position: number): number {
    const chunk = Math.floor(position / POSITION_STRIDE);
    const offset = (position % POSITION_STRIDE) + 1;
    return offset < (this.chunks[chunk]?.slots.length ?? 0) ? position + 1 : (chunk + 1) * POSITION_STRIDE;
  }
}
