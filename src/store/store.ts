// Store: what the marketplace keeps durably — offers, orders, escrows, the event feed and the
// results of idempotent commands — behind one interface with a SQLite and a PostgreSQL
// implementation that pass one contract suite. Types only.

/** An offer row: the offer as JSON plus the columns queries and the capacity guard need. */
export interface OfferRow {
  readonly id: string;
  readonly providerId: string;
  /** Active, Paused, Withdrawn or Expired. */
  readonly status: string;
  readonly gpuCount: number;
  /** Free GPUs; written on insert only, then changed by capacity deltas. */
  readonly freeGpus: number;
  readonly expiresAtMs: number;
  /** The CapacityOffer, JSON. */
  readonly doc: string;
  /** What the book reads of it, compact (encodeOfferBook); a rebuild reads this instead of `doc`. */
  readonly book?: string;
}

/** An offer as a rebuild reads it: the columns, and the compact encoding (or, for a row stored without one, the JSON document). */
export interface StoredOffer {
  readonly id: string;
  readonly providerId: string;
  /** Active or Paused. */
  readonly status: string;
  readonly gpuCount: number;
  readonly freeGpus: number;
  readonly expiresAtMs: number;
  /** encodeOfferBook's string, or the JSON document (starts with "{") when the row has none. */
  readonly book: string;
}

/** An order row: the order and (once matched) its match, as JSON. */
export interface OrderRow {
  readonly id: string;
  readonly buyerId: string;
  readonly status: string;
  readonly offerId: string | null;
  readonly expiresAtMs: number;
  /** The JobOrder, JSON. */
  readonly doc: string;
  /** The OrderMatch, JSON, once matched. */
  readonly match: string | null;
  readonly escrowId: string | null;
  /** Lifecycle details (proof, confirmation, dispute, settlement), JSON. */
  readonly job: string | null;
}

/** An escrow row: the EscrowAccount as JSON, and the chain step under way, if any. */
export interface EscrowRow {
  readonly id: string;
  readonly orderId: string;
  readonly state: string;
  readonly doc: string;
  /** A chain step recorded before it was sent (JSON), cleared once its outcome is recorded. */
  readonly pending: string | null;
}

/** One event of the feed. Invariant: seq increases by one per event, with no gaps. */
export interface EventRow {
  readonly seq: number;
  readonly type: string;
  readonly entityId: string;
  readonly atMs: number;
  /** The process that wrote it. */
  readonly node: string;
  /** The event, JSON. */
  readonly payload: string;
}

/** The stored answer of an idempotent command. */
export interface CommandRow {
  readonly key: string;
  /** SHA-256 of the command's name and arguments: a key reused for another command is refused. */
  readonly requestHash: string;
  /** The first answer, JSON. */
  readonly response: string;
  readonly atMs: number;
}

/**
 * A trade: one match (an OrderMatched event, same seq and time), as the market data reads it.
 * Invariant: costBaseUnits = priceBaseUnits x gpuHours at the time of the match (extensions not included).
 */
export interface TradeRow {
  readonly seq: number;
  readonly atMs: number;
  readonly orderId: string;
  readonly offerId: string;
  readonly providerId: string;
  /** The offer's GPU model, normalized (normalizeGpuModel). */
  readonly gpuModel: string;
  readonly gpuCount: number;
  readonly hours: number;
  readonly gpuHours: number;
  /** Price per GPU-hour, base units. */
  readonly priceBaseUnits: bigint;
  /** The match's totalCost, base units. */
  readonly costBaseUnits: bigint;
}

/** Trades after `afterSeq` in seq order, of one GPU model when given, at most `limit`. */
export interface TradeQuery {
  readonly gpuModel?: string;
  readonly afterSeq: number;
  readonly limit: number;
}

/** Trades of [fromMs, toMs) grouped in buckets of `intervalMs` (UTC-aligned: bucket = floor(atMs / intervalMs)). */
export interface TradeBucketQuery {
  readonly gpuModel?: string;
  readonly intervalMs: number;
  readonly fromMs: number;
  readonly toMs: number;
}

/** One bucket's trades summed. Invariant: trades >= 1 (an empty bucket has no row). */
export interface TradeBucketRow {
  /** The bucket's start, ms since the epoch. */
  readonly startMs: number;
  readonly trades: number;
  readonly gpuHours: bigint;
  readonly costBaseUnits: bigint;
  readonly openBaseUnits: bigint;
  readonly highBaseUnits: bigint;
  readonly lowBaseUnits: bigint;
  readonly closeBaseUnits: bigint;
}

/** A page of a party's orders (Store.listOrders): of a buyer and/or of the provider of their matched offer. */
export interface OrderListQuery {
  readonly buyerId?: string;
  readonly providerId?: string;
  /** Only orders in one of these statuses; every OrderStatus when absent (a row written with another status is listed only when asked for by name). */
  readonly statuses?: readonly string[];
  /** Only orders with ids below this one: the last id of the previous page. */
  readonly beforeId?: string;
  readonly limit: number;
}

/** A change of an offer's free GPUs, applied only if the result stays within 0..gpuCount. */
export interface CapacityDelta {
  readonly offerId: string;
  readonly delta: number;
}

/** A new status for a stored row. */
export interface StatusChange {
  readonly id: string;
  readonly status: string;
}

/**
 * The sweeper's next deadline for an order (Store.ordersDueBy), null for none. Every other write of
 * an order makes it due at once in a swept status; a due written with the row's write of the same
 * batch applies after it.
 */
export interface OrderDue {
  readonly id: string;
  readonly dueAtMs: number | null;
}

/** Everything one group commit writes, applied in this order: upserts, status changes, capacity, order dues. */
export interface BatchWrites {
  readonly offers: readonly OfferRow[];
  readonly offerStatuses?: readonly StatusChange[];
  readonly orderStatuses?: readonly StatusChange[];
  readonly capacity: readonly CapacityDelta[];
  readonly orders: readonly OrderRow[];
  readonly escrows: readonly EscrowRow[];
  readonly events: readonly EventRow[];
  readonly commands: readonly CommandRow[];
  /** The trades of the batch's OrderMatched events. */
  readonly trades?: readonly TradeRow[];
  /** Deadlines the sweeper computed (applied after the order writes of the batch). */
  readonly orderDues?: readonly OrderDue[];
}

/** What a batch may do inside its transaction, holding the market's write lock. */
export interface StoreWriter {
  /** Events after `seq`, in order (other processes' writes to catch up on). */
  eventsAfter(seq: number, limit: number): Promise<EventRow[]>;
  getOrder(id: string): Promise<OrderRow | undefined>;
  getEscrow(id: string): Promise<EscrowRow | undefined>;
  /** The stored answers of those keys that were used already. */
  commands(keys: readonly string[]): Promise<Map<string, CommandRow>>;
  /**
   * Writes a batch, or a part of one (parts are written in call order). @throws INSUFFICIENT_CAPACITY
   * when a capacity delta would take an offer's free GPUs below 0 or above its GPU count (the whole
   * transaction then rolls back; SQLite may resolve the write at once and fail the batch's commit
   * with that error instead)
   */
  write(batch: BatchWrites): Promise<void>;
  /**
   * Does a write run beside this process, so that sending a batch's rows in parts while it is
   * still applied overlaps the two (PostgreSQL: the database's process does the write; SQLite: its
   * writer thread). Either way a call may come before the last one resolved, and a later read on
   * the writer sees every earlier write.
   */
  readonly writesOverlap: boolean;
}

/** The bounds of the nonce table (see Store.acceptNonce). */
export interface NonceLimits {
  /** The signature window (s): a request is accepted only while its `created` is this close to now; rows live two windows. */
  readonly windowS: number;
  /** Nonces one keyid may record over the current and the previous window-long bucket of time. */
  readonly perKeyidMax: number;
  /** Nonces the table holds at most, over every keyid. */
  readonly totalMax: number;
}

/** What recording a nonce did: recorded now, recorded before, or refused by a bound. */
export type NonceVerdict = "accepted" | "replayed" | "keyid-full" | "full";

/** The live book as stored: what a process loads on start. */
export interface StoredBook {
  readonly offers: readonly StoredOffer[];
  /** Orders still Pending (resting). */
  readonly resting: readonly OrderRow[];
  /** Matched orders whose GPUs are still allocated (Matched, Escrowed, Running). */
  readonly allocated: readonly OrderRow[];
  /** The last event seq the rows include. */
  readonly seq: number;
}

/** A committed batch: what its function returned, and when it is durable (see Store.commitBatch). */
export interface CommittedBatch<T> {
  readonly result: T;
  /** Resolves once the commit is durable. @throws STORE_ERROR (the log cannot be synced) */
  readonly durable: Promise<void>;
}

/** How a batch is committed (see Store.commitBatch). */
export interface CommitOptions {
  /**
   * Asked as the COMMIT is sent: true when the caller has nothing else to write, so the commit may
   * be made durable before it is answered (SQLite: the writer thread fsyncs the log, one thread
   * trip fewer than a sync on libuv's pool). Committing is the same either way; PostgreSQL ignores it.
   */
  readonly syncAtCommit?: () => boolean;
}

/**
 * Durable storage of one market. Invariants: a batch is all or nothing; an offer's free GPUs stay
 * within 0..gpuCount; event seqs are gap-free and in commit order across every process sharing
 * the store; a command key is stored once; a nonce is accepted once.
 */
export interface Store {
  readonly dialect: "sqlite" | "postgres";
  /** Runs the forward-only migrations not yet applied. */
  migrate(): Promise<void>;
  /** Runs `fn` in one transaction holding the market's write lock; resolves once the commit is durable. */
  writeBatch<T>(fn: (writer: StoreWriter) => Promise<T>): Promise<T>;
  /**
   * writeBatch in two steps: resolves once the transaction has committed (other readers see it),
   * with `durable`, which resolves once it is durable. A caller may start its next batch meanwhile;
   * `durable` of a later batch never resolves before that of an earlier one, and after a failed
   * sync none resolves again. @throws what `fn` throws (the transaction rolls back), STORE_ERROR;
   * `durable` rejects with STORE_ERROR
   */
  commitBatch<T>(fn: (writer: StoreWriter) => Promise<T>, options?: CommitOptions): Promise<CommittedBatch<T>>;
  /**
   * The live book in one read transaction. With `onOffers`, offers are handed over in pages (and
   * not returned), so a large book is never held as rows all at once.
   */
  loadBook(onOffers?: (page: readonly StoredOffer[]) => void): Promise<StoredBook>;
  /** Events after `seq` in seq order, at most `limit`; only those of `types` when given (read through an index, the others never loaded). */
  eventsAfter(seq: number, limit: number, types?: readonly string[]): Promise<EventRow[]>;
  lastSeq(): Promise<number>;
  getOffer(id: string): Promise<OfferRow | undefined>;
  getOrder(id: string): Promise<OrderRow | undefined>;
  getEscrow(id: string): Promise<EscrowRow | undefined>;
  /** The escrows of `ids` that exist, by id, in one read (a page of orders' escrows). @throws STORE_ERROR */
  getEscrows(ids: readonly string[]): Promise<Map<string, EscrowRow>>;
  /** Escrows with a chain step recorded but not its outcome (to reconcile on start). */
  pendingEscrows(): Promise<EscrowRow[]>;
  /** The stored answer of a command key, if it was used. */
  getCommand(key: string): Promise<CommandRow | undefined>;
  /** Escrows with ids after `afterId`, in id order, at most `limit` (a page of all escrows). */
  listEscrows(afterId: string, limit: number): Promise<EscrowRow[]>;
  /** Orders in one of `statuses`, oldest first, at most `limit`. */
  ordersWithStatus(statuses: readonly string[], limit: number): Promise<OrderRow[]>;
  /**
   * Orders the sweeper must look at by `nowMs` (their due_at_ms <= nowMs), earliest first, at most
   * `limit`; reads only those rows (an index). @throws STORE_ERROR
   */
  ordersDueBy(nowMs: number, limit: number): Promise<OrderRow[]>;
  /** A party's orders, newest first, at most `query.limit` (see OrderListQuery). @throws STORE_ERROR */
  listOrders(query: OrderListQuery): Promise<OrderRow[]>;
  /**
   * Records a request signature's nonce once: "accepted" for exactly one of any number of calls with
   * the same keyid and nonce, from any process, until the row is pruned (two windows after
   * `createdS`). Bounded by `limits`; prunes every so many calls. @throws STORE_ERROR
   */
  acceptNonce(keyid: string, nonce: string, createdS: number, nowS: number, limits: NonceLimits): Promise<NonceVerdict>;
  /** A page of trades (see TradeQuery). @throws STORE_ERROR */
  trades(query: TradeQuery): Promise<TradeRow[]>;
  /** Trades summed per bucket, in bucket order, empty buckets left out. @throws STORE_ERROR */
  tradeBuckets(query: TradeBucketQuery): Promise<TradeBucketRow[]>;
  /** Forgets nonces created more than two windows before `nowS`; returns how many. @throws STORE_ERROR */
  pruneNonces(nowS: number, windowS: number): Promise<number>;
  close(): Promise<void>;
}
