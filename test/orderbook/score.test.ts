// The score's integer parts: each is its documented rounding of the exact value (checked against
// bigint arithmetic), the index's bounds never fall below a part, and the shown numbers come from
// the integers.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AMOUNT_MAX_BASE_UNITS } from "../../src/core/amount.js";
import {
  SCORE_UNITS,
  SCORE_WEIGHTS,
  SCORE_WEIGHT_UNITS,
  STATIC_BAND_UPPER,
  STATIC_BANDS,
  STATIC_UNITS_MAX,
  gpuFitUnits,
  priceHeadroomUnits,
  priceHeadroomUnitsEstimate,
  priceHeadroomUnitsUpper,
  reputationUnits,
  scoreBreakdown,
  staticBandOf,
  vramFitUnits,
} from "../../src/orderbook/score.js";

/** round(n / d), a half up, in bigint. */
const roundHalfUp = (n: bigint, d: bigint): bigint => (2n * n + d) / (2n * d);

/** The exact rational value of a double as numerator / 2^exponent. */
function exactDouble(value: number): { numerator: bigint; exponent: bigint } {
  const buffer = new DataView(new ArrayBuffer(8));
  buffer.setFloat64(0, value);
  const bits = buffer.getBigUint64(0);
  const biased = (bits >> 52n) & 0x7ffn;
  const fraction = bits & ((1n << 52n) - 1n);
  const numerator = biased === 0n ? fraction : fraction | (1n << 52n);
  const exponent = 1075n - (biased === 0n ? 1n : biased);
  return { numerator, exponent };
}

/** Prices that land on and next to rounding boundaries, plus any u64 amount. */
const pricePair = fc
  .oneof(
    fc.tuple(fc.bigInt({ min: 1n, max: 100_000_000_000n }), fc.bigInt({ min: 1n, max: 100_000_000_000n })),
    fc
      .tuple(fc.bigInt({ min: 1n, max: 100n }), fc.bigInt({ min: 1n, max: 100n }))
      .map(([a, b]) => [a * 1_000_000_000n, b * 1_000_000_000n] as const),
    fc.tuple(fc.bigInt({ min: 1n, max: AMOUNT_MAX_BASE_UNITS }), fc.bigInt({ min: 1n, max: AMOUNT_MAX_BASE_UNITS })),
    fc
      .tuple(fc.bigInt({ min: 1n, max: 1000n }), fc.bigInt({ min: 1n, max: 1000n }), fc.bigInt({ min: 1n, max: 1_000_000n }))
      .map(([a, b, scale]) => [a * scale, b * scale] as const),
  )
  .map(([a, b]) => (a <= b ? ([a, b] as const) : ([b, a] as const)));

describe("score units", () => {
  it("weights in units are the weights x SCORE_UNITS and sum to SCORE_UNITS", () => {
    let sum = 0;
    for (const [part, units] of Object.entries(SCORE_WEIGHT_UNITS)) {
      expect(units).toBe(Math.round(SCORE_WEIGHTS[part as keyof typeof SCORE_WEIGHTS] * SCORE_UNITS));
      sum += units;
    }
    expect(sum).toBe(SCORE_UNITS);
  });

  it("the price part is round(450e6 x (max - price) / max), a half up, exactly; the bound is at most one above", () => {
    fc.assert(
      fc.property(pricePair, ([price, maxPrice]) => {
        const exact = Number(roundHalfUp(450_000_000n * (maxPrice - price), maxPrice));
        expect(priceHeadroomUnits(price, maxPrice)).toBe(exact);
        const estimate = priceHeadroomUnitsEstimate(Number(price), Number(maxPrice));
        if (estimate >= 0) expect(estimate).toBe(exact);
        const upper = priceHeadroomUnitsUpper(Number(price), Number(maxPrice));
        expect(upper).toBeGreaterThanOrEqual(exact);
        expect(upper).toBeLessThanOrEqual(exact + 1);
      }),
      { numRuns: 5000 },
    );
    // Exact halves go up; whole results are exact.
    expect(priceHeadroomUnits(1n, 900_000_000_000_000_000n)).toBe(450_000_000);
    expect(priceHeadroomUnits(9_000_000_000n, 15_000_000_000n)).toBe(180_000_000);
    expect(priceHeadroomUnits(1n, 2n)).toBe(225_000_000);
  });

  it("the reputation part is round(50e6 x reputation), a half up, of the double's exact value", () => {
    const halves = fc.integer({ min: 0, max: 50_000_000 }).map((n) => (n + 0.5) / 50_000_000);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double({ min: 0, max: 1, noNaN: true }),
          halves,
          fc.integer({ min: 0, max: 100 }).map((n) => n / 100),
        ),
        (reputation) => {
          const { numerator, exponent } = exactDouble(reputation);
          const expected = Number((2n * 50_000_000n * numerator + (1n << exponent)) >> (exponent + 1n));
          expect(reputationUnits(reputation)).toBe(expected);
        },
      ),
      { numRuns: 5000 },
    );
    expect(reputationUnits(0.1)).toBe(5_000_000);
    expect(reputationUnits(0.37)).toBe(18_500_000);
    expect(reputationUnits(1)).toBe(50_000_000);
  });

  it("fit parts round to the nearest unit, a half up", () => {
    expect(gpuFitUnits(1, 3)).toBe(50_000_000);
    expect(gpuFitUnits(2, 7)).toBe(Number(roundHalfUp(300_000_000n, 7n)));
    expect(vramFitUnits(40, 48)).toBe(83_333_333);
    expect(vramFitUnits(0, 80)).toBe(100_000_000);
    for (let free = 1; free <= 2048; free++)
      for (const wanted of [1, free])
        expect(gpuFitUnits(wanted, free)).toBe(Number(roundHalfUp(150_000_000n * BigInt(wanted), BigInt(free))));
  });

  it("STATIC_BAND_UPPER is the highest static part of each band", () => {
    // staticBandOf is non-decreasing, so a band's top is the unit whose successor is in the next band.
    for (let band = 0; band < STATIC_BANDS; band++) {
      const top = STATIC_BAND_UPPER[band] ?? 0;
      expect(staticBandOf(top)).toBe(band);
      if (band < STATIC_BANDS - 1) expect(staticBandOf(top + 1)).toBe(band + 1);
    }
    expect(STATIC_BAND_UPPER[STATIC_BANDS - 1]).toBe(STATIC_UNITS_MAX);
  });

  it("the breakdown shows each part and the total as units / SCORE_UNITS", () => {
    const parts = {
      priceHeadroom: 180_000_000,
      gpuFit: 75_000_000,
      vramFit: 50_000_000,
      preferredModel: 150_000_000,
      extraFeatures: 10_000_000,
      reputation: 25_000_000,
      utilization: 49_500_000,
    };
    const shown = scoreBreakdown(parts);
    expect(shown).toEqual({
      priceHeadroom: 0.18,
      gpuFit: 0.075,
      vramFit: 0.05,
      preferredModel: 0.15,
      extraFeatures: 0.01,
      reputation: 0.025,
      utilization: 0.0495,
      total: 0.5395,
    });
  });
});
