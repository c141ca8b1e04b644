// Fit classes of the price walk: offers by free GPUs and by VRAM, in fine classes (a quarter of a
// power of two of each, so a class's fit bound is within 25 % of its offers' fits, and counts
// below 4 exactly) grouped in coarse classes (a power of two of each); the bounds of the GPU-fit
// and VRAM-fit parts over a class; and the feature masks each class holds now, counted, so the
// extra-features bound is exact and a class none of whose offers has the required features is
// never walked. Pure arithmetic and counters, no I/O.
import { FEATURES } from "../core/enums.js";
import { GPU_COUNT_MAX, VRAM_GB_MAX } from "../core/limits.js";
import { extraFeaturesUnits, gpuFitUnits, vramFitUnits } from "./score.js";

/** Bits after its leading one that a fine class keeps of a count: 4 fine classes per power of two. */
const SUB_BITS = 2;
const SUB = 1 << SUB_BITS;

/** Fine class of a count >= 1: the count below SUB, else its leading bit's place and the next SUB_BITS bits. Invariant: non-decreasing. */
export function fineClassOf(count: number): number {
  const n = Math.max(1, count);
  const exponent = 31 - Math.clz32(n);
  if (exponent < SUB_BITS) return n;
  return ((exponent - SUB_BITS + 1) << SUB_BITS) | ((n >> (exponent - SUB_BITS)) & (SUB - 1));
}

/** Smallest count of a fine class: fineClassOf(fineLow(c)) === c. */
function fineLow(fine: number): number {
  return fine < SUB ? fine : (SUB + (fine & (SUB - 1))) << ((fine >> SUB_BITS) - 1);
}

/** Power of two (floor(log2)) of the counts of a fine class (0 for the empty class 0). */
function octaveOfFine(fine: number): number {
  return fine < SUB ? 31 - Math.clz32(Math.max(1, fine)) : (fine >> SUB_BITS) + SUB_BITS - 1;
}

const FREE_FINE = fineClassOf(GPU_COUNT_MAX) + 1;
const VRAM_FINE = fineClassOf(VRAM_GB_MAX) + 1;
/** Fine fit classes: fine class of free GPUs x VRAM_FINE + fine class of VRAM. */
export const FINE_CLASSES = FREE_FINE * VRAM_FINE;
const FREE_OCTAVES = octaveOfFine(FREE_FINE - 1) + 1;
const VRAM_OCTAVES = octaveOfFine(VRAM_FINE - 1) + 1;
/** Coarse fit classes: power of two of free GPUs x VRAM_OCTAVES + power of two of VRAM. */
export const COARSE_CLASSES = FREE_OCTAVES * VRAM_OCTAVES;
/** Fine classes a coarse class holds at most (bits of its children mask). */
export const COARSE_CHILDREN = SUB * SUB;

/** Fine fit class of an offer's free GPUs and VRAM (each clamped to its bound). */
export function fitClassOf(freeGpus: number, vramGb: number): number {
  return Math.min(FREE_FINE - 1, fineClassOf(freeGpus)) * VRAM_FINE + Math.min(VRAM_FINE - 1, fineClassOf(vramGb));
}

/** Coarse class of each fine class. */
export const COARSE_OF: Uint8Array = Uint8Array.from({ length: FINE_CLASSES }, (_, fit) => {
  return octaveOfFine(Math.floor(fit / VRAM_FINE)) * VRAM_OCTAVES + octaveOfFine(fit % VRAM_FINE);
});

/** Bit of each fine class in its coarse class's children mask. */
export const CHILD_BIT: Uint8Array = Uint8Array.from({ length: FINE_CLASSES }, (_, fit) => {
  return (Math.floor(fit / VRAM_FINE) & (SUB - 1)) * SUB + ((fit % VRAM_FINE) & (SUB - 1));
});

/** Fine class of each (coarse class x COARSE_CHILDREN + child bit); -1 for bits no fine class has. */
export const CHILD_OF: Int16Array = (() => {
  const children = new Int16Array(COARSE_CLASSES * COARSE_CHILDREN).fill(-1);
  for (let fit = 0; fit < FINE_CLASSES; fit++) {
    // Fine class 0 holds no count (counts are >= 1).
    if (fit < VRAM_FINE || fit % VRAM_FINE === 0) continue;
    children[(COARSE_OF[fit] ?? 0) * COARSE_CHILDREN + (CHILD_BIT[fit] ?? 0)] = fit;
  }
  return children;
})();

/** Is a fine class's highest free count and VRAM enough for the query (else none of its offers satisfies it). */
export function fineFits(fit: number, minGpu: number, minVram: number): boolean {
  return Math.floor(fit / VRAM_FINE) >= fineClassOf(minGpu) && fit % VRAM_FINE >= fineClassOf(minVram);
}

/** Is a coarse class's highest free count and VRAM enough for the query. */
export function coarseFits(coarse: number, minGpu: number, minVram: number): boolean {
  return (
    Math.floor(coarse / VRAM_OCTAVES) >= octaveOfFine(fineClassOf(minGpu)) && coarse % VRAM_OCTAVES >= octaveOfFine(fineClassOf(minVram))
  );
}

/**
 * The most GPU fit + VRAM fit an offer of a class whose smallest counts are freeLow and vramLow
 * can give the query, in units: both fits are non-increasing in free GPUs and VRAM, and a match
 * has at least minGpu and minVram. Invariant: never below those parts of a match of the class.
 */
function fitMax(freeLow: number, vramLow: number, minGpu: number, minVram: number): number {
  return gpuFitUnits(minGpu, Math.max(minGpu, freeLow)) + vramFitUnits(minVram, Math.max(minVram, vramLow));
}

/** fitMax over a fine class. */
export function fineFitUnitsMax(fit: number, minGpu: number, minVram: number): number {
  return fitMax(fineLow(Math.floor(fit / VRAM_FINE)), fineLow(fit % VRAM_FINE), minGpu, minVram);
}

/** fitMax over a coarse class. */
export function coarseFitUnitsMax(coarse: number, minGpu: number, minVram: number): number {
  return fitMax(1 << Math.floor(coarse / VRAM_OCTAVES), 1 << (coarse % VRAM_OCTAVES), minGpu, minVram);
}

const MASKS = 1 << FEATURES.length;
const MASK_ALL = MASKS - 1;

/** For each required mask, the set of masks that hold it (bit m set iff m includes every required bit). */
const SUPERSETS: readonly number[] = Array.from({ length: MASKS }, (_, required) => {
  let set = 0;
  for (let mask = 0; mask < MASKS; mask++) if ((mask & required) === required) set |= 1 << mask;
  return set;
});

/** A feature mask's bit in a set of masks (bit m: mask m). Invariant: one of the 32 bits (FEATURES.length <= 5). */
export function maskBitOf(mask: number): number {
  return 1 << (mask & MASK_ALL);
}

/** The set of masks (bit m: mask m) that hold every feature of `requiredMask`. */
export function masksHolding(requiredMask: number): number {
  return SUPERSETS[requiredMask & MASK_ALL] ?? 0;
}

/** Masks by number of features, most first: BY_FEATURES[i] holds the masks of FEATURES.length - i features. */
const BY_FEATURES: readonly number[] = Array.from({ length: FEATURES.length + 1 }, (_, i) => {
  let set = 0;
  for (let mask = 0; mask < MASKS; mask++) {
    let count = 0;
    for (let bits = mask; bits !== 0; bits &= bits - 1) count++;
    if (count === FEATURES.length - i) set |= 1 << mask;
  }
  return set;
});

/**
 * The most extra-features units an offer of one of the masks of `maskSet` (bit m: mask m) with every
 * required feature gives, or -1 when no mask of the set has them all.
 */
export function featuresUnitsMaxOf(maskSet: number, requiredMask: number): number {
  const usable = maskSet & (SUPERSETS[requiredMask & MASK_ALL] ?? 0);
  if (usable === 0) return -1;
  for (const masks of BY_FEATURES) {
    const found = usable & masks;
    // Every usable mask of this size gives the same part: any one of them stands for all.
    if (found !== 0) return extraFeaturesUnits(31 - Math.clz32(found), requiredMask);
  }
  return -1;
}

/**
 * Offers of each class by feature mask. Invariants: counts[class * 32 + mask] is the number of
 * offers added and not removed; bit m of present[class] is set iff that count is above 0.
 */
export class ClassMasks {
  private readonly counts: Int32Array;
  private readonly present: Uint32Array;

  constructor(classes: number) {
    this.counts = new Int32Array(classes * MASKS);
    this.present = new Uint32Array(classes);
  }

  /** Counts an offer of `mask` in the class. */
  add(fitClass: number, mask: number): void {
    const at = fitClass * MASKS + (mask & MASK_ALL);
    this.counts[at] = (this.counts[at] ?? 0) + 1;
    this.present[fitClass] = (this.present[fitClass] ?? 0) | (1 << (mask & MASK_ALL));
  }

  /** Uncounts an offer of `mask` in the class. Invariant: it was counted. */
  remove(fitClass: number, mask: number): void {
    const at = fitClass * MASKS + (mask & MASK_ALL);
    const count = (this.counts[at] ?? 1) - 1;
    this.counts[at] = count;
    if (count === 0) this.present[fitClass] = (this.present[fitClass] ?? 0) & ~(1 << (mask & MASK_ALL));
  }

  /**
   * The most extra-features units an offer of the class with every required feature gives, or -1
   * when no offer of the class has them all (then none of its offers satisfies the query).
   */
  featuresUnitsMax(fitClass: number, requiredMask: number): number {
    return featuresUnitsMaxOf(this.present[fitClass] ?? 0, requiredMask);
  }
}
