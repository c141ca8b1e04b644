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

/**
 * Elements moved by hand at most; a longer shift goes through splice, whose native move is about 4x
 * faster per element on long lists (a shape of thousands of equal offers) but allocates the array
 * it returns, which costs more than moving a few elements.
 */
const SHIFT_BY_HAND_MAX = 32;

/** Inserts `value` at `at` (at most the length), shifting the tail up. */
export function insertAt<T>(array: T[], at: number, value: T): void {
  if (array.length - at > SHIFT_BY_HAND_MAX) {
    array.splice(at, 0, value);
    return;
  }
  array.push(value);
  for (let i = array.length - 1; i > at; i--) array[i] = array[i - 1] as T;
  array[at] = value;
}

/** Removes the element at `at` (below the length), shifting the tail down. */
export function removeAt(array: unknown[], at: number): void {
  if (array.length - at > SHIFT_BY_HAND_MAX) {
    array.splice(at, 1);
    return;
  }
  for (let i = at; i < array.length - 1; i++) array[i] = array[i + 1];
  array.pop();
}
