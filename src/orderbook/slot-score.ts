// The price walk's scoring of one offer: the whole matching rule checked per offer (the walk's
// classes and buckets decide nothing for sure) and the score in units, or -1; and the same over a
// list of slots into the top-k arrays. Pure reads of the offer table, no I/O.
import { capacityFits, countryFits, modelFits, priceFits, providerFits, reputationFits, termsFit } from "./matching.js";
import type { OfferTable } from "./offer-table.js";
import type { CompiledQuery } from "./query.js";
import { insertTop } from "./ranking.js";
import type { Reputations } from "./reputations.js";
import {
  extraFeaturesUnits,
  gpuFitUnits,
  preferredModelUnits,
  priceHeadroomUnits,
  priceHeadroomUnitsEstimate,
  utilizationUnits,
  vramFitUnits,
} from "./score.js";

/**
 * The offer's score for the query in units, or -1 when it does not satisfy it. Invariant: >= 0
 * iff offerSatisfies (matching.ts) for an indexed slot, and then the reference scan's score.
 */
function scoreIfFits(t: OfferTable, reputations: Reputations, slot: number, query: CompiledQuery): number {
  // Every query field read before any branch (see ShapeIndex.best: no field first read on a rare branch).
  const { minGpu, minVram, requiredMask, region, maxPrice, maxPriceF, priceCap, priceCapF, estimatedHours, nowMs, country } = query;
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
    !termsFit(t, slot, estimatedHours, nowMs) ||
    !countryFits(t, slot, country) ||
    !providerFits(t, slot, query) ||
    !reputationFits(reputations, t, slot, query) ||
    (price === priceCapF && !priceFits(t, slot, priceCap))
  ) {
    return -1;
  }
  // The float estimate decides the rounding almost always; else the exact bigint division.
  const estimate = priceHeadroomUnitsEstimate(price, maxPriceF);
  const priceUnits = estimate >= 0 ? estimate : priceHeadroomUnits(t.price[slot] ?? 0n, maxPrice);
  return (
    priceUnits +
    gpuFitUnits(minGpu, free) +
    vramFitUnits(minVram, vram) +
    preferredModelUnits(query.preferredModels.includes(model)) +
    extraFeaturesUnits(mask, requiredMask) +
    reputations.unitsOf(t.provider[slot] ?? 0) +
    utilizationUnits(t.utilizationPct(slot))
  );
}

/**
 * Scores the slots of `list` that satisfy the query into the top-k arrays (insertTop), but those of
 * the query's preferred models when `skipPreferred` (the walk scored them all first).
 */
export function scoreList(
  t: OfferTable,
  reputations: Reputations,
  list: readonly number[],
  query: CompiledQuery,
  skipPreferred: boolean,
  limit: number,
  slots: number[],
  scores: number[],
): void {
  const preferredModels = query.preferredModels;
  for (let i = 0; i < list.length; i++) {
    const slot = list[i] ?? 0;
    if (skipPreferred && preferredModels.includes(t.model[slot] ?? 0)) continue;
    const score = scoreIfFits(t, reputations, slot, query);
    if (score >= 0) insertTop(t, slots, scores, slot, score, limit);
  }
}
