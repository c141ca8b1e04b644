// The buyer extends its Escrowed or Running job by whole hours: checked against the order, the
// escrow and the offer, then the extra MOLT deposited into the same escrow account as a chain step
// (pending, sent, recorded under the request's key), then the escrow's and the match's terms grown.
import type { MessageSigner } from "../chain/signer.js";
import type { Transaction } from "../chain/transaction.js";
import { Amount } from "../core/amount.js";
import { HOUR_MS } from "../core/clock.js";
import { MarketError, assertIntInRange } from "../core/errors.js";
import { HOURS_MAX } from "../core/limits.js";
import type { ExtensionRecord } from "../contract/extension.js";
import type { PaymentService } from "../payments/payment-service.js";
import { SECONDS_PER_HOUR } from "../settlement/billing.js";
import type { EscrowAccount } from "../settlement/escrow-account.js";
import { ImmutableDate } from "../core/validate.js";
import type { OfferRow, Store, StoreWriter } from "../store/store.js";
import type { BatchBuilder } from "./batch.js";
import { decodeMatch } from "./codec.js";
import type { ChainSteps, CommandName, StepPlan } from "./chain-steps.js";
import type { CommandQueue } from "./command-queue.js";
import { allocatedOrderId } from "./order-rows.js";
import type { OrderRows } from "./order-rows.js";
import { jobOf, statusOf } from "./views.js";

/** Most extensions one job takes (each is a chain transaction and a record in the job). */
export const EXTENSIONS_PER_JOB_MAX = 16;

/** An extension's answer: the escrow as it is now, and the extension the job recorded. */
export interface JobExtension {
  readonly escrow: EscrowAccount;
  readonly extension: ExtensionRecord;
}

/** What the check decided: the escrow to deposit into and the MOLT the hours cost. */
interface ExtendPlan {
  readonly escrow: EscrowAccount;
  readonly amount: Amount;
}

/** The outcome command of an extension (the request's retry, and reconcile, record under it). */
export function extendOutcome(orderId: string, buyer: string, hours: number): CommandName {
  return { name: "extendJob", args: { orderId, buyer, hours } };
}

/** The escrow with `hours` more: amount + `amount`, allocation and lockedUntil + the hours. Pure. */
function extendedEscrow(escrow: EscrowAccount, hours: number, amount: Amount): EscrowAccount {
  return Object.freeze({
    ...escrow,
    amount: escrow.amount.add(amount),
    allocatedSeconds: escrow.allocatedSeconds + hours * SECONDS_PER_HOUR,
    lockedUntil: new ImmutableDate(escrow.lockedUntil.getTime() + hours * HOUR_MS),
  });
}

/**
 * Records a landed extension: the escrow's amount, allocation and lockedUntil grow, the stored
 * match's hours and total cost grow, the job lists the extension, and a JobExtended event is
 * written; the escrow's pending mark is cleared. Invariant: escrow amount = match total cost after.
 * @throws ORDER_NOT_FOUND, ESCROW_NOT_FOUND
 */
export async function recordExtension(
  rows: OrderRows,
  batch: BatchBuilder,
  writer: StoreWriter,
  orderId: string,
  deposit: { readonly hours: number; readonly amount: string; readonly transactionId?: string },
): Promise<{ readonly escrowId: string; readonly hours: number }> {
  const order = await rows.orderRow(batch, writer, orderId);
  const { escrow } = await rows.escrowOf(batch, writer, order);
  const amount = Amount.parse(deposit.amount);
  const grown = extendedEscrow(escrow, deposit.hours, amount);
  rows.putEscrow(batch, grown, undefined);
  const job = jobOf(order);
  const extension: ExtensionRecord = {
    hours: deposit.hours,
    amount: deposit.amount,
    atMs: batch.nowMs,
    ...(deposit.transactionId === undefined ? {} : { transactionId: deposit.transactionId }),
  };
  const match = order.match === null ? null : decodeMatch(order.match);
  const grownMatch = match === null ? null : { ...match, hours: match.hours + deposit.hours, totalCost: match.totalCost.add(amount) };
  // The live book (and, through its AllocationExtended event, every node's) holds the grown match too.
  const allocated = allocatedOrderId(rows.book, orderId);
  if (allocated !== undefined && grownMatch !== null) rows.book.extendAllocation(allocated, grownMatch.hours, grownMatch.totalCost);
  batch.putOrder({
    ...order,
    match: grownMatch === null ? null : JSON.stringify(grownMatch),
    job: JSON.stringify({ ...job, extensions: [...(job.extensions ?? []), extension] }),
  });
  batch.marketEvent({
    type: "JobExtended",
    entityId: order.id,
    escrowId: escrow.id,
    hours: deposit.hours,
    molt: deposit.amount,
    allocatedSeconds: grown.allocatedSeconds,
    lockedUntil: grown.lockedUntil.toISOString(),
    transactionId: deposit.transactionId ?? null,
  });
  return { escrowId: escrow.id, hours: deposit.hours };
}

/** Refuses an extension of `orderId`, saying why and by how many hours it could be extended. @throws EXTENSION_REFUSED */
function refuse(orderId: string, reason: string, extendableHours: number): never {
  throw new MarketError("EXTENSION_REFUSED", { orderId, reason, extendableHours: Math.max(0, extendableHours) });
}

/**
 * The extend command. Invariants: nothing is sent unless every rule holds; the deposit is
 * extra = price per GPU-hour x GPUs x hours exactly, into the order's own escrow account; a
 * repeated key sends nothing again; at most EXTENSIONS_PER_JOB_MAX extensions per job.
 */
export class ExtendCommand {
  constructor(
    private readonly queue: CommandQueue,
    private readonly steps: ChainSteps,
    private readonly rows: OrderRows,
    private readonly store: Store,
    private readonly payments: PaymentService,
  ) {}

  /**
   * The buyer adds `hours` whole hours to its Escrowed or Running job, depositing their cost into
   * the escrow. A buyer who signs elsewhere first gets the transaction (SIGNATURE_REQUIRED), and
   * that rehearsal writes nothing.
   * @throws OUT_OF_RANGE (hours), IDEMPOTENCY_KEY_REUSED, ORDER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, EXTENSION_REFUSED, ESCROW_BUSY, ESCROW_NOT_FOUND, INSUFFICIENT_BALANCE, SIGNATURE_REQUIRED, CHAIN_ERROR, STORE_ERROR
   */
  async extendJob(key: string, orderId: string, hours: number, buyer: MessageSigner): Promise<JobExtension> {
    assertIntInRange("hours", hours, 1, HOURS_MAX);
    // Read before the intent: the store is not read inside a batch's transaction (only its writer is).
    const offerId = (await this.rows.getOrder(orderId)).offerId;
    const offer = offerId === null ? undefined : await this.store.getOffer(offerId);
    const outcome = extendOutcome(orderId, buyer.address, hours);
    const result = await this.steps.run(key, {
      orderId,
      signer: buyer,
      intent: { name: "extendJob.intent", args: { orderId, buyer: buyer.address, hours } },
      check: (batch, writer) => this.check(batch, writer, { key, orderId, hours, buyer, offer }),
      send: ({ escrow, amount }) => this.payments.depositToEscrow(escrow, amount, buyer),
      outcome,
      record: (batch, writer, sent: Transaction) =>
        recordExtension(this.rows, batch, writer, orderId, { hours, amount: sent.amount.toString(), transactionId: sent.id }),
    });
    if (result.kind === "answered") {
      // The key answered before: refused (IDEMPOTENCY_KEY_REUSED) unless it answered this same extension.
      await this.queue.submit(key, outcome.name, outcome.args, () => {
        throw new MarketError("STORE_ERROR", { reason: `the answer of key ${key} is gone` });
      });
    }
    const escrow = await this.rows.getEscrow(orderId);
    if (result.kind === "unsent") throw new MarketError("STORE_ERROR", { reason: `the extension of order ${orderId} was not sent` });
    const extensions = (await this.rows.getOrder(orderId)).job.extensions ?? [];
    const extension = extensions.at(-1);
    if (extension === undefined) throw new MarketError("STORE_ERROR", { reason: `the extension of order ${orderId} was not recorded` });
    return { escrow, extension };
  }

  /** The rules, in the intent's batch; marks the escrow pending. */
  private async check(
    batch: BatchBuilder,
    writer: StoreWriter,
    request: {
      readonly key: string;
      readonly orderId: string;
      readonly hours: number;
      readonly buyer: MessageSigner;
      readonly offer: OfferRow | undefined;
    },
  ): Promise<StepPlan<ExtendPlan>> {
    const { key, orderId, hours, buyer } = request;
    const order = await this.rows.orderRow(batch, writer, orderId);
    // Before the state, so an outsider learns nothing of the order.
    if (order.buyerId !== buyer.address)
      throw new MarketError("FORBIDDEN", { actor: buyer.address, action: `extend order ${orderId}`, allowed: "its buyer" });
    const status = statusOf(order);
    if (status !== "Escrowed" && status !== "Running") {
      throw new MarketError("INVALID_STATE_TRANSITION", {
        entity: "order",
        from: status,
        to: `a longer job (only an Escrowed or Running job is extended: ${status === "Matched" ? "fund the escrow first" : "order a new job for more hours"})`,
      });
    }
    const { escrow, pending } = await this.rows.escrowOf(batch, writer, order);
    if (pending !== undefined) throw new MarketError("ESCROW_BUSY", { escrowId: escrow.id, step: pending.op });
    const job = jobOf(order);
    const done = job.extensions?.length ?? 0;
    if (done >= EXTENSIONS_PER_JOB_MAX)
      refuse(orderId, `this job was extended ${done} times, the most one job may be (EXTENSIONS_PER_JOB_MAX)`, 0);
    const offerRow = request.offer?.id === order.offerId ? request.offer : undefined;
    const offerId = order.offerId ?? "(none)";
    if (offerRow === undefined || offerRow.status === "Withdrawn" || offerRow.status === "Expired")
      refuse(orderId, `offer ${offerId} is ${offerRow === undefined ? "gone" : offerRow.status.toLowerCase()}`, 0);
    const { availableHours } = JSON.parse(offerRow.doc) as { readonly availableHours: number };
    const allocatedHours = escrow.allocatedSeconds / SECONDS_PER_HOUR;
    if (allocatedHours + hours > availableHours)
      refuse(
        orderId,
        `offer ${offerId} takes jobs of at most ${availableHours} h; this job has ${allocatedHours} h`,
        availableHours - allocatedHours,
      );
    // The job ends its allocation after its start (after now, when it has not started yet): the offer must last that long.
    const endMs = (job.startedAtMs ?? batch.nowMs) + escrow.allocatedSeconds * 1000;
    if (endMs + hours * HOUR_MS > offerRow.expiresAtMs) {
      refuse(
        orderId,
        `offer ${offerId} expires at ${new Date(offerRow.expiresAtMs).toISOString()}, before this job's end would be`,
        Math.floor((offerRow.expiresAtMs - endMs) / HOUR_MS),
      );
    }
    const amount = escrow.pricePerHour.mul(escrow.gpuCount * hours);
    this.steps.markPending(batch, escrow, pending, { op: "extend", hours, amount: amount.toString(), key }, buyer);
    return { send: true, plan: { escrow, amount } };
  }
}
