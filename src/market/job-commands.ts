// Commands on a funded job that move no money: start, complete, fail, open a dispute, and the
// arbiter's decision of one. Each runs as one command of a group commit; none sends a transaction.
import { Amount } from "../core/amount.js";
import type { Address } from "../core/address.js";
import { assertOrderTransition } from "../core/enums.js";
import { MarketError } from "../core/errors.js";
import type { PaymentService } from "../payments/payment-service.js";
import { resolveDisputeSplit } from "../settlement/dispute.js";
import { checkAttestation, proofSeconds } from "../settlement/settle-job.js";
import type { Attestation, Dispute } from "../settlement/statements.js";
import type { CommandQueue } from "./command-queue.js";
import type { OrderRows } from "./order-rows.js";
import { rematch } from "./rematch.js";
import { jobOf, statusOf } from "./views.js";
import type { JobRecord } from "./views.js";

/** An arbiter's split of a dispute: base units to the provider (the fee comes out of it), the rest refunded. */
export interface DisputeDecisionInput {
  readonly providerShare: Amount | string;
  readonly reason: string;
}

/**
 * Job commands. Invariants: only the match's provider starts, completes or fails a job; only a
 * party opens a dispute; only the market's arbiter decides one; none runs while a chain step of the
 * order's escrow is under way (ESCROW_BUSY).
 */
export class JobCommands {
  constructor(
    private readonly queue: CommandQueue,
    private readonly rows: OrderRows,
    private readonly payments: PaymentService,
  ) {}

  /** The provider starts the job. @throws ORDER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, ESCROW_BUSY */
  async startJob(key: string, orderId: string, actor: Address): Promise<void> {
    await this.queue.submit(key, "startJob", { orderId, actor }, async (batch, writer) => {
      const order = await this.rows.orderRow(batch, writer, orderId);
      this.rows.expectProvider(order, actor, "start");
      await this.rows.idleEscrow(batch, writer, order);
      this.rows.transition(batch, order, "Running", { ...jobOf(order), startedAtMs: batch.nowMs });
      return null;
    });
  }

  /**
   * The provider completes the job with its attested proof: the GPUs return to the offer and the
   * dispute window starts. @throws ORDER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, INVALID_SIGNATURE, PROOF_MISMATCH, ESCROW_BUSY
   */
  async completeJob(key: string, orderId: string, attestation: Attestation, actor: Address): Promise<void> {
    await this.queue.submit(key, "completeJob", { orderId, attestation, actor }, async (batch, writer) => {
      const order = await this.rows.orderRow(batch, writer, orderId);
      this.rows.expectProvider(order, actor, "complete");
      assertOrderTransition(statusOf(order), "Completed");
      const escrow = await this.rows.requireIdleEscrow(batch, writer, order);
      const completed = this.payments.completeJob(escrow, attestation);
      this.rows.putEscrow(batch, completed, undefined);
      this.rows.transition(batch, order, "Completed", { ...jobOf(order), attestation });
      this.rows.release(orderId);
      return null;
    });
  }

  /** The match's provider reports a failed job, with a proof of non-zero exit status; an order that asked for re-match gets its successor. @throws ORDER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, INVALID_SIGNATURE, PROOF_MISMATCH, INVALID_FIELD, ESCROW_BUSY */
  async failJob(key: string, orderId: string, attestation: Attestation, actor: Address): Promise<void> {
    await this.queue.submit(key, "failJob", { orderId, attestation, actor }, async (batch, writer) => {
      const order = await this.rows.orderRow(batch, writer, orderId);
      this.rows.expectProvider(order, actor, "fail");
      assertOrderTransition(statusOf(order), "Failed");
      const escrow = await this.rows.requireIdleEscrow(batch, writer, order);
      checkAttestation(escrow, attestation, batch.nowMs);
      if (attestation.proof.exitStatus === 0)
        throw new MarketError("INVALID_FIELD", {
          field: "attestation.proof.exitStatus",
          value: "0",
          allowed: "a non-zero exit status; a job that exited 0 completes",
        });
      const failed: JobRecord = {
        ...jobOf(order),
        failure: { kind: "ExitStatus", reason: `exit status ${attestation.proof.exitStatus}`, attestation },
      };
      const row = this.rows.transition(batch, order, "Failed", failed);
      this.rows.release(orderId);
      const linked = rematch(this.rows.book, batch, row, failed, proofSeconds(attestation.proof));
      if (linked !== failed) batch.putOrder({ ...row, job: JSON.stringify(linked) });
      return null;
    });
  }

  /** The buyer or the match's provider opens a dispute over a completed or failed job. @throws ORDER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, ESCROW_BUSY, what PaymentService.openDispute throws */
  async openDispute(key: string, orderId: string, dispute: Dispute): Promise<void> {
    await this.queue.submit(key, "openDispute", { orderId, dispute }, async (batch, writer) => {
      const order = await this.rows.orderRow(batch, writer, orderId);
      this.rows.expectParty(order, dispute.openedBy, "dispute");
      assertOrderTransition(statusOf(order), "Disputed");
      const escrow = await this.rows.requireIdleEscrow(batch, writer, order);
      this.rows.putEscrow(batch, this.payments.openDispute(escrow, dispute), undefined);
      this.rows.transition(batch, order, "Disputed", { ...jobOf(order), dispute });
      return null;
    });
  }

  /**
   * The arbiter decides a disputed escrow's split; nothing moves until the buyer or the provider
   * accepts it. A later decision replaces one not yet accepted. Only the market's arbiter may.
   * @throws ORDER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, OUT_OF_RANGE, INVALID_AMOUNT, ESCROW_ERROR, ESCROW_BUSY
   */
  async decideDispute(key: string, orderId: string, decision: DisputeDecisionInput, actor: Address): Promise<void> {
    const providerShare = Amount.from(decision.providerShare);
    await this.queue.submit(
      key,
      "decideDispute",
      { orderId, providerShare: providerShare.toString(), reason: decision.reason, actor },
      async (batch, writer) => {
        if (actor !== this.payments.arbiter.address)
          throw new MarketError("FORBIDDEN", { actor, action: `decide the dispute of order ${orderId}`, allowed: "the market's arbiter" });
        const order = await this.rows.orderRow(batch, writer, orderId);
        assertOrderTransition(statusOf(order), "Resolved");
        const escrow = await this.rows.requireIdleEscrow(batch, writer, order);
        if (escrow.disputeId === undefined) throw new MarketError("ESCROW_ERROR", { reason: `escrow ${escrow.id} has no dispute` });
        resolveDisputeSplit(escrow, { disputeId: escrow.disputeId, providerShare, reason: decision.reason });
        batch.putOrder({
          ...order,
          job: JSON.stringify({
            ...jobOf(order),
            decision: { providerShare: providerShare.toString(), reason: decision.reason, decidedAtMs: batch.nowMs },
          }),
        });
        batch.marketEvent({ type: "DisputeDecided", entityId: order.id, escrowId: escrow.id, providerShare: providerShare.toString() });
        return null;
      },
    );
  }
}
