// Disputes: who may open one and until when, and how the arbiter's decision splits the escrow.
// Pure, no I/O; the PaymentService pays the split out on chain.
import type { Amount } from "../core/amount.js";
import { MarketError } from "../core/errors.js";
import { isDisputeId } from "../core/ids.js";
import type { DisputeId } from "../core/ids.js";
import type { Address } from "../core/address.js";
import type { TransactionId } from "../core/transaction-id.js";
import { splitCharge } from "./billing.js";
import type { ChargeSplit } from "./billing.js";
import { assertEscrowTransition, partyRole } from "./escrow-account.js";
import type { EscrowAccount } from "./escrow-account.js";
import { verifyDispute } from "./statements.js";
import type { Dispute } from "./statements.js";

/** The arbiter's decision on a dispute: how much of the escrow the provider earned. */
export interface DisputeDecision {
  readonly disputeId: DisputeId;
  /** The provider's gross share (fee included); the rest goes back to the buyer. */
  readonly providerShare: Amount;
  readonly reason: string;
}

/** A dispute paid out. Invariant: providerPayment + platformFee + buyerRefund = the escrowed amount. */
export interface DisputeResolution {
  readonly disputeId: DisputeId;
  readonly escrowId: string;
  readonly providerPayment: Amount;
  readonly platformFee: Amount;
  readonly buyerRefund: Amount;
  readonly reason: string;
  readonly decidedBy: Address;
  /** The buyer or provider who co-signed the arbiter's split. */
  readonly acceptedBy: Address;
  readonly resolvedAt: Date;
  readonly transactions: readonly TransactionId[];
}

/** Last moment a dispute may be opened: the job's end (or lockedUntil if it never completed) + the window. */
export function disputeDeadlineMs(escrow: EscrowAccount, disputeWindowMs: number): number {
  return (escrow.jobEndedAt ?? escrow.lockedUntil).getTime() + disputeWindowMs;
}

/**
 * Checks that a dispute may open on this escrow now: the escrow is Locked, the statement names it,
 * is signed by its buyer or provider, and the window is still open.
 * Returns the dispute's id.
 * @throws INVALID_STATE_TRANSITION, INVALID_ID, PROOF_MISMATCH, NOT_A_PARTY, INVALID_SIGNATURE, DISPUTE_WINDOW_CLOSED
 */
export function checkDisputeOpening(escrow: EscrowAccount, dispute: Dispute, nowMs: number, disputeWindowMs: number): DisputeId {
  assertEscrowTransition(escrow.state, "Disputed");
  const id = dispute.id;
  if (!isDisputeId(id))
    throw new MarketError("INVALID_ID", { kind: "dispute", value: id.slice(0, 64), expected: '"dsp_" followed by a 26-character ULID' });
  if (dispute.escrowId !== escrow.id)
    throw new MarketError("PROOF_MISMATCH", { field: "dispute.escrowId", expected: escrow.id, actual: dispute.escrowId });
  if (partyRole(escrow, dispute.openedBy) === undefined) {
    throw new MarketError("NOT_A_PARTY", { escrowId: escrow.id, address: dispute.openedBy, allowed: "the escrow's buyer or provider" });
  }
  if (!verifyDispute(dispute)) throw new MarketError("INVALID_SIGNATURE", { statement: "dispute", signer: dispute.openedBy });
  const deadline = disputeDeadlineMs(escrow, disputeWindowMs);
  if (nowMs > deadline) throw new MarketError("DISPUTE_WINDOW_CLOSED", { escrowId: escrow.id, closedAt: new Date(deadline).toISOString() });
  return id;
}

/**
 * The payout of an arbiter's decision: the provider's share, less the escrow's fee, to the
 * provider; the rest to the buyer. Invariant: payment + fee + refund = escrowed.
 * @throws INVALID_STATE_TRANSITION (not Disputed), PROOF_MISMATCH (another dispute), OUT_OF_RANGE (share over the escrow)
 * @example resolveDisputeSplit(escrow, { disputeId, providerShare: Amount.parse("1.5"), reason: "ran half the job" }) // fee from the share, the rest refunded
 */
export function resolveDisputeSplit(escrow: EscrowAccount, decision: DisputeDecision): ChargeSplit {
  assertEscrowTransition(escrow.state, "Resolved");
  if (decision.disputeId !== escrow.disputeId) {
    throw new MarketError("PROOF_MISMATCH", {
      field: "decision.disputeId",
      expected: escrow.disputeId ?? "none",
      actual: decision.disputeId,
    });
  }
  if (decision.providerShare.gt(escrow.amount)) {
    throw new MarketError("OUT_OF_RANGE", {
      field: "providerShare",
      value: decision.providerShare.toString(),
      min: "0",
      max: escrow.amount.toString(),
    });
  }
  return splitCharge(decision.providerShare, escrow.amount, escrow.rate);
}
