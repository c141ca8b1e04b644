// MarketError: the code -> HTTP status -> message table, the error class and the isMarketError guard.
import { describe, expect, it } from "vitest";
import {
  MARKET_ERROR_CODES,
  MARKET_ERROR_TABLE,
  MarketError,
  assertIntInRange,
  describeValue,
  isMarketError,
} from "../../src/core/errors.js";
import type { MarketErrorCode, MarketErrorDetails } from "../../src/core/errors.js";
import { expectMarketError } from "../support/expect-error.js";

/** Sample details for every code; the mapped type makes the compiler insist on one per code. */
const SAMPLE_DETAILS: { readonly [C in MarketErrorCode]: MarketErrorDetails[C] } = {
  ORDER_NOT_FOUND: { orderId: "ord_01JD3ZZZZZZZZZZZZZZZZZZZZZ" },
  OFFER_NOT_FOUND: { offerId: "ofr_01JD3ZZZZZZZZZZZZZZZZZZZZZ" },
  NO_MATCHING_OFFERS: {},
  INSUFFICIENT_CAPACITY: { required: 8, available: 2 },
  PRICE_EXCEEDS_BUDGET: { price: "3.5", budget: "2" },
  ESCROW_ERROR: { reason: "escrow already released" },
  PAYMENT_FAILED: { reason: "insufficient MOLT balance" },
  INVALID_STATE_TRANSITION: { entity: "order", from: "Pending", to: "Settled" },
  EXPIRED: { entity: "offer", id: "ofr_x", expiresAt: "2026-01-01T00:00:00.000Z" },
  INVALID_AMOUNT: { input: "abc", reason: "not a plain non-negative decimal" },
  AMOUNT_OVERFLOW: { operation: "add", limit: "18446744073709551615" },
  AMOUNT_UNDERFLOW: { operation: "sub" },
  INVALID_ID: { kind: "offer", value: "ofr_short", expected: "a ULID" },
  INVALID_FIELD: { field: "providerId", value: '""', allowed: "1..128 characters" },
  OUT_OF_RANGE: { field: "gpuCapacity.gpuCount", value: "0", min: "1", max: "1024" },
  DUPLICATE_ID: { kind: "order", id: "ord_x" },
  LIMIT_EXCEEDED: { limit: "resting orders", max: 100_000 },
  INVALID_ADDRESS: { value: "0OIl", reason: "not base58" },
  WALLET_ERROR: { path: "/tmp/w.json", reason: "not JSON" },
  INVALID_NETWORK: { value: "moonnet", reason: "unknown name" },
  INSUFFICIENT_BALANCE: { address: "FVen3X669xLzsi6N2V91DoiyzHzg1uAgqiT8jZ9nS96Z", required: "12.5", available: "3" },
  CHAIN_ERROR: { reason: "custom program error: 0x1" },
  INVALID_SIGNATURE: { statement: "attestation", signer: "FVen3X669xLzsi6N2V91DoiyzHzg1uAgqiT8jZ9nS96Z" },
  SIGNATURE_REQUIRED: { signer: "FVen3X669xLzsi6N2V91DoiyzHzg1uAgqiT8jZ9nS96Z", message: "gAEAAQ==" },
  PROOF_MISMATCH: { field: "proof.gpuCount", expected: "4", actual: "8" },
  NOT_A_PARTY: { escrowId: "esc_x", address: "FVen3X669xLzsi6N2V91DoiyzHzg1uAgqiT8jZ9nS96Z", allowed: "the buyer or the provider" },
  DISPUTE_WINDOW_OPEN: { escrowId: "esc_x", settleableAt: "2026-01-02T00:00:00.000Z" },
  DISPUTE_WINDOW_CLOSED: { escrowId: "esc_x", closedAt: "2026-01-02T00:00:00.000Z" },
  ESCROW_LOCKED: { escrowId: "esc_x", lockedUntil: "2026-01-02T00:00:00.000Z" },
  STORE_ERROR: { reason: "database is locked" },
  IDEMPOTENCY_KEY_REUSED: { key: "k-1" },
  ESCROW_NOT_FOUND: { escrowId: "esc_x" },
  ESCROW_BUSY: { escrowId: "esc_x", step: "settle" },
  EXTENSION_REFUSED: { orderId: "ord_x", reason: "offer ofr_x takes jobs of at most 8 h; this job has 6 h", extendableHours: 2 },
  INSUFFICIENT_FUNDS: { buyerId: "FVen3X669xLzsi6N2V91DoiyzHzg1uAgqiT8jZ9nS96Z", required: "10", available: "5", committed: "4" },
  INSUFFICIENT_SOL: { address: "FVen3X669xLzsi6N2V91DoiyzHzg1uAgqiT8jZ9nS96Z", requiredLamports: "5400000", availableLamports: "0" },
  UNAUTHORIZED: { reason: "the signature does not verify" },
  RATE_LIMITED: { limit: "requestsPerMinute", max: 600, retryAfterS: 12 },
  TOO_MANY_CONNECTIONS: { limit: "connectionsPerClientMax", max: 10, clientAddress: "203.0.113.7" },
  ROUTE_NOT_FOUND: { method: "GET", path: "/v1/nothing" },
  METHOD_NOT_ALLOWED: { method: "DELETE", path: "/v1/orders/ord_x", allowed: "GET, HEAD" },
  DATA_DIR_LOCKED: {
    dir: "/srv/market",
    pid: 4242,
    host: "node-1",
    command: "molt-market serve --port 8080",
    since: "2026-01-02T00:00:00.000Z",
    url: "http://127.0.0.1:8080",
  },
  UNSUPPORTED_MEDIA_TYPE: { contentType: "text/plain", allowed: "application/json" },
  FORBIDDEN: { actor: "FVen3X669xLzsi6N2V91DoiyzHzg1uAgqiT8jZ9nS96Z", action: "cancel order ord_x", allowed: "its buyer" },
};

/** The codes the API promises, written out independently of the table. */
const EXPECTED_CODES: readonly string[] = [
  "ORDER_NOT_FOUND",
  "OFFER_NOT_FOUND",
  "NO_MATCHING_OFFERS",
  "INSUFFICIENT_CAPACITY",
  "PRICE_EXCEEDS_BUDGET",
  "ESCROW_ERROR",
  "ESCROW_BUSY",
  "EXTENSION_REFUSED",
  "INSUFFICIENT_SOL",
  "INSUFFICIENT_FUNDS",
  "PAYMENT_FAILED",
  "INVALID_STATE_TRANSITION",
  "EXPIRED",
  "INVALID_AMOUNT",
  "AMOUNT_OVERFLOW",
  "AMOUNT_UNDERFLOW",
  "INVALID_ID",
  "INVALID_FIELD",
  "OUT_OF_RANGE",
  "DUPLICATE_ID",
  "LIMIT_EXCEEDED",
  "INVALID_ADDRESS",
  "WALLET_ERROR",
  "INVALID_NETWORK",
  "INSUFFICIENT_BALANCE",
  "CHAIN_ERROR",
  "INVALID_SIGNATURE",
  "PROOF_MISMATCH",
  "NOT_A_PARTY",
  "DISPUTE_WINDOW_OPEN",
  "DISPUTE_WINDOW_CLOSED",
  "ESCROW_LOCKED",
  "STORE_ERROR",
  "IDEMPOTENCY_KEY_REUSED",
  "ESCROW_NOT_FOUND",
  "FORBIDDEN",
  "UNAUTHORIZED",
  "RATE_LIMITED",
  "SIGNATURE_REQUIRED",
  "TOO_MANY_CONNECTIONS",
  "ROUTE_NOT_FOUND",
  "METHOD_NOT_ALLOWED",
  "DATA_DIR_LOCKED",
  "UNSUPPORTED_MEDIA_TYPE",
];

function makeError<C extends MarketErrorCode>(code: C): MarketError<C> {
  return new MarketError(code, SAMPLE_DETAILS[code]);
}

/** The table row's message for the sample details of `code`. */
function rowMessage(code: MarketErrorCode): string {
  const message = MARKET_ERROR_TABLE[code].message as (details: MarketErrorDetails[MarketErrorCode]) => string;
  return message(SAMPLE_DETAILS[code]);
}

describe("MARKET_ERROR_TABLE", () => {
  it("the set of codes equals the keys of the table and the documented list", () => {
    expect(new Set(MARKET_ERROR_CODES)).toEqual(new Set(Object.keys(MARKET_ERROR_TABLE)));
    expect(MARKET_ERROR_CODES).toHaveLength(Object.keys(MARKET_ERROR_TABLE).length);
    expect([...MARKET_ERROR_CODES].sort()).toEqual([...EXPECTED_CODES].sort());
    expect(new Set(Object.keys(SAMPLE_DETAILS))).toEqual(new Set(MARKET_ERROR_CODES));
  });

  it.each(MARKET_ERROR_CODES)("%s has a row with a 4xx status (never 5xx) and a non-empty message", (code) => {
    const row = MARKET_ERROR_TABLE[code];
    expect(Number.isInteger(row.httpStatus)).toBe(true);
    expect(row.httpStatus).toBeGreaterThanOrEqual(400);
    expect(row.httpStatus).toBeLessThanOrEqual(499);
    expect(typeof row.message).toBe("function");
    const message = rowMessage(code);
    expect(typeof message).toBe("string");
    expect(message.trim().length).toBeGreaterThan(0);
    expect(message).not.toContain("undefined");
    expect(message).not.toContain("[object Object]");
  });

  it("messages include the details they are about", () => {
    expect(rowMessage("ORDER_NOT_FOUND")).toContain(SAMPLE_DETAILS.ORDER_NOT_FOUND.orderId);
    expect(rowMessage("INSUFFICIENT_CAPACITY")).toMatch(/8.*2/);
    expect(rowMessage("INVALID_STATE_TRANSITION")).toContain("Pending");
    expect(rowMessage("INVALID_STATE_TRANSITION")).toContain("settles after its job completes");
    expect(rowMessage("OUT_OF_RANGE")).toContain("gpuCapacity.gpuCount");
    expect(rowMessage("OUT_OF_RANGE")).toContain("1024");
    expect(rowMessage("INVALID_FIELD")).toContain("providerId");
    expect(rowMessage("NO_MATCHING_OFFERS")).toContain("the order");
    expect(MARKET_ERROR_TABLE.NO_MATCHING_OFFERS.message({ orderId: "ord_abc" })).toContain("ord_abc");
    // The retry advice only where a command was refused: not where, say, the store cannot be opened.
    expect(rowMessage("STORE_ERROR")).toBe("the store failed: database is locked");
    expect(MARKET_ERROR_TABLE.STORE_ERROR.message({ reason: "database is locked", commandRefused: true })).toMatch(
      /^the store failed: database is locked; retrying the command with the same idempotency key is safe/,
    );
  });

  it("uses the expected status for representative codes", () => {
    expect(MARKET_ERROR_TABLE.ORDER_NOT_FOUND.httpStatus).toBe(404);
    expect(MARKET_ERROR_TABLE.OFFER_NOT_FOUND.httpStatus).toBe(404);
    expect(MARKET_ERROR_TABLE.INVALID_AMOUNT.httpStatus).toBe(400);
    expect(MARKET_ERROR_TABLE.INVALID_FIELD.httpStatus).toBe(400);
    expect(MARKET_ERROR_TABLE.OUT_OF_RANGE.httpStatus).toBe(400);
    expect(MARKET_ERROR_TABLE.INVALID_ID.httpStatus).toBe(400);
    expect(MARKET_ERROR_TABLE.INVALID_STATE_TRANSITION.httpStatus).toBe(409);
    expect(MARKET_ERROR_TABLE.DUPLICATE_ID.httpStatus).toBe(409);
    expect(MARKET_ERROR_TABLE.EXPIRED.httpStatus).toBe(410);
  });
});

describe("MarketError", () => {
  it.each(MARKET_ERROR_CODES)("%s: name, code, details, httpStatus and message come from the table", (code) => {
    const e = makeError(code);
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(MarketError);
    expect(e.name).toBe("MarketError");
    expect(e.code).toBe(code);
    expect(e.details).toBe(SAMPLE_DETAILS[code]);
    expect(e.httpStatus).toBe(MARKET_ERROR_TABLE[code].httpStatus);
    expect(e.message).toBe(rowMessage(code));
    expect(typeof e.stack).toBe("string");
  });

  it("toJSON gives { code, message, details } and nothing else", () => {
    const e = new MarketError("OUT_OF_RANGE", { field: "vramGb", value: "0", min: "1", max: "2048" });
    const json = e.toJSON();
    expect(json).toEqual({ code: "OUT_OF_RANGE", message: e.message, details: { field: "vramGb", value: "0", min: "1", max: "2048" } });
    expect(Object.keys(json).sort()).toEqual(["code", "details", "message"]);
    expect(JSON.parse(JSON.stringify(e))).toEqual(json);
  });

  it("keeps a cause", () => {
    const cause = new Error("root");
    const e = new MarketError("PAYMENT_FAILED", { reason: "rpc down" }, { cause });
    expect(e.cause).toBe(cause);
  });
});

describe("isMarketError", () => {
  const notFound = new MarketError("ORDER_NOT_FOUND", { orderId: "ord_1" });

  it("is true for any MarketError without a code, and for the matching code", () => {
    expect(isMarketError(notFound)).toBe(true);
    expect(isMarketError(notFound, "ORDER_NOT_FOUND")).toBe(true);
  });

  it("narrows to the code's details", () => {
    const e: unknown = notFound;
    if (!isMarketError(e, "ORDER_NOT_FOUND")) throw new Error("expected ORDER_NOT_FOUND");
    // Compiles only because the guard narrowed e to MarketError<"ORDER_NOT_FOUND">.
    const id: string = e.details.orderId;
    expect(id).toBe("ord_1");
  });

  it("is false for other codes, plain Errors and look-alike objects", () => {
    expect(isMarketError(notFound, "OFFER_NOT_FOUND")).toBe(false);
    expect(isMarketError(new Error("boom"))).toBe(false);
    expect(isMarketError(new Error("boom"), "ORDER_NOT_FOUND")).toBe(false);
    const lookAlike = { name: "MarketError", code: "ORDER_NOT_FOUND", details: { orderId: "x" }, message: "m" };
    expect(isMarketError(lookAlike)).toBe(false);
    expect(isMarketError(lookAlike, "ORDER_NOT_FOUND")).toBe(false);
    expect(isMarketError(undefined)).toBe(false);
    expect(isMarketError(null)).toBe(false);
    expect(isMarketError("ORDER_NOT_FOUND")).toBe(false);
  });
});

describe("assertIntInRange / describeValue", () => {
  it("accepts integers in range, inclusive", () => {
    expect(() => {
      assertIntInRange("n", 1, 1, 3);
    }).not.toThrow();
    expect(() => {
      assertIntInRange("n", 3, 1, 3);
    }).not.toThrow();
  });

  it.each<[string, unknown]>([
    ["below", 0],
    ["above", 4],
    ["a fraction", 1.5],
    ["NaN", Number.NaN],
    ["a numeric string", "2"],
    ["a bigint", 2n],
    ["null", null],
  ])("rejects %s with OUT_OF_RANGE naming the field and bounds", (_name, value) => {
    const e = expectMarketError(() => {
      assertIntInRange("count", value, 1, 3);
    }, "OUT_OF_RANGE");
    expect(e.details).toMatchObject({ field: "count", min: "1", max: "3" });
  });

  it("renders values short and log-safe", () => {
    expect(describeValue("abc")).toBe('"abc"');
    expect(describeValue("x".repeat(100))).toBe(JSON.stringify(`${"x".repeat(64)}…`));
    expect(describeValue(5n)).toBe("5n");
    expect(describeValue(new Date(0))).toBe("1970-01-01T00:00:00.000Z");
    expect(describeValue(new Date(Number.NaN))).toBe("Invalid Date");
    expect(describeValue([1, 2, 3])).toBe("array(3)");
    expect(describeValue({ secret: "s" })).toBe("object");
    expect(describeValue(null)).toBe("null");
    expect(describeValue(undefined)).toBe("undefined");
    expect(describeValue(1.5)).toBe("1.5");
  });
});
