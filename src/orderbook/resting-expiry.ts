// RestingExpiry: resting orders indexed by expiry, a min-heap of (expiresAtMs, add sequence) with
// lazy deletion: a matched or cancelled order stays in the heap until it surfaces or a compaction
// drops it; the caller says which entries are still live. In memory only.
import type { RestingOrder } from "./resting-orders.js";

/** Below this many entries the heap is never compacted (stale entries cost nothing worth a pass). */
const COMPACT_SIZE_MIN = 64;

/**
 * Min-heap of resting orders by (expiresAtMs, seq). Invariant: heap order on that pair; every live
 * resting order is in it once; stale entries are at most live entries + COMPACT_SIZE_MIN after
 * every call of compactIf.
 */
export class RestingExpiry {
  private entries: RestingOrder[] = [];
  /** Heap entries popped by the last popDue call, live or stale: what it cost (tests read it). */
  examinedLast = 0;

  /** Number of entries, stale ones included. */
  get size(): number {
    return this.entries.length;
  }

  /** Adds an entry. */
  push(entry: RestingOrder): void {
    const entries = this.entries;
    let i = entries.length;
    entries.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = entries[parent] as RestingOrder;
      if (!before(entry, above)) break;
      entries[i] = above;
      i = parent;
    }
    entries[i] = entry;
  }

  /**
   * Removes and returns the live entries whose expiry is at or before `nowMs`, in add-sequence
   * order (the order they were added in), dropping the stale ones it meets. Costs O((due + stale
   * met) log n): it never looks at an entry that is not due.
   */
  popDue(nowMs: number, isLive: (entry: RestingOrder) => boolean): RestingOrder[] {
    const due: RestingOrder[] = [];
    let examined = 0;
    while (this.entries.length > 0 && (this.entries[0] as RestingOrder).expiresAtMs <= nowMs) {
      examined++;
      const entry = this.popTop();
      if (isLive(entry)) due.push(entry);
    }
    this.examinedLast = examined;
    return due.length < 2 ? due : due.sort((a, b) => a.seq - b.seq);
  }

  /** Rebuilds the heap from its live entries when stale ones outnumber them (`liveCount` live). */
  compactIf(liveCount: number, isLive: (entry: RestingOrder) => boolean): void {
    const size = this.entries.length;
    if (size < COMPACT_SIZE_MIN || size - liveCount <= liveCount) return;
    this.entries = this.entries.filter(isLive);
    for (let i = (this.entries.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  private popTop(): RestingOrder {
    const entries = this.entries;
    const top = entries[0] as RestingOrder;
    const last = entries.pop() as RestingOrder;
    if (entries.length > 0) {
      entries[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  private siftDown(start: number): void {
    const entries = this.entries;
    const count = entries.length;
    const entry = entries[start] as RestingOrder;
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= count) break;
      const right = child + 1;
      if (right < count && before(entries[right] as RestingOrder, entries[child] as RestingOrder)) child = right;
      const below = entries[child] as RestingOrder;
      if (!before(below, entry)) break;
      entries[i] = below;
      i = child;
    }
    entries[i] = entry;
  }
}

function before(a: RestingOrder, b: RestingOrder): boolean {
  return a.expiresAtMs < b.expiresAtMs || (a.expiresAtMs === b.expiresAtMs && a.seq < b.seq);
}
