// The match score: a documented weighted sum in [0, 1], and the predicate "offer satisfies order".
// Shared by the indexed book and the reference scan so both rank with the same float operations.
// Pure, no I/O.
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

/** Reputation of a provider nobody has rated. */
export const REPUTATION_DEFAULT = 0.5;

/** Price part: weight x (1 - price / maxPrice); price and maxPrice as floats of base units. */
export function priceTerm(priceF: number, maxPriceF: number): number {
  return SCORE_WEIGHTS.priceHeadroom * (1 - priceF / maxPriceF);
}

/** Parts fixed by the offer's shape (free GPUs, VRAM, model, features) for one order. */
export function shapeTerm(gpuFit: number, vramFit: number, preferred: number, extraFeatures: number): number {
  return SCORE_WEIGHTS.gpuFit * gpuFit + SCORE_WEIGHTS.vramFit * vramFit + SCORE_WEIGHTS.preferredModel * preferred + SCORE_WEIGHTS.extraFeatures * extraFeatures;
}

/** Parts fixed by the offer alone, whatever the order: reputation and utilization. */
export function staticTerm(reputation: number, utilizationPct: number): number {
  return SCORE_WEIGHTS.reputation * reputation + SCORE_WEIGHTS.utilization * (1 - utilizationPct / 100);
}

/**
 * The score from its three groups. Monotone in each argument (IEEE addition is), so replacing
 * a part by an upper bound of it gives an upper bound of the score: the index relies on this.
 */
export function combineScore(price: number, shape: number, fixed: number): number {
  return price + shape + fixed;
}

/** GPU fit: wanted / free. */
export function gpuFitOf(minGpuCount: number, freeGpuCount: number): number {
  return minGpuCount / freeGpuCount;
}

/** VRAM fit: wanted / offered, 1 when nothing is wanted. */
export function vramFitOf(minVramGb: number, vramGb: number): number {
  return minVramGb === 0 ? 1 : minVramGb / vramGb;
}

/** Share of all features the offer has beyond those required. */
export function extraFeaturesOf(offerMask: number, requiredMask: number): number {
  return EXTRA_FEATURE_SHARE[offerMask & ~requiredMask & FEATURE_MASK_ALL] ?? 0;
}

const FEATURE_MASK_ALL = (1 << FEATURES.length) - 1;
const EXTRA_FEATURE_SHARE: readonly number[] = Array.from({ length: FEATURE_MASK_ALL + 1 }, (_, mask) => {
  let count = 0;
  for (let bits = mask; bits !== 0; bits &= bits - 1) count++;
  return count / FEATURES.length;
});

/** Highest possible staticTerm (reputation 1, utilization 0). */
export const STATIC_TERM_MAX = staticTerm(1, 0);
/** The index keeps offers in this many bands of staticTerm, so bounds are tight. */
export const STATIC_BANDS = 32;

/** Band of a staticTerm value: 0..STATIC_BANDS-1. */
export function staticBandOf(fixed: number): number {
  return Math.min(STATIC_BANDS - 1, Math.max(0, Math.floor((fixed / STATIC_TERM_MAX) * STATIC_BANDS)));
}

/** Upper bound of staticTerm over a band (with a margin for float rounding). */
export const STATIC_BAND_UPPER: readonly number[] = Array.from({ length: STATIC_BANDS }, (_, band) =>
  band === STATIC_BANDS - 1 ? STATIC_TERM_MAX : Math.min(STATIC_TERM_MAX, ((band + 1) / STATIC_BANDS) * STATIC_TERM_MAX + 1e-9),
);

/** The inputs of one score, as fractions in [0, 1] (and the price pair). */
export interface ScoreInputs {
  readonly priceF: number;
  readonly maxPriceF: number;
  readonly gpuFit: number;
  readonly vramFit: number;
  readonly preferred: number;
  readonly extraFeatures: number;
  readonly reputation: number;
  readonly utilizationPct: number;
}

/** The score of one offer for one order, with its parts. */
export function scoreBreakdown(inputs: ScoreInputs): ScoreBreakdown {
  const w = SCORE_WEIGHTS;
  return {
    priceHeadroom: priceTerm(inputs.priceF, inputs.maxPriceF),
    gpuFit: w.gpuFit * inputs.gpuFit,
    vramFit: w.vramFit * inputs.vramFit,
    preferredModel: w.preferredModel * inputs.preferred,
    extraFeatures: w.extraFeatures * inputs.extraFeatures,
    reputation: w.reputation * inputs.reputation,
    utilization: w.utilization * (1 - inputs.utilizationPct / 100),
    total: scoreOf(inputs),
  };
}

/** The score alone. */
export function scoreOf(inputs: ScoreInputs): number {
  return combineScore(
    priceTerm(inputs.priceF, inputs.maxPriceF),
    shapeTerm(inputs.gpuFit, inputs.vramFit, inputs.preferred, inputs.extraFeatures),
    staticTerm(inputs.reputation, inputs.utilizationPct),
  );
}
