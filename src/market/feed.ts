// The market's replica of the shared event feed: the in-memory book as of the last applied seq,
// rebuilt from the store, moved on by other processes' events, and told to listeners: the market's
// own parts as each event is applied, everyone else once it is durable. Never writes.
import type { Clock } from "../core/clock.js";
import { MarketError } from "../core/errors.js";
import { OrderBook } from "../orderbook/order-book.js";
import type { OrderBookLimits } from "../orderbook/order-book.js";
import { RestoreRows } from "../orderbook/restore-rows.js";
import { OfferBookDecoder } from "../store/offer-book.js";
import type { EventRow, Store } from "../store/store.js";
import type { BatchBuilder } from "./batch.js";
import { bookEventOf, decodeMatch, decodeOrder } from "./codec.js";
import { MARKET_LIMITS } from "./limits.js";

/** A listener of the event feed. */
export type FeedListener = (event: EventRow) => void;

/** Runs on each book rebuild() makes, before it replaces the current one, with the seq it is rebuilt to (nothing it does to the book is written). */
export type RebuildHook = (book: OrderBook, seq: number) => Promise<void>;

/** Reads up to `limit` events after `seq`, oldest first (from the store, or inside a batch from its writer). */
export type EventPageReader = (seq: number, limit: number) => Promise<EventRow[]>;

const BOOK_EVENT_TYPES = new Set([
  "OfferAdded",
  "OfferPaused",
  "OfferResumed",
  "OfferWithdrawn",
  "OfferExpired",
  "OrderRested",
  "OrderMatched",
  "OrderCancelled",
  "OrderExpired",
  "AllocationReleased",
  "AllocationExtended",
  "ReputationChanged",
]);

/**
 * The book and the seq of the last event applied to it. Invariants: events are applied in seq
 * order with no gap; a change of the book is written to the batch being applied, and to nothing
 * while the book replays events already stored; durable listeners are told events in seq order,
 * each only once it is durable (never one of a batch whose sync failed).
 */
export class MarketFeed {
  private bookValue: OrderBook;
  private seqValue = 0;
  private batch: BatchBuilder | undefined;
  private replaying = false;
  private readonly listeners = new Set<FeedListener>();
  private readonly durableListeners = new Set<FeedListener>();
  /** Publication to the durable listeners of events applied but not yet durable, and of any behind them: in seq order. */
  private publishing: Promise<void> | undefined;
  /** The seq of the last event told to the durable listeners (or stored when the book was last rebuilt). */
  private durableSeq = 0;
  private readonly rebuildHooks: RebuildHook[] = [];
  private readonly batchEndHooks: (() => void)[] = [];

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly bookLimits: Partial<OrderBookLimits>,
  ) {
    this.bookValue = this.newBook();
  }

  /** The in-memory book (read it; change it only through commands). */
  get book(): OrderBook {
    return this.bookValue;
  }

  /** The seq of the last event this process has applied. */
  get seq(): number {
    return this.seqValue;
  }

  private newBook(): OrderBook {
    const book = new OrderBook({ clock: this.clock, limits: this.bookLimits });
    book.on((event) => {
      if (this.replaying || this.batch === undefined) return;
      const offerId = event.type === "OrderMatched" ? event.match.offerId : undefined;
      this.batch.bookEvent(
        event,
        offerId !== undefined && book.hasOffer(offerId) ? book.getOffer(offerId).gpuCapacity.gpuModel : undefined,
      );
    });
    return book;
  }

  /** Runs `fn` on the book without writing what it does to any batch (the events are stored already). */
  private replay(fn: () => void): void {
    this.replaying = true;
    try {
      fn();
    } finally {
      this.replaying = false;
    }
  }

  /** Loads the book from the store: offers with their free GPUs, resting orders and live allocations. @throws STORE_ERROR, validation codes of a corrupt row */
  async rebuild(): Promise<void> {
    const book = this.newBook();
    // Offers come page by page with their stored free GPUs (allocations already taken off), decoded
    // from their compact encoding (a row stored without one: from its JSON document) into columns,
    // with no offer object per row.
    const decoder = new OfferBookDecoder();
    const rows = new RestoreRows();
    const stored = await this.store.loadBook((page) => {
      rows.clear();
      for (const row of page) decoder.appendRow(row, rows);
      book.restoreRows(rows, { defer: true });
    });
    book.finishRestore();
    book.restoreAllocations(
      stored.allocated.flatMap((row) =>
        row.match === null ? [] : [{ order: decodeOrder(row.doc, "Matched"), match: decodeMatch(row.match) }],
      ),
    );
    this.replay(() => {
      for (const row of stored.resting) book.apply({ type: "OrderRested", order: decodeOrder(row.doc, "Pending") });
    });
    this.replaying = true;
    try {
      for (const hook of this.rebuildHooks) await hook(book, stored.seq);
    } finally {
      this.replaying = false;
    }
    this.bookValue = book;
    this.seqValue = stored.seq;
    // Own batches still syncing keep theirs; otherwise everything stored is durable by now.
    if (this.publishing === undefined) this.durableSeq = stored.seq;
  }

  /** Runs `hook` on every later rebuild (see RebuildHook). */
  onRebuild(hook: RebuildHook): void {
    this.rebuildHooks.push(hook);
  }

  /** Applies every event `read` returns after the current seq, page by page. @throws STORE_ERROR (a gap in the feed) */
  async catchUp(read: EventPageReader): Promise<void> {
    for (;;) {
      const events = await read(this.seqValue, MARKET_LIMITS.eventPageMax);
      this.applyEvents(events);
      if (events.length < MARKET_LIMITS.eventPageMax) return;
    }
  }

  private applyEvents(events: readonly EventRow[]): void {
    if (events.length === 0) return;
    for (const event of events) {
      if (event.seq !== this.seqValue + 1)
        throw new MarketError("STORE_ERROR", { reason: `event feed jumped from ${this.seqValue} to ${event.seq}` });
      // A lifecycle event of the same name (OrderExpired, OrderCancelled of a matched order) carries
      // an entityId and is not a book event: the AllocationReleased after it moves the book.
      const raw = BOOK_EVENT_TYPES.has(event.type)
        ? (JSON.parse(event.payload) as { type: string; entityId?: unknown } & Record<string, unknown>)
        : undefined;
      if (raw !== undefined && raw.entityId === undefined) {
        this.replay(() => {
          this.bookValue.apply(bookEventOf(raw));
        });
      }
      this.seqValue = event.seq;
      this.tell(event);
    }
    // Stored by another process (durable there); told after any own batch before it.
    this.publishAfter(undefined, events).catch(() => undefined);
  }

  /** From now until endBatch, what the book does is written to `batch`. */
  beginBatch(batch: BatchBuilder): void {
    this.batch = batch;
  }

  /**
   * Ends the batch; a committed one's events follow the current seq and are told to the listeners
   * at once, and to the durable listeners once `durable` resolves and every event before them was
   * told. Returns when that is done. @throws (the returned promise) what `durable` rejects with
   */
  endBatch(committed: BatchBuilder | undefined, durable?: Promise<void>): Promise<void> {
    this.batch = undefined;
    let published = Promise.resolve();
    if (committed !== undefined) {
      this.seqValue = committed.lastSeq;
      for (const event of committed.events) this.tell(event);
      published = this.publishAfter(durable, committed.events);
    }
    for (const hook of this.batchEndHooks) hook();
    return published;
  }

  /** Runs `hook` after every later batch ends, committed or not, outside it (what it does to the book is written nowhere). */
  onBatchEnd(hook: () => void): void {
    this.batchEndHooks.push(hook);
  }

  private tell(event: EventRow): void {
    for (const listener of this.listeners) listener(event);
  }

  /** Tells the durable listeners `events` once `durable` resolves and every earlier publication is done. */
  private publishAfter(durable: Promise<void> | undefined, events: readonly EventRow[]): Promise<void> {
    const publish = (): void => {
      const last = events.at(-1);
      if (last !== undefined && last.seq > this.durableSeq) this.durableSeq = last.seq;
      for (const event of events) for (const listener of this.durableListeners) listener(event);
    };
    const before = this.publishing;
    if (before === undefined && durable === undefined) {
      publish();
      return Promise.resolve();
    }
    const run = (before ?? Promise.resolve()).then(() => durable).then(publish);
    // A batch whose sync failed is never told; those behind it go on (after a failed sync none of
    // this process's own batches is durable again: WalSync).
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.publishing = tail;
    void tail.then(() => {
      if (this.publishing === tail) this.publishing = undefined;
    });
    return run;
  }

  /** Tells `listener` every event this process applies from now on (its own and followed ones), as it is applied, before it is durable: for the market's own state; returns unsubscribe. */
  onEvent(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells `listener` every event this process applies from now on, in seq order, each once it is durable; returns unsubscribe. */
  onDurableEvent(listener: FeedListener): () => void {
    this.durableListeners.add(listener);
    return () => this.durableListeners.delete(listener);
  }

  /** Durable events after `afterSeq`, oldest first, at most `limit` (a subscriber resuming the feed); none this process has not applied and seen durable. @throws OUT_OF_RANGE */
  async events(afterSeq: number, limit: number = MARKET_LIMITS.eventPageMax): Promise<EventRow[]> {
    if (!Number.isSafeInteger(afterSeq) || afterSeq < 0)
      throw new MarketError("OUT_OF_RANGE", { field: "afterSeq", value: String(afterSeq), min: "0", max: String(Number.MAX_SAFE_INTEGER) });
    if (!Number.isInteger(limit) || limit < 1 || limit > MARKET_LIMITS.eventPageMax)
      throw new MarketError("OUT_OF_RANGE", { field: "limit", value: String(limit), min: "1", max: String(MARKET_LIMITS.eventPageMax) });
    const durable = this.durableSeq;
    // What this process has not yet seen durable is not shown (a batch committed, still syncing).
    const events = await this.store.eventsAfter(afterSeq, limit);
    const shown = events.findIndex((event) => event.seq > durable);
    return shown === -1 ? events : events.slice(0, shown);
  }
}
