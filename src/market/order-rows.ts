// An order's rows as a command sees them: read from the batch being applied first, then the store;
// and the writes every lifecycle step makes (status transition, escrow row, GPUs released).
import { MarketError } from "../core/errors.js";
import { assertOrderTransition } from "../core/enums.js";
import type { OrderStatus } from "../core/enums.js";
import { isOrderId } from "../core/ids.js";
import type { OrderId } from "../core/ids.js";
import type { OrderBook } from "../orderbook/order-book.js";
import type { EscrowAccount } from "../settlement/escrow-account.js";
import type { OrderRow, Store, StoreWriter } from "../store/store.js";
import type { BatchBuilder } from "./batch.js";
import { decodeEscrow, decodeMatch, encodeEscrow } from "./codec.js";
import type { MarketFeed } from "./feed.js";
import { parsePending } from "./pending-step.js";
import { outcomeFields } from "./reputation-ledger.js";
import type { MarketReputation } from "./reputation.js";
import type { Pending } from "./pending-step.js";
import { statusOf, viewOf } from "./views.js";
import type { JobRecord, OrderView } from "./views.js";

/** An escrow with the chain step under way on it, if any. */
export interface EscrowWithPending {
  readonly escrow: EscrowAccount;
  readonly pending: Pending | undefined;
}

/** `orderId` as the book's id of an order that still holds GPUs, or undefined. */
export function allocatedOrderId(book: OrderBook, orderId: string): OrderId | undefined {
  if (!isOrderId(orderId)) return undefined;
  try {
    book.getMatch(orderId);
    return orderId;
  } catch {
    return undefined;
  }
}

/**
 * Reads and writes of orders and escrows for commands. Invariants: inside a batch a read sees
 * what earlier commands of the batch wrote; every status change is a legal transition and
 * leaves an `Order<Status>` event; every escrow write leaves an `Escrow<State>` event.
 */
export class OrderRows {
  constructor(
    private readonly store: Store,
    private readonly feed: MarketFeed,
    private readonly reputation?: MarketReputation,
  ) {}

  /** The in-memory book the rows' GPUs are allocated in. */
  get book(): OrderBook {
    return this.feed.book;
  }

  /** The order, from `batch`, else `writer`, else the store. @throws ORDER_NOT_FOUND */
  async orderRow(batch: BatchBuilder | undefined, writer: StoreWriter | undefined, orderId: string): Promise<OrderRow> {
    const row = batch?.orderById.get(orderId) ?? (await (writer ?? this.store).getOrder(orderId));
    if (row === undefined) throw new MarketError("ORDER_NOT_FOUND", { orderId });
    return row;
  }

  /** The order's escrow and its pending step, read like orderRow. @throws ESCROW_NOT_FOUND */
  async escrowOf(batch: BatchBuilder | undefined, writer: StoreWriter | undefined, order: OrderRow): Promise<EscrowWithPending> {
    if (order.escrowId === null) throw new MarketError("ESCROW_NOT_FOUND", { escrowId: `(none for order ${order.id})` });
    const row = batch?.escrowById.get(order.escrowId) ?? (await (writer ?? this.store).getEscrow(order.escrowId));
    if (row === undefined) throw new MarketError("ESCROW_NOT_FOUND", { escrowId: order.escrowId });
    return { escrow: decodeEscrow(row.doc), pending: parsePending(row.pending) };
  }

  /** The pending step of the order's escrow (none without an escrow). @throws ESCROW_NOT_FOUND */
  async pendingOf(batch: BatchBuilder, writer: StoreWriter, order: OrderRow): Promise<Pending | undefined> {
    return order.escrowId === null ? undefined : (await this.escrowOf(batch, writer, order)).pending;
  }

  /**
   * The escrow of an order, for a command that changes the order: refused while a chain step of
   * the escrow is in flight, so the chain's outcome is never overwritten. @throws ESCROW_BUSY, ESCROW_NOT_FOUND
   */
  async idleEscrow(batch: BatchBuilder, writer: StoreWriter, order: OrderRow): Promise<EscrowAccount | undefined> {
    if (order.escrowId === null) return undefined;
    const { escrow, pending } = await this.escrowOf(batch, writer, order);
    if (pending !== undefined) throw new MarketError("ESCROW_BUSY", { escrowId: escrow.id, step: pending.op });
    return escrow;
  }

  /** idleEscrow for an order that must have one. @throws ESCROW_BUSY, ESCROW_NOT_FOUND */
  async requireIdleEscrow(batch: BatchBuilder, writer: StoreWriter, order: OrderRow): Promise<EscrowAccount> {
    const escrow = await this.idleEscrow(batch, writer, order);
    if (escrow === undefined) throw new MarketError("ESCROW_NOT_FOUND", { escrowId: `of order ${order.id}` });
    return escrow;
  }

  /** An order with its lifecycle. @throws ORDER_NOT_FOUND */
  async getOrder(orderId: string): Promise<OrderView> {
    return viewOf(await this.orderRow(undefined, undefined, orderId));
  }

  /** The escrow of an order, as stored now. @throws ORDER_NOT_FOUND, ESCROW_NOT_FOUND */
  async getEscrow(orderId: string): Promise<EscrowAccount> {
    return (await this.escrowOf(undefined, undefined, await this.orderRow(undefined, undefined, orderId))).escrow;
  }

  /** Moves the order to `to` with `job` (and `changes`) and records the event (with its provider, and a job outcome for reputations). @throws INVALID_STATE_TRANSITION */
  transition(batch: BatchBuilder, order: OrderRow, to: OrderStatus, job: JobRecord, changes: Partial<OrderRow> = {}): OrderRow {
    assertOrderTransition(statusOf(order), to);
    return this.record(batch, order, to, job, changes, {});
  }

  /**
   * Records the order in `to` even when the lifecycle has no such edge from where the store says it
   * is: a payout the chain made wins over the store (the event says `overruled`). Same event fields as transition.
   */
  overrule(batch: BatchBuilder, order: OrderRow, to: OrderStatus, job: JobRecord): OrderRow {
    return this.record(batch, order, to, job, {}, { overruled: true });
  }

  private record(
    batch: BatchBuilder,
    order: OrderRow,
    to: OrderStatus,
    job: JobRecord,
    changes: Partial<OrderRow>,
    extra: Readonly<Record<string, unknown>>,
  ): OrderRow {
    const row: OrderRow = { ...order, ...changes, status: to, job: JSON.stringify(job) };
    batch.putOrder(row);
    const match = row.match === null ? undefined : decodeMatch(row.match);
    batch.marketEvent({
      type: `Order${to}`,
      entityId: order.id,
      from: order.status,
      escrowId: row.escrowId,
      ...outcomeFields(match?.providerId, match?.hours, to, job),
      ...extra,
    });
    this.reputation?.noteTransition(batch, match?.providerId, to);
    return row;
  }

  /** Writes the escrow with its pending step (or none) and records the event. */
  putEscrow(batch: BatchBuilder, escrow: EscrowAccount, pending: Pending | undefined): void {
    batch.putEscrow({
      id: escrow.id,
      orderId: escrow.orderId,
      state: escrow.state,
      doc: encodeEscrow(escrow),
      pending: pending === undefined ? null : JSON.stringify(pending),
    });
    batch.marketEvent({ type: `Escrow${escrow.state}`, entityId: escrow.id, orderId: escrow.orderId, pending: pending?.op ?? null });
  }

  /** Releases the GPUs of a job that ended, if the book still holds them. */
  release(orderId: string): void {
    const allocated = allocatedOrderId(this.feed.book, orderId);
    if (allocated !== undefined) this.feed.book.releaseAllocation(allocated);
  }

  /** Throws FORBIDDEN unless `actor` is the order's buyer or its match's provider (checked before the order's state, so an outsider learns nothing of it). @throws FORBIDDEN */
  expectParty(order: OrderRow, actor: string, action: string): void {
    if (actor !== order.buyerId && actor !== (order.match === null ? undefined : decodeMatch(order.match).providerId)) {
      throw new MarketError("FORBIDDEN", {
        actor,
        action: `${action} order ${order.id}`,
        allowed: "its buyer or the provider of its match",
      });
    }
  }

  /** Throws FORBIDDEN unless `actor` is the provider of the order's match. @throws FORBIDDEN */
  expectProvider(order: OrderRow, actor: string, action: string): void {
    const providerId = order.match === null ? undefined : decodeMatch(order.match).providerId;
    if (providerId !== actor)
      throw new MarketError("FORBIDDEN", { actor, action: `${action} the job of order ${order.id}`, allowed: "the provider of its match" });
  }
}
