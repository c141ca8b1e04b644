// priceBucketOf: the price walk's buckets follow the price order exactly, over the whole u64 range.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PRICE_BUCKETS, priceBucketOf } from "../../src/orderbook/price-bucket-of.js";

const U64_MAX = (1n << 64n) - 1n;

describe("priceBucketOf", () => {
  it("is non-decreasing in the price and stays in 0..PRICE_BUCKETS-1", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: U64_MAX }), fc.bigInt({ min: 1n, max: U64_MAX }), (a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        const lowBucket = priceBucketOf(Number(low));
        const highBucket = priceBucketOf(Number(high));
        expect(lowBucket).toBeLessThanOrEqual(highBucket);
        expect(lowBucket).toBeGreaterThanOrEqual(0);
        expect(highBucket).toBeLessThan(PRICE_BUCKETS);
      }),
      { numRuns: 2000 },
    );
  });

  it("cuts 64 buckets per power of two: about 1 % of the price each", () => {
    expect(priceBucketOf(1)).toBe(0);
    expect(priceBucketOf(2)).toBe(64);
    expect(priceBucketOf(3)).toBe(96);
    // In [2^29, 2^30) a bucket is 2^23 wide: 0.84 % of 10^9.
    expect(priceBucketOf(2 ** 29 + 2 ** 23 - 1)).toBe(29 * 64);
    expect(priceBucketOf(2 ** 29 + 2 ** 23)).toBe(29 * 64 + 1);
    expect(priceBucketOf(Number(U64_MAX))).toBe(64 * 64);
  });
});
