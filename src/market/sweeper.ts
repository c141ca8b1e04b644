// The sweeper: one pass, as one command, over what time ends: expired offers and orders, matches
// not funded in time, jobs past their escrow's lockedUntil, settlements whose dispute window closed.
// It reads only the orders due (the store's deadline index) and writes back each one's next deadline.
import type { Clock } from "../core/clock.js";
import type { PaymentService } from "../payments/payment-service.js";
import type { OrderRow, Store } from "../store/store.js";
import type { BatchBuilder } from "./batch.js";
import { decodeOrder } from "./codec.js";
import type { CommandQueue } from "./command-queue.js";
import type { MarketFeed } from "./feed.js";
import { MARKET_LIMITS } from "./limits.js";
import type { OrderRows } from "./order-rows.js";
import { rematch } from "./rematch.js";
import { jobOf } from "./views.js";
import type { EscrowAccount } from "../settlement/escrow-account.js";
import type { JobRecord } from "./views.js";

/** The statuses whose orders the sweep acts on after a match's funding: funded, running, completed. */
const SWEPT: ReadonlySet<string> = new Set(["Escrowed", "Running", "Completed"]);

/** What one sweep did, by rule. */
export interface SweepResult {
  readonly expiredOffers: number;
  readonly expiredOrders: number;
  readonly timedOut: number;
  /** Jobs failed ProviderLost: funded and never started, or running without a receipt, for the receipt timeout. */
  readonly lost: number;
  readonly settlementsDue: number;
  readonly unfunded: number;
}

/**
 * The sweeper. Invariants: it never touches an order whose escrow has a chain step under way (it
 * looks at it again pendingRecheckMs later); GPUs of an order it ends return to the offer; it looks
 * at sweepMax orders per pass at most, and only at orders due (Store.ordersDueBy); an order it
 * leaves gets its next deadline by the same rules.
 */
export class Sweeper {
  constructor(
    private readonly queue: CommandQueue,
    private readonly feed: MarketFeed,
    private readonly rows: OrderRows,
    private readonly store: Store,
    private readonly payments: PaymentService,
    private readonly fundingWindowMs: number,
    private readonly receiptTimeoutMs: number,
    private readonly clock: Clock,
  ) {}

  /**
   * One sweep: expires offers and resting orders, expires matches the buyer did not fund within
   * the funding window (their GPUs return), fails jobs whose escrow passed lockedUntil without
   * completing (the buyer may then refund), and marks settlements whose dispute window closed as
   * due. @throws STORE_ERROR
   */
  async sweep(): Promise<SweepResult> {
    const candidates = await this.store.ordersDueBy(this.clock.now(), MARKET_LIMITS.sweepMax);
    return this.queue.submit(undefined, "sweep", null, async (batch, writer) => {
      const expired = this.feed.book.expire();
      let timedOut = 0;
      let settlementsDue = 0;
      let unfunded = 0;
      let lost = 0;
      for (const candidate of candidates) {
        const order = await this.rows.orderRow(batch, writer, candidate.id);
        if (order.status === "Matched") {
          // A match past its funding window expires unless a funding is under way (it is then looked at again later).
          const fundByMs = this.fundingDeadlineMs(order);
          if (batch.nowMs < fundByMs) batch.setOrderDue(order.id, fundByMs);
          else if ((await this.rows.pendingOf(batch, writer, order)) === undefined) {
            this.expireUnfunded(batch, order);
            unfunded++;
          } else this.recheckLater(batch, order);
          continue;
        }
        if (!SWEPT.has(order.status)) continue;
        if (order.escrowId === null) {
          batch.setOrderDue(order.id, null);
          continue;
        }
        const { escrow, pending } = await this.rows.escrowOf(batch, writer, order);
        // A chain step under way: nothing can be done before its outcome is recorded.
        if (pending !== undefined) {
          this.recheckLater(batch, order);
          continue;
        }
        const job = jobOf(order);
        const silentSinceMs = order.status === "Running" ? (job.receiptedAtMs ?? job.startedAtMs) : job.fundedAtMs;
        if (
          (order.status === "Escrowed" || order.status === "Running") &&
          escrow.jobEndedAt === undefined &&
          batch.nowMs >= escrow.lockedUntil.getTime()
        ) {
          // A job that sent receipts is paid them even when it overran; one that sent none is refunded in full.
          const secondsRun = job.receipt?.secondsRun;
          this.rows.transition(batch, order, "Failed", {
            ...job,
            failure: {
              kind: "Timeout",
              reason: `timeout: the job did not complete by ${escrow.lockedUntil.toISOString()}`,
              ...(secondsRun === undefined ? {} : { secondsRun }),
            },
          });
          this.rows.release(order.id);
          timedOut++;
        } else if (
          (order.status === "Escrowed" || order.status === "Running") &&
          silentSinceMs !== undefined &&
          batch.nowMs >= silentSinceMs + this.receiptTimeoutMs
        ) {
          this.failLost(batch, order, job, silentSinceMs);
          lost++;
        } else if (
          order.status === "Completed" &&
          job.settlementDue !== true &&
          escrow.jobEndedAt !== undefined &&
          batch.nowMs >= escrow.jobEndedAt.getTime() + this.payments.disputeWindowMs
        ) {
          batch.putOrder({ ...order, job: JSON.stringify({ ...job, settlementDue: true }) });
          batch.marketEvent({ type: "SettlementDue", entityId: order.id, escrowId: escrow.id });
          batch.setOrderDue(order.id, null);
          settlementsDue++;
        } else batch.setOrderDue(order.id, this.nextDueMs(order, job, escrow, silentSinceMs));
      }
      return { expiredOffers: expired.offers.length, expiredOrders: expired.orders.length, timedOut, lost, settlementsDue, unfunded };
    });
  }

  /**
   * The next instant a rule above acts on a funded or completed order the sweep left as it was
   * (null: none): its lock or receipt timeout while funded, its dispute window's end once completed.
   */
  private nextDueMs(order: OrderRow, job: JobRecord, escrow: EscrowAccount, silentSinceMs: number | undefined): number | null {
    const deadlinesMs: number[] = [];
    if (order.status === "Escrowed" || order.status === "Running") {
      if (escrow.jobEndedAt === undefined) deadlinesMs.push(escrow.lockedUntil.getTime());
      if (silentSinceMs !== undefined) deadlinesMs.push(silentSinceMs + this.receiptTimeoutMs);
    } else if (order.status === "Completed" && job.settlementDue !== true && escrow.jobEndedAt !== undefined)
      deadlinesMs.push(escrow.jobEndedAt.getTime() + this.payments.disputeWindowMs);
    return deadlinesMs.length === 0 ? null : Math.min(...deadlinesMs);
  }

  /**
   * Leaves an order with a chain step under way for pendingRecheckMs: the orders due after it are
   * read meanwhile, however many such orders there are, and an outcome recorded with a write of the
   * order makes it due at once (sql-tables dueOnWrite).
   */
  private recheckLater(batch: BatchBuilder, order: OrderRow): void {
    batch.setOrderDue(order.id, batch.nowMs + MARKET_LIMITS.pendingRecheckMs);
  }

  /** When a matched order's funding window closes (from its match; rows from before matchedAtMs, from its creation). */
  private fundingDeadlineMs(order: OrderRow): number {
    return (jobOf(order).matchedAtMs ?? decodeOrder(order.doc, order.status).createdAt.getTime()) + this.fundingWindowMs;
  }

  /**
   * A job whose provider went silent: Failed ProviderLost, its GPUs back to the offer, its escrow to
   * pay the last receipted seconds (none for a job never started), and its successor submitted when
   * the order asked for re-match.
   */
  private failLost(batch: BatchBuilder, order: OrderRow, job: JobRecord, silentSinceMs: number): void {
    const secondsRun = order.status === "Running" ? (job.receipt?.secondsRun ?? 0) : 0;
    const what = order.status === "Running" ? "no usage receipt" : "the funded job was not started";
    const failed: JobRecord = {
      ...job,
      failure: {
        kind: "ProviderLost",
        reason: `ProviderLost: ${what} for ${this.receiptTimeoutMs / 1000} s (since ${new Date(silentSinceMs).toISOString()}); the provider is paid its ${secondsRun} receipted seconds, the rest goes back to the buyer`,
        secondsRun,
      },
    };
    const row = this.rows.transition(batch, order, "Failed", failed);
    this.rows.release(order.id);
    const linked = rematch(this.feed.book, batch, row, failed, secondsRun);
    if (linked !== failed) batch.putOrder({ ...row, job: JSON.stringify(linked) });
  }

  /** A match its buyer did not fund in time: the order becomes Expired and its GPUs return to the offer. */
  private expireUnfunded(batch: BatchBuilder, order: OrderRow): void {
    this.rows.transition(batch, order, "Expired", {
      ...jobOf(order),
      failure: { reason: `unfunded: the escrow was not funded within ${this.fundingWindowMs / 60_000} minutes of the match` },
    });
    this.rows.release(order.id);
  }
}
