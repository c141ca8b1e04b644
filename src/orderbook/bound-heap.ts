// BoundHeap: the max-heap of a shape-index query, keyed by an upper bound of the score of the
// offers an entry stands for; columns in typed arrays, reused from query to query so a query
// allocates nothing. In memory only. (ExpiryHeap is a min-heap of one payload; this one carries
// four and updates its root in place, so they stay two small classes.)

/**
 * Max-heap of (key, shape, band, pos, term). Invariant: heap order on `key` (no child above its
 * parent) over the first `size` entries.
 */
export class BoundHeap {
  private keys = new Float64Array(256);
  private shapes = new Int32Array(256);
  private bands = new Int8Array(256);
  private positions = new Int32Array(256);
  private terms = new Float64Array(256);
  /** Number of entries. */
  size = 0;

  /** Bound of the root (the highest key); the heap must not be empty. */
  rootKey(): number {
    return this.keys[0] ?? 0;
  }

  /** Shape of the root entry. */
  rootShape(): number {
    return this.shapes[0] ?? 0;
  }

  /** Band of the root entry (negative: a shape entry). */
  rootBand(): number {
    return this.bands[0] ?? 0;
  }

  /** Position (or band mask) of the root entry. */
  rootPos(): number {
    return this.positions[0] ?? 0;
  }

  /** Order-dependent score term of the root entry. */
  rootTerm(): number {
    return this.terms[0] ?? 0;
  }

  /** Appends without restoring heap order; heapify() follows. */
  append(key: number, shape: number, band: number, pos: number, term: number): void {
    if (this.size === this.keys.length) this.grow();
    this.set(this.size++, key, shape, band, pos, term);
  }

  /** Floyd's bottom-up heap construction, O(n). */
  heapify(): void {
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  /** Adds an entry in heap order. */
  push(key: number, shape: number, band: number, pos: number, term: number): void {
    if (this.size === this.keys.length) this.grow();
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((this.keys[parent] ?? 0) >= key) break;
      this.move(parent, i);
      i = parent;
    }
    this.set(i, key, shape, band, pos, term);
  }

  /** The root now stands for less: a new position and a key no higher than before. */
  lowerRoot(pos: number, key: number): void {
    this.positions[0] = pos;
    this.keys[0] = key;
    this.siftDown(0);
  }

  /** Removes the root. */
  popRoot(): void {
    this.size--;
    if (this.size > 0) {
      this.move(this.size, 0);
      this.siftDown(0);
    }
  }

  private grow(): void {
    const n = this.size * 2;
    const keys = new Float64Array(n);
    keys.set(this.keys);
    this.keys = keys;
    const shapes = new Int32Array(n);
    shapes.set(this.shapes);
    this.shapes = shapes;
    const bands = new Int8Array(n);
    bands.set(this.bands);
    this.bands = bands;
    const positions = new Int32Array(n);
    positions.set(this.positions);
    this.positions = positions;
    const terms = new Float64Array(n);
    terms.set(this.terms);
    this.terms = terms;
  }

  private set(i: number, key: number, shape: number, band: number, pos: number, term: number): void {
    this.keys[i] = key;
    this.shapes[i] = shape;
    this.bands[i] = band;
    this.positions[i] = pos;
    this.terms[i] = term;
  }

  private move(from: number, to: number): void {
    this.set(to, this.keys[from] ?? 0, this.shapes[from] ?? 0, this.bands[from] ?? 0, this.positions[from] ?? 0, this.terms[from] ?? 0);
  }

  private siftDown(start: number): void {
    const size = this.size;
    const key = this.keys[start] ?? 0;
    const shape = this.shapes[start] ?? 0;
    const band = this.bands[start] ?? 0;
    const pos = this.positions[start] ?? 0;
    const term = this.terms[start] ?? 0;
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      if (child + 1 < size && (this.keys[child + 1] ?? 0) > (this.keys[child] ?? 0)) child++;
      if ((this.keys[child] ?? 0) <= key) break;
      this.move(child, i);
      i = child;
    }
    this.set(i, key, shape, band, pos, term);
  }
}
