// Commands on a running job's usage receipts: the provider records one, the buyer countersigns
// one, and either party reads the job's workload. None moves money; each runs in a group commit.
import type { Address } from "../core/address.js";
import { MarketError } from "../core/errors.js";
import type { Workload } from "../core/workload.js";
import { checkUsageReceipt, telemetryDigest, verifyReceiptCountersign } from "../settlement/usage-receipt.js";
import type { Telemetry, UsageReceipt } from "../settlement/usage-receipt.js";
import { decodeOrder } from "./codec.js";
import type { CommandQueue } from "./command-queue.js";
import { MARKET_LIMITS } from "./limits.js";
import type { OrderRows } from "./order-rows.js";
import { jobOf } from "./views.js";

/** What a provider sends with a receipt. */
export interface ReceiptInput {
  readonly receipt: UsageReceipt;
  readonly telemetry?: Telemetry;
}

/** A buyer's countersignature of one receipt. */
export interface CountersignInput {
  readonly sequence: number;
  readonly signature: string;
}

/**
 * Receipt commands. Invariants: only the match's provider records receipts, only while its job
 * runs, each one checked against the latest (checkUsageReceipt) and at most one per
 * MARKET_LIMITS.receiptIntervalMinMs; the market keeps the latest only; only the buyer
 * countersigns, and only the receipt the market holds.
 */
export class ReceiptCommands {
  constructor(
    private readonly queue: CommandQueue,
    private readonly rows: OrderRows,
  ) {}

  /**
   * Records a running job's usage receipt (and its telemetry) as the job's latest; the loss timeout restarts.
   * @throws ORDER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, RATE_LIMITED, INVALID_SIGNATURE, PROOF_MISMATCH, INVALID_FIELD, OUT_OF_RANGE, ESCROW_NOT_FOUND
   */
  async recordReceipt(key: string, orderId: string, input: ReceiptInput, actor: Address): Promise<void> {
    await this.queue.submit(key, "recordReceipt", { orderId, ...input, actor }, async (batch, writer) => {
      const order = await this.rows.orderRow(batch, writer, orderId);
      this.rows.expectProvider(order, actor, "send a usage receipt for");
      const job = jobOf(order);
      if (order.status !== "Running" || job.startedAtMs === undefined)
        throw new MarketError("INVALID_STATE_TRANSITION", {
          entity: "order",
          from: order.status,
          to: "Running (receipts are for a running job)",
        });
      if (job.receiptedAtMs !== undefined && batch.nowMs - job.receiptedAtMs < MARKET_LIMITS.receiptIntervalMinMs)
        throw new MarketError("RATE_LIMITED", {
          limit: `usage receipts of one job (one per ${MARKET_LIMITS.receiptIntervalMinMs} ms)`,
          max: 1,
          retryAfterS: 1,
        });
      const { receipt, telemetry } = input;
      // The receipt signs the digest of exactly the telemetry sent beside it (of nothing when none is).
      const expectedDigest = telemetryDigest(telemetry);
      if (expectedDigest !== receipt.telemetryDigest)
        throw new MarketError("PROOF_MISMATCH", {
          field: "receipt.telemetryDigest",
          expected: expectedDigest,
          actual: receipt.telemetryDigest,
        });
      const { escrow } = await this.rows.escrowOf(batch, writer, order);
      checkUsageReceipt({
        escrow,
        startedAtMs: job.startedAtMs,
        ...(job.receipt === undefined ? {} : { latest: job.receipt }),
        receipt,
        nowMs: batch.nowMs,
      });
      // The telemetry of an earlier receipt goes with it (JSON drops an undefined one).
      batch.putOrder({ ...order, job: JSON.stringify({ ...job, receipt, receiptedAtMs: batch.nowMs, telemetry }) });
      batch.marketEvent({
        type: "UsageReceipted",
        entityId: order.id,
        escrowId: escrow.id,
        sequence: receipt.sequence,
        secondsRun: receipt.secondsRun,
        atMs: receipt.atMs,
      });
      return null;
    });
  }

  /**
   * The buyer countersigns the job's latest receipt (by its sequence): it agrees the job had run that long.
   * @throws ORDER_NOT_FOUND, FORBIDDEN, PROOF_MISMATCH (no such receipt held), INVALID_SIGNATURE
   */
  async countersignReceipt(key: string, orderId: string, input: CountersignInput, actor: Address): Promise<void> {
    await this.queue.submit(key, "countersignReceipt", { orderId, ...input, actor }, async (batch, writer) => {
      const order = await this.rows.orderRow(batch, writer, orderId);
      if (order.buyerId !== actor)
        throw new MarketError("FORBIDDEN", { actor, action: `countersign a receipt of order ${orderId}`, allowed: "its buyer" });
      const job = jobOf(order);
      const receipt = job.receipt;
      if (receipt?.sequence !== input.sequence)
        throw new MarketError("PROOF_MISMATCH", {
          field: "sequence",
          expected: receipt === undefined ? "a receipt (the job has none yet)" : `${receipt.sequence}, the latest receipt's`,
          actual: String(input.sequence),
        });
      if (!verifyReceiptCountersign(receipt, actor, input.signature))
        throw new MarketError("INVALID_SIGNATURE", { statement: "usage receipt", signer: order.buyerId });
      const countersigned = { sequence: receipt.sequence, secondsRun: receipt.secondsRun, signature: input.signature };
      batch.putOrder({ ...order, job: JSON.stringify({ ...job, countersigned }) });
      batch.marketEvent({ type: "UsageCountersigned", entityId: order.id, sequence: receipt.sequence, secondsRun: receipt.secondsRun });
      return null;
    });
  }

  /** The workload of an order, for its buyer or its match's provider only (null: it has none). @throws ORDER_NOT_FOUND, FORBIDDEN */
  async workloadOf(orderId: string, actor: Address): Promise<Workload | null> {
    const order = await this.rows.orderRow(undefined, undefined, orderId);
    this.rows.expectParty(order, actor, "read the workload of");
    return decodeOrder(order.doc, order.status).workload ?? null;
  }
}
