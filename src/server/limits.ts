// The named bounds of the HTTP API. Data only.
import { IDEMPOTENCY_KEY_LENGTH_MAX } from "../contract/common.js";

/** Named bounds of the HTTP API. */
export const SERVER_LIMITS = {
  /** Largest request body. */
  bodyBytesMax: 64 * 1024,
  /** Characters of a refused Content-Type repeated in an error's details at most. */
  contentTypeEchoLengthMax: 100,
  /** Longest Idempotency-Key header; the market's key is `<caller address>:<header>`, within MARKET_LIMITS.keyLengthMax. */
  idempotencyKeyLengthMax: IDEMPOTENCY_KEY_LENGTH_MAX,
  /** Most matches one quote returns. */
  quoteLimitMax: 100,
  /** Events one feed page returns at most. */
  eventPageMax: 1000,
  /** How long market stats are reused before they are computed again. */
  statsTtlMs: 1000,
  /** Requests one client address may make per minute. */
  requestsPerMinute: 6000,
} as const;
