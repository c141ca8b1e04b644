// The chain steps of an escrow (fund, settle, refund, resolve), each run the same way: recorded as
// pending, sent, then its outcome recorded; and reconciliation of steps a crash left pending.
import type { MessageSigner } from "../chain/signer.js";
import { canTransitionOrder } from "../core/enums.js";
import type { OrderStatus } from "../core/enums.js";
import { Amount } from "../core/amount.js";
import { MarketError } from "../core/errors.js";
import type { PaymentService } from "../payments/payment-service.js";
import type { EscrowAccount, EscrowState } from "../settlement/escrow-account.js";
import type { Store, StoreWriter } from "../store/store.js";
import type { BatchBuilder } from "./batch.js";
import { decodeEscrow } from "./codec.js";
import { checkKey } from "./command-queue.js";
import type { JsonAnswer } from "./command-apply.js";
import type { CommandQueue } from "./command-queue.js";
import { extendOutcome, recordExtension } from "./extend-command.js";
import { outcomeOf } from "./observer.js";
import type { MarketObserver } from "./observer.js";
import type { OrderRows } from "./order-rows.js";
import { fullRefund } from "./pending-step.js";
import type { PayoutOp, PayoutOutcome, Pending } from "./pending-step.js";
import { jobOf, statusOf } from "./views.js";

/** A command's name and the arguments its request hash is taken over. */
export interface CommandName {
  readonly name: string;
  readonly args: unknown;
}

/** What a step's check decided in its intent batch: what it checked, and whether there is something to send. */
export interface StepPlan<Plan> {
  readonly send: boolean;
  readonly plan: Plan;
}

/** How a step ended for its request: answered before (its key is used), checked with nothing to send, or sent and recorded. */
export type StepResult<Plan, Sent> =
  { readonly kind: "answered" } | { readonly kind: "unsent"; readonly plan: Plan } | { readonly kind: "sent"; readonly sent: Sent };

/** One chain step of an order's escrow, in the parts every step has. */
export interface ChainStep<Plan, Sent, Recorded> {
  readonly orderId: string;
  /** Signs the transaction; one still to sign elsewhere only rehearses: nothing is marked, so nothing is cleared. */
  readonly signer: MessageSigner;
  /** The intent's command (no key: it runs on every request, after the key's check). */
  readonly intent: CommandName;
  /** In the intent's batch: checks the step and marks its escrow pending (markPending). */
  check(batch: BatchBuilder, writer: StoreWriter): Promise<StepPlan<Plan>>;
  /** After the intent, before the send and outside its refusal handling: the plan as stored now. */
  refresh?(plan: Plan): Promise<Plan>;
  /** Sends the transaction; when it is refused, the pending mark is cleared. */
  send(plan: Plan): Promise<Sent>;
  /** The outcome's command, under the request's key: reconcile records a lost outcome under the same. */
  readonly outcome: CommandName;
  /** In the outcome's batch: records what the chain did. */
  record(batch: BatchBuilder, writer: StoreWriter, sent: Sent): Promise<Recorded>;
}

/** The outcome command of a funding (the funding request's retry gets its answer). */
export function fundOutcome(orderId: string, buyer: string): CommandName {
  return { name: "fundEscrow", args: { orderId, buyer } };
}

/** The outcome command of a payout. */
export function payoutOutcome(op: PayoutOp, orderId: string): CommandName {
  return { name: op, args: { orderId } };
}

const PAID_ORDER_STATUS: { readonly [Op in PayoutOp]: OrderStatus } = { settle: "Settled", refund: "Refunded", resolve: "Resolved" };

/**
 * Runs and reconciles chain steps. Invariants: a step is marked pending in a committed batch
 * before it is sent; at most one step per escrow is pending (ESCROW_BUSY); an outcome is recorded
 * under the request's key, by the request or by reconcile, so nothing is paid twice.
 */
export class ChainSteps {
  constructor(
    private readonly queue: CommandQueue,
    private readonly rows: OrderRows,
    private readonly store: Store,
    private readonly payments: PaymentService,
    private readonly observer: MarketObserver = {},
  ) {}

  /**
   * Runs `step` for the request with `key`: the intent (check, mark pending), the send, then the
   * outcome recorded under `key`. @throws INVALID_FIELD (key), what the check, the send and the record throw
   */
  async run<Plan, Sent, Recorded>(
    key: string,
    step: ChainStep<Plan, Sent, Recorded & JsonAnswer<Recorded>>,
  ): Promise<StepResult<Plan, Sent>> {
    if ((await this.store.getCommand(key)) !== undefined) return { kind: "answered" };
    checkKey(key);
    let planned: StepPlan<Plan> | undefined;
    await this.queue.submit(undefined, step.intent.name, step.intent.args, async (batch, writer) => {
      planned = await step.check(batch, writer);
      return null;
    });
    // The intent has no key, so it ran now and `planned` is what it decided.
    if (planned === undefined) throw new MarketError("STORE_ERROR", { reason: `the intent ${step.intent.name} was not applied` });
    if (!planned.send) return { kind: "unsent", plan: planned.plan };
    const plan = step.refresh === undefined ? planned.plan : await step.refresh(planned.plan);
    let sent: Sent;
    // A signer still to sign elsewhere only rehearses the send: no transaction reaches the chain.
    const rehearsal = step.signer.awaitingSignature === true;
    const sentAtMs = performance.now();
    try {
      sent = await step.send(plan);
    } catch (e) {
      if (!rehearsal) {
        this.observer.chainTransaction?.(step.outcome.name, outcomeOf(e), performance.now() - sentAtMs);
        await this.clearPending(step.orderId);
      }
      throw e;
    }
    if (!rehearsal) this.observer.chainTransaction?.(step.outcome.name, "ok", performance.now() - sentAtMs);
    await this.queue.submit(key, step.outcome.name, step.outcome.args, (batch, writer) => step.record(batch, writer, sent));
    return { kind: "sent", sent };
  }

  /**
   * Records that a chain step is about to be sent. One step at a time per escrow: a second one
   * while the first is under way is refused, as is every other command on the order (idleEscrow).
   * A signer still to sign elsewhere only rehearses the step: nothing is marked. @throws ESCROW_BUSY
   */
  markPending(batch: BatchBuilder, escrow: EscrowAccount, current: Pending | undefined, pending: Pending, signer: MessageSigner): void {
    if (current !== undefined) throw new MarketError("ESCROW_BUSY", { escrowId: escrow.id, step: current.op });
    if (signer.awaitingSignature !== true) this.rows.putEscrow(batch, escrow, pending);
  }

  /** Clears the pending mark of an order's escrow as it is now (a step was refused, or never sent). @throws STORE_ERROR */
  private async clearPending(orderId: string): Promise<void> {
    await this.queue.submit(undefined, "clearPending", { orderId }, async (batch, writer) => {
      const { escrow, pending } = await this.rows.escrowOf(batch, writer, await this.rows.orderRow(batch, writer, orderId));
      if (pending !== undefined) this.rows.putEscrow(batch, escrow, undefined);
      return null;
    });
  }

  /** Where the chain keeps `escrow` (whether or not it is funded yet). @throws CHAIN_ERROR */
  private handleOf(escrow: EscrowAccount): ReturnType<PaymentService["client"]["escrowHandleFor"]> {
    return this.payments.client.escrowHandleFor({
      escrowId: escrow.id,
      buyer: escrow.buyer,
      provider: escrow.provider,
      arbiter: escrow.arbiter,
      amount: escrow.amount,
    });
  }

  /** The escrow as funded, if its account already holds the amount on chain. @throws CHAIN_ERROR */
  async adoptFunding(escrow: EscrowAccount): Promise<EscrowAccount | undefined> {
    const handle = await this.handleOf(escrow);
    const held = await this.payments.client.escrowBalance(handle);
    if (held === undefined || held.lt(escrow.amount)) return undefined;
    return Object.freeze({ ...escrow, state: "Locked", chain: Object.freeze({ address: handle.address, multisig: handle.multisig }) });
  }

  /** Records a funding: the escrow Locked, the order Escrowed (nothing when it was recorded already). @throws ORDER_NOT_FOUND, ESCROW_NOT_FOUND, INVALID_STATE_TRANSITION */
  async recordFunded(
    batch: BatchBuilder,
    writer: StoreWriter,
    orderId: string,
    funded: EscrowAccount,
  ): Promise<{ readonly escrowId: string }> {
    const order = await this.rows.orderRow(batch, writer, orderId);
    const { escrow } = await this.rows.escrowOf(batch, writer, order);
    if (escrow.state !== "Created") return { escrowId: escrow.id };
    this.rows.putEscrow(batch, funded, undefined);
    this.rows.transition(batch, order, "Escrowed", { ...jobOf(order), fundedAtMs: batch.nowMs });
    return { escrowId: funded.id };
  }

  /** Records a payout: the escrow paid out, the order Settled, Refunded or Resolved, even over what the store says of it. @throws ORDER_NOT_FOUND, ESCROW_NOT_FOUND */
  async recordPayout(batch: BatchBuilder, writer: StoreWriter, orderId: string, op: PayoutOp, outcome: PayoutOutcome): Promise<null> {
    const order = await this.rows.orderRow(batch, writer, orderId);
    const { escrow } = await this.rows.escrowOf(batch, writer, order);
    const state: EscrowState = op === "resolve" ? "Resolved" : outcome.status === "FullRefund" ? "Refunded" : "Released";
    const settlementTransactionId = outcome.transactions[0];
    this.rows.putEscrow(
      batch,
      Object.freeze({
        ...escrow,
        state,
        releasedAt: new Date(batch.nowMs),
        ...(settlementTransactionId === undefined ? {} : { settlementTransactionId }),
      }),
      undefined,
    );
    batch.afterCommit.push(() => this.observer.payoutRecorded?.(op, outcome));
    // A failed job's payout settles it when it pays the provider (a lost provider's receipted seconds).
    const to = statusOf(order) === "Failed" && op === "refund" && outcome.providerPayment !== "0" ? "Settled" : PAID_ORDER_STATUS[op];
    if (canTransitionOrder(statusOf(order), to)) {
      this.rows.transition(batch, order, to, { ...jobOf(order), settlement: outcome });
      return null;
    }
    // The escrow was paid out on chain: that outcome wins over whatever the store says of the order.
    this.rows.overrule(batch, order, to, { ...jobOf(order), settlement: outcome });
    return null;
  }

  /**
   * Settles chain steps that were recorded but whose outcome was not (a crash between send and
   * record): the chain says what happened, so nothing is stuck and nothing is paid twice.
   * @throws STORE_ERROR, CHAIN_ERROR
   */
  async reconcile(): Promise<{ readonly recorded: number; readonly cleared: number }> {
    let recorded = 0;
    let cleared = 0;
    for (const row of await this.store.pendingEscrows()) {
      const escrow = decodeEscrow(row.doc);
      const pending = JSON.parse(row.pending ?? "null") as Pending | null;
      if (pending === null) continue;
      if (pending.op === "fund") {
        const funded = await this.adoptFunding(escrow);
        if (funded !== undefined) {
          // Under the funding request's key and arguments, so its retry gets this answer.
          const outcome = fundOutcome(row.orderId, escrow.buyer);
          await this.queue.submit(pending.key, outcome.name, outcome.args, (batch, writer) =>
            this.recordFunded(batch, writer, row.orderId, funded),
          );
          recorded++;
          continue;
        }
      } else if (pending.op === "extend") {
        // The deposit landed when the escrow holds the stored amount plus the extension's.
        const held = await this.payments.client.escrowBalance(await this.handleOf(escrow));
        if (held !== undefined && held.gte(escrow.amount.add(Amount.parse(pending.amount)))) {
          const outcome = extendOutcome(row.orderId, escrow.buyer, pending.hours);
          await this.queue.submit(pending.key, outcome.name, outcome.args, (batch, writer) =>
            recordExtension(this.rows, batch, writer, row.orderId, pending),
          );
          recorded++;
          continue;
        }
      } else if (escrow.chain !== undefined) {
        const handle = await this.handleOf(escrow);
        if ((await this.payments.client.escrowBalance(handle)) === undefined) {
          const summary = pending.outcome ?? fullRefund(escrow.amount);
          const outcome = payoutOutcome(pending.op, row.orderId);
          await this.queue.submit(pending.key, outcome.name, outcome.args, (batch, writer) =>
            this.recordPayout(batch, writer, row.orderId, pending.op, { ...summary, transactions: [] }),
          );
          recorded++;
          continue;
        }
      }
      await this.clearPending(row.orderId);
      cleared++;
    }
    return { recorded, cleared };
  }
}
