// Why an order finds nothing: one bounded pass over the book's offers that applies the order's
// constraints one at a time in MISS_CONSTRAINTS order and names the first that leaves no offer,
// with the offer nearest to passing it. Runs only on a miss. Pure over the offer set, no I/O.
import type { JobRequirements } from "../core/types.js";
import { countryFits, modelFits, providerFits, regionFits, reputationFits } from "./matching.js";
import { SLOT_ACTIVE, SLOT_FREE } from "./offer-table.js";
import type { OfferSet } from "./offer-set.js";
import type { CompiledQuery } from "./query.js";

/**
 * The constraints a miss can name, in the order the diagnosis applies them: each is tried only on
 * the offers that passed every one before it. "offers": the book has no active offer with free GPUs.
 */
export const MISS_CONSTRAINTS = [
  "offers",
  "gpuModels",
  "gpuCount",
  "vram",
  "features",
  "region",
  "country",
  "providers",
  "reputation",
  "hours",
  "price",
  "budget",
] as const;
/** One constraint of MISS_CONSTRAINTS. */
export type MissConstraint = (typeof MISS_CONSTRAINTS)[number];

/**
 * Offer slots one diagnosis looks at, at most. It runs on the request path of every quote that
 * finds nothing and every submit that rests (an anonymous GET, a backed POST): a whole 10^6 book
 * took ~25 ms per miss under load, which an attacker could ask for 100 times a second. 65,536 slots
 * bound it to ~1-2 ms; past them the explanation says it is partial (complete: false) and never
 * claims that no offer could ever fill the order.
 */
export const MISS_SCAN_SLOTS_MAX = 65_536;
/** Distinct models, regions or countries a diagnosis lists as on offer, at most. */
export const MISS_LIST_MAX = 8;

const PASSES = MISS_CONSTRAINTS.length;

/** What one pass found: the emptying constraint, the slot nearest to passing it, values on offer. */
export interface MissFinding {
  readonly constraint: MissConstraint;
  /** The offer that passed every earlier constraint and comes nearest to this one; -1 for "offers". */
  readonly nearestSlot: number;
  /** Display names of models, regions or countries on offer among the offers that reached the constraint. */
  readonly onOffer: readonly string[];
  /** No held offer (active or paused, unexpired), even with all its GPUs free, could satisfy the order. */
  readonly restsIndefinitely: boolean;
  /** The pass looked at every slot (false: the book holds more than MISS_SCAN_SLOTS_MAX). */
  readonly complete: boolean;
}

/** Index in MISS_CONSTRAINTS of the first constraint the slot fails with `free` GPUs free, or PASSES. */
function firstFailure(offers: OfferSet, slot: number, free: number, query: CompiledQuery, requirements: JobRequirements): number {
  const t = offers.table;
  if (!modelFits(t.model[slot] ?? 0, query)) return 1;
  if (free < query.minGpu) return 2;
  if ((t.vram[slot] ?? 0) < query.minVram) return 3;
  if (((t.mask[slot] ?? 0) & query.requiredMask) !== query.requiredMask) return 4;
  // A region or country the book never saw compiles to -1 (any): here it fits no offer.
  if (requirements.location?.region !== undefined && (query.region < 0 || !regionFits(t, slot, query.region))) return 5;
  if (requirements.location?.country !== undefined && (query.country < 0 || !countryFits(t, slot, query.country))) return 6;
  if (!providerFits(t, slot, query)) return 7;
  if (!reputationFits(offers.reputations, t, slot, query)) return 8;
  const hours = query.estimatedHours;
  if ((t.availableHours[slot] ?? 0) < hours || (t.minCommitment[slot] ?? 0) > hours) return 9;
  // Floats first (Number of a bigint is monotone); the exact prices only when the floats are equal.
  const priceF = t.priceF[slot] ?? 0;
  if (priceF > query.maxPriceF || (priceF === query.maxPriceF && (t.price[slot] ?? 0n) > query.maxPrice)) return 10;
  if (priceF > query.priceCapF || (priceF === query.priceCapF && (t.price[slot] ?? 0n) > query.priceCap)) return 11;
  return PASSES;
}

/** How near the slot is to passing constraint `level` (higher is nearer); ties go to the cheaper offer. */
function nearness(offers: OfferSet, slot: number, level: number, query: CompiledQuery): number {
  const t = offers.table;
  switch (MISS_CONSTRAINTS[level]) {
    case "gpuCount":
      return t.freeGpus[slot] ?? 0;
    case "vram":
      return t.vram[slot] ?? 0;
    case "features": {
      let count = 0;
      for (let bits = (t.mask[slot] ?? 0) & query.requiredMask; bits !== 0; bits &= bits - 1) count++;
      return count;
    }
    case "reputation":
      return offers.reputations.valueOf(t.provider[slot] ?? 0);
    case "hours": {
      const hours = query.estimatedHours;
      return -(Math.max(0, hours - (t.availableHours[slot] ?? 0)) + Math.max(0, (t.minCommitment[slot] ?? 0) - hours));
    }
    default:
      return 0; // the cheapest offer is the nearest
  }
}

/** The display value a level lists as on offer for the slot, or undefined when it lists none. */
function listedValue(offers: OfferSet, slot: number, level: number): string | undefined {
  const t = offers.table;
  switch (MISS_CONSTRAINTS[level]) {
    case "gpuModels":
      return t.models.valueOf(t.model[slot] ?? 0);
    case "region":
      return t.regions.valueOf(t.region[slot] ?? 0) || undefined;
    case "country":
      return t.countries.valueOf(t.country[slot] ?? 0) || undefined;
    default:
      return undefined;
  }
}

/** Is the offer in slot `a` cheaper than the one in `b` (floats first, exact when they are equal). */
function ranksCheaper(t: OfferSet["table"], a: number, b: number): boolean {
  const priceA = t.priceF[a] ?? 0;
  const priceB = t.priceF[b] ?? 0;
  return priceA !== priceB ? priceA < priceB : (t.price[a] ?? 0n) < (t.price[b] ?? 0n);
}

/**
 * Diagnoses a miss of `query` (compiled from `requirements`) at `nowMs`: counts, per constraint,
 * the offers (active, unexpired, with free GPUs) that fail it first; the constraint named is the
 * one after which no offer is left when they are applied in MISS_CONSTRAINTS order (the last some
 * offer fails first). Returns undefined when some offer satisfies every constraint
 * (no miss). Work: one pass over at most MISS_SCAN_SLOTS_MAX slots.
 */
export function diagnoseMiss(
  offers: OfferSet,
  query: CompiledQuery,
  requirements: JobRequirements,
  nowMs: number,
): MissFinding | undefined {
  const t = offers.table;
  const end = Math.min(t.highWater, MISS_SCAN_SLOTS_MAX);
  const reached = new Int32Array(PASSES + 1); // offers whose first failure is each level
  const nearestSlot = new Int32Array(PASSES + 1).fill(-1);
  const nearestKey = new Float64Array(PASSES + 1).fill(-Infinity);
  const listed: Map<string, string>[] = Array.from({ length: PASSES }, () => new Map<string, string>());
  let everSatisfiable = false;
  for (let slot = 0; slot < end; slot++) {
    const status = t.status[slot] ?? SLOT_FREE;
    if (status === SLOT_FREE || (t.expiresAt[slot] ?? 0) <= nowMs) continue;
    const gpuCount = t.gpuCount[slot] ?? 0;
    const free = t.freeGpus[slot] ?? 0;
    const indexed = status === SLOT_ACTIVE && free > 0;
    const level = indexed ? firstFailure(offers, slot, free, query, requirements) : PASSES;
    if (level === PASSES && indexed) return undefined;
    // Could it ever be filled: the same rule with all its GPUs free (the same answer when all are).
    if (!everSatisfiable && (indexed && free === gpuCount ? level : firstFailure(offers, slot, gpuCount, query, requirements)) === PASSES) {
      everSatisfiable = true;
    }
    if (!indexed) continue;
    reached[level] = (reached[level] ?? 0) + 1;
    const key = nearness(offers, slot, level, query);
    const best = nearestSlot[level] ?? -1;
    if (key > (nearestKey[level] ?? -Infinity) || (key === nearestKey[level] && ranksCheaper(t, slot, best))) {
      nearestKey[level] = key;
      nearestSlot[level] = slot;
    }
    const value = listedValue(offers, slot, level);
    const values = listed[level];
    if (value !== undefined && values !== undefined && values.size < MISS_LIST_MAX && !values.has(value)) {
      values.set(value, t.modelNames.valueOf(t.modelName[slot] ?? 0));
    }
  }
  // The last level some offer fails first: those offers passed every earlier constraint, and no
  // offer passes it (none passes all), so it is the constraint that empties the order's results.
  let level = PASSES - 1;
  while (level > 0 && (reached[level] ?? 0) === 0) level--;
  const constraint = MISS_CONSTRAINTS[level] ?? "offers";
  const values = listed[level];
  return {
    constraint,
    nearestSlot: constraint === "offers" ? -1 : (nearestSlot[level] ?? -1),
    // Models are listed by the name an offer gives; regions and countries as they are.
    onOffer: values === undefined ? [] : [...values].map(([key, name]) => (constraint === "gpuModels" ? name : key)),
    // Only a pass over the whole book may say that nothing in it could ever fill the order.
    restsIndefinitely: !everSatisfiable && end === t.highWater,
    complete: end === t.highWater,
  };
}
