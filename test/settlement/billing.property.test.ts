// Billing invariants over the whole u64 range: payment + fee + refund = escrowed exactly, the charge
// never exceeds the escrow, rounding is as documented, and splitting work never changes pay.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AMOUNT_MAX_BASE_UNITS, Amount } from "../../src/core/amount.js";
import { GPU_COUNT_MAX, HOURS_MAX } from "../../src/core/limits.js";
import { isMarketError } from "../../src/core/errors.js";
import { FEE_BPS_MAX, SECONDS_PER_HOUR, billSeconds, billingRate, hoursToSeconds, splitCharge } from "../../src/settlement/billing.js";

const SECONDS_MAX = HOURS_MAX * SECONDS_PER_HOUR;
const amount = (min: bigint): fc.Arbitrary<Amount> =>
  fc.bigInt({ min, max: AMOUNT_MAX_BASE_UNITS }).map((units) => Amount.fromLamports(units));
const terms = fc.record({
  escrowed: amount(0n),
  price: amount(1n),
  gpuCount: fc.integer({ min: 1, max: GPU_COUNT_MAX }),
  seconds: fc.integer({ min: 0, max: SECONDS_MAX }),
  feeBps: fc.integer({ min: 0, max: FEE_BPS_MAX }),
});

describe("billing", () => {
  it("payment + fee + refund = escrowed for any escrow, price, GPUs, seconds and fee; charge = min(rate x s, escrowed)", () => {
    fc.assert(
      fc.property(terms, ({ escrowed, price, gpuCount, seconds, feeBps }) => {
        const rate = billingRate(price, gpuCount, feeBps);
        const split = billSeconds(seconds, escrowed, rate);
        expect(split.providerPayment.baseUnits + split.platformFee.baseUnits + split.buyerRefund.baseUnits).toBe(escrowed.baseUnits);
        expect(split.providerPayment.lte(escrowed)).toBe(true);
        expect(split.platformFee.lte(split.charge)).toBe(true);
        const uncapped = rate.ratePerSecond * BigInt(seconds);
        expect(split.charge.baseUnits).toBe(uncapped < escrowed.baseUnits ? uncapped : escrowed.baseUnits);
        // Rounding as documented: the rate is price x GPUs / 3600 rounded up, the fee rate rounded down.
        const perHour = price.baseUnits * BigInt(gpuCount);
        expect(rate.ratePerSecond * 3600n >= perHour && (rate.ratePerSecond - 1n) * 3600n < perHour).toBe(true);
        expect(rate.feeRatePerSecond * 10_000n <= rate.ratePerSecond * BigInt(feeBps)).toBe(true);
        expect((rate.feeRatePerSecond + 1n) * 10_000n > rate.ratePerSecond * BigInt(feeBps)).toBe(true);
        if (uncapped < escrowed.baseUnits) expect(split.platformFee.baseUnits).toBe(rate.feeRatePerSecond * BigInt(seconds));
      }),
      { numRuns: 2000 },
    );
  });

  it("the charge of a full allocation is the match's total cost, exactly", () => {
    fc.assert(
      fc.property(
        amount(1n),
        fc.integer({ min: 1, max: GPU_COUNT_MAX }),
        fc.integer({ min: 1, max: HOURS_MAX }),
        fc.integer({ min: 0, max: FEE_BPS_MAX }),
        (price, gpuCount, hours, feeBps) => {
          const total = price.baseUnits * BigInt(gpuCount) * BigInt(hours);
          fc.pre(total <= AMOUNT_MAX_BASE_UNITS);
          const split = billSeconds(hours * SECONDS_PER_HOUR, Amount.fromLamports(total), billingRate(price, gpuCount, feeBps));
          expect(split.charge.baseUnits).toBe(total);
          expect(split.buyerRefund.isZero()).toBe(true);
        },
      ),
    );
  });

  it("splitting work never changes pay: the parts' charges, fees and payments add up to the whole's", () => {
    const escrowed = Amount.fromLamports(AMOUNT_MAX_BASE_UNITS);
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 12n }).map((u) => Amount.fromLamports(u)),
        fc.integer({ min: 1, max: GPU_COUNT_MAX }),
        fc.integer({ min: 0, max: FEE_BPS_MAX }),
        fc.array(fc.integer({ min: 0, max: 86_400 }), { minLength: 1, maxLength: 60 }),
        (price, gpuCount, feeBps, parts) => {
          const rate = billingRate(price, gpuCount, feeBps);
          const whole = billSeconds(
            parts.reduce((a, b) => a + b, 0),
            escrowed,
            rate,
          );
          const pieces = parts.map((seconds) => billSeconds(seconds, escrowed, rate));
          const sum = (pick: (s: (typeof pieces)[number]) => Amount): bigint =>
            pieces.reduce((total, piece) => total + pick(piece).baseUnits, 0n);
          expect(sum((p) => p.charge)).toBe(whole.charge.baseUnits);
          expect(sum((p) => p.platformFee)).toBe(whole.platformFee.baseUnits);
          expect(sum((p) => p.providerPayment)).toBe(whole.providerPayment.baseUnits);
        },
      ),
    );
  });

  it("60 one-second jobs pay what one 60-second job pays, at a price that is not a multiple of 3600 base units", () => {
    const rate = billingRate(Amount.parse("1"), 1, 250); // 1 MOLT per GPU-hour: 277,777.7... base units a second
    expect(rate.ratePerSecond).toBe(277_778n);
    const oneMinute = billSeconds(60, Amount.parse("1"), rate);
    const perSecond = billSeconds(1, Amount.parse("1"), rate);
    expect(perSecond.charge.mul(60).equals(oneMinute.charge)).toBe(true);
    expect(perSecond.providerPayment.mul(60).equals(oneMinute.providerPayment)).toBe(true);
    expect(perSecond.platformFee.mul(60).equals(oneMinute.platformFee)).toBe(true);
    expect(oneMinute.charge.toString()).toBe("0.01666668");
  });

  it("a charge over the escrow is refused, not wrapped", () => {
    const rate = billingRate(Amount.parse("1"), 1, 0);
    expect(() => splitCharge(Amount.parse("2"), Amount.parse("1"), rate)).toThrow(/underflow/);
  });

  it("rejects bad rate inputs with codes", () => {
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return isMarketError(e) ? e.code : "other";
      }
      return undefined;
    };
    expect(code(() => billingRate(Amount.zero(), 1, 0))).toBe("INVALID_FIELD");
    expect(code(() => billingRate(Amount.parse("1"), 0, 0))).toBe("OUT_OF_RANGE");
    expect(code(() => billingRate(Amount.parse("1"), 1, 10_001))).toBe("OUT_OF_RANGE");
    expect(code(() => billingRate(Amount.parse("1"), 1, 2.5))).toBe("OUT_OF_RANGE");
  });
});

describe("hoursToSeconds", () => {
  it("reads decimal hours exactly", () => {
    expect(hoursToSeconds(23.5)).toBe(84_600);
    expect(hoursToSeconds("23.5")).toBe(84_600);
    expect(hoursToSeconds(0.1)).toBe(360);
    expect(hoursToSeconds(0)).toBe(0);
    expect(hoursToSeconds("0.000138888")).toBe(0); // 0.4999968 s rounds down
    expect(hoursToSeconds("0.000138889")).toBe(1); // 0.5000004 s rounds up
    expect(hoursToSeconds("0.0001388888888888888888")).toBe(0); // just under half a second
    expect(hoursToSeconds(1e-7)).toBe(0);
    expect(hoursToSeconds("2.5e1")).toBe(90_000);
    expect(hoursToSeconds(HOURS_MAX)).toBe(SECONDS_MAX);
  });

  it("n / 3600 in floating point reads back as n seconds, for every n it may be", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: SECONDS_MAX }), (n) => hoursToSeconds(n / 3600) === n),
      { numRuns: 5000 },
    );
  });

  it("refuses what is not a non-negative decimal within HOURS_MAX", () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, HOURS_MAX + 1, "abc", "-1", "1.5.2", "", " 1", "0x10", "9".repeat(41)]) {
      expect(() => hoursToSeconds(bad), String(bad)).toThrow(/actualHours/);
    }
  });
});
