// Opaque, time-sortable ids: a type prefix and a monotonic ULID ("ofr_01JD3..."), branded per kind.
// Pure apart from reading randomness; the time comes from the caller's clock.
import { randomFillSync } from "node:crypto";
import { MarketError } from "./errors.js";

declare const brand: unique symbol;
/** A string branded with the kind of object it names. */
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** Id of a CapacityOffer. */
export type OfferId = Brand<string, "OfferId">;
/** Id of a JobOrder. */
export type OrderId = Brand<string, "OrderId">;
/** Id of an escrow. */
export type EscrowId = Brand<string, "EscrowId">;
/** Id of a dispute. */
export type DisputeId = Brand<string, "DisputeId">;

/** The prefix of each id kind. */
export const ID_PREFIXES = { offer: "ofr_", order: "ord_", escrow: "esc_", dispute: "dsp_" } as const;
type IdKind = keyof typeof ID_PREFIXES;

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const TIME_LENGTH = 10;
const RANDOM_LENGTH = 16;
const ULID_TIME_MAX_MS = 2 ** 48 - 1;
const ULID_PATTERN = "[0-7][0-9A-HJKMNP-TV-Z]{25}";
const ANY_ID_PATTERN = new RegExp(`^(?:[a-z]{3}_)?${ULID_PATTERN}$`);
const PATTERNS: { readonly [K in IdKind]: RegExp } = {
  offer: new RegExp(`^${ID_PREFIXES.offer}${ULID_PATTERN}$`),
  order: new RegExp(`^${ID_PREFIXES.order}${ULID_PATTERN}$`),
  escrow: new RegExp(`^${ID_PREFIXES.escrow}${ULID_PATTERN}$`),
  dispute: new RegExp(`^${ID_PREFIXES.dispute}${ULID_PATTERN}$`),
};

const randomPool = new Uint8Array(4096);
let randomPoolOffset = randomPool.length;
let lastTimeMs = -1;
const lastRandom = new Uint8Array(RANDOM_LENGTH); // 5-bit digits
const CROCKFORD_CODES = Array.from(CROCKFORD, (c) => c.charCodeAt(0));
/** The character codes of the ULID being written (reused by every call). */
const ulidCodes: number[] = new Array<number>(TIME_LENGTH + RANDOM_LENGTH).fill(0);

function nextRandomByte(): number {
  if (randomPoolOffset >= randomPool.length) {
    randomFillSync(randomPool);
    randomPoolOffset = 0;
  }
  return randomPool[randomPoolOffset++] ?? 0;
}

/**
 * A new ULID for `timeMs`: ids made later, or in the same millisecond, sort after earlier ones.
 * Invariant: within one process, successive calls with non-decreasing times give increasing ids.
 */
export function newUlid(timeMs: number): string {
  let time = Math.max(0, Math.min(ULID_TIME_MAX_MS, Math.floor(timeMs)));
  if (time <= lastTimeMs) {
    time = lastTimeMs;
    let digit = RANDOM_LENGTH - 1;
    while (digit >= 0 && lastRandom[digit] === 31) {
      lastRandom[digit] = 0;
      digit--;
    }
    if (digit < 0) {
      // 80 bits of random space used up in one millisecond: move to the next millisecond.
      time = lastTimeMs + 1;
      for (let i = 0; i < RANDOM_LENGTH; i++) lastRandom[i] = nextRandomByte() & 31;
    } else {
      lastRandom[digit] = (lastRandom[digit] ?? 0) + 1;
    }
  } else {
    for (let i = 0; i < RANDOM_LENGTH; i++) lastRandom[i] = nextRandomByte() & 31;
  }
  lastTimeMs = time;
  // One flat string from character codes: appending 26 one-character strings made a rope that
  // every later hash or comparison of the id flattened again.
  for (let i = TIME_LENGTH - 1; i >= 0; i--) {
    ulidCodes[TIME_LENGTH - 1 - i] = CROCKFORD_CODES[Math.floor(time / 32 ** i) % 32] ?? 0;
  }
  for (let i = 0; i < RANDOM_LENGTH; i++) ulidCodes[TIME_LENGTH + i] = CROCKFORD_CODES[lastRandom[i] ?? 0] ?? 0;
  return String.fromCharCode.apply(null, ulidCodes);
}

/** Milliseconds since the epoch encoded in an id of any kind. @throws INVALID_ID */
export function idTimestampMs(id: string): number {
  const ulid = id.slice(id.indexOf("_") + 1);
  if (!ANY_ID_PATTERN.test(id)) {
    throw new MarketError("INVALID_ID", { kind: "any", value: id.slice(0, 64), expected: "a prefixed 26-character ULID" });
  }
  let time = 0;
  for (let i = 0; i < TIME_LENGTH; i++) time = time * 32 + CROCKFORD.indexOf(ulid.charAt(i));
  return time;
}

function makeIdKind<T extends string>(kind: IdKind) {
  const pattern = PATTERNS[kind];
  const expected = `"${ID_PREFIXES[kind]}" followed by a 26-character ULID`;
  return {
    create: (timeMs: number): T => `${ID_PREFIXES[kind]}${newUlid(timeMs)}` as T,
    is: (value: unknown): value is T => typeof value === "string" && pattern.test(value),
    assert(this: void, value: unknown): asserts value is T {
      if (typeof value !== "string" || !pattern.test(value)) {
        throw new MarketError("INVALID_ID", { kind, value: typeof value === "string" ? value.slice(0, 64) : typeof value, expected });
      }
    },
  };
}

const offerIds = makeIdKind<OfferId>("offer");
const orderIds = makeIdKind<OrderId>("order");
const escrowIds = makeIdKind<EscrowId>("escrow");
const disputeIds = makeIdKind<DisputeId>("dispute");

/** A new OfferId stamped with `timeMs`. */
export const newOfferId: (timeMs: number) => OfferId = offerIds.create;
/** Is `value` an OfferId. */
export const isOfferId: (value: unknown) => value is OfferId = offerIds.is;
/** Throws INVALID_ID unless `value` is an OfferId. @throws INVALID_ID */
export const assertIsOfferId: (value: unknown) => asserts value is OfferId = offerIds.assert;
/** Checks and converts a string to an OfferId. @throws INVALID_ID */
export function offerId(value: string): OfferId {
  assertIsOfferId(value);
  return value;
}

/** A new OrderId stamped with `timeMs`. */
export const newOrderId: (timeMs: number) => OrderId = orderIds.create;
/** Is `value` an OrderId. */
export const isOrderId: (value: unknown) => value is OrderId = orderIds.is;
/** Throws INVALID_ID unless `value` is an OrderId. @throws INVALID_ID */
export const assertIsOrderId: (value: unknown) => asserts value is OrderId = orderIds.assert;
/** Checks and converts a string to an OrderId. @throws INVALID_ID */
export function orderId(value: string): OrderId {
  assertIsOrderId(value);
  return value;
}

/** A new EscrowId stamped with `timeMs`. */
export const newEscrowId: (timeMs: number) => EscrowId = escrowIds.create;
/**
 * The EscrowId of an order's escrow: the order's ULID under the escrow prefix. An order has at most
 * one escrow, so its id (and the chain accounts derived from it) is known before anything is written.
 * @throws INVALID_ID (not an order id)
 * @example escrowIdOf(order.id) // "esc_" + the order id's ULID
 */
export function escrowIdOf(order: string): EscrowId {
  return `${ID_PREFIXES.escrow}${orderId(order).slice(ID_PREFIXES.order.length)}` as EscrowId;
}
/** Is `value` an EscrowId. */
export const isEscrowId: (value: unknown) => value is EscrowId = escrowIds.is;
/** Throws INVALID_ID unless `value` is an EscrowId. @throws INVALID_ID */
export const assertIsEscrowId: (value: unknown) => asserts value is EscrowId = escrowIds.assert;

/** A new DisputeId stamped with `timeMs`. */
export const newDisputeId: (timeMs: number) => DisputeId = disputeIds.create;
/** Is `value` a DisputeId. */
export const isDisputeId: (value: unknown) => value is DisputeId = disputeIds.is;
/** Throws INVALID_ID unless `value` is a DisputeId. @throws INVALID_ID */
export const assertIsDisputeId: (value: unknown) => asserts value is DisputeId = disputeIds.assert;
