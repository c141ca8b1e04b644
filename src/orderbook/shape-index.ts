// ShapeIndex: the shape walk over ShapeBands (shape-bands.ts). A query walks shapes and bands
// best-bound-first and stops once no remaining offer can beat the k-th best found. Scores and
// bounds are whole score units (score.ts), compared exactly. In memory only, no I/O.
import { BoundHeap } from "./bound-heap.js";
import { countryFits, modelFits, priceFits, providerFits, reputationFits, termsFit } from "./matching.js";
import type { CompiledQuery } from "./query.js";
import { insertTop } from "./ranking.js";
import {
  SCORE_WEIGHT_UNITS,
  STATIC_BAND_UPPER,
  STATIC_BANDS,
  priceHeadroomUnits,
  priceHeadroomUnitsEstimate,
  priceHeadroomUnitsUpper,
} from "./score.js";
import { ShapeBands } from "./shape-bands.js";

/** Band of a heap entry that stands for a whole shape (its bands not yet handed out). */
const BAND_ENTRY = -1;

/**
 * The offer index: the offers by shape and band, and the query over them. Invariant: best()
 * equals the reference scan (a heap key is never below the score of an offer it stands for).
 * Constructed as ShapeBands: (table, reputations, withRegion).
 */
export class ShapeIndex extends ShapeBands {
  // Query scratch space, reused so a query allocates nothing but its result.
  private readonly heap = new BoundHeap();
  private preferredFlags = new Uint8Array(64);

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
    // Every field read here, before any branch: a field first read on a rare branch (an offer priced
    // at the cap's float, say) has no type feedback, and reaching it throws the optimized walk away.
    const { maxPrice, maxPriceF, priceCap, priceCapF, preferredModels, estimatedHours, nowMs, country } = query;
    const exactPrices = t.price;
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
      const bands = this.shapeBands[shape] ?? 0;
      const topBand = 31 - Math.clz32(bands);
      const key = priceHeadroomUnitsUpper(minPrice, maxPriceF) + term + (STATIC_BAND_UPPER[topBand] ?? 0);
      // A shape of one band (most, when shapes are many) goes in as that band's entry: one heap step less.
      if ((bands & (bands - 1)) === 0) heap.append(key, shape, topBand, 0, term);
      else heap.append(key, shape, BAND_ENTRY, bands, term);
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
      // pos counts the offers of the band already read; the list is read from its cheap end.
      const pos = heap.rootPos();
      const at = list.length - 1 - pos;
      const slot = list[at] ?? 0;
      const price = prices[at] ?? 0;
      if (price > priceCapF) {
        heap.popRoot(); // the rest of this band costs more still
        continue;
      }
      // The shape decided capacity and model (and region, by the pool); the rest of the rule (terms,
      // country, provider and reputation filters, exact price) per offer.
      // Prices above 2^53 share floats: one equal to the cap's float may be above or below the cap,
      // and the band holds those in arrival order, so only this offer is skipped.
      if (
        termsFit(t, slot, estimatedHours, nowMs) &&
        countryFits(t, slot, country) &&
        providerFits(t, slot, query) &&
        reputationFits(this.reputations, t, slot, query) &&
        (price < priceCapF || priceFits(t, slot, priceCap))
      ) {
        // The float estimate decides the rounding almost always; else the exact bigint division.
        const estimate = priceHeadroomUnitsEstimate(price, maxPriceF);
        const priceUnits = estimate >= 0 ? estimate : priceHeadroomUnits(exactPrices[slot] ?? 0n, maxPrice);
        insertTop(t, slots, scores, slot, priceUnits + term + this.staticUnitsOf(slot), limit);
      }
      const nextPrice = prices[at - 1];
      if (nextPrice === undefined) heap.popRoot();
      else heap.lowerRoot(pos + 1, priceHeadroomUnitsUpper(nextPrice, maxPriceF) + term + (STATIC_BAND_UPPER[band] ?? 0));
    }
    return { slots, scores };
  }
}
