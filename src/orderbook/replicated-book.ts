// ReplicatedBook: the part of an OrderBook that subscribes to, rebuilds and replicates it: listeners,
// restore from a store (offers, allocations), apply another book's events, snapshot. OrderBook
// (order-book.ts) adds the operations that match. In memory only, no I/O.
import type { CapacityOffer, JobOrder, OrderMatch } from "../core/types.js";
import type { BookState } from "./book-state.js";
import type { BookEventBody, BookListener } from "./events.js";
import { applyEvent, restoreAllocations, restoreOffers, snapshotOf } from "./replica.js";
import type { BookSnapshot } from "./replica.js";
import type { RestoreRows } from "./restore-rows.js";
import { restoreRows } from "./row-restore.js";

/**
 * A book's listeners, rebuild and replication over its state. Invariant: a book that applies, in
 * order, every event another book emitted holds that book's state (apply); restores emit nothing.
 */
export class ReplicatedBook {
  protected constructor(protected readonly state: BookState) {}

  /** Subscribes to book events; returns the unsubscribe function. */
  on(listener: BookListener): () => void {
    return this.state.events.on(listener);
  }

  /**
   * Loads stored offers with their free GPUs into a book being rebuilt, all or none: no events, no
   * matching, one sort per touched index list (the bulk form of apply's OfferAdded). With `defer`,
   * the offers are stored but indexed only by finishRestore(), so a rebuild can load page by page
   * and still sort each index list once.
   * @throws validation codes, OUT_OF_RANGE (free GPUs), DUPLICATE_ID, LIMIT_EXCEEDED; then nothing is added
   */
  restoreOffers(
    entries: readonly { readonly offer: CapacityOffer; readonly freeGpuCount: number }[],
    options: { readonly defer?: boolean } = {},
  ): void {
    restoreOffers(this.state, entries, options.defer === true);
  }

  /**
   * restoreOffers for offers given as columns (a decoder fills `rows` from a store's page, with no
   * offer object per row): the same book as restoreOffers of the offers the rows hold, all or none;
   * `defer` as there. The rows are read, not kept: the caller may clear and refill them after.
   * @throws OUT_OF_RANGE, INVALID_AMOUNT, INVALID_FIELD (a row that breaks the offer rules), DUPLICATE_ID, LIMIT_EXCEEDED; then nothing is added
   */
  restoreRows(rows: RestoreRows, options: { readonly defer?: boolean } = {}): void {
    restoreRows(this.state, rows, options.defer === true);
  }

  /**
   * Records stored allocations in a book being rebuilt, without taking GPUs: the stored free counts
   * already exclude them. An allocation whose offer is gone (withdrawn, expired) is kept too, so the
   * job's end can still be released. No events, no matching.
   * @throws DUPLICATE_ID, LIMIT_EXCEEDED; then nothing is recorded
   */
  restoreAllocations(entries: readonly { readonly order: JobOrder; readonly match: OrderMatch }[]): void {
    restoreAllocations(this.state, entries);
  }

  /** Indexes the offers restoreOffers stored with `defer` (those still active with free GPUs). */
  finishRestore(): void {
    this.state.offers.indexDeferred();
    this.state.offers.compactExpiries();
  }

  /**
   * Applies an event another book emitted (or one rebuilt from a store), with no matching of its own:
   * OfferAdded inserts the offer with the event's freeGpuCount (Active or Paused, even when already past
   * its expiry: expire() removes it); OrderRested rests the order (even when expired); OrderMatched
   * removes the order from the resting set if it rests there and allocates match.gpuCount GPUs of
   * match.offerId to it, with the event's match as is; OrderCancelled / OrderExpired remove a resting
   * order; OfferPaused / OfferResumed / OfferWithdrawn / OfferExpired change the offer's state;
   * AllocationReleased returns the GPUs (if the offer is still held); ReputationChanged sets the
   * reputation. It never serves resting orders. Nothing changes when it throws.
   * The book's own listeners are told of the applied event (re-stamped with this book's seq and time).
   * Invariant: a book that applies, in order, every event another book emitted holds the same offers (with
   * the same free GPUs and status), the same resting orders and the same allocations.
   * @throws DUPLICATE_ID, OFFER_NOT_FOUND, ORDER_NOT_FOUND, INSUFFICIENT_CAPACITY (a match that does not fit),
   * LIMIT_EXCEEDED, INVALID_STATE_TRANSITION (pause / resume of an offer not in the state to leave),
   * INVALID_FIELD, OUT_OF_RANGE, INVALID_AMOUNT (validation of offers, orders, freeGpuCount, match.gpuCount)
   */
  apply(event: BookEventBody): void {
    applyEvent(this.state, event);
    const events = this.state.events;
    // record() stamps a copy with this book's seq and time, over any the event carries.
    if (events.listening) events.record(event);
    events.flush();
  }

  /** The book's offers (id, status, free GPUs) and allocations by id, and its resting orders in serve order. */
  snapshot(): BookSnapshot {
    return snapshotOf(this.state);
  }
}
