// The building blocks of the wire contract every resource shares: amounts as decimal strings,
// addresses, digests, path ids, the error answer, the enums of the spec. TypeBox schemas, pure.
import { Type } from "@sinclair/typebox";
import type { Static, TSchema } from "@sinclair/typebox";
import type { Address } from "../core/address.js";
import { MOLT_DECIMALS } from "../core/amount.js";
import { FEATURES, PRIORITIES } from "../core/enums.js";
import { REGION_LENGTH_MAX } from "../core/location.js";

/** Every error answer: `{ code, message, details }`, code one of MARKET_ERROR_CODES. */
export const ErrorBody = Type.Object({ code: Type.String(), message: Type.String(), details: Type.Record(Type.String(), Type.Unknown()) });
/** An error answer. */
export type ErrorAnswer = Static<typeof ErrorBody>;

/** MOLT as a decimal string: whole MOLT, then at most MOLT_DECIMALS decimals. */
export const Decimal = Type.String({ pattern: `^\\d{1,20}(\\.\\d{1,${MOLT_DECIMALS}})?$`, description: "MOLT as a decimal string" });
/** One GPU host feature (core's FEATURES). */
export const FeatureText = Type.Union(FEATURES.map((feature) => Type.Literal(feature)));
/** One order priority (core's PRIORITIES). */
export const PriorityText = Type.Union(PRIORITIES.map((priority) => Type.Literal(priority)));
/** Features one offer or order lists at most (each of FEATURES, and room for repeats the core folds). */
export const FEATURE_LIST_LENGTH_MAX = 2 * FEATURES.length;
/** ISO 3166-1 alpha-2 country codes are two letters. */
export const COUNTRY_CODE_LENGTH = 2;
/** Where an offer is, or where an order wants it: region and/or country. */
export const LocationBody = Type.Object(
  {
    region: Type.Optional(Type.String({ maxLength: REGION_LENGTH_MAX })),
    country: Type.Optional(Type.String({ minLength: COUNTRY_CODE_LENGTH, maxLength: COUNTRY_CODE_LENGTH })),
  },
  { additionalProperties: false },
);

/** A whole number in a query string (query values are text; nothing is coerced). */
export const QueryInt = Type.String({ pattern: "^\\d{1,9}$" });
/** An event seq in a query string. */
export const QuerySeq = Type.String({ pattern: "^\\d{1,15}$" });
/**
 * A wallet address (base58 ed25519 public key) as a request carries it, typed as the core's Address:
 * the pattern bounds the text, and whatever the address is used for (a signature, a balance) checks
 * the key itself.
 */
export const AddressText = Type.Unsafe<Address>(Type.String({ pattern: "^[1-9A-HJ-NP-Za-km-z]{32,44}$" }));
/** A SHA-256 digest, hex. */
export const Digest = Type.String({ pattern: "^[0-9a-f]{64}$" });
/** An ed25519 signature of a statement, hex. */
export const SignatureHex = Type.String({ pattern: "^[0-9a-f]{128}$" });
/** Base64 text of at most `maxLength` characters. */
export function Base64(maxLength: number): ReturnType<typeof Type.String> {
  return Type.String({ pattern: "^[A-Za-z0-9+/]*={0,2}$", minLength: 4, maxLength });
}

/** Longest Idempotency-Key header; the market's key is `<caller address>:<header>`, within MARKET_LIMITS.keyLengthMax. */
export const IDEMPOTENCY_KEY_LENGTH_MAX = 100;

/** Longest id a path takes; every id the market makes is far shorter. */
export const ID_PARAM_LENGTH_MAX = 64;
/** What an id in a path may hold: visible ASCII, so no NUL byte or other control character ever reaches a store (PostgreSQL refuses NUL in text). */
export const ID_PARAM_EXPECTED = `1..${ID_PARAM_LENGTH_MAX} visible ASCII characters (no space or control character)`;
/** A path's object id: refused with INVALID_ID (400) before any store is asked, unless it is 1..64 visible ASCII characters. */
export const IdParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: ID_PARAM_LENGTH_MAX, pattern: `^[\\x21-\\x7E]{1,${ID_PARAM_LENGTH_MAX}}$` }) },
  { additionalProperties: false },
);
/** The body of a command that takes none: nothing, or `{}`; a field is refused, not ignored. */
export const EmptyBody = Type.Object({}, { additionalProperties: false, description: "no body, or {}" });

/** The answers of a route: `schema` on 200, `{ code, message, details }` on every 4xx it may give. */
export function respond<T extends TSchema>(
  schema: T,
): {
  200: T;
  400: typeof ErrorBody;
  401: typeof ErrorBody;
  402: typeof ErrorBody;
  403: typeof ErrorBody;
  404: typeof ErrorBody;
  409: typeof ErrorBody;
  410: typeof ErrorBody;
  422: typeof ErrorBody;
  428: typeof ErrorBody;
} {
  return {
    200: schema,
    400: ErrorBody,
    401: ErrorBody,
    402: ErrorBody,
    403: ErrorBody,
    404: ErrorBody,
    409: ErrorBody,
    410: ErrorBody,
    422: ErrorBody,
    428: ErrorBody,
  };
}
