// RestingExpiry: resting orders indexed by expiry, a min-heap of (expiresAtMs, add sequence) with
// lazy deletion: a matched or cancelled order stays in the heap until it surfaces or a compaction
// drops it; the caller says which entries are still live. In memory only.
import type { RestingOrder } from "./resting-orders.js";

/** Below this many entries the heap is never compacted (stale entries cost nothing worth a pass). */
const COMPACT_SIZE_MIN = 64;

/**
 * Min-heap of resting orders by (expiresAtMs, add sequence). Invariant: heap order on that pair;
 * every live resting order is in it once; stale entries are at most live entries + COMPACT_SIZE_MIN
 * after every call of compactIf.
 */
export class RestingExpiry {
  private entries: RestingOrder[] = [];
  private seqs: number[] = [];
  /** Heap entries popped or dropped by the last popDue call: what it cost (tests read it). */
  examinedLast = 0;

  /** Number of entries, stale ones included. */
  get size(): number {
    return this.entries.length;
  }

  /** Adds an entry with its add sequence (increasing per add). */
  push(entry: RestingOrder, seq: number): void {
    const entries = this.entries;
    const seqs = this.seqs;
    let i = entries.length;
    entries.push(entry);
    seqs.push(seq);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = entries[parent] as RestingOrder;
      if (!before(entry, seq, above, seqs[parent] ?? 0)) break;
      entries[i] = above;
      seqs[i] = seqs[parent] ?? 0;
      i = parent;
    }
    entries[i] = entry;
    seqs[i] = seq;
  }

  /**
   * Removes and returns the live entries whose expiry is at or before `nowMs`, in add-sequence
   * order (the order they were added in), dropping the stale ones it meets. Costs O((due + stale
   * met) log n): it never looks at an entry that is not due.
   */
  popDue(nowMs: number, isLive: (entry: RestingOrder) => boolean): RestingOrder[] {
    const due: RestingOrder[] = [];
    const dueSeqs: number[] = [];
    let examined = 0;
    while (this.entries.length > 0 && (this.entries[0] as RestingOrder).expiresAtMs <= nowMs) {
      examined++;
      const seq = this.seqs[0] ?? 0;
      const entry = this.popTop();
      if (!isLive(entry)) continue;
      due.push(entry);
      dueSeqs.push(seq);
    }
    this.examinedLast = examined;
    if (due.length < 2) return due;
    const order = due.map((_, i) => i).sort((a, b) => (dueSeqs[a] ?? 0) - (dueSeqs[b] ?? 0));
    return order.map((i) => due[i] as RestingOrder);
  }

  /** Rebuilds the heap from its live entries when stale ones outnumber them (`liveCount` live). */
  compactIf(liveCount: number, isLive: (entry: RestingOrder) => boolean): void {
    const size = this.entries.length;
    if (size < COMPACT_SIZE_MIN || size - liveCount <= liveCount) return;
    const entries: RestingOrder[] = [];
    const seqs: number[] = [];
    for (let i = 0; i < size; i++) {
      const entry = this.entries[i] as RestingOrder;
      if (!isLive(entry)) continue;
      entries.push(entry);
      seqs.push(this.seqs[i] ?? 0);
    }
    this.entries = entries;
    this.seqs = seqs;
    for (let i = (entries.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  private popTop(): RestingOrder {
    const entries = this.entries;
    const top = entries[0] as RestingOrder;
    const last = entries.pop() as RestingOrder;
    const lastSeq = this.seqs.pop() ?? 0;
    if (entries.length > 0) {
      entries[0] = last;
      this.seqs[0] = lastSeq;
      this.siftDown(0);
    }
    return top;
  }

  private siftDown(start: number): void {
    const entries = this.entries;
    const seqs = this.seqs;
    const count = entries.length;
    const entry = entries[start] as RestingOrder;
    const seq = seqs[start] ?? 0;
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= count) break;
      const right = child + 1;
      if (right < count && before(entries[right] as RestingOrder, seqs[right] ?? 0, entries[child] as RestingOrder, seqs[child] ?? 0))
        child = right;
      const below = entries[child] as RestingOrder;
      if (!before(below, seqs[child] ?? 0, entry, seq)) break;
      entries[i] = below;
      seqs[i] = seqs[child] ?? 0;
      i = child;
    }
    entries[i] = entry;
    seqs[i] = seq;
  }
}

function before(a: RestingOrder, aSeq: number, b: RestingOrder, bSeq: number): boolean {
  return a.expiresAtMs < b.expiresAtMs || (a.expiresAtMs === b.expiresAtMs && aSeq < bSeq);
}
