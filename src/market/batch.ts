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
import { addBookEventRows } from "./book-event-rows.js";

/** A lifecycle event of the market feed, beside the book's own events. */
export interface MarketEventBody {
  readonly type: string;
  readonly entityId: string;
  readonly [field: string]: unknown;
}

/** A map of a batch as its commands read it: by key, undefined when absent. */
interface Lookup<V> {
  get(key: string): V | undefined;
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
  private taken: number[] = TAKEN_MARK_INDEX.map(() => 0);
  /** The sweeper's deadlines, each with how many order writes and status changes the batch held when it was set. */
  private readonly orderDues: { readonly due: OrderDue; readonly orders: number; readonly statuses: number }[] = [];
  /** The commands of this batch by key (a key repeated inside one batch gets the first answer); see putCommand. */
  readonly commandByKey: Lookup<CommandRow> = new Map<string, CommandRow | undefined>();
  /** Orders and escrows written earlier in this batch: later commands read these first. */
  readonly orderById: Lookup<OrderRow> = new Map<string, OrderRow | undefined>();
  /** Ids of the orders this batch writes, by buyer (a buyer's backing counts them). */
  private readonly orderIdsByBuyer = new Map<string, Set<string> | undefined>();
  readonly escrowById: Lookup<EscrowRow> = new Map<string, EscrowRow | undefined>();
  /**
   * How to take back each change of the maps above, in the order they were made: a rollback
   * undoes those after its mark, so a refused command costs what it changed, not what the batch holds.
   */
  private readonly undo: (() => void)[] = [];
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
      this.undo.length,
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
    this.seq = mark[8] ?? this.seq;
    this.trades.length = mark[9] ?? this.trades.length;
    this.afterCommit.length = mark[10] ?? this.afterCommit.length;
    this.orderDues.length = mark[11] ?? this.orderDues.length;
    const undoTo = mark[12] ?? this.undo.length;
    while (this.undo.length > undoTo) this.undo.pop()?.();
  }

  /**
   * Sets `key` in one of this batch's maps, remembering how to take it back: to its value before,
   * or to undefined (not a delete: a map near its capacity would be rehashed by every delete and
   * set that follows, and the keys a refused command leaves are bounded by the batch).
   */
  private setIn<V>(map: Lookup<V>, key: string, value: V): void {
    const writable = map as Map<string, V | undefined>;
    const before = writable.get(key);
    this.undo.push(() => writable.set(key, before));
    writable.set(key, value);
  }

  /** A command's stored answer, seen by later commands of the batch with the same key. */
  putCommand(row: CommandRow): void {
    this.commands.push(row);
    this.setIn(this.commandByKey, row.key, row);
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
    this.setIn(this.orderById, row.id, row);
    const ids = this.orderIdsByBuyer.get(row.buyerId);
    if (ids === undefined) this.setIn(this.orderIdsByBuyer, row.buyerId, new Set([row.id]));
    else if (!ids.has(row.id)) {
      ids.add(row.id);
      this.undo.push(() => ids.delete(row.id));
    }
  }

  putEscrow(row: EscrowRow): void {
    this.escrows.push(row);
    this.setIn(this.escrowById, row.id, row);
  }

  /** A new status for an order, seen by later commands of the batch too. */
  setOrderStatus(id: string, status: string): void {
    this.orderStatuses.push({ id, status });
    const row = this.orderById.get(id);
    if (row !== undefined) this.setIn(this.orderById, id, { ...row, status });
  }

  /**
   * The rows a book event stands for, and the event itself (addBookEventRows). `gpuModel`, of an
   * OrderMatched event's offer, goes into the job record.
   */
  bookEvent(event: BookEvent, gpuModel?: string): void {
    addBookEventRows(this, event, gpuModel);
  }

  /** The sweeper's next deadline for an order (null: none), unless a later write of the batch changes the order. */
  setOrderDue(id: string, dueAtMs: number | null): void {
    this.orderDues.push({ due: { id, dueAtMs }, orders: this.orders.length, statuses: this.orderStatuses.length });
  }

  /** The dues set from the `from`-th on that no later write of the order in this batch overrides (a write makes a swept order due at once). */
  private currentDues(from: number): OrderDue[] {
    const first = this.orderDues[from];
    if (first === undefined) return [];
    // Only writes made after the first of these dues can override one: the scan starts there, not at the batch's start.
    const lastWrite = new Map<string, number>();
    for (let i = first.orders; i < this.orders.length; i++) lastWrite.set(this.orders[i]?.id ?? "", i);
    const lastStatus = new Map<string, number>();
    for (let i = first.statuses; i < this.orderStatuses.length; i++) lastStatus.set(this.orderStatuses[i]?.id ?? "", i);
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
    const now = this.mark();
    this.taken = TAKEN_MARK_INDEX.map((i) => now[i] ?? 0);
    return writes;
  }
}
