// ServeQueue: the resting orders an offer could serve, handed out one at a time in serve order
// (priority, then age, then id) from a binary heap, so an offer that fills after a few of them
// does not pay to sort every candidate. Pure, in memory, no I/O.
import type { RestingOrder } from "./resting-orders.js";

/** Serve order as a sort comparator: higher priority first, then older, then lower id. */
export function compareServeOrder(a: RestingOrder, b: RestingOrder): number {
  const byRank = b.rank - a.rank;
  if (byRank !== 0) return byRank;
  if (a.createdAtMs !== b.createdAtMs) return a.createdAtMs - b.createdAtMs;
  return a.order.id < b.order.id ? -1 : a.order.id > b.order.id ? 1 : 0;
}

/**
 * A min-heap of candidates by serve order. Invariant: next() returns them in exactly the order
 * sorting them with compareServeOrder gives. Building costs O(n); each next() O(log n).
 */
export class ServeQueue {
  private size: number;

  /** Takes `entries` over (they are reordered in place). */
  constructor(private readonly entries: RestingOrder[]) {
    this.size = entries.length;
    for (let i = (this.size >>> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  /** The next candidate in serve order, or undefined when none is left. */
  next(): RestingOrder | undefined {
    if (this.size === 0) return undefined;
    const entries = this.entries;
    const first = entries[0];
    this.size--;
    if (this.size > 0) {
      entries[0] = entries[this.size] as RestingOrder;
      this.siftDown(0);
    }
    return first;
  }

  private siftDown(from: number): void {
    const entries = this.entries;
    const size = this.size;
    const moving = entries[from] as RestingOrder;
    let at = from;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= size) break;
      const right = child + 1;
      if (right < size && compareServeOrder(entries[right] as RestingOrder, entries[child] as RestingOrder) < 0) child = right;
      if (compareServeOrder(entries[child] as RestingOrder, moving) >= 0) break;
      entries[at] = entries[child] as RestingOrder;
      at = child;
    }
    entries[at] = moving;
  }
}
