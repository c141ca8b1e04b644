// Amount: parsing, printing, range checks, checked and throwing arithmetic, comparisons.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AMOUNT_MAX_BASE_UNITS, AMOUNT_STRING_LENGTH_MAX, Amount, BASE_UNITS_PER_MOLT } from "../../src/core/amount.js";
import { expectMarketError } from "../support/expect-error.js";

const MAX = AMOUNT_MAX_BASE_UNITS;
const anyBaseUnits = fc.bigInt({ min: 0n, max: MAX });
/** Amounts biased to the top of the range, so sums and products overflow often. */
const anyAmountBaseUnits = fc.oneof(anyBaseUnits, fc.bigInt({ min: MAX / 2n - 1000n, max: MAX }), fc.bigInt({ min: 0n, max: 1000n }));

describe("Amount.parse", () => {
  it.each<[string, bigint]>([
    ["12.5", 12_500_000_000n],
    ["0", 0n],
    ["0.000000001", 1n],
    ["18446744073.709551615", MAX],
    ["1", BASE_UNITS_PER_MOLT],
    ["007.100", 7_100_000_000n],
    ["0.0", 0n],
    ["1.123456789", 1_123_456_789n],
  ])("parses %j to %s base units", (input, baseUnits) => {
    expect(Amount.parse(input).baseUnits).toBe(baseUnits);
  });

  it("the maximum is 2^64 - 1 base units", () => {
    expect(MAX).toBe(18_446_744_073_709_551_615n);
    expect(Amount.parse("18446744073.709551615").toString()).toBe("18446744073.709551615");
  });

  it.each([
    "",
    "-1",
    "+1",
    "1e3",
    "1.",
    ".5",
    "1.0000000001",
    "0.0000000000",
    " 1",
    "1 ",
    "1,5",
    "0x10",
    "1_000",
    "Infinity",
    "NaN",
    "١",
    "1".padEnd(AMOUNT_STRING_LENGTH_MAX + 1, "0"),
  ])("rejects %j with INVALID_AMOUNT", (input) => {
    const e = expectMarketError(() => Amount.parse(input), "INVALID_AMOUNT");
    expect(e.details.reason.length).toBeGreaterThan(0);
    expect(e.httpStatus).toBe(400);
  });

  it.each(["18446744073.709551616", "18446744074", "99999999999999999999"])("rejects %j with AMOUNT_OVERFLOW", (input) => {
    const e = expectMarketError(() => Amount.parse(input), "AMOUNT_OVERFLOW");
    expect(e.details.limit).toBe(MAX.toString());
  });

  it.each<[string, unknown]>([
    ["a number", 12.5],
    ["a bigint", 5n],
    ["null", null],
    ["undefined", undefined],
    ["an object", { baseUnits: 1n }],
  ])("rejects non-string input (%s) with INVALID_AMOUNT", (_name, input) => {
    expectMarketError(() => Amount.parse(input as string), "INVALID_AMOUNT");
  });
});

describe("Amount.toString", () => {
  it.each<[bigint, string]>([
    [0n, "0"],
    [1n, "0.000000001"],
    [10n, "0.00000001"],
    [BASE_UNITS_PER_MOLT, "1"],
    [12_500_000_000n, "12.5"],
    [1_000_000_001n, "1.000000001"],
    [MAX, "18446744073.709551615"],
  ])("prints %s base units as %j", (baseUnits, text) => {
    expect(Amount.fromLamports(baseUnits).toString()).toBe(text);
  });

  it("round-trips every base-unit value through parse (property)", () => {
    fc.assert(
      fc.property(anyBaseUnits, (x) => {
        expect(Amount.parse(Amount.fromLamports(x).toString()).baseUnits).toBe(x);
      }),
      { numRuns: 2000 },
    );
  });

  it("prints a canonical form: no leading zeros, no trailing fractional zeros (property)", () => {
    fc.assert(
      fc.property(anyBaseUnits, (x) => {
        expect(Amount.fromLamports(x).toString()).toMatch(/^(?:0|[1-9]\d*)(?:\.\d{0,8}[1-9])?$/);
      }),
    );
  });

  it("toJSON gives the decimal string", () => {
    expect(JSON.stringify({ a: Amount.parse("1.5") })).toBe('{"a":"1.5"}');
    expect(Amount.parse("0.000000001").toJSON()).toBe("0.000000001");
    expect(JSON.stringify([Amount.zero(), Amount.fromLamports(MAX)])).toBe('["0","18446744073.709551615"]');
  });
});

describe("Amount.fromMolt / fromLamports", () => {
  it("fromMolt scales whole MOLT to base units", () => {
    expect(Amount.fromMolt(3).baseUnits).toBe(3_000_000_000n);
    expect(Amount.fromMolt(3n).baseUnits).toBe(3_000_000_000n);
    expect(Amount.fromMolt(0).isZero()).toBe(true);
    expect(Amount.fromMolt(18_446_744_073n).baseUnits).toBe(18_446_744_073_000_000_000n);
  });

  it("fromLamports and fromBaseUnits take base units unchanged", () => {
    expect(Amount.fromLamports(7).baseUnits).toBe(7n);
    expect(Amount.fromLamports(MAX).baseUnits).toBe(MAX);
    expect(Amount.fromLamports(Number.MAX_SAFE_INTEGER).baseUnits).toBe(BigInt(Number.MAX_SAFE_INTEGER));
    expect(Amount.fromBaseUnits(42n).baseUnits).toBe(42n);
  });

  it.each<[string, () => Amount]>([
    ["fromMolt(-1)", () => Amount.fromMolt(-1)],
    ["fromMolt(-1n)", () => Amount.fromMolt(-1n)],
    ["fromLamports(-1)", () => Amount.fromLamports(-1)],
    ["fromLamports(-1n)", () => Amount.fromLamports(-1n)],
    ["fromBaseUnits(-5n)", () => Amount.fromBaseUnits(-5n)],
  ])("%s -> AMOUNT_UNDERFLOW", (_name, make) => {
    expectMarketError(make, "AMOUNT_UNDERFLOW");
  });

  it.each<[string, () => Amount]>([
    ["fromMolt(18446744074)", () => Amount.fromMolt(18_446_744_074)],
    ["fromMolt(2^64 n)", () => Amount.fromMolt(1n << 64n)],
    ["fromLamports(max + 1)", () => Amount.fromLamports(MAX + 1n)],
  ])("%s -> AMOUNT_OVERFLOW", (_name, make) => {
    expectMarketError(make, "AMOUNT_OVERFLOW");
  });

  it.each<[string, () => Amount]>([
    ["fromMolt(1.5)", () => Amount.fromMolt(1.5)],
    ["fromMolt(NaN)", () => Amount.fromMolt(Number.NaN)],
    ["fromMolt(Infinity)", () => Amount.fromMolt(Number.POSITIVE_INFINITY)],
    ["fromMolt(2^53)", () => Amount.fromMolt(2 ** 53)],
    ["fromLamports(0.5)", () => Amount.fromLamports(0.5)],
    ["fromLamports(-0.5)", () => Amount.fromLamports(-0.5)],
  ])("%s -> INVALID_AMOUNT", (_name, make) => {
    expectMarketError(make, "INVALID_AMOUNT");
  });

  it("from() accepts an Amount (same instance) or a string; isAmount recognises instances", () => {
    const a = Amount.parse("2");
    expect(Amount.from(a)).toBe(a);
    expect(Amount.from("2.25").baseUnits).toBe(2_250_000_000n);
    expectMarketError(() => Amount.from("two"), "INVALID_AMOUNT");
    expect(Amount.isAmount(a)).toBe(true);
    expect(Amount.isAmount("2")).toBe(false);
    expect(Amount.isAmount({ baseUnits: 2n })).toBe(false);
  });
});

describe("Amount arithmetic", () => {
  const one = Amount.fromLamports(1n);
  const max = Amount.fromLamports(MAX);

  it("add/sub/mul compute exactly", () => {
    expect(Amount.parse("12.5").add(Amount.fromMolt(1)).toString()).toBe("13.5");
    expect(Amount.parse("0.1").add(Amount.parse("0.2")).toString()).toBe("0.3");
    expect(Amount.parse("1").sub(Amount.parse("0.000000001")).toString()).toBe("0.999999999");
    expect(Amount.parse("2.5").mul(3).toString()).toBe("7.5");
    expect(Amount.parse("2.5").mul(3n).toString()).toBe("7.5");
    expect(Amount.parse("2.5").mul(0).isZero()).toBe(true);
    expect(max.sub(max).isZero()).toBe(true);
    expect(max.sub(one).add(one).equals(max)).toBe(true);
  });

  it("operations leave their operands unchanged", () => {
    const a = Amount.parse("5");
    const b = Amount.parse("3");
    a.add(b);
    a.sub(b);
    a.mul(4);
    expect(a.toString()).toBe("5");
    expect(b.toString()).toBe("3");
  });

  it("add throws AMOUNT_OVERFLOW past the maximum", () => {
    const e = expectMarketError(() => max.add(one), "AMOUNT_OVERFLOW");
    expect(e.details.operation).toBe("add");
  });

  it("sub throws AMOUNT_UNDERFLOW below zero", () => {
    const e = expectMarketError(() => Amount.zero().sub(one), "AMOUNT_UNDERFLOW");
    expect(e.details.operation).toBe("sub");
    expectMarketError(() => Amount.parse("1").sub(Amount.parse("1.000000001")), "AMOUNT_UNDERFLOW");
  });

  it("mul throws AMOUNT_OVERFLOW, AMOUNT_UNDERFLOW (negative factor) and INVALID_AMOUNT (non-integer)", () => {
    expectMarketError(() => max.mul(2), "AMOUNT_OVERFLOW");
    expectMarketError(() => Amount.fromLamports(1n << 63n).mul(2n), "AMOUNT_OVERFLOW");
    expectMarketError(() => one.mul(-1), "AMOUNT_UNDERFLOW");
    expectMarketError(() => one.mul(1.5), "INVALID_AMOUNT");
    expect(Amount.fromLamports((1n << 63n) - 1n).mul(2).baseUnits).toBe(MAX - 1n);
  });

  it("checkedAdd/checkedSub/checkedMul return undefined instead of throwing", () => {
    expect(max.checkedAdd(one)).toBeUndefined();
    expect(max.checkedAdd(Amount.zero())?.equals(max)).toBe(true);
    expect(Amount.zero().checkedSub(one)).toBeUndefined();
    expect(one.checkedSub(one)?.isZero()).toBe(true);
    expect(max.checkedMul(2)).toBeUndefined();
    expect(one.checkedMul(-1)).toBeUndefined();
    expect(one.checkedMul(-1n)).toBeUndefined();
    expect(Amount.parse("2.5").checkedMul(4)?.toString()).toBe("10");
    // A non-integer factor is a caller error, not an out-of-range result.
    expectMarketError(() => one.checkedMul(0.5), "INVALID_AMOUNT");
  });

  it("checkedAdd is undefined iff a + b > max, else equals a + b; add throws exactly then (property)", () => {
    fc.assert(
      fc.property(anyAmountBaseUnits, anyAmountBaseUnits, (x, y) => {
        const a = Amount.fromLamports(x);
        const b = Amount.fromLamports(y);
        const sum = a.checkedAdd(b);
        if (x + y > MAX) {
          expect(sum).toBeUndefined();
          expectMarketError(() => a.add(b), "AMOUNT_OVERFLOW");
        } else {
          expect(sum?.baseUnits).toBe(x + y);
          expect(a.add(b).baseUnits).toBe(x + y);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("checkedSub is undefined iff b > a, else equals a - b; sub throws exactly then (property)", () => {
    fc.assert(
      fc.property(anyAmountBaseUnits, anyAmountBaseUnits, (x, y) => {
        const a = Amount.fromLamports(x);
        const b = Amount.fromLamports(y);
        if (y > x) {
          expect(a.checkedSub(b)).toBeUndefined();
          expectMarketError(() => a.sub(b), "AMOUNT_UNDERFLOW");
        } else {
          expect(a.checkedSub(b)?.baseUnits).toBe(x - y);
          expect(a.sub(b).baseUnits).toBe(x - y);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("checkedMul is undefined iff a * k > max, else equals a * k (property)", () => {
    fc.assert(
      fc.property(anyAmountBaseUnits, fc.bigInt({ min: 0n, max: 1n << 40n }), (x, k) => {
        const a = Amount.fromLamports(x);
        const product = a.checkedMul(k);
        if (x * k > MAX) {
          expect(product).toBeUndefined();
          expectMarketError(() => a.mul(k), "AMOUNT_OVERFLOW");
        } else {
          expect(product?.baseUnits).toBe(x * k);
          expect(a.mul(k).baseUnits).toBe(x * k);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe("Amount comparisons", () => {
  it("compare/lt/lte/gt/gte/equals on fixed values", () => {
    const small = Amount.parse("1.5");
    const big = Amount.parse("1.500000001");
    const same = Amount.fromLamports(1_500_000_000n);
    expect(small.compare(big)).toBe(-1);
    expect(big.compare(small)).toBe(1);
    expect(small.compare(same)).toBe(0);
    expect(small.lt(big)).toBe(true);
    expect(big.lt(small)).toBe(false);
    expect(small.lt(same)).toBe(false);
    expect(small.lte(same)).toBe(true);
    expect(big.lte(small)).toBe(false);
    expect(big.gt(small)).toBe(true);
    expect(small.gt(same)).toBe(false);
    expect(small.gte(same)).toBe(true);
    expect(small.gte(big)).toBe(false);
    expect(small.equals(same)).toBe(true);
    expect(small.equals(big)).toBe(false);
    expect(Amount.min(small, big)).toBe(small);
    expect(Amount.min(big, small)).toBe(small);
    expect(Amount.max(small, big)).toBe(big);
    expect(Amount.max(big, small)).toBe(big);
  });

  it("agree with bigint ordering of base units (property)", () => {
    fc.assert(
      fc.property(anyAmountBaseUnits, anyAmountBaseUnits, (x, y) => {
        const a = Amount.fromLamports(x);
        const b = Amount.fromLamports(y);
        expect(a.compare(b)).toBe(x < y ? -1 : x > y ? 1 : 0);
        expect(a.lt(b)).toBe(x < y);
        expect(a.lte(b)).toBe(x <= y);
        expect(a.gt(b)).toBe(x > y);
        expect(a.gte(b)).toBe(x >= y);
        expect(a.equals(b)).toBe(x === y);
        expect(Amount.min(a, b).baseUnits).toBe(x < y ? x : y);
        expect(Amount.max(a, b).baseUnits).toBe(x > y ? x : y);
      }),
    );
  });
});

describe("Amount conversions", () => {
  it("asMolt rounds down to whole MOLT", () => {
    expect(Amount.parse("2.999999999").asMolt()).toBe(2n);
    expect(Amount.parse("3").asMolt()).toBe(3n);
    expect(Amount.parse("0.5").asMolt()).toBe(0n);
    expect(Amount.fromLamports(MAX).asMolt()).toBe(18_446_744_073n);
  });

  it("asLamports gives base units", () => {
    expect(Amount.parse("1.000000002").asLamports()).toBe(1_000_000_002n);
    expect(Amount.zero().asLamports()).toBe(0n);
  });

  it("asF64 gives an approximate float for display", () => {
    expect(Amount.parse("12.5").asF64()).toBe(12.5);
    expect(Amount.parse("0.000000001").asF64()).toBeCloseTo(1e-9, 15);
    expect(Amount.fromLamports(MAX).asF64()).toBeCloseTo(18_446_744_073.709_55, 1);
    expect(Amount.zero().asF64()).toBe(0);
  });

  it("zero / isZero", () => {
    expect(Amount.zero().baseUnits).toBe(0n);
    expect(Amount.zero().isZero()).toBe(true);
    expect(Amount.zero().toString()).toBe("0");
    expect(Amount.parse("0.000000").isZero()).toBe(true);
    expect(Amount.parse("0.000000001").isZero()).toBe(false);
    expect(Amount.fromMolt(1).isZero()).toBe(false);
  });

  // Documented as "An exact, immutable MOLT amount", but instances are not frozen, so plain JS (or a
  // cast) can rewrite baseUnits, including on the shared Amount.zero() singleton.
  it("instances are frozen at runtime (immutability is not only a TypeScript readonly)", () => {
    expect(Object.isFrozen(Amount.parse("1"))).toBe(true);
    expect(Object.isFrozen(Amount.zero())).toBe(true);
  });
});
