// The match score: a documented weighted sum in [0, 1], computed in integer score units so that
// two offers equal by the formula are equal in the book. Shared by the indexed book and the
// reference scan. Pure, no I/O.
import type { ScoreBreakdown } from "../core/types.js";
import { FEATURES } from "../core/enums.js";

/**
 * Weights of the score parts; they sum to 1.
 * - priceHeadroom: 1 - price / maxPricePerHour (cheaper than the buyer's limit is better)
 * - gpuFit: minGpuCount / free GPUs of the offer (best fit: leaves whole machines whole)
 * - vramFit: minVramGb / vramGb (don't spend an 80 GB GPU on a 16 GB job); 1 when the order names no VRAM
 * - preferredModel: 1 when the offer's normalized model is one of the order's preferredModels
 * - extraFeatures: features the offer has beyond those required, / number of features
 * - reputation: the provider's reputation in [0, 1] (default 0.5)
 * - utilization: 1 - currentUtilization / 100 (idle machines first; unknown counts as idle)
 */
export const SCORE_WEIGHTS = {
  priceHeadroom: 0.45,
  gpuFit: 0.15,
  vramFit: 0.1,
  preferredModel: 0.15,
  extraFeatures: 0.05,
  reputation: 0.05,
  utilization: 0.05,
} as const;

/**
 * Score units in a score of 1. Each part is a whole number of units: its weight in units times its
 * fraction, rounded to the nearest unit (a half rounds up); the score is the integer sum of the
 * parts, so it is compared exactly, and the number shown is units / SCORE_UNITS.
 */
export const SCORE_UNITS = 1_000_000_000;

/** SCORE_WEIGHTS in score units (weight x SCORE_UNITS); they sum to SCORE_UNITS. */
export const SCORE_WEIGHT_UNITS = {
  priceHeadroom: 450_000_000,
  gpuFit: 150_000_000,
  vramFit: 100_000_000,
  preferredModel: 150_000_000,
  extraFeatures: 50_000_000,
  reputation: 50_000_000,
  utilization: 50_000_000,
} as const;

/** Reputation of a provider nobody has rated. */
export const REPUTATION_DEFAULT = 0.5;

/** The parts of one score, named as the breakdown's, each in whole score units (0 <= part <= its weight in units). */
export type ScoreParts = { readonly [Part in Exclude<keyof ScoreBreakdown, "total">]: number };

/**
 * round(numerator / denominator), a half up, for non-negative integers whose 2 x numerator +
 * denominator stays below 2^53 (then the float division of exact integers floors exactly).
 */
function divideRoundHalfUp(numerator: number, denominator: number): number {
  return Math.floor((2 * numerator + denominator) / (2 * denominator));
}

/**
 * Distance from a unit boundary under which the float estimate of the price part is not trusted.
 * Its error is below 4e-7 units for every u64 price pair (at most 6 roundings of 2^-53 relative,
 * on a value below 4.5e8), so outside this margin the estimate rounds to the exact result.
 */
const PRICE_ESTIMATE_MARGIN = 1e-5;
const PRICE_WEIGHT = SCORE_WEIGHT_UNITS.priceHeadroom;
const PRICE_WEIGHT_BIG = BigInt(PRICE_WEIGHT);

/**
 * The price part from floats of the prices, when the float estimate decides the rounding; -1 when
 * it cannot (the exact value lies within PRICE_ESTIMATE_MARGIN of a rounding boundary).
 * Invariant: a result >= 0 equals priceHeadroomUnits of the exact prices these floats came from
 * (Number(bigint), 0 < price <= maxPrice).
 */
export function priceHeadroomUnitsEstimate(priceF: number, maxPriceF: number): number {
  const shifted = (PRICE_WEIGHT * (maxPriceF - priceF)) / maxPriceF + 0.5;
  const units = Math.floor(shifted);
  const fraction = shifted - units;
  return fraction > PRICE_ESTIMATE_MARGIN && fraction < 1 - PRICE_ESTIMATE_MARGIN ? units : -1;
}

/**
 * Price part in units: round(450_000_000 x (maxPrice - price) / maxPrice), a half up, exact.
 * Invariant: 0 <= result <= 450_000_000 for 0 < price <= maxPrice; non-increasing in price.
 */
export function priceHeadroomUnits(price: bigint, maxPrice: bigint): number {
  const estimate = priceHeadroomUnitsEstimate(Number(price), Number(maxPrice));
  if (estimate >= 0) return estimate;
  return Number((2n * PRICE_WEIGHT_BIG * (maxPrice - price) + maxPrice) / (2n * maxPrice));
}

/**
 * An upper bound of priceHeadroomUnits over every exact price whose float is >= priceF, for an
 * order whose maximum price has the float maxPriceF: the index prunes with it. Never below the
 * exact part (the margin covers the float error), at most one unit above it.
 */
export function priceHeadroomUnitsUpper(priceF: number, maxPriceF: number): number {
  return Math.floor((PRICE_WEIGHT * (maxPriceF - priceF)) / maxPriceF + 0.5 + PRICE_ESTIMATE_MARGIN);
}

/** GPU fit in units: round(150_000_000 x minGpuCount / freeGpuCount), a half up. Invariant: <= 150_000_000 when minGpuCount <= freeGpuCount. */
export function gpuFitUnits(minGpuCount: number, freeGpuCount: number): number {
  return divideRoundHalfUp(SCORE_WEIGHT_UNITS.gpuFit * minGpuCount, freeGpuCount);
}

/** VRAM fit in units: round(100_000_000 x minVramGb / vramGb), a half up; the full weight when nothing is wanted. Invariant: <= 100_000_000 when minVramGb <= vramGb. */
export function vramFitUnits(minVramGb: number, vramGb: number): number {
  return minVramGb === 0 ? SCORE_WEIGHT_UNITS.vramFit : divideRoundHalfUp(SCORE_WEIGHT_UNITS.vramFit * minVramGb, vramGb);
}

/** Preferred-model part in units: the full weight or 0 (exact, no division). */
export function preferredModelUnits(preferred: boolean): number {
  return preferred ? SCORE_WEIGHT_UNITS.preferredModel : 0;
}

const FEATURE_MASK_ALL = (1 << FEATURES.length) - 1;
const EXTRA_FEATURE_UNITS: readonly number[] = Array.from({ length: FEATURE_MASK_ALL + 1 }, (_, mask) => {
  let count = 0;
  for (let bits = mask; bits !== 0; bits &= bits - 1) count++;
  return divideRoundHalfUp(SCORE_WEIGHT_UNITS.extraFeatures * count, FEATURES.length);
});

/** Extra-features part in units: round(50_000_000 x features beyond those required / all features), a half up. Invariant: 0..50_000_000. */
export function extraFeaturesUnits(offerMask: number, requiredMask: number): number {
  return EXTRA_FEATURE_UNITS[offerMask & ~requiredMask & FEATURE_MASK_ALL] ?? 0;
}

/**
 * Reputation part in units: round(50_000_000 x reputation), a half up, of the exact value of the
 * double. Invariant: 0 <= result <= 50_000_000 for a reputation in [0, 1].
 */
export function reputationUnits(reputation: number): number {
  const shifted = SCORE_WEIGHT_UNITS.reputation * reputation + 0.5;
  const units = Math.floor(shifted);
  const fraction = shifted - units;
  if (fraction > 1e-6 && fraction < 1 - 1e-6) return units; // float error < 1e-8 here
  // Near a boundary: the double is mantissa / 2^exponent exactly; doubling is exact.
  let mantissa = reputation;
  let exponent = 0n;
  while (!Number.isInteger(mantissa)) {
    mantissa *= 2;
    exponent++;
  }
  const scaled = BigInt(mantissa) * BigInt(SCORE_WEIGHT_UNITS.reputation) * 2n + (1n << exponent);
  return Number(scaled >> (exponent + 1n));
}

/** Utilization part in units: 50_000_000 x (100 - utilizationPct) / 100, exact for whole percents 0..100. */
export function utilizationUnits(utilizationPct: number): number {
  return divideRoundHalfUp(SCORE_WEIGHT_UNITS.utilization * (100 - utilizationPct), 100);
}

/** Highest possible order-independent part (reputation 1, utilization 0), in units. */
export const STATIC_UNITS_MAX = SCORE_WEIGHT_UNITS.reputation + SCORE_WEIGHT_UNITS.utilization;
/** The index keeps offers in this many bands of their order-independent part, so bounds are tight. */
export const STATIC_BANDS = 32;

/** Band of an order-independent part in units: floor(units x STATIC_BANDS / STATIC_UNITS_MAX), at most STATIC_BANDS - 1. Invariant: non-decreasing in units. */
export function staticBandOf(staticUnits: number): number {
  return Math.min(STATIC_BANDS - 1, Math.max(0, Math.floor((staticUnits * STATIC_BANDS) / STATIC_UNITS_MAX)));
}

/** Highest order-independent part in each band, in units: exact, so bounds lose nothing. */
export const STATIC_BAND_UPPER: readonly number[] = Array.from({ length: STATIC_BANDS }, (_, band) =>
  // staticBandOf(u) <= band iff u x BANDS < (band + 1) x MAX, so the top is ceil((band + 1) x MAX / BANDS) - 1.
  band === STATIC_BANDS - 1 ? STATIC_UNITS_MAX : Math.ceil(((band + 1) * STATIC_UNITS_MAX) / STATIC_BANDS) - 1,
);

/** Sum of the parts, in units. Invariant: exact (integers below 2^53), in 0..SCORE_UNITS. */
export function scoreUnitsOf(parts: ScoreParts): number {
  return (
    parts.priceHeadroom + parts.gpuFit + parts.vramFit + parts.preferredModel + parts.extraFeatures + parts.reputation + parts.utilization
  );
}

/** The score as shown: units / SCORE_UNITS, the nearest double. Invariant: strictly increasing in units, so it orders as the units do (rank by units all the same). */
export function scoreFromUnits(units: number): number {
  return units / SCORE_UNITS;
}

/** The breakdown the API shows: each part and the total as units / SCORE_UNITS. Invariant: total is derived from the integer sum. */
export function scoreBreakdown(parts: ScoreParts): ScoreBreakdown {
  return {
    priceHeadroom: scoreFromUnits(parts.priceHeadroom),
    gpuFit: scoreFromUnits(parts.gpuFit),
    vramFit: scoreFromUnits(parts.vramFit),
    preferredModel: scoreFromUnits(parts.preferredModel),
    extraFeatures: scoreFromUnits(parts.extraFeatures),
    reputation: scoreFromUnits(parts.reputation),
    utilization: scoreFromUnits(parts.utilization),
    total: scoreFromUnits(scoreUnitsOf(parts)),
  };
}
