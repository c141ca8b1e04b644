// The market's reputation wiring: keeps the ledger folded over every event this process applies,
// sets each changed estimate in the book inside the batch that recorded the outcome (a
// ReputationChanged event), and restores every estimate on a rebuild. Reads the store, never writes it.
import { isMarketError } from "../core/errors.js";
import type { OrderBook } from "../orderbook/order-book.js";
import type { EventRow, Store } from "../store/store.js";
import type { BatchBuilder } from "./batch.js";
import type { MarketFeed } from "./feed.js";
import { MARKET_LIMITS } from "./limits.js";
import { OUTCOME_EVENT_TYPES, ReputationLedger } from "./reputation-ledger.js";
import type { ProviderReputation } from "./reputation-ledger.js";

/** Order statuses whose event may record an outcome (`Order<Status>` of OUTCOME_EVENT_TYPES). */
const OUTCOME_STATUSES: ReadonlySet<string> = new Set(OUTCOME_EVENT_TYPES.map((type) => type.slice("Order".length)));

/**
 * Sets a reputation in `book`, unless it holds it already; a book full of providers keeps the
 * default. Inside a batch (`record`) through setProviderReputation, which records ReputationChanged
 * and serves resting orders the provider now qualifies for (recorded too); outside one as a replayed
 * ReputationChanged, which serves nothing: what the leader served reaches this book as its events.
 */
function setIn(book: OrderBook, providerId: string, estimate: number, record: boolean): void {
  if (book.providerReputation(providerId) === estimate) return;
  try {
    if (record) book.setProviderReputation(providerId, estimate);
    else book.apply({ type: "ReputationChanged", providerId, reputation: estimate });
  } catch (e) {
    if (!isMarketError(e, "LIMIT_EXCEEDED")) throw e;
  }
}

/**
 * Reputations of one marketplace process. Invariants: the ledger has folded exactly the events the
 * feed applied (in seq order), so it equals a fresh fold of the log up to the feed's seq; the book
 * holds each provider's ledger estimate once a batch ended (a refused command's tentative estimate
 * is taken back then; a failed batch's book is rebuilt and restored); every node computes the same.
 */
export class MarketReputation {
  private ledger = new ReputationLedger();
  /** Providers whose estimate the current batch set in the book: a refused command may have left theirs behind. */
  private readonly touched = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly feed: MarketFeed,
  ) {
    feed.onEvent((event) => {
      this.fold(event);
    });
    feed.onRebuild((book, seq) => this.restore(book, seq));
    feed.onBatchEnd(() => {
      for (const providerId of this.touched) setIn(this.feed.book, providerId, this.ledger.estimateOf(providerId), false);
      this.touched.clear();
    });
  }

  /** The seq of the last event folded. */
  get seq(): number {
    return this.ledger.seq;
  }

  /** A provider's counts, estimate and recent outcomes, as of the last event this process applied. */
  reportOf(providerId: string): ProviderReputation {
    return this.ledger.reportOf(providerId);
  }

  /** Folds an applied event; an estimate it moved is set in the book (a follower's or a rolled-back command's book is corrected, unrecorded). */
  private fold(event: EventRow): void {
    const providerId = this.ledger.apply(event);
    if (providerId !== undefined) setIn(this.feed.book, providerId, this.ledger.estimateOf(providerId), false);
  }

  /**
   * Called after an order's status event is added to `batch`: the provider's estimate with the
   * batch's events so far is set in the book, which records it as ReputationChanged in the batch.
   */
  noteTransition(batch: BatchBuilder, providerId: string | undefined, to: string): void {
    if (providerId === undefined || !OUTCOME_STATUSES.has(to)) return;
    const tentative = this.ledger.forkFor(providerId);
    // Only events that name the provider can move its tally.
    for (const event of batch.events) if (event.payload.includes(providerId)) tentative.apply(event);
    this.touched.add(providerId);
    setIn(this.feed.book, providerId, tentative.estimateOf(providerId), true);
  }

  /** Folds the stored events up to `seq` not folded yet, then sets every estimate in the rebuilt `book`. @throws STORE_ERROR */
  private async restore(book: OrderBook, seq: number): Promise<void> {
    if (this.ledger.seq > seq) this.ledger = new ReputationLedger();
    while (this.ledger.seq < seq) {
      // Only the outcome events move a tally (outcomeOf): the others are not even read.
      const events = await this.store.eventsAfter(this.ledger.seq, MARKET_LIMITS.eventPageMax, OUTCOME_EVENT_TYPES);
      for (const event of events) if (event.seq <= seq) this.ledger.apply(event);
      if (events.length < MARKET_LIMITS.eventPageMax || (events.at(-1)?.seq ?? seq) >= seq) break;
    }
    for (const providerId of this.ledger.providers()) setIn(book, providerId, this.ledger.estimateOf(providerId), false);
  }
}
