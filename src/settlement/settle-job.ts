// settleJob: what a finished job's escrow pays out, from the provider's attested proof and the
// buyer's confirmation, checked against the escrow. Pure, no I/O: the PaymentService executes the
// result on chain as one transaction.
import { Amount } from "../core/amount.js";
import { MarketError } from "../core/errors.js";
import { newDisputeId } from "../core/ids.js";
import type { DisputeId } from "../core/ids.js";
import type { TransactionId } from "../core/transaction-id.js";
import { SETTLEMENT_HOURS_MAX, billSeconds, hoursToSeconds } from "./billing.js";
import type { EscrowAccount } from "./escrow-account.js";
import { encodeExecutionProof, proofDigest, verifyAttestation, verifyConfirmation } from "./statements.js";
import type { Attestation, Confirmation, ExecutionProof } from "./statements.js";

/** Input for settling a completed job (the spec's JobSettlementInput). */
export interface JobSettlementInput {
  readonly escrowId: string;
  /**
   * Hours to bill (a number or a decimal string); absent, the provider's attested time. Only the
   * provider may bill less than it attested; no one may bill more. Capped at the allocation.
   */
  readonly actualHours?: number | string;
  readonly proof: ExecutionProof;
  readonly providerAttestation: Attestation;
  readonly buyerConfirmation?: Confirmation;
}

/** How a settlement ended, with its reason. */
export type SettlementStatus =
  | { readonly kind: "Success" }
  | { readonly kind: "PartialRefund"; readonly reason: string }
  | { readonly kind: "FullRefund"; readonly reason: string }
  | { readonly kind: "Disputed"; readonly disputeId: DisputeId; readonly reason: string };

/**
 * What a settlement pays. Invariant: providerPayment + platformFee + buyerRefund + heldInEscrow =
 * the escrowed amount; heldInEscrow is 0 unless the status is Disputed (then it is everything).
 */
export interface SettlementResult {
  readonly status: SettlementStatus;
  readonly providerPayment: Amount;
  readonly buyerRefund: Amount;
  readonly platformFee: Amount;
  readonly heldInEscrow: Amount;
  /** Seconds billed: the attested time capped at the allocation, or less when the provider bills less. */
  readonly billedSeconds: number;
  /** providerPayment + platformFee. */
  readonly charge: Amount;
  /** Chain transactions that carried it out (none from the pure settleJob). */
  readonly transactions: readonly TransactionId[];
}

/** What settleJob checks the input against. */
export interface SettlementTerms {
  readonly escrow: EscrowAccount;
  readonly nowMs: number;
  /** How long an unconfirmed proof waits for a dispute before it settles. */
  readonly disputeWindowMs: number;
  /** Makes the id of the dispute a rejected confirmation opens. */
  readonly newDisputeId?: (timeMs: number) => DisputeId;
  /** Who asks for this settlement: a buyer can never bill less than the provider attested. */
  readonly billedBy: "buyer" | "provider";
}

const iso = (ms: number): string => new Date(ms).toISOString();

function mismatch(field: string, expected: string | number, actual: string | number): MarketError<"PROOF_MISMATCH"> {
  return new MarketError("PROOF_MISMATCH", { field, expected: String(expected), actual: String(actual) });
}

/**
 * Checks that an attestation is the escrow provider's signature over a proof of this escrow's job:
 * same escrow, order, offer and GPU count, run inside the escrow's window and not in the future.
 * @throws INVALID_SIGNATURE, PROOF_MISMATCH, INVALID_FIELD / OUT_OF_RANGE / INVALID_ADDRESS (malformed proof)
 */
export function checkAttestation(escrow: EscrowAccount, attestation: Attestation, nowMs: number): void {
  const proof = attestation.proof;
  encodeExecutionProof(proof);
  if (proof.provider !== escrow.provider || !verifyAttestation(attestation)) {
    throw new MarketError("INVALID_SIGNATURE", { statement: "attestation", signer: escrow.provider });
  }
  if (proof.escrowId !== escrow.id) throw mismatch("proof.escrowId", escrow.id, proof.escrowId);
  if (proof.orderId !== escrow.orderId) throw mismatch("proof.orderId", escrow.orderId, proof.orderId);
  if (proof.offerId !== escrow.offerId) throw mismatch("proof.offerId", escrow.offerId, proof.offerId);
  if (proof.gpuCount !== escrow.gpuCount) throw mismatch("proof.gpuCount", escrow.gpuCount, proof.gpuCount);
  if (proof.startedAtMs < escrow.createdAt.getTime())
    throw mismatch("proof.startedAtMs", `at or after ${escrow.createdAt.toISOString()}`, iso(proof.startedAtMs));
  if (proof.endedAtMs > escrow.lockedUntil.getTime())
    throw mismatch("proof.endedAtMs", `at or before ${escrow.lockedUntil.toISOString()}`, iso(proof.endedAtMs));
  if (proof.endedAtMs > nowMs) throw mismatch("proof.endedAtMs", `at or before now (${iso(nowMs)})`, iso(proof.endedAtMs));
}

/** Whole seconds between a proof's start and end (a partial second is not billed). */
export function proofSeconds(proof: ExecutionProof): number {
  return Math.floor((proof.endedAtMs - proof.startedAtMs) / 1000);
}

/**
 * The seconds a settlement bills: the provider's attested time capped at the allocation. The
 * provider may bill less (actualHours below it); a buyer who disagrees with the proof rejects it
 * and the arbiter decides, it cannot bill less itself. @throws PROOF_MISMATCH, INVALID_FIELD, OUT_OF_RANGE
 */
export function billedSecondsOf(
  input: Pick<JobSettlementInput, "actualHours" | "proof">,
  escrow: Pick<EscrowAccount, "allocatedSeconds">,
  billedBy: "buyer" | "provider",
): number {
  const ran = proofSeconds(input.proof);
  const attested = Math.min(ran, escrow.allocatedSeconds);
  if (input.actualHours === undefined) return attested;
  const claimed = hoursToSeconds(input.actualHours, "actualHours", SETTLEMENT_HOURS_MAX);
  if (claimed > ran) throw mismatch("actualHours", `at most the proof's ${ran} s (${(ran / 3600).toFixed(6)} h)`, `${claimed} s`);
  const billed = Math.min(claimed, escrow.allocatedSeconds);
  if (billedBy === "buyer" && billed < attested) {
    throw mismatch(
      "actualHours",
      `the provider's attested ${attested} s: only the provider may bill less; to contest the proof, reject it and the arbiter decides`,
      `${billed} s`,
    );
  }
  return billed;
}

function checkConfirmation(confirmation: Confirmation, input: JobSettlementInput, escrow: EscrowAccount, billedSeconds: number): void {
  if (confirmation.buyer !== escrow.buyer || !verifyConfirmation(confirmation)) {
    throw new MarketError("INVALID_SIGNATURE", { statement: "confirmation", signer: escrow.buyer });
  }
  if (confirmation.escrowId !== escrow.id) throw mismatch("buyerConfirmation.escrowId", escrow.id, confirmation.escrowId);
  const digest = proofDigest(input.proof);
  if (confirmation.proofDigest !== digest) throw mismatch("buyerConfirmation.proofDigest", digest, confirmation.proofDigest);
  if (confirmation.accepted && confirmation.billedSeconds !== billedSeconds) {
    throw mismatch("buyerConfirmation.billedSeconds", billedSeconds, confirmation.billedSeconds);
  }
}

/**
 * Settles a job (the spec's settle_job): billed seconds = min(attested, allocated) unless the
 * provider bills less (billedSecondsOf), charge =
 * min(rate x seconds, escrowed), fee and payment from the escrow's rate, the rest refunded.
 * A rejected confirmation yields Disputed and moves nothing. Without a confirmation the proof
 * settles only after its dispute window. Invariant: payment + fee + refund + held = escrowed.
 * @throws INVALID_STATE_TRANSITION (escrow not Locked), INVALID_SIGNATURE, PROOF_MISMATCH,
 *   DISPUTE_WINDOW_OPEN, INVALID_FIELD / OUT_OF_RANGE (malformed input)
 * @example settleJob({ escrowId, actualHours: 5.5, proof, providerAttestation, buyerConfirmation }, { escrow, nowMs, disputeWindowMs, billedBy: "buyer" })
 */
export function settleJob(input: JobSettlementInput, terms: SettlementTerms): SettlementResult {
  const { escrow, nowMs } = terms;
  if (escrow.state !== "Locked")
    throw new MarketError("INVALID_STATE_TRANSITION", { entity: "escrow", from: escrow.state, to: "Released" });
  if (input.escrowId !== escrow.id) throw mismatch("escrowId", escrow.id, input.escrowId);
  const proofBytes = Buffer.from(encodeExecutionProof(input.proof)).toString("hex");
  if (Buffer.from(encodeExecutionProof(input.providerAttestation.proof)).toString("hex") !== proofBytes) {
    throw mismatch("providerAttestation.proof", "the proof being settled", "another proof");
  }
  checkAttestation(escrow, input.providerAttestation, nowMs);
  if (escrow.proofDigest !== undefined && escrow.proofDigest !== proofDigest(input.proof)) {
    throw mismatch("proof", `the proof the job completed with (${escrow.proofDigest})`, proofDigest(input.proof));
  }
  const billedSeconds = billedSecondsOf(input, escrow, terms.billedBy);
  const confirmation = input.buyerConfirmation;
  if (confirmation !== undefined) {
    checkConfirmation(confirmation, input, escrow, billedSeconds);
    if (!confirmation.accepted) {
      const zero = Amount.zero();
      const reason = confirmation.reason === "" ? "the buyer rejected the proof" : confirmation.reason;
      const status: SettlementStatus = { kind: "Disputed", disputeId: (terms.newDisputeId ?? newDisputeId)(nowMs), reason };
      return Object.freeze({
        status,
        providerPayment: zero,
        buyerRefund: zero,
        platformFee: zero,
        heldInEscrow: escrow.amount,
        billedSeconds,
        charge: zero,
        transactions: [],
      });
    }
  } else if (nowMs < input.proof.endedAtMs + terms.disputeWindowMs) {
    throw new MarketError("DISPUTE_WINDOW_OPEN", { escrowId: escrow.id, settleableAt: iso(input.proof.endedAtMs + terms.disputeWindowMs) });
  }
  const split = billSeconds(billedSeconds, escrow.amount, escrow.rate);
  const ran = `billed ${billedSeconds} of ${escrow.allocatedSeconds} allocated seconds`;
  const status: SettlementStatus = split.charge.isZero()
    ? { kind: "FullRefund", reason: `${ran}: nothing to pay` }
    : split.buyerRefund.isZero()
      ? { kind: "Success" }
      : { kind: "PartialRefund", reason: `${ran}; the unused ${split.buyerRefund.toString()} MOLT goes back to the buyer` };
  return Object.freeze({ status, ...split, heldInEscrow: Amount.zero(), billedSeconds, transactions: [] });
}
