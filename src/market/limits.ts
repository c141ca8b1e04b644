// The named bounds and defaults of a marketplace process, in one table. Constants only, no I/O.

/** Named bounds and defaults of a marketplace process. Invariant: every queue, page and key the market keeps is bounded by one of these. */
export const MARKET_LIMITS = {
  /** Commands one group commit takes at most. */
  batchMax: 1000,
  /**
   * Main-thread ms a batch spends applying commands before it stops taking more: the rest wait for
   * the next batch, so one batch never holds the event loop, and every answer queued behind it,
   * much longer than this (at about 120 µs a command, 1,000 commands would hold it 120 ms).
   */
  batchApplyMsMax: 20,
  /**
   * Commands whose rows a batch sends to a store whose writes overlap (PostgreSQL) while it applies
   * the next ones: the database writes one part while this process applies the next.
   */
  writePartCommands: 64,
  /** Commands waiting for a batch at most; more are refused with LIMIT_EXCEEDED. */
  queueMax: 100_000,
  /** Events read per page when catching up or replaying the feed. */
  eventPageMax: 1000,
  /** Orders one sweep looks at per rule. */
  sweepMax: 1000,
  /**
   * How long the sweeper leaves an order whose escrow has a chain step under way before it looks
   * again: such an order cannot be acted on, and left due it would be read by every sweep, ahead of
   * the orders due after it (more than sweepMax of them would starve the rest).
   */
  pendingRecheckMs: 10_000,
  /** Longest idempotency key: fits the server's `<caller address, 32..44>:<Idempotency-Key, 1..100>` (145). */
  keyLengthMax: 160,
  /** How often an idle process reads other processes' events. */
  followIntervalMs: 100,
  /** How long a match holds its GPUs for the buyer to fund the escrow (default); then it expires. */
  fundingWindowMs: 15 * 60_000,
  /** Longest funding window a market may set. */
  fundingWindowMsMax: 24 * 60 * 60_000,
  /**
   * How long a running job may go without a usage receipt (a funded job without being started)
   * before it fails ProviderLost (default: 5 minutes, five receipt intervals of a default agent).
   */
  receiptTimeoutMs: 5 * 60_000,
  /** Shortest and longest receipt timeout a market may set. */
  receiptTimeoutMsMin: 1000,
  receiptTimeoutMsMax: 24 * 60 * 60_000,
  /** Least time between two receipts of one job, by the market's clock; a faster provider is refused RATE_LIMITED. */
  receiptIntervalMinMs: 500,
} as const;
