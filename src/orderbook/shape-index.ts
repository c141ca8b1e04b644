// ShapeIndex: active offers bucketed by shape (normalized model, VRAM, feature mask, free GPUs,
// region), each shape split into bands of its order-independent score part, each band sorted by
// price. A query walks shapes and bands best-bound-first and stops once no remaining offer can
// beat the k-th best found. Scores and bounds are whole score units (score.ts), compared exactly.
// In memory only, no I/O.
import {
  SCORE_WEIGHT_UNITS,
  STATIC_BAND_UPPER,
  STATIC_BANDS,
  extraFeaturesUnits,
  gpuFitUnits,
  priceHeadroomUnits,
  priceHeadroomUnitsEstimate,
  priceHeadroomUnitsUpper,
  staticBandOf,
  utilizationUnits,
  vramFitUnits,
} from "./score.js";
import type { OfferTable } from "./offer-table.js";

/** An order's requirements resolved against the book's tables, ready for the index. */
export interface CompiledQuery {
  readonly minGpu: number;
  readonly minVram: number;
  readonly requiredMask: number;
  /** Region index, -1 for any; a region the book never saw matches nothing. */
  readonly region: number;
  /** Country index, -1 for any. */
  readonly country: number;
  readonly estimatedHours: number;
  /** The order's maxPricePerHour in base units, and as a float (Number of it). */
  readonly maxPrice: bigint;
  readonly maxPriceF: number;
  /** Highest acceptable price per GPU-hour in base units (limit, budget and u64 range combined). */
  readonly priceCap: bigint;
  readonly priceCapF: number;
  /** Normalized model indexes the order prefers, without repeats. */
  readonly preferredModels: readonly number[];
  readonly nowMs: number;
  /** Region or country named but unknown to the book: nothing can match. */
  readonly impossible: boolean;
}

const BAND_ENTRY = -1;
/** Region indexes < 2^13, country indexes < 2^10: the pools of the candidate cache key. */
const REGION_KEYS = 8192;
const POOL_KEYS = REGION_KEYS + 1 + 1024;
/** Query classes whose candidate shapes are remembered (grown as shapes appear); the cache starts over when full. */
export const CANDIDATE_CACHE_MAX = 4096;

interface CandidateShapes {
  /** Shapes (of the pool) checked so far. */
  scanned: number;
  count: number;
  readonly shapes: number[];
  /** GPU fit + VRAM fit parts of each shape, in score units. */
  readonly fitTerms: number[];
  /** Extra-features part of each shape, in score units. */
  readonly featureTerms: number[];
}

/**
 * The offer index. Invariants: an offer slot is in exactly one band list iff it is active with
 * free GPUs; shapeCount[s] is the number of slots in shape s; lists are sorted by priceF (Number of
 * the exact price, so never out of the exact order: Number() is monotone).
 */
export class ShapeIndex {
  private shapeCount = 0;
  private readonly shapeByKey = new Map<number, Map<number, number>>();
  private shapeModel = new Uint16Array(64);
  private shapeVram = new Uint16Array(64);
  private shapeMask = new Uint8Array(64);
  private shapeFree = new Uint16Array(64);
  private shapeRegion = new Uint16Array(64);
  private shapeSize = new Int32Array(64);
  private shapeMinPrice = new Float64Array(64);
  private shapeBands = new Uint32Array(64);
  private readonly bandLists: number[][] = [];
  /** Prices of bandLists, element for element, so searches and walks read memory in order. */
  private readonly bandPrices: number[][] = [];
  /** Price of each band's cheapest offer (Infinity when empty), by shape * STATIC_BANDS + band. */
  private bandHeadPrice = new Float64Array(64 * STATIC_BANDS).fill(Infinity);
  private readonly regionShapes: number[][] = [];
  /** Shapes holding offers of each country (region index only): pools for country-only queries. */
  private readonly countryShapes: number[][] = [];
  private readonly countryShapeSeen = new Set<number>();
  /** Shape and band of each indexed slot; -1 when not indexed. */
  private slotShape = new Int32Array(1024).fill(-1);
  private slotBand = new Uint8Array(1024);

  // Query scratch space, reused so a query allocates nothing but its result.
  private heapKey = new Float64Array(256);
  private heapShape = new Int32Array(256);
  private heapBand = new Int8Array(256);
  private heapPos = new Int32Array(256);
  private heapShapeTerm = new Float64Array(256);
  private heapSize = 0;
  private preferredFlags = new Uint8Array(64);
  private readonly candidateCache = new Map<number, CandidateShapes>();

  /**
   * @param withRegion key shapes by region too (for queries that name a region); without it,
   *   a query that names no region visits ten times fewer shapes.
   */
  constructor(
    private readonly table: OfferTable,
    /** A provider's reputation part, in score units. */
    private readonly reputationUnitsOf: (provider: number) => number,
    private readonly withRegion: boolean,
  ) {}

  /** Number of shapes ever created (bounded by distinct offer shapes). */
  get shapes(): number {
    return this.shapeCount;
  }

  /** Is the slot in the index. */
  has(slot: number): boolean {
    return slot < this.slotShape.length && (this.slotShape[slot] ?? -1) >= 0;
  }

  /** The order-independent score part of an offer (reputation + utilization), in score units. */
  staticUnitsOf(slot: number): number {
    return this.reputationUnitsOf(this.table.provider[slot] ?? 0) + utilizationUnits(this.table.utilizationPct(slot));
  }

  private shapeOf(slot: number): number {
    const t = this.table;
    const model = t.model[slot] ?? 0;
    const vram = t.vram[slot] ?? 0;
    const mask = t.mask[slot] ?? 0;
    const free = t.freeGpus[slot] ?? 0;
    const region = this.withRegion ? (t.region[slot] ?? 0) : 0;
    // Two small-integer keys (no heap-number keys): model < 2^12 and vram < 2^12 make 24 bits;
    // mask < 2^5, free < 2^11 and region < 2^13 make 29 bits.
    const outerKey = model * 4096 + vram;
    const innerKey = (mask * 2048 + free) * 8192 + region;
    let byInner = this.shapeByKey.get(outerKey);
    if (byInner === undefined) {
      byInner = new Map<number, number>();
      this.shapeByKey.set(outerKey, byInner);
    }
    let shape = byInner.get(innerKey);
    if (shape === undefined) {
      shape = this.shapeCount++;
      if (shape >= this.shapeModel.length) this.growShapes();
      this.shapeModel[shape] = model;
      this.shapeVram[shape] = vram;
      this.shapeMask[shape] = mask;
      this.shapeFree[shape] = free;
      this.shapeRegion[shape] = region;
      this.shapeMinPrice[shape] = Infinity;
      for (let band = 0; band < STATIC_BANDS; band++) {
        this.bandLists.push([]);
        this.bandPrices.push([]);
      }
      (this.regionShapes[region] ??= []).push(shape);
      byInner.set(innerKey, shape);
    }
    return shape;
  }

  private growShapes(): void {
    const n = this.shapeModel.length * 2;
    const grow = <T extends Uint16Array | Uint32Array | Uint8Array | Int32Array | Float64Array>(a: T): T => {
      const next = new (a.constructor as new (length: number) => T)(n);
      next.set(a);
      return next;
    };
    this.shapeModel = grow(this.shapeModel);
    this.shapeVram = grow(this.shapeVram);
    this.shapeMask = grow(this.shapeMask);
    this.shapeFree = grow(this.shapeFree);
    this.shapeRegion = grow(this.shapeRegion);
    this.shapeSize = grow(this.shapeSize);
    this.shapeMinPrice = grow(this.shapeMinPrice);
    this.shapeBands = grow(this.shapeBands);
    const heads = new Float64Array(n * STATIC_BANDS).fill(Infinity);
    heads.set(this.bandHeadPrice);
    this.bandHeadPrice = heads;
  }

  /** Adds an active slot with free GPUs. Invariant: the slot is not already indexed. */
  insert(slot: number): void {
    this.ensureSlot(slot);
    const shape = this.shapeOf(slot);
    this.noteCountry(shape, slot);
    const band = staticBandOf(this.staticUnitsOf(slot));
    const list = this.bandLists[shape * STATIC_BANDS + band] ?? [];
    const prices = this.bandPrices[shape * STATIC_BANDS + band] ?? [];
    const price = this.table.priceF[slot] ?? 0;
    const lo = searchPrices(prices, price, true); // after equal prices: arrival order among ties
    if (lo === list.length) {
      list.push(slot);
      prices.push(price);
    } else {
      list.splice(lo, 0, slot);
      prices.splice(lo, 0, price);
    }
    if (lo === 0) this.bandHeadPrice[shape * STATIC_BANDS + band] = price;
    this.slotShape[slot] = shape;
    this.slotBand[slot] = band;
    this.shapeSize[shape] = (this.shapeSize[shape] ?? 0) + 1;
    this.shapeBands[shape] = (this.shapeBands[shape] ?? 0) | (1 << band);
    if (price < (this.shapeMinPrice[shape] ?? Infinity)) this.shapeMinPrice[shape] = price;
  }

  /**
   * Adds many active slots at once: appends, then sorts each touched band list once.
   * Same result as inserting one by one. Invariant: no slot is already indexed.
   */
  insertMany(slots: readonly number[]): void {
    const touched = new Set<number>();
    const priceF = this.table.priceF;
    for (const slot of slots) {
      this.ensureSlot(slot);
      const shape = this.shapeOf(slot);
      this.noteCountry(shape, slot);
      const band = staticBandOf(this.staticUnitsOf(slot));
      const list = shape * STATIC_BANDS + band;
      const price = priceF[slot] ?? 0;
      this.bandLists[list]?.push(slot);
      this.bandPrices[list]?.push(price);
      touched.add(list);
      this.slotShape[slot] = shape;
      this.slotBand[slot] = band;
      this.shapeSize[shape] = (this.shapeSize[shape] ?? 0) + 1;
      this.shapeBands[shape] = (this.shapeBands[shape] ?? 0) | (1 << band);
    }
    const shapes = new Set<number>();
    for (const index of touched) {
      const list = this.bandLists[index] ?? [];
      const prices = this.bandPrices[index] ?? [];
      const order = Array.from(list.keys()).sort((a, b) => (prices[a] ?? 0) - (prices[b] ?? 0));
      const sortedSlots = order.map((i) => list[i] ?? 0);
      const sortedPrices = order.map((i) => prices[i] ?? 0);
      for (let i = 0; i < order.length; i++) {
        list[i] = sortedSlots[i] ?? 0;
        prices[i] = sortedPrices[i] ?? 0;
      }
      this.bandHeadPrice[index] = prices[0] ?? Infinity;
      shapes.add(Math.floor(index / STATIC_BANDS));
    }
    for (const shape of shapes) this.refreshMinPrice(shape);
  }

  /** Records that `shape` holds an offer of the slot's country (once per shape and country). */
  private noteCountry(shape: number, slot: number): void {
    if (!this.withRegion) return;
    const country = this.table.country[slot] ?? 0;
    if (country === 0) return;
    const key = shape * 1024 + country;
    if (this.countryShapeSeen.has(key)) return;
    this.countryShapeSeen.add(key);
    (this.countryShapes[country] ??= []).push(shape);
  }

  private ensureSlot(slot: number): void {
    if (slot < this.slotShape.length) return;
    const n = Math.max(this.slotShape.length * 2, slot + 1);
    const shapes = new Int32Array(n).fill(-1);
    shapes.set(this.slotShape);
    this.slotShape = shapes;
    const bands = new Uint8Array(n);
    bands.set(this.slotBand);
    this.slotBand = bands;
  }

  /** Removes an indexed slot (no-op when not indexed). */
  remove(slot: number): void {
    if (!this.has(slot)) return;
    const shape = this.slotShape[slot] ?? 0;
    const band = this.slotBand[slot] ?? 0;
    const list = this.bandLists[shape * STATIC_BANDS + band] ?? [];
    const prices = this.bandPrices[shape * STATIC_BANDS + band] ?? [];
    const price = this.table.priceF[slot] ?? 0;
    let lo = searchPrices(prices, price, false);
    while (list[lo] !== slot) lo++;
    if (lo === list.length - 1) {
      list.pop();
      prices.pop();
    } else {
      list.splice(lo, 1);
      prices.splice(lo, 1);
    }
    this.slotShape[slot] = -1;
    this.shapeSize[shape] = (this.shapeSize[shape] ?? 0) - 1;
    if (list.length === 0) this.shapeBands[shape] = (this.shapeBands[shape] ?? 0) & ~(1 << band);
    if (lo === 0) {
      this.bandHeadPrice[shape * STATIC_BANDS + band] = prices[0] ?? Infinity;
      this.refreshMinPrice(shape);
    }
  }

  private refreshMinPrice(shape: number): void {
    let min = Infinity;
    const first = shape * STATIC_BANDS;
    for (let i = first; i < first + STATIC_BANDS; i++) min = Math.min(min, this.bandHeadPrice[i] ?? Infinity);
    this.shapeMinPrice[shape] = min;
  }

  /** Appends without restoring heap order; heapify() follows. */
  private append(key: number, shape: number, band: number, pos: number, term: number): void {
    if (this.heapSize === this.heapKey.length) this.growHeap();
    this.setHeap(this.heapSize++, key, shape, band, pos, term);
  }

  /** Floyd's bottom-up heap construction, O(n). */
  private heapify(): void {
    for (let i = (this.heapSize >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  private growHeap(): void {
    const n = this.heapSize * 2;
    const k = new Float64Array(n); k.set(this.heapKey); this.heapKey = k;
    const s = new Int32Array(n); s.set(this.heapShape); this.heapShape = s;
    const b = new Int8Array(n); b.set(this.heapBand); this.heapBand = b;
    const p = new Int32Array(n); p.set(this.heapPos); this.heapPos = p;
    const t = new Float64Array(n); t.set(this.heapShapeTerm); this.heapShapeTerm = t;
  }

  private push(key: number, shape: number, band: number, pos: number, term: number): void {
    if (this.heapSize === this.heapKey.length) this.growHeap();
    let i = this.heapSize++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((this.heapKey[parent] ?? 0) >= key) break;
      this.moveHeap(parent, i);
      i = parent;
    }
    this.setHeap(i, key, shape, band, pos, term);
  }

  private setHeap(i: number, key: number, shape: number, band: number, pos: number, term: number): void {
    this.heapKey[i] = key;
    this.heapShape[i] = shape;
    this.heapBand[i] = band;
    this.heapPos[i] = pos;
    this.heapShapeTerm[i] = term;
  }

  private moveHeap(from: number, to: number): void {
    this.setHeap(to, this.heapKey[from] ?? 0, this.heapShape[from] ?? 0, this.heapBand[from] ?? 0, this.heapPos[from] ?? 0, this.heapShapeTerm[from] ?? 0);
  }

  /** Restores the heap after the root's key dropped to `key` (or after moving the last entry up). */
  private siftDownRoot(): void {
    this.siftDown(0);
  }

  private siftDown(start: number): void {
    const size = this.heapSize;
    const key = this.heapKey[start] ?? 0;
    const shape = this.heapShape[start] ?? 0;
    const band = this.heapBand[start] ?? 0;
    const pos = this.heapPos[start] ?? 0;
    const term = this.heapShapeTerm[start] ?? 0;
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      if (child + 1 < size && (this.heapKey[child + 1] ?? 0) > (this.heapKey[child] ?? 0)) child++;
      if ((this.heapKey[child] ?? 0) <= key) break;
      this.moveHeap(child, i);
      i = child;
    }
    this.setHeap(i, key, shape, band, pos, term);
  }

  private popRoot(): void {
    this.heapSize--;
    if (this.heapSize > 0) {
      this.moveHeap(this.heapSize, 0);
      this.siftDownRoot();
    }
  }

  /**
   * The best `limit` slots for a query, best first, by score (in units) then price, age and id,
   * with their scores in units. Invariant: equals filtering every active offer, scoring and
   * sorting (the reference scan); a heap key is never below the score of an offer it stands for.
   */
  best(query: CompiledQuery, limit: number, better: (a: number, b: number, scoreA: number, scoreB: number) => boolean): { slots: number[]; scores: number[] } {
    const slots: number[] = [];
    const scores: number[] = [];
    if (query.impossible || limit <= 0) return { slots, scores };
    const t = this.table;
    const { maxPrice, maxPriceF, priceCapF, preferredModels } = query;
    this.heapSize = 0;

    const models = this.table.models.size;
    if (this.preferredFlags.length < models) this.preferredFlags = new Uint8Array(Math.max(models, this.preferredFlags.length * 2));
    const preferredFlags = this.preferredFlags;
    for (const model of preferredModels) preferredFlags[model] = 1;
    const candidates = this.candidatesFor(query);
    const { shapes, fitTerms, featureTerms } = candidates;
    const preferredWeight = SCORE_WEIGHT_UNITS.preferredModel;
    for (let i = 0; i < candidates.count; i++) {
      const shape = shapes[i] ?? 0;
      if ((this.shapeSize[shape] ?? 0) === 0) continue;
      const minPrice = this.shapeMinPrice[shape] ?? Infinity;
      if (minPrice > priceCapF) continue;
      // Integer units: the sum is exact whatever the order of the parts.
      const term = (fitTerms[i] ?? 0) + preferredWeight * (preferredFlags[this.shapeModel[shape] ?? 0] ?? 0) + (featureTerms[i] ?? 0);
      const topBand = 31 - Math.clz32(this.shapeBands[shape] ?? 0);
      this.append(priceHeadroomUnitsUpper(minPrice, maxPriceF) + term + (STATIC_BAND_UPPER[topBand] ?? 0), shape, BAND_ENTRY, this.shapeBands[shape] ?? 0, term);
    }
    for (const model of preferredModels) preferredFlags[model] = 0;
    this.heapify();

    while (this.heapSize > 0) {
      const bound = this.heapKey[0] ?? 0;
      if (slots.length === limit && bound < (scores[limit - 1] ?? 0)) break;
      const shape = this.heapShape[0] ?? 0;
      const band = this.heapBand[0] ?? 0;
      const term = this.heapShapeTerm[0] ?? 0;
      if (band === BAND_ENTRY) {
        // A shape entry holds the bands not yet handed out (a bitmask in heapPos). Hand out the
        // best of them as a band entry; the shape entry stays with the runner-up's bound.
        let bands = this.heapPos[0] ?? 0;
        let bestBand = -1;
        let bestBound = -Infinity;
        let runnerUp = -Infinity;
        let rest = 0;
        while (bands !== 0) {
          const b = 31 - Math.clz32(bands);
          bands &= ~(1 << b);
          const headPrice = this.bandHeadPrice[shape * STATIC_BANDS + b] ?? Infinity;
          if (headPrice > priceCapF) continue; // nothing in this band is cheap enough
          rest |= 1 << b;
          const bandBound = priceHeadroomUnitsUpper(headPrice, maxPriceF) + term + (STATIC_BAND_UPPER[b] ?? 0);
          if (bandBound > bestBound) {
            runnerUp = bestBound;
            bestBound = bandBound;
            bestBand = b;
          } else if (bandBound > runnerUp) runnerUp = bandBound;
        }
        rest &= ~(1 << bestBand);
        if (rest === 0) this.popRoot();
        else {
          this.heapPos[0] = rest;
          this.heapKey[0] = runnerUp;
          this.siftDownRoot();
        }
        if (bestBand >= 0) this.push(bestBound, shape, bestBand, 0, term);
        continue;
      }
      const list = this.bandLists[shape * STATIC_BANDS + band] ?? [];
      const prices = this.bandPrices[shape * STATIC_BANDS + band] ?? [];
      const pos = this.heapPos[0] ?? 0;
      const slot = list[pos] ?? 0;
      const price = prices[pos] ?? 0;
      if (price > priceCapF) {
        this.popRoot(); // the rest of this band costs more still
        continue;
      }
      // Prices above 2^53 share floats: one equal to the cap's float may be above or below the cap,
      // and the band holds those in arrival order, so only this offer is skipped.
      if (this.feasible(slot, query) && (price < priceCapF || (t.price[slot] ?? 0n) <= query.priceCap)) {
        // The float estimate decides the rounding almost always; else the exact bigint division.
        const estimate = priceHeadroomUnitsEstimate(price, maxPriceF);
        const priceUnits = estimate >= 0 ? estimate : priceHeadroomUnits(t.price[slot] ?? 0n, maxPrice);
        insertTop(slots, scores, slot, priceUnits + term + this.staticUnitsOf(slot), limit, better);
      }
      const nextPrice = prices[pos + 1];
      if (nextPrice === undefined) {
        this.popRoot();
      } else {
        this.heapPos[0] = pos + 1;
        this.heapKey[0] = priceHeadroomUnitsUpper(nextPrice, maxPriceF) + term + (STATIC_BAND_UPPER[band] ?? 0);
        this.siftDownRoot();
      }
    }
    return { slots, scores };
  }

  /**
   * Shapes that pass a query's fixed filters (free GPUs, VRAM, features, region), with the GPU/VRAM
   * fit and extra-feature terms, cached per query class until a new shape appears.
   */
  private candidatesFor(query: CompiledQuery): CandidateShapes {
    const region = this.withRegion ? query.region : -1;
    const country = this.withRegion && region < 0 ? query.country : -1;
    const { minGpu, minVram, requiredMask } = query;
    // Pool: the region's shapes, else the country's shapes, else all shapes.
    const poolKey = region >= 0 ? region + 1 : country >= 0 ? REGION_KEYS + 1 + country : 0;
    const key = ((minGpu * 4096 + minVram) * 32 + requiredMask) * POOL_KEYS + poolKey;
    let entry = this.candidateCache.get(key);
    if (entry === undefined) {
      if (this.candidateCache.size >= CANDIDATE_CACHE_MAX) this.candidateCache.clear();
      entry = { scanned: 0, count: 0, shapes: [], fitTerms: [], featureTerms: [] };
      this.candidateCache.set(key, entry);
    }
    // Shapes are never deleted, so only shapes created since the last look need checking.
    const pool = region >= 0 ? (this.regionShapes[region] ?? []) : country >= 0 ? (this.countryShapes[country] ?? []) : undefined;
    const end = pool === undefined ? this.shapeCount : pool.length;
    for (let i = entry.scanned; i < end; i++) {
      const shape = pool === undefined ? i : (pool[i] ?? 0);
      const free = this.shapeFree[shape] ?? 0;
      const vram = this.shapeVram[shape] ?? 0;
      const mask = this.shapeMask[shape] ?? 0;
      if (free < minGpu || vram < minVram || (mask & requiredMask) !== requiredMask) continue;
      entry.shapes.push(shape);
      entry.fitTerms.push(gpuFitUnits(minGpu, free) + vramFitUnits(minVram, vram));
      entry.featureTerms.push(extraFeaturesUnits(mask, requiredMask));
      entry.count++;
    }
    entry.scanned = end;
    return entry;
  }

  /** Per-offer checks the shape does not already guarantee: expiry, hours, country. */
  private feasible(slot: number, query: CompiledQuery): boolean {
    const t = this.table;
    return (
      (t.expiresAt[slot] ?? 0) > query.nowMs &&
      (t.availableHours[slot] ?? 0) >= query.estimatedHours &&
      (t.minCommitment[slot] ?? 0) <= query.estimatedHours &&
      (query.country < 0 || t.country[slot] === query.country)
    );
  }
}

/** First index of ascending `prices` whose price is above `price` (`pastEqual`) or at least `price`. */
function searchPrices(prices: readonly number[], price: number, pastEqual: boolean): number {
  let lo = 0;
  let hi = prices.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const value = prices[mid] ?? 0;
    if (value < price || (pastEqual && value === price)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Inserts (slot, score) into the sorted top-k arrays when it ranks among the best `limit`. */
function insertTop(
  slots: number[],
  scores: number[],
  slot: number,
  score: number,
  limit: number,
  better: (a: number, b: number, scoreA: number, scoreB: number) => boolean,
): void {
  let i = slots.length;
  if (i === limit) {
    if (!better(slot, slots[i - 1] ?? 0, score, scores[i - 1] ?? 0)) return;
    i--;
  } else {
    slots.push(slot);
    scores.push(score);
  }
  while (i > 0 && better(slot, slots[i - 1] ?? 0, score, scores[i - 1] ?? 0)) {
    slots[i] = slots[i - 1] ?? 0;
    scores[i] = scores[i - 1] ?? 0;
    i--;
  }
  slots[i] = slot;
  scores[i] = score;
}
