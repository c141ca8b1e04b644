// The commands that send a chain transaction: fund an escrow, settle, refund, accept a dispute's
// decision (all four through ChainSteps.run), and the test-MOLT airdrop.
import type { MessageSigner } from "../chain/signer.js";
import type { Address } from "../core/address.js";
import { Amount } from "../core/amount.js";
import { assertOrderTransition } from "../core/enums.js";
import { MarketError } from "../core/errors.js";
import type { PaymentService, RefundReason } from "../payments/payment-service.js";
import { resolveDisputeSplit } from "../settlement/dispute.js";
import type { DisputeDecision } from "../settlement/dispute.js";
import type { EscrowAccount } from "../settlement/escrow-account.js";
import { settleJob } from "../settlement/settle-job.js";
import type { JobSettlementInput } from "../settlement/settle-job.js";
import type { Confirmation } from "../settlement/statements.js";
import type { Store, StoreWriter } from "../store/store.js";
import type { BatchBuilder } from "./batch.js";
import { decodeMatch } from "./codec.js";
import { checkKey } from "./command-queue.js";
import type { CommandQueue } from "./command-queue.js";
import { fundOutcome, payoutOutcome } from "./chain-steps.js";
import type { ChainStep, ChainSteps, CommandName, StepPlan } from "./chain-steps.js";
import type { OrderRows } from "./order-rows.js";
import { outcomeOf } from "./observer.js";
import type { MarketObserver } from "./observer.js";
import { fullRefund, summarize } from "./pending-step.js";
import type { PayoutOp, PayoutOutcome } from "./pending-step.js";
import { jobOf, statusOf } from "./views.js";
import type { OrderView } from "./views.js";

/** What the buyer or the provider settles with: the hours to bill (default: the proof's) and the buyer's confirmation. */
export interface SettleInput {
  readonly actualHours?: number | string;
  readonly confirmation?: Confirmation;
}

/** The answer to an airdrop. */
export interface AirdropAnswer {
  readonly address: string;
  readonly molt: string;
  readonly transactionId: string;
}

/** The plan of a payout: the escrow it pays out (re-read before the send), with what its check decided. */
interface PayoutPlan {
  readonly escrow: EscrowAccount;
}

/**
 * Chain commands. Invariants: each of fund, settle, refund and resolve is marked pending before it
 * is sent and its outcome recorded under the request's key; a repeated key sends nothing again.
 */
export class ChainCommands {
  constructor(
    private readonly queue: CommandQueue,
    private readonly steps: ChainSteps,
    private readonly rows: OrderRows,
    private readonly store: Store,
    private readonly payments: PaymentService,
    private readonly observer: MarketObserver = {},
  ) {}

  /**
   * The buyer funds the escrow of a matched order: recorded (Created, pending), sent, then
   * recorded Locked and the order Escrowed. A repeat after a crash adopts an escrow already on chain.
   * A buyer who signs elsewhere first gets the transaction to sign (SIGNATURE_REQUIRED): that
   * rehearsal writes nothing, since the escrow's id, and so its accounts, follow from the order's.
   * @throws ORDER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, ESCROW_BUSY, INSUFFICIENT_BALANCE, SIGNATURE_REQUIRED, CHAIN_ERROR, STORE_ERROR
   */
  async fundEscrow(key: string, orderId: string, buyer: MessageSigner): Promise<EscrowAccount> {
    const rehearsal = buyer.awaitingSignature === true;
    const result = await this.steps.run(key, {
      orderId,
      signer: buyer,
      intent: { name: "fundEscrow.open", args: { orderId, buyer: buyer.address } },
      check: async (batch, writer): Promise<StepPlan<EscrowAccount>> => {
        const order = await this.rows.orderRow(batch, writer, orderId);
        if (order.buyerId !== buyer.address)
          throw new MarketError("FORBIDDEN", { actor: buyer.address, action: `fund order ${orderId}`, allowed: "its buyer" });
        if (order.escrowId !== null) {
          const { escrow, pending } = await this.rows.escrowOf(batch, writer, order);
          if (escrow.state !== "Created") return { send: false, plan: escrow };
          // An escrow opened for a match that has since expired or been cancelled is never funded.
          if (order.status !== "Matched")
            throw new MarketError("INVALID_STATE_TRANSITION", { entity: "order", from: order.status, to: "Escrowed" });
          this.steps.markPending(batch, escrow, pending, { op: "fund", key }, buyer);
          return { send: true, plan: escrow };
        }
        if (order.status !== "Matched" || order.match === null)
          throw new MarketError("INVALID_STATE_TRANSITION", { entity: "order", from: order.status, to: "Escrowed" });
        const escrow = this.payments.openEscrow(decodeMatch(order.match), buyer.address);
        if (!rehearsal) {
          batch.putOrder({ ...order, escrowId: escrow.id });
          this.rows.putEscrow(batch, escrow, { op: "fund", key });
        }
        return { send: true, plan: escrow };
      },
      send: async (escrow) => (await this.steps.adoptFunding(escrow)) ?? (await this.payments.fundEscrow(escrow, buyer)).escrow,
      outcome: fundOutcome(orderId, buyer.address),
      record: (batch, writer, funded) => this.steps.recordFunded(batch, writer, orderId, funded),
    });
    if (result.kind === "answered") return this.rows.getEscrow(orderId);
    return result.kind === "sent" ? result.sent : result.plan;
  }

  /** A payout step: its escrow re-read as stored before the send, its outcome recorded as reconcile records it. */
  private payout<Plan extends PayoutPlan>(
    op: PayoutOp,
    orderId: string,
    signer: MessageSigner,
    intent: CommandName,
    check: (batch: BatchBuilder, writer: StoreWriter) => Promise<StepPlan<Plan>>,
    pay: (plan: Plan) => Promise<PayoutOutcome>,
  ): ChainStep<Plan, PayoutOutcome, null> {
    return {
      orderId,
      signer,
      intent,
      check,
      refresh: async (plan) => ({ ...plan, escrow: await this.rows.getEscrow(orderId) }),
      send: pay,
      outcome: payoutOutcome(op, orderId),
      record: (batch, writer, outcome) => this.steps.recordPayout(batch, writer, orderId, op, outcome),
    };
  }

  /**
   * Settles a completed job: checked, recorded as pending, paid out in one transaction signed by
   * the arbiter and `cosigner`, then recorded Settled. A rejected confirmation opens a dispute.
   * @throws ORDER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, ESCROW_BUSY, what settleJob throws, NOT_A_PARTY, CHAIN_ERROR, STORE_ERROR
   */
  async settle(key: string, orderId: string, input: SettleInput, cosigner: MessageSigner): Promise<OrderView> {
    const args = { orderId, actualHours: input.actualHours ?? null, confirmation: input.confirmation ?? null, cosigner: cosigner.address };
    const check = async (
      batch: BatchBuilder,
      writer: StoreWriter,
    ): Promise<StepPlan<PayoutPlan & { readonly settlement: JobSettlementInput }>> => {
      const order = await this.rows.orderRow(batch, writer, orderId);
      this.rows.expectParty(order, cosigner.address, "settle");
      assertOrderTransition(statusOf(order), "Settled");
      const job = jobOf(order);
      if (job.attestation === undefined)
        throw new MarketError("INVALID_STATE_TRANSITION", { entity: "order", from: order.status, to: "Settled" });
      const escrow = await this.rows.requireIdleEscrow(batch, writer, order);
      const proof = job.attestation.proof;
      const settlement: JobSettlementInput = {
        escrowId: escrow.id,
        ...(input.actualHours === undefined ? {} : { actualHours: input.actualHours }),
        proof,
        providerAttestation: job.attestation,
        ...(input.confirmation === undefined ? {} : { buyerConfirmation: input.confirmation }),
      };
      const billedBy = cosigner.address === order.buyerId ? "buyer" : "provider";
      const result = settleJob(settlement, { escrow, nowMs: batch.nowMs, disputeWindowMs: this.payments.disputeWindowMs, billedBy });
      if (result.status.kind === "Disputed") {
        this.rows.putEscrow(batch, Object.freeze({ ...escrow, state: "Disputed", disputeId: result.status.disputeId }), undefined);
        this.rows.transition(batch, order, "Disputed", { ...job, failure: { reason: result.status.reason } });
        return { send: false, plan: { escrow, settlement } };
      }
      this.steps.markPending(batch, escrow, undefined, { op: "settle", outcome: summarize(result), key }, cosigner);
      return { send: true, plan: { escrow, settlement } };
    };
    await this.steps.run(
      key,
      this.payout("settle", orderId, cosigner, { name: "settle.intent", args }, check, async ({ escrow, settlement }) => {
        const { result } = await this.payments.releasePayment(escrow, settlement, cosigner);
        return { ...summarize(result), transactions: result.transactions };
      }),
    );
    return this.rows.getOrder(orderId);
  }

  /**
   * Refunds a failed job's escrow to the buyer (buyer + arbiter): at once for a failure the
   * provider attested, after lockedUntil for a timeout. @throws ORDER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, ESCROW_BUSY, ESCROW_LOCKED, CHAIN_ERROR
   */
  async refund(key: string, orderId: string, buyer: MessageSigner): Promise<OrderView> {
    const check = async (batch: BatchBuilder, writer: StoreWriter): Promise<StepPlan<PayoutPlan>> => {
      const order = await this.rows.orderRow(batch, writer, orderId);
      if (order.buyerId !== buyer.address)
        throw new MarketError("FORBIDDEN", { actor: buyer.address, action: `refund order ${orderId}`, allowed: "its buyer" });
      assertOrderTransition(statusOf(order), "Refunded");
      const { escrow, pending } = await this.rows.escrowOf(batch, writer, order);
      this.steps.markPending(batch, escrow, pending, { op: "refund", key }, buyer);
      return { send: true, plan: { escrow } };
    };
    await this.steps.run(
      key,
      this.payout(
        "refund",
        orderId,
        buyer,
        { name: "refund.intent", args: { orderId, buyer: buyer.address } },
        check,
        async ({ escrow }) => {
          const attestation = jobOf(await this.rows.orderRow(undefined, undefined, orderId)).failure?.attestation;
          const reason: RefundReason = attestation === undefined ? { kind: "timeout" } : { kind: "jobFailed", attestation };
          const { transactions } = await this.payments.refundPayment(escrow, reason, buyer);
          return { ...fullRefund(escrow.amount), transactions };
        },
      ),
    );
    return this.rows.getOrder(orderId);
  }

  /**
   * The buyer or the provider accepts the arbiter's decision: its split is paid out in one
   * transaction co-signed by the arbiter and `acceptor`. @throws ORDER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, ESCROW_BUSY, ESCROW_ERROR (no decision), NOT_A_PARTY, CHAIN_ERROR, SIGNATURE_REQUIRED
   */
  async resolveDispute(key: string, orderId: string, acceptor: MessageSigner): Promise<OrderView> {
    const check = async (
      batch: BatchBuilder,
      writer: StoreWriter,
    ): Promise<StepPlan<PayoutPlan & { readonly decision: DisputeDecision }>> => {
      const order = await this.rows.orderRow(batch, writer, orderId);
      this.rows.expectParty(order, acceptor.address, "accept the dispute decision of");
      assertOrderTransition(statusOf(order), "Resolved");
      const { escrow, pending } = await this.rows.escrowOf(batch, writer, order);
      const decided = jobOf(order).decision;
      if (escrow.disputeId === undefined || decided === undefined)
        throw new MarketError("ESCROW_ERROR", { reason: `the arbiter has not decided the dispute of escrow ${escrow.id} yet` });
      const decision: DisputeDecision = {
        disputeId: escrow.disputeId,
        providerShare: Amount.parse(decided.providerShare),
        reason: decided.reason,
      };
      const split = resolveDisputeSplit(escrow, decision);
      this.steps.markPending(
        batch,
        escrow,
        pending,
        { op: "resolve", outcome: summarize({ ...split, status: "Resolved" }), key },
        acceptor,
      );
      return { send: true, plan: { escrow, decision } };
    };
    await this.steps.run(
      key,
      this.payout(
        "resolve",
        orderId,
        acceptor,
        { name: "resolve.intent", args: { orderId, acceptor: acceptor.address } },
        check,
        async ({ escrow, decision }) => {
          const { resolution } = await this.payments.handleDispute(escrow, decision, acceptor);
          return { ...summarize({ ...resolution, status: "Resolved" }), transactions: resolution.transactions };
        },
      ),
    );
    return this.rows.getOrder(orderId);
  }

  /**
   * Mints test MOLT to `to` (never on mainnet) and records the answer under `key`, so a repeated
   * request does not mint again. A crash between the mint and the record can mint twice: test
   * money only. @throws INVALID_NETWORK, LIMIT_EXCEEDED, INVALID_FIELD, WALLET_ERROR, CHAIN_ERROR
   */
  async airdrop(key: string, to: Address, amount: Amount): Promise<AirdropAnswer> {
    const prior = await this.store.getCommand(key);
    if (prior !== undefined) return JSON.parse(prior.response) as AirdropAnswer;
    checkKey(key);
    const sentAtMs = performance.now();
    const transaction = await this.payments.client.airdrop(to, amount).catch((e: unknown) => {
      this.observer.chainTransaction?.("airdrop", outcomeOf(e), performance.now() - sentAtMs);
      throw e;
    });
    this.observer.chainTransaction?.("airdrop", "ok", performance.now() - sentAtMs);
    const answer = { address: to, molt: transaction.amount.toString(), transactionId: transaction.id };
    return this.queue.submit(key, "airdrop", { to, molt: amount.toString() }, (batch) => {
      batch.marketEvent({ type: "Airdrop", entityId: to, molt: answer.molt, transactionId: answer.transactionId });
      return answer;
    });
  }
}
