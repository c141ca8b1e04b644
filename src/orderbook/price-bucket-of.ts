// The bucket of a price: its float's exponent and the top bits of its mantissa, so a bucket is
// about 1 % of the price wide and buckets follow the price order. Pure arithmetic, no I/O.

/** Buckets per power of two of the price. */
const SUB_BUCKET_BITS = 6;
const EXPONENT_BIAS = 1023;
/** Prices in base units are below 2^64 (u64; its float may round up to 2^64): exponents 0..64. */
export const PRICE_BUCKETS = 65 << SUB_BUCKET_BITS;

const floatScratch = new Float64Array(1);
const wordScratch = new Uint32Array(floatScratch.buffer);
/** Index of the float's high word (sign, exponent, top of the mantissa) in wordScratch. */
const HIGH_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/**
 * Bucket of a price's float: its exponent and the top 6 bits of its mantissa. Invariant:
 * non-decreasing in the price (positive floats order as their bits do); below 1, bucket 0.
 */
export function priceBucketOf(priceF: number): number {
  if (!(priceF >= 1)) return 0;
  floatScratch[0] = priceF;
  const bucket = ((wordScratch[HIGH_WORD] ?? 0) >>> (20 - SUB_BUCKET_BITS)) - (EXPONENT_BIAS << SUB_BUCKET_BITS);
  return Math.min(PRICE_BUCKETS - 1, bucket);
}

/** Lowest float of each bucket (0 for bucket 0): no price in the bucket is below it. */
export const BUCKET_FLOOR = Float64Array.from({ length: PRICE_BUCKETS }, (_, bucket) => {
  if (bucket === 0) return 0;
  wordScratch[HIGH_WORD] = (bucket + (EXPONENT_BIAS << SUB_BUCKET_BITS)) << (20 - SUB_BUCKET_BITS);
  wordScratch[1 - HIGH_WORD] = 0;
  return floatScratch[0] ?? 0;
});
