// Field checks shared by the offer and order factories: each returns the normalized value or throws
// a MarketError naming the field and what is allowed. Pure, no I/O.
import { Amount } from "./amount.js";
import { MarketError, assertIntInRange, describeValue, isMarketError } from "./errors.js";
import { FEATURES, isFeature, parseFeature } from "./enums.js";
import type { Feature } from "./enums.js";
import { PARTY_ID_LENGTH_MAX } from "./limits.js";

/** Marks objects built by a factory, so the book can skip a second validation of frozen input. */
const VALIDATED: unique symbol = Symbol("molt-market.validated");

/** The kinds of validated objects; a mark of one kind never passes for another. */
export type ValidatedKind = "offer" | "order" | "requirements";

/** Sets the validated mark of `kind` (non-enumerable) and freezes. */
export function markValidated<T extends object>(value: T, kind: ValidatedKind): T {
  Object.defineProperty(value, VALIDATED, { value: kind, enumerable: false });
  return Object.freeze(value);
}

/** Was `value` built and frozen by the factory of `kind`. */
export function isValidated(value: object, kind: ValidatedKind): boolean {
  return Object.isFrozen(value) && (value as { [VALIDATED]?: ValidatedKind })[VALIDATED] === kind;
}

const DATE_SETTERS = [
  "setTime",
  "setMilliseconds",
  "setUTCMilliseconds",
  "setSeconds",
  "setUTCSeconds",
  "setMinutes",
  "setUTCMinutes",
  "setHours",
  "setUTCHours",
  "setDate",
  "setUTCDate",
  "setMonth",
  "setUTCMonth",
  "setFullYear",
  "setUTCFullYear",
  "setYear",
] as const;

/** A Date whose setters throw: Object.freeze does not protect a Date's time, this does. */
export class ImmutableDate extends Date {}
for (const setter of DATE_SETTERS) {
  Object.defineProperty(ImmutableDate.prototype, setter, {
    value(): never {
      throw new TypeError(`molt-market timestamps are immutable; ${setter} is not allowed`);
    },
  });
}

/** An object's fields, or INVALID_FIELD when it is not an object. @throws INVALID_FIELD */
export function asRecord(value: unknown, field: string, allowed: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new MarketError("INVALID_FIELD", { field, value: describeValue(value), allowed });
  }
  return value as Record<string, unknown>;
}

/** A provider or buyer identifier: 1..128 characters, no control characters, no outer spaces. @throws INVALID_FIELD */
export function parsePartyId(value: unknown, field: string): string {
  if (
    typeof value !== "string" ||
    value.length === 0 ||
    value.length > PARTY_ID_LENGTH_MAX ||
    value.trim() !== value ||
    /[\p{Cc}]/u.test(value)
  ) {
    throw new MarketError("INVALID_FIELD", {
      field,
      value: describeValue(value),
      allowed: `1..${PARTY_ID_LENGTH_MAX} printable characters without leading or trailing spaces`,
    });
  }
  return value;
}

/** An integer in min..max. @throws OUT_OF_RANGE */
export function parseInt(value: unknown, field: string, min: number, max: number): number {
  assertIntInRange(field, value, min, max);
  return value;
}

/** A positive amount, from an Amount or a decimal string. @throws INVALID_FIELD, INVALID_AMOUNT, AMOUNT_OVERFLOW */
export function parsePositiveAmount(value: unknown, field: string): Amount {
  let amount: Amount;
  if (value instanceof Amount) amount = value;
  else if (typeof value === "string") {
    try {
      amount = Amount.parse(value);
    } catch (e) {
      if (isMarketError(e, "INVALID_AMOUNT")) throw new MarketError("INVALID_AMOUNT", { ...e.details, field });
      throw e;
    }
  } else
    throw new MarketError("INVALID_FIELD", {
      field,
      value: describeValue(value),
      allowed: 'an Amount or a decimal MOLT string like "12.5"',
    });
  if (amount.isZero()) throw new MarketError("INVALID_FIELD", { field, value: "0", allowed: "an amount greater than 0" });
  return amount;
}

/** A valid date, from a Date, an ISO string or epoch milliseconds; returned as a new ImmutableDate. @throws INVALID_FIELD */
export function parseDate(value: unknown, field: string): Date {
  const date =
    value instanceof Date
      ? new ImmutableDate(value.getTime())
      : typeof value === "string" || typeof value === "number"
        ? new ImmutableDate(value)
        : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw new MarketError("INVALID_FIELD", {
      field,
      value: describeValue(value),
      allowed: "a Date, an ISO 8601 string or epoch milliseconds",
    });
  }
  return date;
}

/** A feature list: known names (case-insensitive), duplicates dropped, in FEATURES order. @throws INVALID_FIELD */
export function parseFeatures(value: unknown, field: string): Feature[] {
  if (!Array.isArray(value) || value.length > FEATURES.length * 2) {
    throw new MarketError("INVALID_FIELD", {
      field,
      value: describeValue(value),
      allowed: `a list of features from ${FEATURES.join(", ")}`,
    });
  }
  const seen = new Set<Feature>();
  for (const [i, item] of (value as unknown[]).entries()) {
    if (isFeature(item)) seen.add(item);
    else if (typeof item === "string") seen.add(parseFeature(item, `${field}[${i}]`));
    else throw new MarketError("INVALID_FIELD", { field: `${field}[${i}]`, value: describeValue(item), allowed: FEATURES.join(", ") });
  }
  return FEATURES.filter((f) => seen.has(f));
}

/** Throws unless expiresAt is after createdAt and within ttlMaxMs of it. @throws INVALID_FIELD */
export function checkExpiry(createdAt: Date, expiresAt: Date, ttlMaxMs: number, field: string): void {
  const ttl = expiresAt.getTime() - createdAt.getTime();
  if (ttl <= 0 || ttl > ttlMaxMs) {
    throw new MarketError("INVALID_FIELD", {
      field,
      value: expiresAt.toISOString(),
      allowed: `a time after createdAt (${createdAt.toISOString()}) and at most ${ttlMaxMs / 86_400_000} days later`,
    });
  }
}
