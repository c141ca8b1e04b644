// An order's deadlines: the market's clocks that run for it in its current status, computed by the
// rules the sweeper, the payments and the dispute check enforce. Pure, no I/O.
import type { OrderDeadlines } from "../contract/orders.js";
import type { EscrowAccount } from "../settlement/escrow-account.js";
import { disputeDeadlineMs } from "../settlement/dispute.js";
import type { OrderView } from "./views.js";

/** The market's clocks an order's deadlines come from. */
export interface MarketClocks {
  /** How long a match waits for its buyer's funding (Marketplace.fundingWindowMs). */
  readonly fundingWindowMs: number;
  /** How long a funded job may go without a start, a running one without a receipt (Marketplace.receiptTimeoutMs). */
  readonly receiptTimeoutMs: number;
  /** How long after a job's end a party may dispute it (PaymentService.disputeWindowMs). */
  readonly disputeWindowMs: number;
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/**
 * The deadlines of `order` in its status, with its `escrow` when it has one. Invariant: each is the
 * moment a rule of the market acts (the sweeper expires, times out or fails the order, or a dispute
 * is refused), and null when that rule does not apply in the order's status; never invented.
 */
export function deadlinesOf(order: OrderView, escrow: EscrowAccount | undefined, clocks: MarketClocks): OrderDeadlines {
  const job = order.job;
  const status = order.status;
  const funded = status === "Escrowed" || status === "Running";
  // The sweeper: a match past matchedAtMs + the funding window expires (orders matched before matchedAtMs was recorded: unknown).
  const fundBy = status === "Matched" && job.matchedAtMs !== undefined ? job.matchedAtMs + clocks.fundingWindowMs : undefined;
  // The sweeper: a funded job silent since its funding (Escrowed) or its last receipt or start (Running) fails ProviderLost.
  const silentSinceMs = status === "Running" ? (job.receiptedAtMs ?? job.startedAtMs) : status === "Escrowed" ? job.fundedAtMs : undefined;
  const lockedUntil = escrow !== undefined && (funded || status === "Failed") ? escrow.lockedUntil.getTime() : undefined;
  const disputeUntil =
    escrow !== undefined && (status === "Completed" || status === "Failed") ? disputeDeadlineMs(escrow, clocks.disputeWindowMs) : undefined;
  return {
    fundBy: iso(fundBy),
    lockedUntil: iso(lockedUntil),
    disputeUntil: iso(disputeUntil),
    receiptDueBy: iso(silentSinceMs === undefined ? undefined : silentSinceMs + clocks.receiptTimeoutMs),
  };
}
