// The reference matcher: filter every offer by the DESIGN.md rules, score, sort. Written for
// obviousness, not speed; the property tests and the benchmark compare the index against it.
// A test oracle, not shipped; it shares only the score parts (score.ts) with the book. Pure, no I/O.
import { AMOUNT_MAX_BASE_UNITS } from "../../src/core/amount.js";
import type { Amount } from "../../src/core/amount.js";
import { featureMask } from "../../src/core/enums.js";
import { normalizeGpuModel } from "../../src/core/gpu-model.js";
import type { CapacityOffer, JobRequirements } from "../../src/core/types.js";
import {
  extraFeaturesUnits,
  gpuFitUnits,
  preferredModelUnits,
  priceHeadroomUnits,
  reputationUnits,
  scoreFromUnits,
  scoreUnitsOf,
  utilizationUnits,
  vramFitUnits,
} from "../../src/orderbook/score.js";

/** An offer as the reference sees it: the listing, its free GPUs now, its provider's reputation. */
export interface ReferenceOffer {
  readonly offer: CapacityOffer;
  readonly freeGpuCount: number;
  readonly reputation: number;
}

/** A scored candidate: its score in whole score units (what ranks it) and as shown (units / SCORE_UNITS). */
export interface ReferenceResult {
  readonly offer: ReferenceOffer;
  readonly scoreUnits: number;
  readonly score: number;
}

/** Does an active offer satisfy the requirements (and budget) at `nowMs`: every DESIGN.md rule. */
export function referenceSatisfies(
  candidate: ReferenceOffer,
  requirements: JobRequirements,
  maxBudget: Amount | undefined,
  nowMs: number,
): boolean {
  const { offer, freeGpuCount } = candidate;
  if (offer.expiresAt.getTime() <= nowMs) return false;
  if (freeGpuCount < requirements.minGpuCount) return false;
  if (offer.gpuCapacity.vramGb < requirements.minVramGb) return false;
  if (!requirements.requiredFeatures.every((feature) => offer.features.includes(feature))) return false;
  const wanted = requirements.location;
  if (wanted?.region !== undefined && offer.location?.region !== wanted.region) return false;
  if (wanted?.country !== undefined && offer.location?.country !== wanted.country) return false;
  const providers = requirements.providers;
  if (providers?.allow !== undefined && !providers.allow.includes(offer.providerId)) return false;
  if (providers?.deny?.includes(offer.providerId) === true) return false;
  const models = requirements.gpuModels?.map((model) => normalizeGpuModel(model));
  if (models !== undefined && !models.includes(normalizeGpuModel(offer.gpuCapacity.gpuModel))) return false;
  if (requirements.minReputation !== undefined && candidate.reputation < requirements.minReputation) return false;
  if (offer.pricePerHour.gt(requirements.maxPricePerHour)) return false;
  if (!(offer.availableHours >= requirements.estimatedHours && requirements.estimatedHours >= offer.minCommitmentHours)) return false;
  const totalCost = offer.pricePerHour.baseUnits * BigInt(requirements.minGpuCount) * BigInt(requirements.estimatedHours);
  if (totalCost > AMOUNT_MAX_BASE_UNITS) return false;
  if (maxBudget !== undefined && totalCost > maxBudget.baseUnits) return false;
  return true;
}

/**
 * The score of a satisfying offer in whole score units, from the same integer parts the book uses
 * (each part computed here from the offer's own fields, the price part by exact bigint division).
 */
export function referenceScoreUnits(candidate: ReferenceOffer, requirements: JobRequirements): number {
  const { offer } = candidate;
  const preferred = new Set(requirements.preferredModels.map((model) => normalizeGpuModel(model)));
  return scoreUnitsOf({
    priceHeadroom: priceHeadroomUnits(offer.pricePerHour.baseUnits, requirements.maxPricePerHour.baseUnits),
    gpuFit: gpuFitUnits(requirements.minGpuCount, candidate.freeGpuCount),
    vramFit: vramFitUnits(requirements.minVramGb, offer.gpuCapacity.vramGb),
    preferredModel: preferredModelUnits(preferred.has(normalizeGpuModel(offer.gpuCapacity.gpuModel))),
    extraFeatures: extraFeaturesUnits(featureMask(offer.features), featureMask(requirements.requiredFeatures)),
    reputation: reputationUnits(candidate.reputation),
    utilization: utilizationUnits(offer.gpuCapacity.currentUtilization ?? 0),
  });
}

/** Orders results: score units desc (exact integers), then price asc, then older first, then id asc. */
export function compareResults(a: ReferenceResult, b: ReferenceResult): number {
  if (a.scoreUnits !== b.scoreUnits) return b.scoreUnits - a.scoreUnits;
  const priceOrder = a.offer.offer.pricePerHour.compare(b.offer.offer.pricePerHour);
  if (priceOrder !== 0) return priceOrder;
  const age = a.offer.offer.createdAt.getTime() - b.offer.offer.createdAt.getTime();
  if (age !== 0) return age;
  return a.offer.offer.id < b.offer.offer.id ? -1 : a.offer.offer.id > b.offer.offer.id ? 1 : 0;
}

/** Filter all offers, score, sort, take `limit`: the obvious algorithm. */
export function referenceScan(
  offers: Iterable<ReferenceOffer>,
  requirements: JobRequirements,
  maxBudget: Amount | undefined,
  nowMs: number,
  limit: number,
): ReferenceResult[] {
  const results: ReferenceResult[] = [];
  for (const candidate of offers) {
    if (referenceSatisfies(candidate, requirements, maxBudget, nowMs)) {
      const scoreUnits = referenceScoreUnits(candidate, requirements);
      results.push({ offer: candidate, scoreUnits, score: scoreFromUnits(scoreUnits) });
    }
  }
  return results.sort(compareResults).slice(0, limit);
}
