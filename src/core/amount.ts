// Amount: a MOLT quantity as bigint base units (1 MOLT = 10^9), range 0..2^64-1 like an SPL u64.
// Pure, no I/O; no float ever decides an amount (asF64 is for display only).
import { MarketError, describeValue } from "./errors.js";

/** Base units in one MOLT (the token has 9 decimals). */
export const MOLT_DECIMALS = 9;
/** 10^9 base units. */
export const BASE_UNITS_PER_MOLT = 1_000_000_000n;
/** Largest amount: the SPL Token u64 maximum, 2^64 - 1 base units. */
export const AMOUNT_MAX_BASE_UNITS = (1n << 64n) - 1n;
/** Longest decimal string `Amount.parse` reads (20 digits, a point, 9 decimals and slack). */
export const AMOUNT_STRING_LENGTH_MAX = 40;

const DECIMAL_PATTERN = /^(\d+)(?:\.(\d+))?$/;

function checkRange(value: bigint, operation: string): bigint {
  if (value < 0n) throw new MarketError("AMOUNT_UNDERFLOW", { operation });
  if (value > AMOUNT_MAX_BASE_UNITS) {
    throw new MarketError("AMOUNT_OVERFLOW", { operation, limit: AMOUNT_MAX_BASE_UNITS.toString() });
  }
  return value;
}

function toBigInt(value: bigint | number, operation: string): bigint {
  if (typeof value === "bigint") return value;
  if (!Number.isSafeInteger(value)) {
    throw new MarketError("INVALID_AMOUNT", { input: describeValue(value), reason: `${operation} takes an integer` });
  }
  return BigInt(value);
}

/**
 * An exact, immutable MOLT amount in base units.
 * Invariant: 0 <= baseUnits <= 2^64 - 1.
 * @example Amount.parse("12.5").add(Amount.fromMolt(1)).toString() // "13.5"
 */
export class Amount {
  /** Base units (10^-9 MOLT). */
  readonly baseUnits: bigint;

  private constructor(baseUnits: bigint) {
    this.baseUnits = baseUnits;
    Object.freeze(this);
  }

  /** The zero amount. */
  static zero(): Amount {
    return ZERO;
  }

  /** Whole MOLT. @throws INVALID_AMOUNT (not an integer), AMOUNT_OVERFLOW, AMOUNT_UNDERFLOW */
  static fromMolt(molt: bigint | number): Amount {
    return new Amount(checkRange(toBigInt(molt, "fromMolt") * BASE_UNITS_PER_MOLT, "fromMolt"));
  }

  /** Base units ("lamports" of the MOLT mint). @throws INVALID_AMOUNT, AMOUNT_OVERFLOW, AMOUNT_UNDERFLOW */
  static fromLamports(baseUnits: bigint | number): Amount {
    return new Amount(checkRange(toBigInt(baseUnits, "fromLamports"), "fromLamports"));
  }

  /** Alias of fromLamports, named for what it takes. */
  static fromBaseUnits(baseUnits: bigint | number): Amount {
    return Amount.fromLamports(baseUnits);
  }

  /**
   * Parses a decimal MOLT string: digits, optionally a point and 1..9 decimals ("12.5", "0.000000001").
   * @throws INVALID_AMOUNT (malformed, sign, exponent, > 9 decimals), AMOUNT_OVERFLOW
   */
  static parse(input: string): Amount {
    if (typeof input !== "string") {
      throw new MarketError("INVALID_AMOUNT", { input: describeValue(input), reason: "expected a decimal string" });
    }
    if (input.length === 0 || input.length > AMOUNT_STRING_LENGTH_MAX) {
      throw new MarketError("INVALID_AMOUNT", {
        input: input.slice(0, AMOUNT_STRING_LENGTH_MAX),
        reason: `length must be 1..${AMOUNT_STRING_LENGTH_MAX}`,
      });
    }
    const parts = DECIMAL_PATTERN.exec(input);
    if (parts === null) {
      throw new MarketError("INVALID_AMOUNT", { input, reason: "not a plain non-negative decimal" });
    }
    const whole = parts[1] ?? "0";
    const fraction = parts[2] ?? "";
    if (fraction.length > MOLT_DECIMALS) {
      throw new MarketError("INVALID_AMOUNT", { input, reason: `more than ${MOLT_DECIMALS} decimals` });
    }
    const baseUnits = BigInt(whole) * BASE_UNITS_PER_MOLT + BigInt(fraction.padEnd(MOLT_DECIMALS, "0"));
    return new Amount(checkRange(baseUnits, "parse"));
  }

  /** Accepts an Amount, or a decimal string as `parse` does. @throws INVALID_AMOUNT, AMOUNT_OVERFLOW */
  static from(value: Amount | string): Amount {
    if (value instanceof Amount) return value;
    return Amount.parse(value);
  }

  /** Is `value` an Amount instance. */
  static isAmount(value: unknown): value is Amount {
    return value instanceof Amount;
  }

  /** Decimal MOLT string without trailing zeros ("12.5", "0", "0.000000001"). */
  toString(): string {
    const whole = this.baseUnits / BASE_UNITS_PER_MOLT;
    const fraction = this.baseUnits % BASE_UNITS_PER_MOLT;
    if (fraction === 0n) return whole.toString();
    return `${whole}.${fraction.toString().padStart(MOLT_DECIMALS, "0").replace(/0+$/, "")}`;
  }

  /** JSON wire form: the decimal string. */
  toJSON(): string {
    return this.toString();
  }

  /** Whole MOLT, rounded down. */
  asMolt(): bigint {
    return this.baseUnits / BASE_UNITS_PER_MOLT;
  }

  /** Base units. */
  asLamports(): bigint {
    return this.baseUnits;
  }

  /** MOLT as a float, for display only: never decide an amount with it. */
  asF64(): number {
    return Number(this.baseUnits) / 1e9;
  }

  /** Is this zero. */
  isZero(): boolean {
    return this.baseUnits === 0n;
  }

  /** Sum. @throws AMOUNT_OVERFLOW */
  add(other: Amount): Amount {
    return new Amount(checkRange(this.baseUnits + other.baseUnits, "add"));
  }

  /** Difference. @throws AMOUNT_UNDERFLOW when other > this */
  sub(other: Amount): Amount {
    return new Amount(checkRange(this.baseUnits - other.baseUnits, "sub"));
  }

  /** Product with a non-negative integer. @throws INVALID_AMOUNT (not an integer), AMOUNT_OVERFLOW, AMOUNT_UNDERFLOW */
  mul(factor: bigint | number): Amount {
    return new Amount(checkRange(this.baseUnits * toBigInt(factor, "mul"), "mul"));
  }

  /** Sum, or undefined when out of range. */
  checkedAdd(other: Amount): Amount | undefined {
    const sum = this.baseUnits + other.baseUnits;
    return sum > AMOUNT_MAX_BASE_UNITS ? undefined : new Amount(sum);
  }

  /** Difference, or undefined when it would be negative. */
  checkedSub(other: Amount): Amount | undefined {
    const difference = this.baseUnits - other.baseUnits;
    return difference < 0n ? undefined : new Amount(difference);
  }

  /** Product with a non-negative integer, or undefined when out of range. @throws INVALID_AMOUNT (not an integer) */
  checkedMul(factor: bigint | number): Amount | undefined {
    const product = this.baseUnits * toBigInt(factor, "checkedMul");
    return product < 0n || product > AMOUNT_MAX_BASE_UNITS ? undefined : new Amount(product);
  }

  /** -1, 0 or 1 as this is less than, equal to or greater than other. */
  compare(other: Amount): -1 | 0 | 1 {
    return this.baseUnits < other.baseUnits ? -1 : this.baseUnits > other.baseUnits ? 1 : 0;
  }

  /** Equal in base units. */
  equals(other: Amount): boolean {
    return this.baseUnits === other.baseUnits;
  }

  /** this < other. */
  lt(other: Amount): boolean {
    return this.baseUnits < other.baseUnits;
  }

  /** this <= other. */
  lte(other: Amount): boolean {
    return this.baseUnits <= other.baseUnits;
  }

  /** this > other. */
  gt(other: Amount): boolean {
    return this.baseUnits > other.baseUnits;
  }

  /** this >= other. */
  gte(other: Amount): boolean {
    return this.baseUnits >= other.baseUnits;
  }

  /** The smaller of two amounts. */
  static min(a: Amount, b: Amount): Amount {
    return a.baseUnits <= b.baseUnits ? a : b;
  }

  /** The larger of two amounts. */
  static max(a: Amount, b: Amount): Amount {
    return a.baseUnits >= b.baseUnits ? a : b;
  }
}

const ZERO = Amount.fromLamports(0n);
