// ShapeIndex: active offers bucketed by shape (shape-table.ts), each shape split into bands of its
// order-independent score part, each band sorted by price. A query walks shapes and bands
// best-bound-first and stops once no remaining offer can beat the k-th best found. Scores and
// bounds are whole score units (score.ts), compared exactly. In memory only, no I/O.
import { BoundHeap } from "./bound-heap.js";
import { countryFits, modelFits, priceFits, providerFits, reputationFits, termsFit } from "./matching.js";
import type { OfferTable } from "./offer-table.js";
import type { CompiledQuery } from "./query.js";
import { insertTop } from "./ranking.js";
import type { Reputations } from "./reputations.js";
import {
  SCORE_WEIGHT_UNITS,
  STATIC_BAND_UPPER,
  STATIC_BANDS,
  priceHeadroomUnits,
  priceHeadroomUnitsEstimate,
  priceHeadroomUnitsUpper,
  staticBandOf,
  utilizationUnits,
} from "./score.js";
import { ShapeTable } from "./shape-table.js";

/** Band of a heap entry that stands for a whole shape (its bands not yet handed out). */
const BAND_ENTRY = -1;

/**
 * The offer index. Invariants: an offer slot is in exactly one band list iff it is active with
 * free GPUs; shapeSize[s] is the number of slots in shape s; lists are sorted by priceF (Number of
 * the exact price, so never out of the exact order: Number() is monotone).
 */
export class ShapeIndex {
  /** The shapes (read by OfferSet for the size of a query's pool). */
  readonly shapes: ShapeTable;
  /** Shapes whose band state below exists. */
  private knownShapes = 0;
  private shapeSize = new Int32Array(64);
  private shapeMinPrice = new Float64Array(64);
  private shapeBands = new Uint32Array(64);
  private readonly bandLists: number[][] = [];
  /** Prices of bandLists, element for element, so searches and walks read memory in order. */
  private readonly bandPrices: number[][] = [];
  /** Price of each band's cheapest offer (Infinity when empty), by shape * STATIC_BANDS + band. */
  private bandHeadPrice = new Float64Array(64 * STATIC_BANDS).fill(Infinity);
  /** Shape and band of each indexed slot; -1 when not indexed. */
  private slotShape = new Int32Array(1024).fill(-1);
  private slotBand = new Uint8Array(1024);

  // Query scratch space, reused so a query allocates nothing but its result.
  private readonly heap = new BoundHeap();
  private preferredFlags = new Uint8Array(64);

  /**
   * @param withRegion key shapes by region too (for queries that name a region); without it,
   *   a query that names no region visits ten times fewer shapes.
   */
  constructor(
    private readonly table: OfferTable,
    /** Providers' reputation parts, in score units. */
    private readonly reputations: Reputations,
    withRegion: boolean,
  ) {
    this.shapes = new ShapeTable(table, withRegion);
  }

  /** Is the slot in the index. */
  has(slot: number): boolean {
    return slot < this.slotShape.length && (this.slotShape[slot] ?? -1) >= 0;
  }

  /** The order-independent score part of an offer (reputation + utilization), in score units. */
  staticUnitsOf(slot: number): number {
    return this.reputations.unitsOf(this.table.provider[slot] ?? 0) + utilizationUnits(this.table.utilizationPct(slot));
  }

  /** The slot's shape, with band state made for it when it is new. */
  private shapeOf(slot: number): number {
    const shape = this.shapes.shapeOf(slot);
    if (shape === this.knownShapes) this.addShape(shape);
    return shape;
  }

  private addShape(shape: number): void {
    this.knownShapes++;
    if (shape >= this.shapeSize.length) {
      const n = this.shapeSize.length * 2;
      const size = new Int32Array(n);
      size.set(this.shapeSize);
      this.shapeSize = size;
      const min = new Float64Array(n);
      min.set(this.shapeMinPrice);
      this.shapeMinPrice = min;
      const bands = new Uint32Array(n);
      bands.set(this.shapeBands);
      this.shapeBands = bands;
      const heads = new Float64Array(n * STATIC_BANDS).fill(Infinity);
      heads.set(this.bandHeadPrice);
      this.bandHeadPrice = heads;
    }
    this.shapeMinPrice[shape] = Infinity;
    for (let band = 0; band < STATIC_BANDS; band++) {
      this.bandLists.push([]);
      this.bandPrices.push([]);
    }
  }

  /** Adds an active slot with free GPUs. Invariant: the slot is not already indexed. */
  insert(slot: number): void {
    this.ensureSlot(slot);
    const shape = this.shapeOf(slot);
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

  /**
   * The best `limit` slots for a query, best first, by score (in units) then price, age and id
   * (ranking.ts), with their scores in units. Invariant: equals filtering every active offer by
   * the matching rule, scoring and sorting (the reference scan); a heap key is never below the
   * score of an offer it stands for.
   */
  best(query: CompiledQuery, limit: number): { slots: number[]; scores: number[] } {
    const slots: number[] = [];
    const scores: number[] = [];
    if (query.impossible || limit <= 0) return { slots, scores };
    const t = this.table;
    const heap = this.heap;
    const { maxPrice, maxPriceF, priceCapF, preferredModels } = query;
    heap.size = 0;

    const models = t.models.size;
    if (this.preferredFlags.length < models) this.preferredFlags = new Uint8Array(Math.max(models, this.preferredFlags.length * 2));
    const preferredFlags = this.preferredFlags;
    for (const model of preferredModels) preferredFlags[model] = 1;
    const candidates = this.shapes.candidatesFor(query);
    const { shapes, fitTerms, featureTerms } = candidates;
    const shapeModel = this.shapes.model;
    const preferredWeight = SCORE_WEIGHT_UNITS.preferredModel;
    for (let i = 0; i < candidates.count; i++) {
      const shape = shapes[i] ?? 0;
      if ((this.shapeSize[shape] ?? 0) === 0 || !modelFits(shapeModel[shape] ?? 0, query)) continue;
      const minPrice = this.shapeMinPrice[shape] ?? Infinity;
      if (minPrice > priceCapF) continue;
      // Integer units: the sum is exact whatever the order of the parts.
      const term = (fitTerms[i] ?? 0) + preferredWeight * (preferredFlags[shapeModel[shape] ?? 0] ?? 0) + (featureTerms[i] ?? 0);
      const topBand = 31 - Math.clz32(this.shapeBands[shape] ?? 0);
      heap.append(
        priceHeadroomUnitsUpper(minPrice, maxPriceF) + term + (STATIC_BAND_UPPER[topBand] ?? 0),
        shape,
        BAND_ENTRY,
        this.shapeBands[shape] ?? 0,
        term,
      );
    }
    for (const model of preferredModels) preferredFlags[model] = 0;
    heap.heapify();

    while (heap.size > 0) {
      const bound = heap.rootKey();
      if (slots.length === limit && bound < (scores[limit - 1] ?? 0)) break;
      const shape = heap.rootShape();
      const band = heap.rootBand();
      const term = heap.rootTerm();
      if (band === BAND_ENTRY) {
        // A shape entry holds the bands not yet handed out (a bitmask in its pos). Hand out the
        // best of them as a band entry; the shape entry stays with the runner-up's bound.
        let bands = heap.rootPos();
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
        if (rest === 0) heap.popRoot();
        else heap.lowerRoot(rest, runnerUp);
        if (bestBand >= 0) heap.push(bestBound, shape, bestBand, 0, term);
        continue;
      }
      const list = this.bandLists[shape * STATIC_BANDS + band] ?? [];
      const prices = this.bandPrices[shape * STATIC_BANDS + band] ?? [];
      const pos = heap.rootPos();
      const slot = list[pos] ?? 0;
      const price = prices[pos] ?? 0;
      if (price > priceCapF) {
        heap.popRoot(); // the rest of this band costs more still
        continue;
      }
      // The shape decided capacity and model (and region, by the pool); the rest of the rule (terms,
      // country, provider and reputation filters, exact price) per offer.
      // Prices above 2^53 share floats: one equal to the cap's float may be above or below the cap,
      // and the band holds those in arrival order, so only this offer is skipped.
      if (
        termsFit(t, slot, query.estimatedHours, query.nowMs) &&
        countryFits(t, slot, query.country) &&
        providerFits(t, slot, query) &&
        reputationFits(this.reputations, t, slot, query) &&
        (price < priceCapF || priceFits(t, slot, query.priceCap))
      ) {
        // The float estimate decides the rounding almost always; else the exact bigint division.
        const estimate = priceHeadroomUnitsEstimate(price, maxPriceF);
        const priceUnits = estimate >= 0 ? estimate : priceHeadroomUnits(t.price[slot] ?? 0n, maxPrice);
        insertTop(t, slots, scores, slot, priceUnits + term + this.staticUnitsOf(slot), limit);
      }
      const nextPrice = prices[pos + 1];
      if (nextPrice === undefined) heap.popRoot();
      else heap.lowerRoot(pos + 1, priceHeadroomUnitsUpper(nextPrice, maxPriceF) + term + (STATIC_BAND_UPPER[band] ?? 0));
    }
    return { slots, scores };
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
