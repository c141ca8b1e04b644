// CompiledQuery: an order's requirements resolved against the book's intern tables (region,
// country and preferred models as indexes) with its price cap, ready for the matching rule and
// the shape index. Pure, no I/O.
import type { Amount } from "../core/amount.js";
import { featureMask } from "../core/enums.js";
import { normalizeGpuModel } from "../core/gpu-model.js";
import type { JobRequirements } from "../core/types.js";
import { priceCapOf } from "./matching.js";
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

/**
 * Compiles validated requirements against the table's intern tables at `nowMs`.
 * Invariant: a known region or country keeps its index for the table's life (intern tables only
 * grow), so only an `impossible` query can change when compiled again later.
 */
export function compileQuery(
  table: OfferTable,
  requirements: JobRequirements,
  maxBudget: Amount | undefined,
  nowMs: number,
): CompiledQuery {
  const wantedRegion = requirements.location?.region;
  const wantedCountry = requirements.location?.country;
  // -1: any. A region or country the book never saw matches nothing.
  const region = wantedRegion === undefined ? -1 : table.regions.lookup(wantedRegion);
  const country = wantedCountry === undefined ? -1 : table.countries.lookup(wantedCountry);
  const preferredModels: number[] = [];
  for (const model of requirements.preferredModels) {
    const index = table.models.lookup(normalizeGpuModel(model));
    if (index >= 0 && !preferredModels.includes(index)) preferredModels.push(index);
  }
  const priceCap = priceCapOf(requirements, maxBudget);
  return {
    minGpu: requirements.minGpuCount,
    minVram: requirements.minVramGb,
    requiredMask: featureMask(requirements.requiredFeatures),
    region,
    country,
    estimatedHours: requirements.estimatedHours,
    maxPrice: requirements.maxPricePerHour.baseUnits,
    maxPriceF: Number(requirements.maxPricePerHour.baseUnits),
    priceCap,
    priceCapF: Number(priceCap),
    preferredModels,
    nowMs,
    impossible: (wantedRegion !== undefined && region < 0) || (wantedCountry !== undefined && country < 0),
  };
}
