// The market's replica of the shared event feed: the in-memory book as of the last applied seq,
// rebuilt from the store, moved on by other processes' events, and told to listeners. Never writes.
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
 * while the book replays events already stored.
 */
export class MarketFeed {
  private bookValue: OrderBook;
  private seqValue = 0;
  private batch: BatchBuilder | undefined;
  private replaying = false;
  private readonly listeners = new Set<FeedListener>();
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
      this.publish(event);
    }
  }

  /** From now until endBatch, what the book does is written to `batch`. */
  beginBatch(batch: BatchBuilder): void {
    this.batch = batch;
  }

  /** Ends the batch; a committed one's events follow the current seq and are told to the listeners. */
  endBatch(committed: BatchBuilder | undefined): void {
    this.batch = undefined;
    if (committed !== undefined) {
      this.seqValue = committed.lastSeq;
      for (const event of committed.events) this.publish(event);
    }
    for (const hook of this.batchEndHooks) hook();
  }

  /** Runs `hook` after every later batch ends, committed or not, outside it (what it does to the book is written nowhere). */
  onBatchEnd(hook: () => void): void {
    this.batchEndHooks.push(hook);
  }

  private publish(event: EventRow): void {
    for (const listener of this.listeners) listener(event);
  }

  /** Tells `listener` every event this process applies from now on (its own and followed ones); returns unsubscribe. */
  onEvent(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events after `afterSeq`, oldest first, at most `limit` (a subscriber resuming the feed). @throws OUT_OF_RANGE */
  async events(afterSeq: number, limit: number = MARKET_LIMITS.eventPageMax): Promise<EventRow[]> {
    if (!Number.isSafeInteger(afterSeq) || afterSeq < 0)
      throw new MarketError("OUT_OF_RANGE", { field: "afterSeq", value: String(afterSeq), min: "0", max: String(Number.MAX_SAFE_INTEGER) });
    if (!Number.isInteger(limit) || limit < 1 || limit > MARKET_LIMITS.eventPageMax)
      throw new MarketError("OUT_OF_RANGE", { field: "limit", value: String(limit), min: "1", max: String(MARKET_LIMITS.eventPageMax) });
    return this.store.eventsAfter(afterSeq, limit);
  }
}
