// A bounded LRU cache of the market's quote answers (GET /v1/quote, GET /v1/offers/best). An
// answer is served again only while nothing it depends on changed: the same book, no book event
// since (adds, matches, releases, pauses, reputations), the same applied feed seq (other
// processes' events), and the clock before the earliest expiry among the answer's offers.
import type { Clock } from "../core/clock.js";
import type { OrderBook } from "../orderbook/order-book.js";

/** Bounds of a quote cache. */
export const QUOTE_CACHE_LIMITS = {
  /** Answers one cache holds at most; the least recently used goes first. */
  entriesMax: 1024,
} as const;

/** What answers are computed from: the market's book and the seq of the last event applied to it. */
export interface QuoteSource {
  readonly book: OrderBook;
  readonly lastSeq: number;
}

/** An answer with the instant it stops being true by the clock alone (-Infinity: never cache it). */
export interface TimedAnswer<T> {
  readonly answer: T;
  readonly validUntilMs: number;
}

interface Entry<T> extends TimedAnswer<T> {
  /** The clock read after the answer was computed: it holds from then on. */
  readonly fromMs: number;
}

/**
 * Answers by normalized query. Invariant: get returns what compute would return now, for any
 * sequence of book changes and clock readings; it holds at most `entriesMax` answers.
 */
export class QuoteCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private book: OrderBook | undefined;
  private unsubscribe: (() => void) | undefined;
  private bookChanges = 0;
  private entriesChanges = -1;
  private entriesSeq = -1;

  constructor(
    private readonly source: QuoteSource,
    private readonly clock: Clock,
    private readonly entriesMax: number = QUOTE_CACHE_LIMITS.entriesMax,
  ) {}

  /** The answer for `key`: the cached one while it holds, else compute()'s (kept when it may hold later). @throws what compute throws */
  get(key: string, compute: () => TimedAnswer<T>): T {
    this.sync();
    const nowMs = this.clock.now();
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      if (nowMs >= hit.fromMs && nowMs < hit.validUntilMs) {
        this.entries.set(key, hit);
        return hit.answer;
      }
    }
    const fresh = compute();
    const fromMs = this.clock.now();
    if (fromMs < fresh.validUntilMs) {
      this.entries.set(key, { ...fresh, fromMs });
      if (this.entries.size > this.entriesMax) {
        const oldest = this.entries.keys().next();
        if (oldest.done !== true) this.entries.delete(oldest.value);
      }
    }
    return fresh.answer;
  }

  /** Answers held now. */
  get size(): number {
    return this.entries.size;
  }

  /** Stops listening to the book. */
  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.book = undefined;
    this.entries.clear();
  }

  /** Drops every answer when the book was replaced, changed, or moved on by the feed. */
  private sync(): void {
    const book = this.source.book;
    if (book !== this.book) {
      this.unsubscribe?.();
      this.book = book;
      this.unsubscribe = book.on(() => {
        this.bookChanges++;
      });
      this.entries.clear();
    }
    if (this.bookChanges !== this.entriesChanges || this.source.lastSeq !== this.entriesSeq) {
      this.entries.clear();
      this.entriesChanges = this.bookChanges;
      this.entriesSeq = this.source.lastSeq;
    }
  }
}

/** The content type Fastify gives a serialized object (a reply with its own serializer gets none). */
export const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

/** An answer and its JSON as the route's response schema serialized it, once, when it was computed. */
export interface SerializedAnswer<T> {
  readonly answer: T;
  readonly json: string;
}

/** `answer` with its JSON by `serialize` (a reply's serialize: the route's response schema), for a cache of serialized answers. */
export function serializedAnswer<T>(timed: TimedAnswer<T>, serialize: (answer: T) => unknown): TimedAnswer<SerializedAnswer<T>> {
  const json = serialize(timed.answer);
  return {
    answer: { answer: timed.answer, json: typeof json === "string" ? json : JSON.stringify(timed.answer) },
    validUntilMs: timed.validUntilMs,
  };
}
