// PriceBuckets: the indexed offers by class of free GPUs and of VRAM (one per power of two) and, in each, by
// bucket of price (64 per power of two, cut by the bits of the price's float, so about 1 % wide);
// the query walks each class cheapest first and stops it once none of its later buckets can beat the
// k-th best found. The index for books whose offers are mostly of distinct shapes, where a walk of
// the shapes (shape-index.ts) would visit nearly every one. In memory only, no I/O.
import { FEATURES } from "../core/enums.js";
import { capacityFits, countryFits, modelFits, priceFits, providerFits, reputationFits, termsFit } from "./matching.js";
import type { OfferTable } from "./offer-table.js";
import { ProviderSlots as SlotLists } from "./provider-slots.js";
import type { CompiledQuery } from "./query.js";
import { insertTop } from "./ranking.js";
import type { Reputations } from "./reputations.js";
import {
  SCORE_WEIGHT_UNITS,
  extraFeaturesUnits,
  gpuFitUnits,
  preferredModelUnits,
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
/** Words of a class's bitmap of non-empty buckets. */
const BUCKET_WORDS = PRICE_BUCKETS / 32;
/** Classes of free GPUs: class c holds 2^c..2^(c+1)-1 free GPUs (at most GPU_COUNT_MAX = 1024). */
const FREE_CLASSES = 11;

/** Classes of VRAM: class c holds 2^c..2^(c+1)-1 GB (at most VRAM_GB_MAX = 2048). */
const VRAM_CLASSES = 12;
const CLASSES = FREE_CLASSES * VRAM_CLASSES;

/** Class of a count of free GPUs (>= 1): floor(log2). */
function freeClassOf(freeGpus: number): number {
  return Math.min(FREE_CLASSES - 1, 31 - Math.clz32(Math.max(1, freeGpus)));
}

/** Class of a VRAM size in GB (>= 1): floor(log2). */
function vramClassOf(vramGb: number): number {
  return Math.min(VRAM_CLASSES - 1, 31 - Math.clz32(Math.max(1, vramGb)));
}

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
 * The indexed offers by class (free GPUs x VRAM) and bucket of price, and by model. Invariants: a
 * slot is in exactly one list (that of its free GPUs, VRAM and price, none of which changes while
 * it is in) and in its model's list iff it is inserted and not removed; slotPos[slot] is its place
 * in the first, -1 when out; a bucket's bit is set iff its list is not empty; classSize counts them.
 */
export class PriceBuckets {
  /** Lists by class * PRICE_BUCKETS + bucket, made when first needed. */
  private readonly buckets = new Map<number, number[]>();
  private readonly nonEmpty = new Uint32Array(CLASSES * BUCKET_WORDS);
  /** Slots in each class. */
  private readonly classSize = new Int32Array(CLASSES);
  /** Union of the feature masks of every slot a class ever held (never narrowed: a bound). */
  private readonly classMasks = new Uint8Array(CLASSES);
  private slotPos = new Int32Array(1024).fill(-1);
  /** The same slots by normalized model: a query walks its preferred models' offers first. */
  private readonly modelSlots = new SlotLists();

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
    const index = this.listOf(slot);
    let list = this.buckets.get(index);
    if (list === undefined) {
      list = [];
      this.buckets.set(index, list);
    }
    this.slotPos[slot] = list.length;
    list.push(slot);
    const fitClass = Math.floor(index / PRICE_BUCKETS);
    this.classSize[fitClass] = (this.classSize[fitClass] ?? 0) + 1;
    this.classMasks[fitClass] = (this.classMasks[fitClass] ?? 0) | (this.table.mask[slot] ?? 0);
    this.nonEmpty[index >>> 5] = (this.nonEmpty[index >>> 5] ?? 0) | (1 << (index & 31));
    this.modelSlots.add(slot, this.table.model[slot] ?? 0);
  }

  /** The list of a slot: its class of free GPUs and VRAM, and its price bucket. */
  private listOf(slot: number): number {
    const t = this.table;
    const fitClass = freeClassOf(t.freeGpus[slot] ?? 0) * VRAM_CLASSES + vramClassOf(t.vram[slot] ?? 0);
    return fitClass * PRICE_BUCKETS + priceBucketOf(t.priceF[slot] ?? 0);
  }

  /** Removes a slot (no-op when it is not in). */
  remove(slot: number): void {
    const pos = slot < this.slotPos.length ? (this.slotPos[slot] ?? -1) : -1;
    if (pos < 0) return;
    const index = this.listOf(slot);
    const list = this.buckets.get(index) ?? [];
    const fitClass = Math.floor(index / PRICE_BUCKETS);
    this.classSize[fitClass] = (this.classSize[fitClass] ?? 0) - 1;
    const last = list.pop() ?? slot;
    if (last !== slot) {
      list[pos] = last;
      this.slotPos[last] = pos;
    }
    this.slotPos[slot] = -1;
    this.modelSlots.remove(slot, this.table.model[slot] ?? 0);
    if (list.length === 0) this.nonEmpty[index >>> 5] = (this.nonEmpty[index >>> 5] ?? 0) & ~(1 << (index & 31));
  }

  /**
   * The best `limit` slots for a query, best first (ranking.ts), or undefined once more than
   * `visitsMax` offers were looked at (the caller then asks the shape index). Invariant: a result
   * equals the reference scan's; a bucket's bound (its floor's price part, its class's most GPU and
   * VRAM fit, and the most features and reputation + utilization can give) is never below the score
   * of an offer of a model not preferred in it or after it in its class.
   */
  best(query: CompiledQuery, limit: number, visitsMax: number): number[] | undefined {
    const slots: number[] = [];
    const scores: number[] = [];
    if (query.impossible || limit <= 0) return slots;
    const t = this.table;
    const { minGpu, requiredMask, priceCapF, preferredModels } = query;
    // A list of allowed models: their offers are all there is to walk.
    if (query.allowedModels !== undefined) return this.bestOfModels(query, limit, visitsMax);
    let visits = 0;
    // Offers of the preferred models first, all of them: the rest then cannot get the preferred part.
    for (const model of preferredModels) {
      const list = this.modelSlots.slotsOf(model);
      visits += list.length;
      if (visits > visitsMax) return undefined;
      for (const slot of list) {
        const score = this.scoreIfFits(slot, query);
        if (score >= 0) insertTop(t, slots, scores, slot, score, limit);
      }
    }
    // The most reputation + utilization can give (no provider above the highest reputation set).
    const staticMax = this.reputations.unitsMax + SCORE_WEIGHT_UNITS.utilization;
    const lastBucket = priceBucketOf(priceCapF);
    const minVram = query.minVram;
    // Classes from those holding minGpu and minVram up: the fit bounds fall, so later classes stop sooner.
    for (let freeClass = freeClassOf(minGpu); freeClass < FREE_CLASSES; freeClass++) {
      for (let vramClass = vramClassOf(minVram); vramClass < VRAM_CLASSES; vramClass++) {
        const fitClass = freeClass * VRAM_CLASSES + vramClass;
        if ((this.classSize[fitClass] ?? 0) === 0) continue;
        // Both fits are non-increasing in free GPUs and VRAM: the class's smallest usable values bound
        // them; extra features are those of the union of the class's masks at most.
        const partsMax =
          gpuFitUnits(minGpu, Math.max(minGpu, 1 << freeClass)) +
          vramFitUnits(minVram, Math.max(minVram, 1 << vramClass)) +
          extraFeaturesUnits(this.classMasks[fitClass] ?? FEATURE_MASK_ALL, requiredMask) +
          staticMax;
        const pass = this.walkClass(fitClass, partsMax, lastBucket, query, limit, slots, scores, visitsMax - visits);
        if (pass < 0) return undefined;
        visits += pass;
      }
    }
    return slots;
  }

  /**
   * Walks one class's buckets cheapest first into the top-k arrays, until the next bucket's bound
   * (its floor's price part + partsMax) is below the k-th score; returns the offers looked at, or
   * -1 past `visitsMax`. Offers of preferred models are skipped: they were all scored first.
   */
  private walkClass(
    fitClass: number,
    partsMax: number,
    lastBucket: number,
    query: CompiledQuery,
    limit: number,
    slots: number[],
    scores: number[],
    visitsMax: number,
  ): number {
    const t = this.table;
    const { maxPriceF, preferredModels } = query;
    const first = fitClass * PRICE_BUCKETS;
    const firstWord = fitClass * BUCKET_WORDS;
    let visits = 0;
    walk: for (let word = 0; word < BUCKET_WORDS; word++) {
      let bits = this.nonEmpty[firstWord + word] ?? 0;
      while (bits !== 0) {
        const low = bits & -bits;
        bits ^= low;
        const bucket = word * 32 + 31 - Math.clz32(low);
        if (bucket > lastBucket) break walk;
        if (slots.length === limit && priceHeadroomUnitsUpper(BUCKET_FLOOR[bucket] ?? 0, maxPriceF) + partsMax < (scores[limit - 1] ?? 0)) {
          break walk;
        }
        const list = this.buckets.get(first + bucket) ?? [];
        visits += list.length;
        if (visits > visitsMax) return -1;
        for (let i = 0; i < list.length; i++) {
          const slot = list[i] ?? 0;
          // Offers of preferred models were all scored first.
          if (preferredModels.length > 0 && preferredModels.includes(t.model[slot] ?? 0)) continue;
          const score = this.scoreIfFits(slot, query);
          if (score >= 0) insertTop(t, slots, scores, slot, score, limit);
        }
      }
    }
    return visits;
  }

  /** The best `limit` offers of the query's allowed models, each looked at once; undefined past `visitsMax`. */
  private bestOfModels(query: CompiledQuery, limit: number, visitsMax: number): number[] | undefined {
    const slots: number[] = [];
    const scores: number[] = [];
    let visits = 0;
    for (const model of query.allowedModels ?? []) {
      const list = this.modelSlots.slotsOf(model);
      visits += list.length;
      if (visits > visitsMax) return undefined;
      for (const slot of list) {
        const score = this.scoreIfFits(slot, query);
        if (score >= 0) insertTop(this.table, slots, scores, slot, score, limit);
      }
    }
    return slots;
  }

  /** The offer's score for the query in units, or -1 when it does not satisfy it (matching.ts). */
  private scoreIfFits(slot: number, query: CompiledQuery): number {
    const t = this.table;
    const { minGpu, minVram, requiredMask, region, maxPriceF, priceCapF } = query;
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
      return -1;
    }
    // The float estimate decides the rounding almost always; else the exact bigint division.
    const estimate = priceHeadroomUnitsEstimate(price, maxPriceF);
    const priceUnits = estimate >= 0 ? estimate : priceHeadroomUnits(t.price[slot] ?? 0n, query.maxPrice);
    return (
      priceUnits +
      gpuFitUnits(minGpu, free) +
      vramFitUnits(minVram, vram) +
      preferredModelUnits(query.preferredModels.includes(model)) +
      extraFeaturesUnits(mask, requiredMask) +
      this.reputations.unitsOf(t.provider[slot] ?? 0) +
      utilizationUnits(t.utilizationPct(slot))
    );
  }
}
