// Fit classes of the price walk: fine classes follow the count order with 4 per power of two,
// coarse classes are the powers of two, and a class's mask counts give the exact features bound.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FEATURES } from "../../src/core/enums.js";
import { GPU_COUNT_MAX, VRAM_GB_MAX } from "../../src/core/limits.js";
import {
  CHILD_BIT,
  CHILD_OF,
  COARSE_CHILDREN,
  COARSE_OF,
  ClassMasks,
  fineClassOf,
  fineFitUnitsMax,
  fitClassOf,
} from "../../src/orderbook/fit-classes.js";
import { extraFeaturesUnits, gpuFitUnits, vramFitUnits } from "../../src/orderbook/score.js";

describe("fit classes", () => {
  it("fine classes are non-decreasing in the count, exact below 8, and at most 25 % wide above", () => {
    for (let count = 1; count <= VRAM_GB_MAX; count++) {
      expect(fineClassOf(count + 1)).toBeGreaterThanOrEqual(fineClassOf(count));
      if (count < 8) expect(fineClassOf(count)).toBe(count);
    }
    expect(fineClassOf(8)).toBe(fineClassOf(9));
    expect(fineClassOf(10)).toBe(fineClassOf(11));
    expect(fineClassOf(9)).toBeLessThan(fineClassOf(10));
  });

  it("a fine class lies in the coarse class of its power of two of free GPUs and of VRAM, as one child bit", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: GPU_COUNT_MAX }), fc.integer({ min: 1, max: VRAM_GB_MAX }), (free, vram) => {
        const fit = fitClassOf(free, vram);
        const coarse = COARSE_OF[fit] ?? -1;
        expect(coarse).toBe(Math.floor(Math.log2(free)) * 12 + Math.floor(Math.log2(vram)));
        expect(CHILD_OF[coarse * COARSE_CHILDREN + (CHILD_BIT[fit] ?? 0)]).toBe(fit);
      }),
      { numRuns: 2000 },
    );
  });

  it("the fit bound of a fine class is never below the fit of an offer of it that satisfies the query", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: GPU_COUNT_MAX }),
        fc.integer({ min: 1, max: VRAM_GB_MAX }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 0, max: 512 }),
        (free, vram, minGpu, minVram) => {
          fc.pre(free >= minGpu && vram >= minVram);
          const fit = gpuFitUnits(minGpu, free) + vramFitUnits(minVram, vram);
          const bound = fineFitUnitsMax(fitClassOf(free, vram), minGpu, minVram);
          expect(bound).toBeGreaterThanOrEqual(fit);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("featuresUnitsMax is the most extra features of a counted mask holding the required ones, -1 when none does", () => {
    const masks = 1 << FEATURES.length;
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: masks - 1 }), { maxLength: 12 }),
        fc.array(fc.nat({ max: 11 }), { maxLength: 6 }),
        fc.nat({ max: masks - 1 }),
        (added, removedPicks, required) => {
          const classMasks = new ClassMasks(3);
          const held = [...added];
          for (const mask of added) classMasks.add(1, mask);
          for (const pick of removedPicks) {
            if (held.length === 0) break;
            const [mask] = held.splice(pick % held.length, 1);
            classMasks.remove(1, mask ?? 0);
          }
          const usable = held.filter((mask) => (mask & required) === required);
          const expected = usable.length === 0 ? -1 : Math.max(...usable.map((mask) => extraFeaturesUnits(mask, required)));
          expect(classMasks.featuresUnitsMax(1, required)).toBe(expected);
          expect(classMasks.featuresUnitsMax(0, required)).toBe(-1);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
