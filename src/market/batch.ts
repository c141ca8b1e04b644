// One group-commit batch as it is built: the rows and events of the commands applied so far, with
// a mark per command so a refused command leaves nothing behind. In memory only.
import type { BookEvent } from "../orderbook/events.js";
import type {
  BatchWrites,
  CapacityDelta,
  CommandRow,
  EscrowRow,
  EventRow,
  OfferRow,
  OrderDue,
  OrderRow,
  StatusChange,
  TradeRow,
} from "../store/store.js";
import { encodeOfferBook } from "../store/offer-book.js";
import { encodeBookEvent } from "./codec.js";
import { tradeOfMatch } from "./trades.js";

/** A lifecycle event of the market feed, beside the book's own events. */
export interface MarketEventBody {
  readonly type: string;
  readonly entityId: string;
  readonly [field: string]: unknown;
}

/** Where each list of `taken` sits in a mark (offers ... commands, then trades, then the dues). */
const TAKEN_MARK_INDEX = [0, 1, 2, 3, 4, 5, 6, 7, 9, 11] as const;

/** Rows of a batch. Invariant: events get consecutive seqs after the seq the batch started from. */
export class BatchBuilder {
  readonly offers: OfferRow[] = [];
  readonly offerStatuses: StatusChange[] = [];
  readonly orderStatuses: StatusChange[] = [];
  readonly capacity: CapacityDelta[] = [];
  readonly orders: OrderRow[] = [];
  readonly escrows: EscrowRow[] = [];
  readonly events: EventRow[] = [];
  readonly commands: CommandRow[] = [];
  /** The trades of the OrderMatched events of this batch. */
  readonly trades: TradeRow[] = [];
  /** How far each list was taken by takeWrites (offers ... trades, then the dues). */
  private taken: number[] = new Array<number>(10).fill(0);
  /** The sweeper's deadlines, each with how many order writes and status changes the batch held when it was set. */
  private readonly orderDues: { readonly due: OrderDue; readonly orders: number; readonly statuses: number }[] = [];
  /** The commands of this batch by key (a key repeated inside one batch gets the first answer). */
  readonly commandByKey = new Map<string, CommandRow>();
  /** Orders and escrows written earlier in this batch: later commands read these first. */
  readonly orderById = new Map<string, OrderRow>();
  /** Ids of the orders this batch writes, by buyer (a buyer's backing counts them). */
  private readonly orderIdsByBuyer = new Map<string, Set<string>>();
  readonly escrowById = new Map<string, EscrowRow>();
  /** What to tell once the batch has committed (observers), in order; a refused command's calls are rolled back with it. */
  readonly afterCommit: (() => void)[] = [];

  constructor(
    private seq: number,
    private readonly node: string,
    readonly nowMs: number,
  ) {}

  /** The seq of the last event added. */
  get lastSeq(): number {
    return this.seq;
  }

  /** A position to roll back to (never before the rows taken by takeWrites). */
  mark(): number[] {
    return [
      this.offers.length,
      this.offerStatuses.length,
      this.orderStatuses.length,
      this.capacity.length,
      this.orders.length,
      this.escrows.length,
      this.events.length,
      this.commands.length,
      this.seq,
      this.trades.length,
      this.afterCommit.length,
      this.orderDues.length,
    ];
  }

  /** Drops everything added after `mark`. @throws Error when `mark` is before rows already taken (a bug of the caller) */
  rollback(mark: readonly number[]): void {
    if (this.taken.some((taken, i) => (mark[TAKEN_MARK_INDEX[i] ?? 0] ?? 0) < taken)) throw new Error("rollback past rows already written");
    const lists = [
      this.offers,
      this.offerStatuses,
      this.orderStatuses,
      this.capacity,
      this.orders,
      this.escrows,
      this.events,
      this.commands,
    ];
    lists.forEach((list, i) => (list.length = mark[i] ?? list.length));
    this.commandByKey.clear();
    for (const row of this.commands) this.commandByKey.set(row.key, row);
    this.seq = mark[8] ?? this.seq;
    this.trades.length = mark[9] ?? this.trades.length;
    this.afterCommit.length = mark[10] ?? this.afterCommit.length;
    this.orderDues.length = mark[11] ?? this.orderDues.length;
    this.orderById.clear();
    this.orderIdsByBuyer.clear();
    for (const row of this.orders) this.indexOrder(row);
    for (const change of this.orderStatuses) {
      const row = this.orderById.get(change.id);
      if (row !== undefined) this.orderById.set(change.id, { ...row, status: change.status });
    }
    this.escrowById.clear();
    for (const row of this.escrows) this.escrowById.set(row.id, row);
  }

  event(type: string, entityId: string, payload: string, atMs = this.nowMs): EventRow {
    const row = { seq: ++this.seq, type, entityId, atMs, node: this.node, payload };
    this.events.push(row);
    return row;
  }

  /** A lifecycle event. */
  marketEvent(body: MarketEventBody): void {
    this.event(body.type, body.entityId, JSON.stringify(body));
  }

  putOrder(row: OrderRow): void {
    this.orders.push(row);
    this.indexOrder(row);
  }

  /** The orders of `buyerId` this batch writes, as they stand now in it. */
  ordersOfBuyer(buyerId: string): OrderRow[] {
    return [...(this.orderIdsByBuyer.get(buyerId) ?? [])].flatMap((id) => this.orderById.get(id) ?? []);
  }

  private indexOrder(row: OrderRow): void {
    this.orderById.set(row.id, row);
    const ids = this.orderIdsByBuyer.get(row.buyerId);
    if (ids === undefined) this.orderIdsByBuyer.set(row.buyerId, new Set([row.id]));
    else ids.add(row.id);
  }

  putEscrow(row: EscrowRow): void {
    this.escrows.push(row);
    this.escrowById.set(row.id, row);
  }

  /** A new status for an order, seen by later commands of the batch too. */
  setOrderStatus(id: string, status: string): void {
    this.orderStatuses.push({ id, status });
    const row = this.orderById.get(id);
    if (row !== undefined) this.orderById.set(id, { ...row, status });
  }

  /**
   * The rows a book event stands for, and the event itself. `gpuModel`, of an OrderMatched event's
   * offer, goes into the job record: proofs of the job need it after the offer is withdrawn or expired.
   */
  bookEvent(event: BookEvent, gpuModel?: string): void {
    switch (event.type) {
      case "OfferAdded": {
        const offer = event.offer;
        const doc = JSON.stringify({ ...offer, freeGpuCount: undefined });
        this.offers.push({
          id: offer.id,
          providerId: offer.providerId,
          status: offer.status,
          gpuCount: offer.gpuCapacity.gpuCount,
          freeGpus: offer.gpuCapacity.gpuCount,
          expiresAtMs: offer.expiresAt.getTime(),
          doc,
          book: encodeOfferBook({ ...offer, createdAtMs: offer.createdAt.getTime() }),
        });
        if (event.offer.freeGpuCount !== offer.gpuCapacity.gpuCount)
          this.capacity.push({ offerId: offer.id, delta: event.offer.freeGpuCount - offer.gpuCapacity.gpuCount });
        this.event(event.type, offer.id, encodeBookEvent(event), event.atMs);
        return;
      }
      case "OfferPaused":
      case "OfferResumed":
      case "OfferWithdrawn":
      case "OfferExpired": {
        const status = { OfferPaused: "Paused", OfferResumed: "Active", OfferWithdrawn: "Withdrawn", OfferExpired: "Expired" }[event.type];
        this.offerStatuses.push({ id: event.offerId, status });
        this.event(event.type, event.offerId, encodeBookEvent(event), event.atMs);
        return;
      }
      case "OrderRested": {
        const doc = JSON.stringify(event.order);
        this.putOrder({
          id: event.order.id,
          buyerId: event.order.buyerId,
          status: "Pending",
          offerId: null,
          expiresAtMs: event.order.expiresAt.getTime(),
          doc,
          match: null,
          escrowId: null,
          job: null,
        });
        this.event(event.type, event.order.id, `{"type":"OrderRested","order":${doc}}`, event.atMs);
        return;
      }
      case "OrderMatched": {
        // Each part is serialized once; the event payload is the same JSON encodeBookEvent would write.
        const doc = JSON.stringify(event.order);
        const match = JSON.stringify(event.match);
        this.putOrder({
          id: event.order.id,
          buyerId: event.order.buyerId,
          status: "Matched",
          offerId: event.match.offerId,
          expiresAtMs: event.order.expiresAt.getTime(),
          doc,
          match,
          escrowId: null,
          job: `{"matchedAtMs":${event.atMs}${gpuModel === undefined ? "" : `,"gpuModel":${JSON.stringify(gpuModel)}`}}`,
        });
        this.capacity.push({ offerId: event.match.offerId, delta: -event.match.gpuCount });
        const row = this.event(event.type, event.order.id, `{"type":"OrderMatched","order":${doc},"match":${match}}`, event.atMs);
        this.trades.push(tradeOfMatch(row, event.match, gpuModel));
        return;
      }
      case "OrderCancelled":
      case "OrderExpired":
        this.setOrderStatus(event.orderId, event.type === "OrderCancelled" ? "Cancelled" : "Expired");
        this.event(event.type, event.orderId, encodeBookEvent(event), event.atMs);
        return;
      case "AllocationReleased":
        this.capacity.push({ offerId: event.offerId, delta: event.gpuCount });
        this.event(event.type, event.orderId, encodeBookEvent(event), event.atMs);
        return;
      case "ReputationChanged":
        this.event(event.type, event.providerId, encodeBookEvent(event), event.atMs);
        return;
      case "AllocationExtended":
        // The order row's match is written by the extension itself.
        this.event(event.type, event.orderId, encodeBookEvent(event), event.atMs);
        return;
    }
  }

  /** The sweeper's next deadline for an order (null: none), unless a later write of the batch changes the order. */
  setOrderDue(id: string, dueAtMs: number | null): void {
    this.orderDues.push({ due: { id, dueAtMs }, orders: this.orders.length, statuses: this.orderStatuses.length });
  }

  /** The dues set from the `from`-th on that no later write of the order in this batch overrides (a write makes a swept order due at once). */
  private currentDues(from: number): OrderDue[] {
    if (this.orderDues.length === from) return [];
    const lastWrite = new Map<string, number>();
    this.orders.forEach((row, i) => lastWrite.set(row.id, i));
    const lastStatus = new Map<string, number>();
    this.orderStatuses.forEach((change, i) => lastStatus.set(change.id, i));
    return this.orderDues
      .slice(from)
      .filter(({ due, orders, statuses }) => (lastWrite.get(due.id) ?? -1) < orders && (lastStatus.get(due.id) ?? -1) < statuses)
      .map(({ due }) => due);
  }

  /**
   * The rows added since the last call (all of them the first time), to write in call order: a
   * batch may be written in parts while it is still applied. Invariant: writing every part in
   * order leaves the store as writing the whole batch at once would.
   */
  takeWrites(): BatchWrites {
    const [offers, offerStatuses, orderStatuses, capacity, orders, escrows, events, commands, trades, dues] = this.taken;
    const writes: BatchWrites = {
      offers: this.offers.slice(offers),
      offerStatuses: this.offerStatuses.slice(offerStatuses),
      orderStatuses: this.orderStatuses.slice(orderStatuses),
      capacity: this.capacity.slice(capacity),
      orders: this.orders.slice(orders),
      escrows: this.escrows.slice(escrows),
      events: this.events.slice(events),
      commands: this.commands.slice(commands),
      trades: this.trades.slice(trades),
      orderDues: this.currentDues(dues ?? 0),
    };
    this.taken = [
      this.offers.length,
      this.offerStatuses.length,
      this.orderStatuses.length,
      this.capacity.length,
      this.orders.length,
      this.escrows.length,
      this.events.length,
      this.commands.length,
      this.trades.length,
      this.orderDues.length,
    ];
    return writes;
  }
}
