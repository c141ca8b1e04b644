// The tables of the SQL store as Kysely sees them, their columns for bulk writes, the mapping of
// rows to the Store's row types, and a batch turned into rows per table. Pure: no I/O.
import { PostgresAdapter } from "kysely";
import type { Kysely } from "kysely";
import { tradeColumnsOf } from "./trade-table.js";
import type { TradeTable } from "./trade-table.js";
import type { BatchWrites, EscrowRow, EventRow, OfferRow, OrderRow } from "./store.js";

/** Does `db` run on PostgreSQL (else SQLite)? */
export function isPostgres(db: Kysely<unknown> | Kysely<MarketTables>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Rows one bulk statement writes at most (larger batches are split). */
export const BULK_ROWS_MAX = 5000;

export type Int = number | string | bigint;
export interface MarketTables {
  offers: {
    id: string;
    provider_id: string;
    status: string;
    gpu_count: number;
    free_gpus: number;
    expires_at_ms: Int;
    doc: string;
    /** What the book reads of the offer, compact (offer-book.ts); null only if written without it. */
    book: string | null;
  };
  orders: {
    id: string;
    buyer_id: string;
    status: string;
    offer_id: string | null;
    expires_at_ms: Int;
    doc: string;
    match: string | null;
    escrow_id: string | null;
    job: string | null;
    /** The sweeper's next deadline for the order (see order-due.ts); null: none. */
    due_at_ms: Int | null;
  };
  escrows: { id: string; order_id: string; state: string; doc: string; pending: string | null };
  events: { seq: Int; type: string; entity_id: string; at_ms: Int; node: string; payload: string };
  commands: { key: string; request_hash: string; response: string; at_ms: Int };
  trades: TradeTable;
}
export type ColumnType = "text" | "integer" | "bigint";
export type Db = Kysely<MarketTables>;

export const OFFER_COLUMNS: readonly (readonly [string, ColumnType])[] = [
  ["id", "text"],
  ["provider_id", "text"],
  ["status", "text"],
  ["gpu_count", "integer"],
  ["free_gpus", "integer"],
  ["expires_at_ms", "bigint"],
  ["doc", "text"],
  ["book", "text"],
];
export const ORDER_COLUMNS: readonly (readonly [string, ColumnType])[] = [
  ["id", "text"],
  ["buyer_id", "text"],
  ["status", "text"],
  ["offer_id", "text"],
  ["expires_at_ms", "bigint"],
  ["doc", "text"],
  ["match", "text"],
  ["escrow_id", "text"],
  ["job", "text"],
  ["due_at_ms", "bigint"],
];
export const ESCROW_COLUMNS: readonly (readonly [string, ColumnType])[] = [
  ["id", "text"],
  ["order_id", "text"],
  ["state", "text"],
  ["doc", "text"],
  ["pending", "text"],
];
export const EVENT_COLUMNS: readonly (readonly [string, ColumnType])[] = [
  ["seq", "bigint"],
  ["type", "text"],
  ["entity_id", "text"],
  ["at_ms", "bigint"],
  ["node", "text"],
  ["payload", "text"],
];
export const COMMAND_COLUMNS: readonly (readonly [string, ColumnType])[] = [
  ["key", "text"],
  ["request_hash", "text"],
  ["response", "text"],
  ["at_ms", "bigint"],
];

/** A stored offer row. */
export const offerRow = (r: MarketTables["offers"]): OfferRow => ({
  id: r.id,
  providerId: r.provider_id,
  status: r.status,
  gpuCount: r.gpu_count,
  freeGpus: r.free_gpus,
  expiresAtMs: Number(r.expires_at_ms),
  doc: r.doc,
  ...(r.book === null ? {} : { book: r.book }),
});
/** The statuses the sweeper acts on (a match's funding, a job's lock and receipts, a settlement's dispute window). */
export const SWEPT_STATUSES: ReadonlySet<string> = new Set(["Matched", "Escrowed", "Running", "Completed"]);

/**
 * The due_at_ms an order write stores (the sweeper then writes the deadline it computes): 0, look
 * at the next sweep, in a swept status; null, never, otherwise. Invariant: never later than the
 * sweeper's own deadline for the order.
 */
const dueOnWrite = (status: string): number | null => (SWEPT_STATUSES.has(status) ? 0 : null);

/** A stored order row. */
export const orderRow = (r: MarketTables["orders"]): OrderRow => ({
  id: r.id,
  buyerId: r.buyer_id,
  status: r.status,
  offerId: r.offer_id,
  expiresAtMs: Number(r.expires_at_ms),
  doc: r.doc,
  match: r.match,
  escrowId: r.escrow_id,
  job: r.job,
});
/** A stored escrow row. */
export const escrowRow = (r: MarketTables["escrows"]): EscrowRow => ({
  id: r.id,
  orderId: r.order_id,
  state: r.state,
  doc: r.doc,
  pending: r.pending,
});
/** A stored event row. */
export const eventRow = (r: MarketTables["events"]): EventRow => ({
  seq: Number(r.seq),
  type: r.type,
  entityId: r.entity_id,
  atMs: Number(r.at_ms),
  node: r.node,
  payload: r.payload,
});

export const OFFER_UPDATE = "status = excluded.status, expires_at_ms = excluded.expires_at_ms, doc = excluded.doc, book = excluded.book";
export const ORDER_UPDATE =
  "status = excluded.status, offer_id = excluded.offer_id, doc = excluded.doc, match = excluded.match, escrow_id = excluded.escrow_id, job = excluded.job, due_at_ms = excluded.due_at_ms";
export const ESCROW_UPDATE = "state = excluded.state, doc = excluded.doc, pending = excluded.pending";

/** A batch as rows of each table (column names as keys), repeats merged, capacity summed per offer. */
export function tableRows(batch: BatchWrites) {
  const deltas = new Map<string, number>();
  for (const { offerId, delta } of batch.capacity) deltas.set(offerId, (deltas.get(offerId) ?? 0) + delta);
  return {
    offers: lastById(batch.offers, (o) => o.id).map((o) => ({
      id: o.id,
      provider_id: o.providerId,
      status: o.status,
      gpu_count: o.gpuCount,
      free_gpus: o.freeGpus,
      expires_at_ms: o.expiresAtMs,
      doc: o.doc,
      book: o.book ?? null,
    })),
    offerStatuses: lastById(batch.offerStatuses ?? [], (c) => c.id),
    moved: [...deltas].filter(([, delta]) => delta !== 0).map(([id, delta]) => ({ id, delta })),
    orders: lastById(batch.orders, (o) => o.id).map((o) => ({
      id: o.id,
      buyer_id: o.buyerId,
      status: o.status,
      offer_id: o.offerId,
      expires_at_ms: o.expiresAtMs,
      doc: o.doc,
      match: o.match,
      escrow_id: o.escrowId,
      job: o.job,
      due_at_ms: dueOnWrite(o.status),
    })),
    orderStatuses: lastById(batch.orderStatuses ?? [], (c) => c.id).map((c) => ({ ...c, due_at_ms: dueOnWrite(c.status) })),
    orderDues: lastById(batch.orderDues ?? [], (d) => d.id).map((d) => ({ id: d.id, due_at_ms: d.dueAtMs })),
    escrows: lastById(batch.escrows, (e) => e.id).map((e) => ({
      id: e.id,
      order_id: e.orderId,
      state: e.state,
      doc: e.doc,
      pending: e.pending,
    })),
    events: batch.events.map((e) => ({ seq: e.seq, type: e.type, entity_id: e.entityId, at_ms: e.atMs, node: e.node, payload: e.payload })),
    commands: batch.commands.map((c) => ({ key: c.key, request_hash: c.requestHash, response: c.response, at_ms: c.atMs })),
    trades: (batch.trades ?? []).map(tradeColumnsOf),
  };
}

/** The rows of one batch, per table. */
export type TableRows = ReturnType<typeof tableRows>;

/** Last write wins for rows of the same id in one batch (one statement may not touch a row twice). */
export function lastById<T>(rows: readonly T[], id: (row: T) => string): T[] {
  return [...new Map(rows.map((row) => [id(row), row])).values()];
}

/** `rows` in pieces of at most BULK_ROWS_MAX. */
export function chunks<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += BULK_ROWS_MAX) out.push(rows.slice(i, i + BULK_ROWS_MAX));
  return out;
}
