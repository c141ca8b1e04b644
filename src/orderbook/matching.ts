// The matching rule of DESIGN.md, written once: does an offer (a slot of the offer table) satisfy
// an order (its compiled query). Pure, no I/O; every function is small and monomorphic so V8
// inlines it into the index's walk and the serving of resting orders.
import { AMOUNT_MAX_BASE_UNITS } from "../core/amount.js";
import type { Amount } from "../core/amount.js";
import type { JobRequirements } from "../core/types.js";
import type { OfferTable } from "./offer-table.js";
import type { CompiledQuery } from "./query.js";
import type { Reputations } from "./reputations.js";

/**
 * Highest price per GPU-hour an order accepts, in base units: maxPricePerHour, lowered so that
 * totalCost = price x minGpuCount x estimatedHours fits in a u64 and, with a budget, stays <= it.
 * Invariant: price <= the cap iff price <= maxPricePerHour and totalCost fits (range and budget).
 */
export function priceCapOf(requirements: JobRequirements, maxBudget: Amount | undefined): bigint {
  const gpuHours = BigInt(requirements.minGpuCount * requirements.estimatedHours);
  let priceCap = requirements.maxPricePerHour.baseUnits;
  const rangeCap = AMOUNT_MAX_BASE_UNITS / gpuHours; // total cost must fit in a u64
  if (rangeCap < priceCap) priceCap = rangeCap;
  if (maxBudget !== undefined) {
    const budgetCap = maxBudget.baseUnits / gpuHours; // floor: price x gpus x hours <= budget
    if (budgetCap < priceCap) priceCap = budgetCap;
  }
  return priceCap;
}

/**
 * Free GPUs >= minGpuCount, vramGb >= minVramGb, every required feature: the part of the rule an
 * offer's shape decides (the index checks it once per shape, resting orders once per bucket).
 */
export function capacityFits(
  freeGpus: number,
  vramGb: number,
  mask: number,
  minGpu: number,
  minVram: number,
  requiredMask: number,
): boolean {
  return freeGpus >= minGpu && vramGb >= minVram && (mask & requiredMask) === requiredMask;
}

/** Not expired at `nowMs`, and availableHours >= estimatedHours >= minCommitmentHours. */
export function termsFit(table: OfferTable, slot: number, estimatedHours: number, nowMs: number): boolean {
  return (
    (table.expiresAt[slot] ?? 0) > nowMs &&
    (table.availableHours[slot] ?? 0) >= estimatedHours &&
    (table.minCommitment[slot] ?? 0) <= estimatedHours
  );
}

/** The offer is in the order's country (interned index; -1: the order names none). */
export function countryFits(table: OfferTable, slot: number, country: number): boolean {
  return country < 0 || table.country[slot] === country;
}

/** The offer is in the order's region (interned index; -1: the order names none). */
export function regionFits(table: OfferTable, slot: number, region: number): boolean {
  return region < 0 || table.region[slot] === region;
}

/**
 * The offer's provider passes the order's hard filters: in `providers.allow` when given, not in
 * `providers.deny`. One boolean check when the order has no filter (the common case).
 */
export function providerFits(table: OfferTable, slot: number, query: CompiledQuery): boolean {
  if (!query.providerFiltered) return true;
  const provider = table.provider[slot] ?? 0;
  const { allowedProviders, deniedProviders } = query;
  return (
    (allowedProviders === undefined || allowedProviders.has(provider)) && (deniedProviders === undefined || !deniedProviders.has(provider))
  );
}

/**
 * The offer's normalized GPU model is one the order's `gpuModels` names (any model when it names
 * none). The index checks it once per shape (the model is part of the shape).
 */
export function modelFits(model: number, query: CompiledQuery): boolean {
  return query.allowedModels === undefined || query.allowedModels.has(model);
}

/** The offer's provider has at least the order's `minReputation` now (always, when the order names none). */
export function reputationFits(reputations: Reputations, table: OfferTable, slot: number, query: CompiledQuery): boolean {
  return query.minReputation <= 0 || reputations.valueOf(table.provider[slot] ?? 0) >= query.minReputation;
}

/** The exact price is within the order's cap (priceCapOf: limit, budget and u64 range). */
export function priceFits(table: OfferTable, slot: number, priceCap: bigint): boolean {
  return (table.price[slot] ?? 0n) <= priceCap;
}

/**
 * Does the offer in `slot` satisfy the query at `nowMs`: every rule of DESIGN.md "Matching" but
 * the offer's status, which the caller checks (only indexed, active offers are asked). The shape
 * index applies the same parts: capacityFits and modelFits per shape and the region by its pools
 * (shape-table.ts), termsFit, countryFits, priceFits, providerFits and reputationFits per offer
 * (shape-index.ts; an allow list walks its providers' offers instead, provider-slots.ts).
 * Invariant: the index returns exactly the active offers for which this holds (the differential
 * property test compares both with the reference scan).
 */
export function offerSatisfies(table: OfferTable, reputations: Reputations, slot: number, query: CompiledQuery, nowMs: number): boolean {
  return (
    !query.impossible &&
    capacityFits(
      table.freeGpus[slot] ?? 0,
      table.vram[slot] ?? 0,
      table.mask[slot] ?? 0,
      query.minGpu,
      query.minVram,
      query.requiredMask,
    ) &&
    termsFit(table, slot, query.estimatedHours, nowMs) &&
    priceFits(table, slot, query.priceCap) &&
    regionFits(table, slot, query.region) &&
    countryFits(table, slot, query.country) &&
    providerFits(table, slot, query) &&
    modelFits(table.model[slot] ?? 0, query) &&
    reputationFits(reputations, table, slot, query)
  );
}
