// PriceBuckets: the indexed offers in buckets of price (64 per power of two, cut by the bits of the
// price's float, so about 1 % wide), and the query that walks them cheapest first and stops once no
// later bucket can beat the k-th best found. The index for books whose offers are mostly of distinct
// shapes, where a walk of the shapes (shape-index.ts) would visit nearly every one. In memory only.
import { FEATURES } from "../core/enums.js";
import { capacityFits, countryFits, modelFits, priceFits, providerFits, reputationFits, termsFit } from "./matching.js";
import type { OfferTable } from "./offer-table.js";
import type { CompiledQuery } from "./query.js";
import { insertTop } from "./ranking.js";
import type { Reputations } from "./reputations.js";
import {
  SCORE_WEIGHT_UNITS,
  STATIC_UNITS_MAX,
  extraFeaturesUnits,
  gpuFitUnits,
  priceHeadroomUnits,
  priceHeadroomUnitsEstimate,
  priceHeadroomUnitsUpper,
  utilizationUnits,
  vramFitUnits,
} from "./score.js";

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
const BUCKET_FLOOR = Float64Array.from({ length: PRICE_BUCKETS }, (_, bucket) => {
  if (bucket === 0) return 0;
  wordScratch[HIGH_WORD] = (bucket + (EXPONENT_BIAS << SUB_BUCKET_BITS)) << (20 - SUB_BUCKET_BITS);
  wordScratch[1 - HIGH_WORD] = 0;
  return floatScratch[0] ?? 0;
});

const FEATURE_MASK_ALL = (1 << FEATURES.length) - 1;

/**
 * The indexed offers by price bucket. Invariants: a slot is in exactly one bucket (that of its
 * price) iff it is inserted and not removed; slotPos[slot] is its place in the bucket, -1 when out.
 */
export class PriceBuckets {
  private readonly buckets: number[][] = Array.from({ length: PRICE_BUCKETS }, () => []);
  private slotPos = new Int32Array(1024).fill(-1);

  constructor(
    private readonly table: OfferTable,
    private readonly reputations: Reputations,
  ) {}

  /** Adds a slot. Invariant: not already in; its price does not change while in. */
  insert(slot: number): void {
    if (slot >= this.slotPos.length) {
      const positions = new Int32Array(Math.max(slot + 1, this.slotPos.length * 2)).fill(-1);
      positions.set(this.slotPos);
      this.slotPos = positions;
    }
    const list = this.buckets[priceBucketOf(this.table.priceF[slot] ?? 0)] ?? [];
    this.slotPos[slot] = list.length;
    list.push(slot);
  }

  /** Removes a slot (no-op when it is not in). */
  remove(slot: number): void {
    const pos = slot < this.slotPos.length ? (this.slotPos[slot] ?? -1) : -1;
    if (pos < 0) return;
    const list = this.buckets[priceBucketOf(this.table.priceF[slot] ?? 0)] ?? [];
    const last = list.pop() ?? slot;
    if (last !== slot) {
      list[pos] = last;
      this.slotPos[last] = pos;
    }
    this.slotPos[slot] = -1;
  }

  /**
   * The best `limit` slots for a query, best first (ranking.ts), or undefined once more than
   * `visitsMax` offers were looked at (the caller then asks the shape index). Invariant: a result
   * equals the reference scan's; a bucket's bound (its floor's price part plus the most every
   * other part can give this query) is never below the score of an offer in it or after it.
   */
  best(query: CompiledQuery, limit: number, visitsMax: number): number[] | undefined {
    const slots: number[] = [];
    const scores: number[] = [];
    if (query.impossible || limit <= 0) return slots;
    const t = this.table;
    const { minGpu, minVram, requiredMask, region, maxPrice, maxPriceF, priceCapF, preferredModels } = query;
    const otherPartsMax =
      SCORE_WEIGHT_UNITS.gpuFit +
      SCORE_WEIGHT_UNITS.vramFit +
      (preferredModels.length > 0 ? SCORE_WEIGHT_UNITS.preferredModel : 0) +
      extraFeaturesUnits(FEATURE_MASK_ALL, requiredMask) +
      STATIC_UNITS_MAX;
    const lastBucket = priceBucketOf(priceCapF);
    let visits = 0;
    for (let bucket = 0; bucket <= lastBucket; bucket++) {
      const list = this.buckets[bucket] ?? [];
      if (list.length === 0) continue;
      if (
        slots.length === limit &&
        priceHeadroomUnitsUpper(BUCKET_FLOOR[bucket] ?? 0, maxPriceF) + otherPartsMax < (scores[limit - 1] ?? 0)
      ) {
        break;
      }
      visits += list.length;
      if (visits > visitsMax) return undefined;
      for (let i = 0; i < list.length; i++) {
        const slot = list[i] ?? 0;
        const price = t.priceF[slot] ?? 0;
        const free = t.freeGpus[slot] ?? 0;
        const vram = t.vram[slot] ?? 0;
        const mask = t.mask[slot] ?? 0;
        const model = t.model[slot] ?? 0;
        if (
          price > priceCapF ||
          !capacityFits(free, vram, mask, minGpu, minVram, requiredMask) ||
          (region >= 0 && t.region[slot] !== region) ||
          !modelFits(model, query) ||
          !termsFit(t, slot, query.estimatedHours, query.nowMs) ||
          !countryFits(t, slot, query.country) ||
          !providerFits(t, slot, query) ||
          !reputationFits(this.reputations, t, slot, query) ||
          (price === priceCapF && !priceFits(t, slot, query.priceCap))
        ) {
          continue;
        }
        // The float estimate decides the rounding almost always; else the exact bigint division.
        const estimate = priceHeadroomUnitsEstimate(price, maxPriceF);
        const priceUnits = estimate >= 0 ? estimate : priceHeadroomUnits(t.price[slot] ?? 0n, maxPrice);
        const score =
          priceUnits +
          gpuFitUnits(minGpu, free) +
          vramFitUnits(minVram, vram) +
          (preferredModels.includes(model) ? SCORE_WEIGHT_UNITS.preferredModel : 0) +
          extraFeaturesUnits(mask, requiredMask) +
          this.reputations.unitsOf(t.provider[slot] ?? 0) +
          utilizationUnits(t.utilizationPct(slot));
        insertTop(t, slots, scores, slot, score, limit);
      }
    }
    return slots;
  }
}
