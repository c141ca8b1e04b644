// PaymentService: a job's escrow from match to payout over a MoltClient. The arbiter's key is the
// service's; every movement of funds also needs the buyer's or the provider's signer, passed in,
// so the 2-of-3 rule is visible in each call. Checks the rules, then sends one transaction per step.
import { Amount } from "../core/amount.js";
import { DAY_MS, HOUR_MS, systemClock } from "../core/clock.js";
import type { Clock } from "../core/clock.js";
import { MarketError, assertIntInRange } from "../core/errors.js";
import { escrowIdOf } from "../core/ids.js";
import type { OrderMatch } from "../core/types.js";
import { ImmutableDate } from "../core/validate.js";
import { parseAddress } from "../core/address.js";
import type { Address } from "../core/address.js";
import type { MoltClient } from "../chain/molt-client.js";
import type { TransactionId } from "../core/transaction-id.js";
import type { MessageSigner } from "../chain/signer.js";
import type { Transaction } from "../chain/transaction.js";
import type { Wallet } from "../chain/wallet.js";
import { SECONDS_PER_HOUR, assertFeeBps, billingRate } from "../settlement/billing.js";
import { checkDisputeOpening, disputeDeadlineMs, resolveDisputeSplit } from "../settlement/dispute.js";
import type { DisputeDecision, DisputeResolution } from "../settlement/dispute.js";
import { assertEscrowTransition, transitionEscrow } from "../settlement/escrow-account.js";
import type { EscrowAccount } from "../settlement/escrow-account.js";
import { checkAttestation, settleJob } from "../settlement/settle-job.js";
import type { JobSettlementInput, SettlementResult } from "../settlement/settle-job.js";
import { proofDigest } from "../settlement/statements.js";
import type { Attestation, Dispute } from "../settlement/statements.js";
import { escrowHandle, expectSigner, payOut } from "./escrow-payout.js";

/** Defaults: a 2.5 % platform fee, one hour of grace after the allocated hours, a one-day dispute window. */
export const PAYMENT_DEFAULTS = { feeBps: 250, gracePeriodMs: HOUR_MS, disputeWindowMs: DAY_MS } as const;
/** Longest grace period or dispute window: 30 days. */
export const PAYMENT_PERIOD_MS_MAX = 30 * DAY_MS;

/** How a PaymentService is set up. */
export interface PaymentServiceOptions {
  readonly client: MoltClient;
  /** The marketplace's arbiter: the third key of every escrow. */
  readonly arbiter: Wallet;
  /** Receives platform fees; the arbiter when absent. */
  readonly feeRecipient?: Address;
  /** Platform fee in basis points, 0..10000, fixed into each escrow when it is made. */
  readonly feeBps?: number;
  readonly gracePeriodMs?: number;
  readonly disputeWindowMs?: number;
  readonly clock?: Clock;
}

/** Why an escrow goes back to the buyer in full. */
export type RefundReason =
  /** lockedUntil passed and the job never completed. */
  | { readonly kind: "timeout" }
  /** The provider attests the job failed (a proof with a non-zero exit status). */
  | { readonly kind: "jobFailed"; readonly attestation: Attestation };

/** An escrow after a step, and the transactions the step sent. */
export interface EscrowStep {
  readonly escrow: EscrowAccount;
  readonly transactions: readonly TransactionId[];
}

/**
 * The spec's PaymentService. Invariants: an escrow changes state only along the allowed
 * transitions; every payout adds up to the escrowed amount and goes in one transaction; a refused
 * call sends nothing.
 * @example const escrow = await payments.createJobEscrow(match, buyerWallet);
 */
export class PaymentService {
  readonly client: MoltClient;
  readonly arbiter: Wallet;
  readonly feeRecipient: Address;
  readonly feeBps: number;
  readonly gracePeriodMs: number;
  readonly disputeWindowMs: number;
  private readonly clock: Clock;

  /** @throws OUT_OF_RANGE (fee or periods), INVALID_ADDRESS (fee recipient) */
  constructor(options: PaymentServiceOptions) {
    this.client = options.client;
    this.arbiter = options.arbiter;
    this.feeRecipient = parseAddress(options.feeRecipient ?? options.arbiter.address);
    this.feeBps = options.feeBps ?? PAYMENT_DEFAULTS.feeBps;
    assertFeeBps(this.feeBps);
    this.gracePeriodMs = options.gracePeriodMs ?? PAYMENT_DEFAULTS.gracePeriodMs;
    this.disputeWindowMs = options.disputeWindowMs ?? PAYMENT_DEFAULTS.disputeWindowMs;
    assertIntInRange("gracePeriodMs", this.gracePeriodMs, 0, PAYMENT_PERIOD_MS_MAX);
    assertIntInRange("disputeWindowMs", this.disputeWindowMs, 0, PAYMENT_PERIOD_MS_MAX);
    this.clock = options.clock ?? systemClock;
  }

  /**
   * Records the escrow of a match (state Created, nothing sent): its id follows from the order's
   * (escrowIdOf), amount = the match's total cost, rate and fee fixed now, lockedUntil = now +
   * allocated hours + grace.
   * @throws INVALID_ADDRESS (provider id or buyer not an address), INVALID_FIELD (total cost inconsistent), ESCROW_ERROR (buyer = provider or arbiter)
   */
  openEscrow(match: OrderMatch, buyer: Address): EscrowAccount {
    const provider = parseAddress(match.providerId);
    const buyerAddress = parseAddress(buyer);
    if (new Set([provider, buyerAddress, this.arbiter.address]).size !== 3) {
      throw new MarketError("ESCROW_ERROR", { reason: "buyer, provider and arbiter must be three different keys" });
    }
    const allocatedSeconds = match.hours * SECONDS_PER_HOUR;
    const expected = match.pricePerHour.mul(match.gpuCount * match.hours);
    if (!expected.equals(match.totalCost)) {
      throw new MarketError("INVALID_FIELD", {
        field: "match.totalCost",
        value: match.totalCost.toString(),
        allowed: `price x GPUs x hours = ${expected.toString()}`,
      });
    }
    const nowMs = this.clock.now();
    return Object.freeze({
      id: escrowIdOf(match.orderId),
      state: "Created",
      orderId: match.orderId,
      offerId: match.offerId,
      buyer: buyerAddress,
      provider,
      arbiter: this.arbiter.address,
      feeRecipient: this.feeRecipient,
      amount: match.totalCost,
      pricePerHour: match.pricePerHour,
      gpuCount: match.gpuCount,
      allocatedSeconds,
      feeBps: this.feeBps,
      rate: Object.freeze(billingRate(match.pricePerHour, match.gpuCount, this.feeBps)),
      createdAt: new ImmutableDate(nowMs),
      lockedUntil: new ImmutableDate(nowMs + allocatedSeconds * 1000 + this.gracePeriodMs),
    });
  }

  /**
   * Funds a Created escrow from the buyer in one transaction; Locked once it is confirmed.
   * @throws INVALID_STATE_TRANSITION, NOT_A_PARTY, INSUFFICIENT_BALANCE, ESCROW_ERROR, CHAIN_ERROR
   */
  async fundEscrow(escrow: EscrowAccount, buyer: MessageSigner): Promise<EscrowStep> {
    assertEscrowTransition(escrow.state, "Locked");
    expectSigner(escrow, buyer, ["buyer"]);
    const { escrow: handle, transaction } = await this.client.createEscrow({
      escrowId: escrow.id,
      buyer,
      provider: escrow.provider,
      arbiter: escrow.arbiter,
      amount: escrow.amount,
    });
    return {
      escrow: transitionEscrow(escrow, "Locked", {
        transactionId: transaction.id,
        chain: Object.freeze({ address: handle.address, multisig: handle.multisig }),
      }),
      transactions: [transaction.id],
    };
  }

  /** The spec's createJobEscrow: open and fund in one call; returns the Locked escrow. @throws as openEscrow and fundEscrow */
  async createJobEscrow(match: OrderMatch, buyerWallet: MessageSigner): Promise<EscrowAccount> {
    return (await this.fundEscrow(this.openEscrow(match, buyerWallet.address), buyerWallet)).escrow;
  }

  /**
   * Records that the job completed with this attested proof: its end starts the dispute window,
   * and the settlement must use this proof. Nothing is sent.
   * @throws INVALID_STATE_TRANSITION (not Locked), ESCROW_ERROR (completed already), INVALID_SIGNATURE, PROOF_MISMATCH
   */
  completeJob(escrow: EscrowAccount, attestation: Attestation): EscrowAccount {
    if (escrow.state !== "Locked")
      throw new MarketError("INVALID_STATE_TRANSITION", { entity: "escrow", from: escrow.state, to: "Locked" });
    if (escrow.jobEndedAt !== undefined)
      throw new MarketError("ESCROW_ERROR", {
        reason: `the job of escrow ${escrow.id} completed already at ${escrow.jobEndedAt.toISOString()}`,
      });
    checkAttestation(escrow, attestation, this.clock.now());
    return Object.freeze({
      ...escrow,
      jobEndedAt: new ImmutableDate(attestation.proof.endedAtMs),
      proofDigest: proofDigest(attestation.proof),
    });
  }

  /**
   * Settles a job (settleJob) and pays it out in ONE transaction signed by the arbiter and
   * `cosigner` (buyer or provider): provider payment, platform fee, buyer refund. A rejected
   * confirmation moves the escrow to Disputed and sends nothing.
   * @throws everything settleJob throws, NOT_A_PARTY, ESCROW_ERROR, CHAIN_ERROR
   */
  async releasePayment(
    escrow: EscrowAccount,
    input: JobSettlementInput,
    cosigner: MessageSigner,
  ): Promise<{ readonly escrow: EscrowAccount; readonly result: SettlementResult }> {
    const billedBy = expectSigner(escrow, cosigner, ["buyer", "provider"]);
    const nowMs = this.clock.now();
    const result = settleJob(input, { escrow, nowMs, disputeWindowMs: this.disputeWindowMs, billedBy });
    if (result.status.kind === "Disputed") {
      return { escrow: transitionEscrow(escrow, "Disputed", { disputeId: result.status.disputeId }), result };
    }
    const transactionId = await payOut(this.client, this.arbiter, escrow, cosigner, result);
    const state = result.status.kind === "FullRefund" ? "Refunded" : "Released";
    return {
      escrow: transitionEscrow(escrow, state, { releasedAt: new ImmutableDate(nowMs), settlementTransactionId: transactionId }),
      result: Object.freeze({ ...result, transactions: [transactionId] }),
    };
  }

  /**
   * Refunds everything to the buyer, signed by the buyer and the arbiter: after lockedUntil when
   * the job never completed, or at once when the provider attests that the job failed.
   * @throws INVALID_STATE_TRANSITION, NOT_A_PARTY, ESCROW_LOCKED, ESCROW_ERROR, INVALID_SIGNATURE, PROOF_MISMATCH, INVALID_FIELD, CHAIN_ERROR
   */
  async refundPayment(escrow: EscrowAccount, reason: RefundReason, buyer: MessageSigner): Promise<EscrowStep> {
    assertEscrowTransition(escrow.state, "Refunded");
    expectSigner(escrow, buyer, ["buyer"]);
    const nowMs = this.clock.now();
    if (reason.kind === "timeout") {
      if (nowMs < escrow.lockedUntil.getTime())
        throw new MarketError("ESCROW_LOCKED", { escrowId: escrow.id, lockedUntil: escrow.lockedUntil.toISOString() });
      if (escrow.jobEndedAt !== undefined) {
        throw new MarketError("ESCROW_ERROR", {
          reason: `the job of escrow ${escrow.id} completed at ${escrow.jobEndedAt.toISOString()}; it settles with its proof, or the buyer opens a dispute`,
        });
      }
    } else {
      checkAttestation(escrow, reason.attestation, nowMs);
      if (reason.attestation.proof.exitStatus === 0) {
        throw new MarketError("INVALID_FIELD", {
          field: "attestation.proof.exitStatus",
          value: "0",
          allowed: "a non-zero exit status (a job that exited 0 settles with releasePayment)",
        });
      }
    }
    const zero = Amount.zero();
    const transactionId = await payOut(this.client, this.arbiter, escrow, buyer, {
      providerPayment: zero,
      platformFee: zero,
      buyerRefund: escrow.amount,
      charge: zero,
    });
    return {
      escrow: transitionEscrow(escrow, "Refunded", { releasedAt: new ImmutableDate(nowMs), settlementTransactionId: transactionId }),
      transactions: [transactionId],
    };
  }

  /** Last moment a dispute may be opened on `escrow`. */
  disputeDeadline(escrow: EscrowAccount): Date {
    return new ImmutableDate(disputeDeadlineMs(escrow, this.disputeWindowMs));
  }

  /**
   * Opens a dispute signed by the buyer or the provider, inside the dispute window: the escrow
   * becomes Disputed and waits for the arbiter. Nothing is sent.
   * @throws INVALID_STATE_TRANSITION, INVALID_ID, PROOF_MISMATCH, NOT_A_PARTY, INVALID_SIGNATURE, DISPUTE_WINDOW_CLOSED
   */
  openDispute(escrow: EscrowAccount, dispute: Dispute): EscrowAccount {
    const disputeId = checkDisputeOpening(escrow, dispute, this.clock.now(), this.disputeWindowMs);
    return transitionEscrow(escrow, "Disputed", { disputeId });
  }

  /**
   * The spec's handleDispute: pays out the arbiter's split in ONE transaction signed by the arbiter
   * and `acceptor` (the buyer or provider who accepts it); Disputed -> Resolved.
   * @throws INVALID_STATE_TRANSITION, PROOF_MISMATCH, OUT_OF_RANGE, NOT_A_PARTY, ESCROW_ERROR, CHAIN_ERROR
   */
  async handleDispute(
    escrow: EscrowAccount,
    decision: DisputeDecision,
    acceptor: MessageSigner,
  ): Promise<{ readonly escrow: EscrowAccount; readonly resolution: DisputeResolution }> {
    const split = resolveDisputeSplit(escrow, decision);
    expectSigner(escrow, acceptor, ["buyer", "provider"]);
    const transactionId = await payOut(this.client, this.arbiter, escrow, acceptor, split);
    const resolvedAt = new ImmutableDate(this.clock.now());
    const resolution: DisputeResolution = Object.freeze({
      disputeId: decision.disputeId,
      escrowId: escrow.id,
      providerPayment: split.providerPayment,
      platformFee: split.platformFee,
      buyerRefund: split.buyerRefund,
      reason: decision.reason,
      decidedBy: this.arbiter.address,
      acceptedBy: acceptor.address,
      resolvedAt,
      transactions: [transactionId],
    });
    return { escrow: transitionEscrow(escrow, "Resolved", { releasedAt: resolvedAt, settlementTransactionId: transactionId }), resolution };
  }

  /**
   * The buyer adds `amount` to its Locked escrow, in one transfer into the same escrow account that
   * the buyer alone signs. Records nothing: the caller grows the escrow's terms once it landed.
   * @throws INVALID_STATE_TRANSITION (not Locked), NOT_A_PARTY, ESCROW_ERROR, INVALID_FIELD, INSUFFICIENT_BALANCE, CHAIN_ERROR, SIGNATURE_REQUIRED
   */
  async depositToEscrow(escrow: EscrowAccount, amount: Amount, buyer: MessageSigner): Promise<Transaction> {
    if (escrow.state !== "Locked")
      throw new MarketError("INVALID_STATE_TRANSITION", { entity: "escrow", from: escrow.state, to: "Locked with more MOLT" });
    expectSigner(escrow, buyer, ["buyer"]);
    return this.client.depositToEscrow(escrowHandle(escrow), buyer, amount);
  }
}
