// ExpiryHeap: a min-heap of (expiry time, slot) with lazy deletion; the caller checks each popped
// entry against the live table. In memory only.

/** Min-heap of expiry times. Invariant: heap order on `times`. */
export class ExpiryHeap {
  private times = new Float64Array(1024);
  private slots = new Int32Array(1024);
  private count = 0;

  /** Number of entries, stale ones included. */
  get size(): number {
    return this.count;
  }

  /** Drops every entry. */
  clear(): void {
    this.count = 0;
  }

  /** Adds (timeMs, slot). */
  push(timeMs: number, slot: number): void {
    if (this.count === this.times.length) {
      const times = new Float64Array(this.count * 2);
      times.set(this.times);
      this.times = times;
      const slots = new Int32Array(this.count * 2);
      slots.set(this.slots);
      this.slots = slots;
    }
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((this.times[parent] ?? 0) <= timeMs) break;
      this.times[i] = this.times[parent] ?? 0;
      this.slots[i] = this.slots[parent] ?? 0;
      i = parent;
    }
    this.times[i] = timeMs;
    this.slots[i] = slot;
  }

  /** Earliest time, or Infinity when empty. */
  peekTime(): number {
    return this.count === 0 ? Infinity : (this.times[0] ?? Infinity);
  }

  /** Removes the earliest entry and returns its slot (-1 when empty). */
  pop(): number {
    if (this.count === 0) return -1;
    const top = this.slots[0] ?? -1;
    const last = --this.count;
    const time = this.times[last] ?? 0;
    const slot = this.slots[last] ?? 0;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= last) break;
      if (child + 1 < last && (this.times[child + 1] ?? 0) < (this.times[child] ?? 0)) child++;
      if ((this.times[child] ?? 0) >= time) break;
      this.times[i] = this.times[child] ?? 0;
      this.slots[i] = this.slots[child] ?? 0;
      i = child;
    }
    this.times[i] = time;
    this.slots[i] = slot;
    return top;
  }
}
