// Edits of the indexes' sorted parallel arrays (a price-bucket cell's buckets, lists and mask sets;
// a shape band's slots and prices): search by bucket, insert and remove in place. Pure, no I/O.

/** First index of ascending `buckets` whose bucket is at least `bucket`. */
export function searchBuckets(buckets: readonly number[], bucket: number): number {
  let lo = 0;
  let hi = buckets.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((buckets[mid] ?? 0) < bucket) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Inserts `value` at `at` (at most the length), shifting the tail up: splice would allocate the array it returns. */
export function insertAt<T>(array: T[], at: number, value: T): void {
  array.push(value);
  for (let i = array.length - 1; i > at; i--) array[i] = array[i - 1] as T;
  array[at] = value;
}

/** Removes the element at `at` (below the length), shifting the tail down. */
export function removeAt(array: unknown[], at: number): void {
  for (let i = at; i < array.length - 1; i++) array[i] = array[i + 1];
  array.pop();
}
