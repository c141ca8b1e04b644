// The mark an escrow row carries while one of its chain steps is under way, and the settlement
// summaries those steps record. Pure, no I/O.
import type { TransactionId } from "../core/transaction-id.js";
import type { SettlementResult } from "../settlement/settle-job.js";

/** What a payout moved, amounts as decimal strings of base units. */
export interface SettlementSummary {
  readonly status: string;
  readonly providerPayment: string;
  readonly platformFee: string;
  readonly buyerRefund: string;
}

/** A payout as recorded with its order: the summary and the transactions that moved it. */
export interface PayoutOutcome extends SettlementSummary {
  readonly transactions: readonly TransactionId[];
}

/** The chain steps that pay an escrow out. */
export type PayoutOp = "settle" | "refund" | "resolve";

/**
 * A chain step recorded before it is sent, with the idempotency key of the request that sends it:
 * when a crash comes between the send and the record, reconciliation records the outcome under
 * that key, so the request's retry gets its answer. Invariant: at most one per escrow.
 */
export type Pending =
  | { readonly op: "fund"; readonly key?: string }
  | { readonly op: "settle"; readonly outcome: SettlementSummary; readonly key?: string }
  /** A full refund; or, with `outcome`, a lost provider's receipted seconds paid and the rest refunded. */
  | { readonly op: "refund"; readonly outcome?: SettlementSummary; readonly key?: string }
  | { readonly op: "resolve"; readonly outcome: SettlementSummary; readonly key?: string }
  /** The buyer adds `hours` to its job, depositing `amount` (MOLT, a decimal string) into the escrow. */
  | { readonly op: "extend"; readonly hours: number; readonly amount: string; readonly key?: string };

/** The pending mark of a stored escrow row (null: none). */
export function parsePending(text: string | null): Pending | undefined {
  return text === null ? undefined : (JSON.parse(text) as Pending);
}

/** A settlement's (or a dispute resolution's) amounts as decimal strings. */
export function summarize(
  result: Pick<SettlementResult, "providerPayment" | "platformFee" | "buyerRefund"> & {
    readonly status: { readonly kind: string } | string;
  },
): SettlementSummary {
  return {
    status: typeof result.status === "string" ? result.status : result.status.kind,
    providerPayment: result.providerPayment.toString(),
    platformFee: result.platformFee.toString(),
    buyerRefund: result.buyerRefund.toString(),
  };
}

/** The outcome of a full refund of `amount` (what a refund records, sent or reconciled). */
export function fullRefund(amount: { toString(): string }): SettlementSummary {
  return { status: "FullRefund", providerPayment: "0", platformFee: "0", buyerRefund: amount.toString() };
}
