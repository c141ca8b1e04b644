// PriceWalk: the query over PriceBuckets for books whose offers are mostly of distinct shapes, where
// a walk of the shapes (shape-index.ts) would visit nearly every one. Best first over the cells that
// can hold a match: a heap of cells keyed by the bound of their next price bucket (its floor's price
// part, the cell's fit, feature and band bounds); it stops once no bucket left can beat the k-th
// best found. In memory only, no I/O.
import { BoundHeap } from "./bound-heap.js";
import {
  CHILD_OF,
  COARSE_CHILDREN,
  COARSE_CLASSES,
  coarseFitUnitsMax,
  coarseFits,
  featuresUnitsMaxOf,
  fineFitUnitsMax,
  fineFits,
  masksHolding,
} from "./fit-classes.js";
import type { OfferTable } from "./offer-table.js";
import { WALK_BANDS, WALK_BAND_UPPER } from "./price-buckets.js";
import { BUCKET_FLOOR, PRICE_BUCKETS, priceBucketOf } from "./price-bucket-of.js";
import type { PriceBuckets } from "./price-buckets.js";
import type { CompiledQuery } from "./query.js";
import type { Reputations } from "./reputations.js";
import { SCORE_WEIGHT_UNITS, priceHeadroomUnitsUpper } from "./score.js";
import { scoreList } from "./slot-score.js";

/** Levels of heap entries (the heap's band column): a coarse class, a fine class, a cell (its pos: the index of its next bucket). */
const COARSE = 0;
const FINE = 1;
const CELL = 2;
/**
 * A cell of at most this many offers is scored whole when first reached, not bucket by bucket: a
 * heap step costs more than scoring a few offers past the stop (small books hold about one offer
 * per bucket of a cell).
 */
const SMALL_CELL_SLOTS = 4;

/**
 * The price walk of one book. Invariant: best() equals the reference scan's answer (the
 * differential property tests), because a heap key is never below the score of an offer of a model
 * not preferred in that cell at or after that bucket.
 */
export class PriceWalk {
  /**
   * Query scratch, reused: (key, class or cell, level, first bucket of a class or index of a cell's
   * next bucket, term: a fine class's fit bound, a cell's bound of every part but price).
   */
  private readonly heap = new BoundHeap();

  constructor(
    private readonly buckets: PriceBuckets,
    private readonly table: OfferTable,
    private readonly reputations: Reputations,
  ) {}

  /**
   * The best `limit` slots for a query, best first (ranking.ts), or undefined once more than
   * `visitsMax` offers were looked at (the caller then asks the shape index). Invariant: a result
   * equals the reference scan's.
   */
  best(query: CompiledQuery, limit: number, visitsMax: number): number[] | undefined {
    const slots: number[] = [];
    const scores: number[] = [];
    if (query.impossible || limit <= 0) return slots;
    // A list of allowed models: their offers are all there is to walk.
    if (query.allowedModels !== undefined) return this.bestOfModels(query, limit, visitsMax);
    let visits = 0;
    // Offers of the preferred models first, all of them: the rest then cannot get the preferred part.
    for (const model of query.preferredModels) {
      const list = this.buckets.modelSlots.viewOf(model);
      visits += list.length;
      if (visits > visitsMax) return undefined;
      scoreList(this.table, this.reputations, list, query, false, limit, slots, scores);
    }
    this.seed(query, limit, scores);
    const pass = this.walk(query, limit, slots, scores, visitsMax - visits);
    return pass < 0 ? undefined : slots;
  }

  /**
   * Fills the heap with the coarse classes that can hold a match: from those holding minGpu and
   * minVram up, with an offer of every required feature, their first bucket within the cap.
   */
  private seed(query: CompiledQuery, limit: number, scores: readonly number[]): void {
    const { minGpu, minVram, requiredMask, maxPriceF } = query;
    const buckets = this.buckets;
    const heap = this.heap;
    heap.size = 0;
    const lastBucket = priceBucketOf(query.priceCapF);
    const floor = scores.length === limit ? (scores[limit - 1] ?? 0) : -1;
    const staticMax = this.staticMax();
    for (let coarse = 0; coarse < COARSE_CLASSES; coarse++) {
      const first = buckets.coarseFirstBucket(coarse);
      if (first > lastBucket || !coarseFits(coarse, minGpu, minVram)) continue;
      const featuresMax = buckets.coarseMasks.featuresUnitsMax(coarse, requiredMask);
      if (featuresMax < 0) continue; // no offer of the class has every required feature
      const key =
        priceHeadroomUnitsUpper(BUCKET_FLOOR[first] ?? 0, maxPriceF) + coarseFitUnitsMax(coarse, minGpu, minVram) + featuresMax + staticMax;
      if (key >= floor) heap.append(key, coarse, COARSE, first, 0);
    }
    heap.heapify();
  }

  /** The most reputation + utilization can give (no provider above the highest reputation set). */
  private staticMax(): number {
    return this.reputations.unitsMax + SCORE_WEIGHT_UNITS.utilization;
  }

  /** Replaces the root, a coarse class, by its fine classes that can hold a match and beat `floor`. */
  private expandCoarse(query: CompiledQuery, lastBucket: number, floor: number): void {
    const { minGpu, minVram, requiredMask, maxPriceF } = query;
    const buckets = this.buckets;
    const heap = this.heap;
    const coarse = heap.rootShape();
    heap.popRoot();
    const staticMax = this.staticMax();
    for (let children = buckets.childrenOf(coarse); children !== 0; children &= children - 1) {
      const fine = CHILD_OF[coarse * COARSE_CHILDREN + 31 - Math.clz32(children & -children)] ?? 0;
      const first = buckets.fineFirstBucket(fine);
      if (first > lastBucket || !fineFits(fine, minGpu, minVram)) continue;
      const featuresMax = buckets.fineMasks.featuresUnitsMax(fine, requiredMask);
      if (featuresMax < 0) continue;
      const fitMax = fineFitUnitsMax(fine, minGpu, minVram);
      const topBand = 31 - Math.clz32(buckets.bandsOf(fine));
      const key =
        priceHeadroomUnitsUpper(BUCKET_FLOOR[first] ?? 0, maxPriceF) +
        fitMax +
        featuresMax +
        Math.min(WALK_BAND_UPPER[topBand] ?? 0, staticMax);
      if (key >= floor) heap.push(key, fine, FINE, first, fitMax);
    }
  }

  /**
   * Replaces the root, a fine class, by its cells whose first bucket is within the cap, that hold
   * an offer of every required feature and can beat `floor`.
   */
  private expandFine(query: CompiledQuery, lastBucket: number, floor: number): void {
    const buckets = this.buckets;
    const heap = this.heap;
    const fine = heap.rootShape();
    const fitMax = heap.rootTerm();
    heap.popRoot();
    const staticMax = this.staticMax();
    for (let bands = buckets.bandsOf(fine); bands !== 0; bands &= bands - 1) {
      const band = 31 - Math.clz32(bands & -bands);
      const cell = fine * WALK_BANDS + band;
      const first = buckets.firstBucket(cell);
      if (first > lastBucket) continue;
      const featuresMax = featuresUnitsMaxOf(buckets.maskSetOf(cell), query.requiredMask);
      if (featuresMax < 0) continue; // no offer of the cell has every required feature
      const term = fitMax + featuresMax + Math.min(WALK_BAND_UPPER[band] ?? 0, staticMax);
      const key = priceHeadroomUnitsUpper(BUCKET_FLOOR[first] ?? 0, query.maxPriceF) + term;
      if (key >= floor) heap.push(key, cell, CELL, 0, term);
    }
  }

  /**
   * Takes the entry of the highest bound until that bound is below the k-th score: a class is
   * replaced by its parts, a cell's bucket is scored and the cell moves to its next bucket. Returns
   * the offers looked at, or -1 past `visitsMax`. Offers of preferred models are skipped: they were
   * all scored first.
   */
  private walk(query: CompiledQuery, limit: number, slots: number[], scores: number[], visitsMax: number): number {
    const t = this.table;
    const heap = this.heap;
    const buckets = this.buckets;
    const { maxPriceF, preferredModels } = query;
    const lastBucket = priceBucketOf(query.priceCapF);
    const anyPreferred = preferredModels.length > 0;
    const usable = masksHolding(query.requiredMask);
    let visits = 0;
    while (heap.size > 0) {
      const floor = slots.length === limit ? (scores[limit - 1] ?? 0) : -1;
      if (heap.rootKey() < floor) break;
      const level = heap.rootBand();
      if (level === COARSE) {
        this.expandCoarse(query, lastBucket, floor);
        continue;
      }
      if (level === FINE) {
        this.expandFine(query, lastBucket, floor);
        continue;
      }
      const cell = heap.rootShape();
      const at = heap.rootPos();
      if (at === 0 && buckets.sizeOf(cell) <= SMALL_CELL_SLOTS) {
        // A small cell is scored whole: cheaper than a heap step per bucket.
        heap.popRoot();
        visits += buckets.sizeOf(cell);
        if (visits > visitsMax) return -1;
        this.scoreCell(cell, query, limit, slots, scores);
        continue;
      }
      const term = heap.rootTerm();
      const maskSets = buckets.maskSetsOf(cell);
      const cellBuckets = buckets.bucketsOf(cell);
      // A bucket none of whose offers has the required features is passed without reading them.
      if (((maskSets[at] ?? 0) & usable) !== 0) {
        const list = buckets.listsOf(cell)[at] ?? [];
        visits += list.length;
        if (visits > visitsMax) return -1;
        scoreList(t, this.reputations, list, query, anyPreferred, limit, slots, scores);
      }
      let after = at + 1;
      while (after < maskSets.length && ((maskSets[after] ?? 0) & usable) === 0 && (cellBuckets[after] ?? PRICE_BUCKETS) <= lastBucket)
        after++;
      const next = cellBuckets[after] ?? PRICE_BUCKETS;
      if (next > lastBucket) heap.popRoot();
      else heap.lowerRoot(after, priceHeadroomUnitsUpper(BUCKET_FLOOR[next] ?? 0, maxPriceF) + term);
    }
    return visits;
  }

  /** Scores every offer of a cell within the cap (but those of preferred models, scored first) into the top-k arrays. */
  private scoreCell(cell: number, query: CompiledQuery, limit: number, slots: number[], scores: number[]): void {
    const lists = this.buckets.listsOf(cell);
    const cellBuckets = this.buckets.bucketsOf(cell);
    const maskSets = this.buckets.maskSetsOf(cell);
    const usable = masksHolding(query.requiredMask);
    const lastBucket = priceBucketOf(query.priceCapF);
    for (let at = 0; at < lists.length && (cellBuckets[at] ?? PRICE_BUCKETS) <= lastBucket; at++) {
      if (((maskSets[at] ?? 0) & usable) === 0) continue;
      scoreList(this.table, this.reputations, lists[at] ?? [], query, query.preferredModels.length > 0, limit, slots, scores);
    }
  }

  /** The best `limit` offers of the query's allowed models, each looked at once; undefined past `visitsMax`. */
  private bestOfModels(query: CompiledQuery, limit: number, visitsMax: number): number[] | undefined {
    const slots: number[] = [];
    const scores: number[] = [];
    let visits = 0;
    for (const model of query.allowedModels ?? []) {
      const list = this.buckets.modelSlots.viewOf(model);
      visits += list.length;
      if (visits > visitsMax) return undefined;
      scoreList(this.table, this.reputations, list, query, false, limit, slots, scores);
    }
    return slots;
  }
}
