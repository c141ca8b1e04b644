// The OrderMatch of an order and an offer slot: price, GPUs, hours, total cost, and the score
// with its breakdown from the same integer parts the index ranked by. Pure over the table.
import { Amount } from "../core/amount.js";
import type { OfferId } from "../core/ids.js";
import type { JobOrder, OrderMatch } from "../core/types.js";
import type { OfferTable } from "./offer-table.js";
import type { CompiledQuery } from "./query.js";
import type { Reputations } from "./reputations.js";
import {
  extraFeaturesUnits,
  gpuFitUnits,
  preferredModelUnits,
  priceHeadroomUnits,
  priceHeadroomUnitsEstimate,
  scoreBreakdown,
  utilizationUnits,
  vramFitUnits,
} from "./score.js";

/**
 * The match `order` gets from the offer in `slot` (which satisfies `query`, the order's compiled
 * requirements): minGpuCount GPUs for estimatedHours at the offer's price.
 * Invariant: its score units equal those ShapeIndex.best ranked the slot by; totalCost = price x
 * GPUs x hours exactly.
 */
export function matchOf(table: OfferTable, reputations: Reputations, order: JobOrder, query: CompiledQuery, slot: number): OrderMatch {
  const t = table;
  const requirements = order.requirements;
  const priceBaseUnits = t.price[slot] ?? 0n; // one read: each read of a BigInt64Array makes a bigint
  const gpuHours = requirements.minGpuCount * requirements.estimatedHours;
  const mask = t.mask[slot] ?? 0;
  // The index's own way to the price part: the floats it holds decide it almost always, exactly.
  const estimate = priceHeadroomUnitsEstimate(t.priceF[slot] ?? 0, query.maxPriceF);
  const breakdown = scoreBreakdown({
    priceHeadroom: estimate >= 0 ? estimate : priceHeadroomUnits(priceBaseUnits, query.maxPrice),
    gpuFit: gpuFitUnits(query.minGpu, t.freeGpus[slot] ?? 0),
    vramFit: vramFitUnits(query.minVram, t.vram[slot] ?? 0),
    preferredModel: preferredModelUnits(query.preferredModels.includes(t.model[slot] ?? 0)),
    extraFeatures: extraFeaturesUnits(mask, query.requiredMask),
    reputation: reputations.unitsOf(t.provider[slot] ?? 0),
    utilization: utilizationUnits(t.utilizationPct(slot)),
  });
  return {
    orderId: order.id,
    offerId: t.ids[slot] as OfferId,
    providerId: t.providers.valueOf(t.provider[slot] ?? 0),
    gpuCount: requirements.minGpuCount,
    pricePerHour: Amount.fromLamports(priceBaseUnits),
    hours: requirements.estimatedHours,
    totalCost: Amount.fromLamports(priceBaseUnits * BigInt(gpuHours)),
    score: breakdown.total,
    scoreBreakdown: breakdown,
  };
}
