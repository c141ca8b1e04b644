// MarketError: the one error class of molt-market, with a stable string code, typed details per
// code, and one table code -> HTTP status -> message. Pure, no I/O.
import { transitionText } from "./transition-text.js";

/** Typed details carried by each error code. */
export interface MarketErrorDetails {
  ORDER_NOT_FOUND: { orderId: string };
  OFFER_NOT_FOUND: { offerId: string };
  NO_MATCHING_OFFERS: { orderId?: string };
  INSUFFICIENT_CAPACITY: { required: number; available: number };
  PRICE_EXCEEDS_BUDGET: { price: string; budget: string };
  ESCROW_ERROR: { reason: string };
  ESCROW_BUSY: { escrowId: string; step: string };
  EXTENSION_REFUSED: { orderId: string; reason: string; extendableHours: number };
  PAYMENT_FAILED: { reason: string };
  INVALID_STATE_TRANSITION: { entity: "order" | "offer" | "escrow"; from: string; to: string; id?: string };
  EXPIRED: { entity: "order" | "offer"; id: string; expiresAt: string };
  INVALID_AMOUNT: { input: string; reason: string; field?: string };
  AMOUNT_OVERFLOW: { operation: string; limit: string };
  AMOUNT_UNDERFLOW: { operation: string };
  INVALID_ID: { kind: string; value: string; expected: string };
  INVALID_FIELD: { field: string; value: string; allowed: string };
  OUT_OF_RANGE: { field: string; value: string; min: string; max: string };
  DUPLICATE_ID: { kind: "order" | "offer"; id: string };
  LIMIT_EXCEEDED: { limit: string; max: number };
  INVALID_ADDRESS: { value: string; reason: string };
  WALLET_ERROR: { path?: string; reason: string };
  INVALID_NETWORK: { value: string; reason: string };
  INSUFFICIENT_BALANCE: { address: string; required: string; available: string };
  INSUFFICIENT_SOL: { address: string; requiredLamports: string; availableLamports: string };
  INSUFFICIENT_FUNDS: { buyerId: string; required: string; available: string; committed: string };
  CHAIN_ERROR: { reason: string };
  INVALID_SIGNATURE: { statement: "attestation" | "confirmation" | "dispute" | "usage receipt" | "transaction"; signer: string };
  SIGNATURE_REQUIRED: { signer: string; message: string };
  PROOF_MISMATCH: { field: string; expected: string; actual: string };
  NOT_A_PARTY: { escrowId: string; address: string; allowed: string };
  DISPUTE_WINDOW_OPEN: { escrowId: string; settleableAt: string };
  DISPUTE_WINDOW_CLOSED: { escrowId: string; closedAt: string };
  ESCROW_LOCKED: { escrowId: string; lockedUntil: string };
  /** `commandRefused`: a command was refused with it (a retry with its idempotency key is then safe). */
  STORE_ERROR: { reason: string; commandRefused?: true };
  IDEMPOTENCY_KEY_REUSED: { key: string };
  ESCROW_NOT_FOUND: { escrowId: string };
  FORBIDDEN: { actor: string; action: string; allowed: string };
  UNAUTHORIZED: { reason: string };
  RATE_LIMITED: { limit: string; max: number; retryAfterS: number };
  TOO_MANY_CONNECTIONS: { limit: string; max: number; clientAddress?: string };
  ROUTE_NOT_FOUND: { method: string; path: string };
  METHOD_NOT_ALLOWED: { method: string; path: string; allowed: string };
  DATA_DIR_LOCKED: { dir: string; pid: number; host: string; command: string; since: string; url?: string };
  UNSUPPORTED_MEDIA_TYPE: { contentType: string; allowed: string };
}

/** Every stable error code. */
export type MarketErrorCode = keyof MarketErrorDetails;

interface ErrorTableRow<C extends MarketErrorCode> {
  /** HTTP status the server answers with. */
  readonly httpStatus: number;
  /** Human message: what was wrong and what is allowed or what to do. */
  readonly message: (details: MarketErrorDetails[C]) => string;
}

/** The one table: code -> HTTP status -> message. A test checks every code has a row. */
export const MARKET_ERROR_TABLE: { readonly [C in MarketErrorCode]: ErrorTableRow<C> } = {
  ORDER_NOT_FOUND: {
    httpStatus: 404,
    message: (d) => `order ${d.orderId} not found; it may have been cancelled, expired or never submitted`,
  },
  OFFER_NOT_FOUND: { httpStatus: 404, message: (d) => `offer ${d.offerId} not found; it may have been withdrawn or expired` },
  NO_MATCHING_OFFERS: {
    httpStatus: 404,
    message: (d) =>
      `no offer satisfies ${d.orderId ?? "the order"}; relax the requirements (GPUs, VRAM, price, features, location) or let it rest`,
  },
  INSUFFICIENT_CAPACITY: {
    httpStatus: 409,
    message: (d) => `insufficient capacity: ${d.required} GPUs required, ${d.available} available`,
  },
  PRICE_EXCEEDS_BUDGET: { httpStatus: 422, message: (d) => `price ${d.price} MOLT exceeds budget ${d.budget} MOLT` },
  ESCROW_ERROR: { httpStatus: 409, message: (d) => `escrow error: ${d.reason}` },
  ESCROW_BUSY: {
    httpStatus: 409,
    message: (d) =>
      `a ${d.step} of escrow ${d.escrowId} is on its way to the chain; nothing else can change this order until it has landed or failed: retry in a few seconds (GET /v1/orders/{id} shows the outcome)`,
  },
  EXTENSION_REFUSED: {
    httpStatus: 409,
    message: (d) =>
      `cannot extend the job of order ${d.orderId}: ${d.reason}: ${d.extendableHours > 0 ? `extend by at most ${d.extendableHours} h` : "it cannot be extended now; order a new job for more hours"}`,
  },
  PAYMENT_FAILED: { httpStatus: 402, message: (d) => `payment failed: ${d.reason}` },
  INVALID_STATE_TRANSITION: {
    httpStatus: 409,
    message: (d) => transitionText(d),
  },
  EXPIRED: { httpStatus: 410, message: (d) => `${d.entity} ${d.id} expired at ${d.expiresAt}` },
  INVALID_AMOUNT: {
    httpStatus: 400,
    message: (d) =>
      `invalid amount ${d.field === undefined ? "" : `${d.field} `}${JSON.stringify(d.input)}: ${d.reason}; use a decimal MOLT string like "12.5" with at most 9 decimals, between 0 and 18446744073.709551615`,
  },
  AMOUNT_OVERFLOW: { httpStatus: 422, message: (d) => `amount overflow in ${d.operation}: result exceeds ${d.limit} base units` },
  AMOUNT_UNDERFLOW: { httpStatus: 422, message: (d) => `amount underflow in ${d.operation}: result would be negative` },
  INVALID_ID: { httpStatus: 400, message: (d) => `invalid ${d.kind} id ${JSON.stringify(d.value)}; expected ${d.expected}` },
  INVALID_FIELD: {
    httpStatus: 400,
    message: (d) =>
      d.value === "missing" ? `${d.field} is missing: ${d.allowed}` : `invalid ${d.field} ${d.value}; allowed: ${d.allowed}`,
  },
  OUT_OF_RANGE: { httpStatus: 400, message: (d) => `${d.field} ${d.value} is out of range; allowed ${d.min}..${d.max}` },
  DUPLICATE_ID: { httpStatus: 409, message: (d) => `${d.kind} ${d.id} already exists; submit it once or use a new id` },
  LIMIT_EXCEEDED: { httpStatus: 422, message: (d) => `limit ${d.limit} exceeded; at most ${d.max}` },
  INVALID_ADDRESS: {
    httpStatus: 400,
    message: (d) => `invalid address ${JSON.stringify(d.value)}: ${d.reason}; a Solana address is 32 bytes in base58 (32 to 44 characters)`,
  },
  WALLET_ERROR: {
    httpStatus: 400,
    message: (d) =>
      `wallet${d.path === undefined ? "" : ` ${d.path}`}: ${d.reason}; a wallet file is a Solana CLI keypair file (a JSON array of 64 bytes), as solana-keygen writes`,
  },
  INVALID_NETWORK: {
    httpStatus: 400,
    message: (d) => `invalid network ${JSON.stringify(d.value)}: ${d.reason}; use devnet, testnet, mainnet, localnet or an http(s) RPC URL`,
  },
  INSUFFICIENT_BALANCE: {
    httpStatus: 402,
    message: (d) =>
      `${d.address} holds ${d.available} MOLT, ${d.required} MOLT required; fund the wallet (molt-market wallet airdrop, off mainnet)`,
  },
  INSUFFICIENT_FUNDS: {
    httpStatus: 402,
    message: (d) =>
      `${d.buyerId} holds ${d.available} MOLT; this order could cost up to ${d.required} MOLT together with the ${d.committed} MOLT its resting and unfunded orders already commit: every order is backed by the buyer's balance; add MOLT, cancel an order, or order less`,
  },
  INSUFFICIENT_SOL: {
    httpStatus: 402,
    message: (d) =>
      `${d.address} holds ${d.availableLamports} lamports of SOL, ${d.requiredLamports} required: the buyer pays the rent of its escrow's two accounts (the token account's comes back when the escrow closes); fund the wallet with SOL (molt-market wallet airdrop gives test SOL, off mainnet)`,
  },
  CHAIN_ERROR: { httpStatus: 409, message: (d) => `the chain refused the transaction: ${d.reason}` },
  INVALID_SIGNATURE: {
    httpStatus: 422,
    message: (d) =>
      `the ${d.statement} signature does not verify for ${d.signer}; it must be that key's ed25519 signature over this exact statement's canonical bytes`,
  },
  SIGNATURE_REQUIRED: {
    httpStatus: 428,
    message: (d) =>
      `this step sends a chain transaction that ${d.signer} must co-sign: check the transaction message in details.message (base64), sign it with that key, and repeat the request with chainSignature { message, signature } (both base64) under the same Idempotency-Key`,
  },
  PROOF_MISMATCH: {
    httpStatus: 422,
    message: (d) => `the statement does not fit the escrow: ${d.field} is ${d.actual}, expected ${d.expected}`,
  },
  NOT_A_PARTY: { httpStatus: 403, message: (d) => `${d.address} cannot sign this for escrow ${d.escrowId}; allowed: ${d.allowed}` },
  DISPUTE_WINDOW_OPEN: {
    httpStatus: 409,
    message: (d) =>
      `escrow ${d.escrowId} has no buyer confirmation; it settles once the dispute window closes at ${d.settleableAt}, or at once with the buyer's signed confirmation`,
  },
  DISPUTE_WINDOW_CLOSED: {
    httpStatus: 409,
    message: (d) => `the dispute window of escrow ${d.escrowId} closed at ${d.closedAt}; disputes are opened before it closes`,
  },
  ESCROW_LOCKED: {
    httpStatus: 409,
    message: (d) =>
      `escrow ${d.escrowId} is locked until ${d.lockedUntil}; before then a refund needs the provider's attestation that the job failed`,
  },
  STORE_ERROR: {
    httpStatus: 409,
    // Not "nothing was written": a batch whose sync failed is committed, yet refused. The retry
    // advice only where a command was refused (not, say, a store that cannot be opened).
    message: (d) =>
      d.commandRefused === true
        ? `the store failed: ${d.reason}; retrying the command with the same idempotency key is safe whether or not it was applied (it is applied at most once, and a repeat gets its first answer)`
        : `the store failed: ${d.reason}`,
  },
  IDEMPOTENCY_KEY_REUSED: {
    httpStatus: 422,
    message: (d) =>
      `idempotency key ${JSON.stringify(d.key)} was used for another request; repeat the first request exactly, or use a new key`,
  },
  RATE_LIMITED: {
    httpStatus: 429,
    message: (d) => `too many requests: at most ${d.max} per minute (${d.limit}); retry in ${d.retryAfterS} s`,
  },
  TOO_MANY_CONNECTIONS: {
    httpStatus: 429,
    message: (d) =>
      `too many open live feed connections: at most ${d.max} ${d.clientAddress === undefined ? "on this server" : `from one client address (${d.clientAddress})`} (${d.limit}); close one, or retry later`,
  },
  UNAUTHORIZED: { httpStatus: 401, message: (d) => `request not authenticated: ${d.reason}` },
  FORBIDDEN: { httpStatus: 403, message: (d) => `${d.actor} may not ${d.action}; only ${d.allowed} may` },
  ESCROW_NOT_FOUND: { httpStatus: 404, message: (d) => `escrow ${d.escrowId} not found; an order gets its escrow when the buyer funds it` },
  ROUTE_NOT_FOUND: { httpStatus: 404, message: (d) => `no route ${d.method} ${d.path}; the API's routes are listed at /docs` },
  METHOD_NOT_ALLOWED: { httpStatus: 405, message: (d) => `${d.path} does not answer ${d.method}; it answers ${d.allowed} (see /docs)` },
  DATA_DIR_LOCKED: {
    httpStatus: 409,
    message: (d) =>
      `data directory ${d.dir} is in use by pid ${d.pid} on ${d.host} (${d.command}${d.url === undefined ? "" : `, serving ${d.url}`}) since ${d.since}; two processes on one directory would split its chain and store: stop that process, or use another --data-dir`,
  },
  UNSUPPORTED_MEDIA_TYPE: { httpStatus: 415, message: (d) => `a request body of type ${d.contentType} is not accepted; send ${d.allowed}` },
};

/** Every code, in table order. */
export const MARKET_ERROR_CODES = Object.keys(MARKET_ERROR_TABLE) as MarketErrorCode[];

/**
 * The error every molt-market function throws for bad input or a refused operation.
 * Invariant: `code` is a key of MARKET_ERROR_TABLE and `details` has that code's shape.
 * @example
 * try { book.cancelOrder(id) } catch (e) { if (isMarketError(e, "ORDER_NOT_FOUND")) e.details.orderId }
 */
export class MarketError<C extends MarketErrorCode = MarketErrorCode> extends Error {
  override readonly name = "MarketError";
  readonly code: C;
  readonly details: MarketErrorDetails[C];
  readonly httpStatus: number;

  constructor(code: C, details: MarketErrorDetails[C], options?: { cause?: unknown }) {
    const row = MARKET_ERROR_TABLE[code] as ErrorTableRow<C>;
    super(row.message(details), options);
    this.code = code;
    this.details = details;
    this.httpStatus = row.httpStatus;
  }

  /** The wire shape `{ code, message, details }`. */
  toJSON(): { code: C; message: string; details: MarketErrorDetails[C] } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** Narrowing guard: is `e` a MarketError, optionally of the given code. */
export function isMarketError<C extends MarketErrorCode>(e: unknown, code?: C): e is MarketError<C> {
  return e instanceof MarketError && (code === undefined || e.code === code);
}

/** Throws OUT_OF_RANGE unless `value` is an integer in min..max. @throws OUT_OF_RANGE */
export function assertIntInRange(field: string, value: unknown, min: number, max: number): asserts value is number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new MarketError("OUT_OF_RANGE", { field, value: describeValue(value), min: String(min), max: String(max) });
  }
}

/** A short, log-safe rendering of a client value for error details. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
  if (typeof value === "bigint") return `${value}n`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  if (value === null || typeof value !== "object") return String(value);
  return Array.isArray(value) ? `array(${value.length})` : "object";
}
