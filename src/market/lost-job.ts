// The payout of a failed job that carries receipted seconds (its provider was lost, or it ran past
// its escrow's end): a chain step like settle and refund, open to the buyer and the provider alike,
// whoever acts first. The provider is paid its last receipted seconds, the buyer refunded the rest.
import type { MessageSigner } from "../chain/signer.js";
import type { Clock } from "../core/clock.js";
import { MarketError } from "../core/errors.js";
import { payLostJob } from "../payments/lost-job-payout.js";
import type { PaymentService } from "../payments/payment-service.js";
import { receiptedSplit } from "../settlement/billing.js";
import type { ChargeSplit } from "../settlement/billing.js";
import type { EscrowAccount } from "../settlement/escrow-account.js";
import type { OrderRow } from "../store/store.js";
import { payoutOutcome } from "./chain-steps.js";
import type { ChainSteps } from "./chain-steps.js";
import type { OrderRows } from "./order-rows.js";
import { summarize } from "./pending-step.js";
import type { SettlementSummary } from "./pending-step.js";
import { jobOf } from "./views.js";
import type { OrderView } from "./views.js";

/** Is the stored order a failed job paid out by its receipts (rather than a full refund or a proof). */
export function isReceiptedFailure(order: OrderRow): boolean {
  return order.status === "Failed" && jobOf(order).failure?.secondsRun !== undefined;
}

/** The summary a lost job's payout records: a full refund when nothing was receipted. */
function lostSummary(split: ChargeSplit): SettlementSummary {
  const status = split.charge.isZero() ? "FullRefund" : split.buyerRefund.isZero() ? "Success" : "PartialRefund";
  return summarize({ ...split, status });
}

/**
 * Lost-job payouts. Invariants: only a failed job with receipted seconds is paid this way; the
 * provider gets at most what its receipts attest (capped at the allocation); one transaction, marked
 * pending before it is sent and recorded under the request's key.
 */
export class LostJobPayouts {
  constructor(
    private readonly steps: ChainSteps,
    private readonly rows: OrderRows,
    private readonly payments: PaymentService,
    private readonly clock: Clock,
  ) {}

  /**
   * Pays out the failed job of `orderId`, co-signed by `cosigner` (its buyer or provider) and the arbiter.
   * @throws ORDER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, ESCROW_BUSY, NOT_A_PARTY, ESCROW_ERROR, CHAIN_ERROR, STORE_ERROR
   */
  async payOut(key: string, orderId: string, cosigner: MessageSigner): Promise<OrderView> {
    await this.steps.run(key, {
      orderId,
      signer: cosigner,
      intent: { name: "payLostJob.intent", args: { orderId, cosigner: cosigner.address } },
      check: async (batch, writer) => {
        const order = await this.rows.orderRow(batch, writer, orderId);
        this.rows.expectParty(order, cosigner.address, "pay out");
        const secondsRun = jobOf(order).failure?.secondsRun;
        if (order.status !== "Failed" || secondsRun === undefined)
          throw new MarketError("INVALID_STATE_TRANSITION", { entity: "order", from: order.status, to: "Settled" });
        const { escrow, pending } = await this.rows.escrowOf(batch, writer, order);
        const outcome = lostSummary(receiptedSplit(escrow, secondsRun));
        this.steps.markPending(batch, escrow, pending, { op: "refund", outcome, key }, cosigner);
        return { send: true, plan: { escrow, secondsRun } };
      },
      refresh: async (plan: { readonly escrow: EscrowAccount; readonly secondsRun: number }) => ({
        ...plan,
        escrow: await this.rows.getEscrow(orderId),
      }),
      send: async ({ escrow, secondsRun }) => {
        const paid = await payLostJob(this.payments, escrow, secondsRun, cosigner, this.clock.now());
        return { ...lostSummary(paid.split), transactions: paid.transactions };
      },
      outcome: payoutOutcome("refund", orderId),
      record: (batch, writer, outcome) => this.steps.recordPayout(batch, writer, orderId, "refund", outcome),
    });
    return this.rows.getOrder(orderId);
  }
}
