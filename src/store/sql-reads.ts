// The SQL store's reads, as functions over a Kysely connection (the pool or a batch's transaction),
// book loading with paging included. Never writes; never opens a transaction but loadBook's read one.
import type Database from "better-sqlite3";
import { sql } from "kysely";
import { chunks, escrowRow, eventRow, offerRow, orderRow } from "./sql-tables.js";
import type { Db, MarketTables } from "./sql-tables.js";
import type { CommandRow, EscrowRow, EventRow, OfferRow, OrderRow, StoredBook, StoredOffer } from "./store.js";

/** Offers read per page while loading a book. */
const LOAD_PAGE_ROWS = 20_000;
/**
 * Offers handed over per page by the SQLite scan (no round trip to save there): a page's rows die
 * before the next young-generation collection, so it copies few of them.
 */
const SQLITE_PAGE_ROWS = 4096;

/** Events with seq > `seq`, in seq order, at most `limit`; only those of `types` when given (events_type_seq). */
export async function readEvents(conn: Db, seq: number, limit: number, types?: readonly string[]): Promise<EventRow[]> {
  if (types?.length === 0) return [];
  let query = conn.selectFrom("events").selectAll().where("seq", ">", seq);
  if (types !== undefined) query = query.where("type", "in", [...types]);
  const rows = await query.orderBy("seq").limit(limit).execute();
  return rows.map(eventRow);
}

/** The last event's seq; 0 when there is none. */
export async function readLastSeq(conn: Db): Promise<number> {
  const row = await conn
    .selectFrom("events")
    .select((eb) => eb.fn.max("seq").as("seq"))
    .executeTakeFirst();
  return Number(row?.seq ?? 0);
}

/**
 * The book to rebuild: live offers (each page to `onOffers`, or collected when absent), resting
 * and allocated orders, and the seq they reflect. Invariant: one read transaction, so the rows and
 * the seq agree. `sqlite` is the connection Kysely runs on, when the store is SQLite.
 */
export async function loadBook(
  db: Db,
  sqlite: Database.Database | undefined,
  onOffers?: (page: readonly StoredOffer[]) => void,
): Promise<StoredBook> {
  return db.transaction().execute(async (trx) => {
    const seqRow = await trx
      .selectFrom("events")
      .select((eb) => eb.fn.max("seq").as("seq"))
      .executeTakeFirst();
    const resting = await trx.selectFrom("orders").selectAll().where("status", "=", "Pending").orderBy("id").execute();
    const allocated = await trx
      .selectFrom("orders")
      .selectAll()
      .where("status", "in", ["Matched", "Escrowed", "Running"])
      .orderBy("id")
      .execute();
    const offers: StoredOffer[] = [];
    await scanLiveOffers(trx, sqlite, onOffers ?? ((page) => offers.push(...page)));
    return { offers, resting: resting.map(orderRow), allocated: allocated.map(orderRow), seq: Number(seqRow?.seq ?? 0) };
  });
}

/** The offers' columns a rebuild reads: the compact encoding, or the document of a row stored without one. */
const SCAN_COLUMNS = "id, provider_id, status, gpu_count, free_gpus, expires_at_ms, coalesce(book, doc) as book";

/**
 * Active and paused offers, page by page, never reading a document that has a compact encoding.
 * SQLite: one pass of one statement, handed over SQLITE_PAGE_ROWS at a time, in the planner's
 * order (the status index: Active offers by rowid, then Paused ones; no sort). Keyset pages cost
 * more there: each re-read the rest of the index and sorted it. PostgreSQL: pages of LOAD_PAGE_ROWS
 * by its primary key.
 * Invariant: called inside loadBook's read transaction.
 */
async function scanLiveOffers(
  trx: Db,
  sqlite: Database.Database | undefined,
  onPage: (page: readonly StoredOffer[]) => void,
): Promise<void> {
  if (sqlite !== undefined) {
    // better-sqlite3 directly, rows as arrays, on the same connection and transaction: the book's
    // largest read. A page is handed over as it fills (onPage does no I/O, so nothing else runs on
    // the connection while the statement is open). The status comes as a flag: no string per row.
    const scan = sqlite
      .prepare<[], [string, string, number, number, number, number, string]>(
        `select ${SCAN_COLUMNS.replace("status", "status = 'Paused'")} from offers where status in ('Active', 'Paused')`,
      )
      .raw(true);
    let page: StoredOffer[] = [];
    for (const [id, providerId, paused, gpuCount, freeGpus, expiresAtMs, book] of scan.iterate()) {
      page.push({ id, providerId, status: paused === 1 ? "Paused" : "Active", gpuCount, freeGpus, expiresAtMs, book });
      if (page.length === SQLITE_PAGE_ROWS) {
        onPage(page);
        page = [];
      }
    }
    if (page.length > 0) onPage(page);
    return;
  }
  let after = "";
  for (;;) {
    // The scan's columns: the table's, with the compact encoding (or the document) as book.
    const rows = await sql<
      Omit<MarketTables["offers"], "doc" | "book"> & { book: string }
    >`select ${sql.raw(SCAN_COLUMNS)} from offers where id > ${after} and status in ('Active', 'Paused') order by id limit ${LOAD_PAGE_ROWS}`.execute(
      trx,
    );
    if (rows.rows.length === 0) return;
    onPage(
      rows.rows.map((r) => ({
        id: r.id,
        providerId: r.provider_id,
        status: r.status,
        gpuCount: r.gpu_count,
        freeGpus: r.free_gpus,
        expiresAtMs: Number(r.expires_at_ms),
        book: r.book,
      })),
    );
    after = rows.rows[rows.rows.length - 1]?.id ?? after;
    if (rows.rows.length < LOAD_PAGE_ROWS) return;
  }
}

/** The offer `id`, if stored. */
export async function readOffer(conn: Db, id: string): Promise<OfferRow | undefined> {
  const row = await conn.selectFrom("offers").selectAll().where("id", "=", id).executeTakeFirst();
  return row === undefined ? undefined : offerRow(row);
}

/** The order `id`, if stored. */
export async function readOrder(conn: Db, id: string): Promise<OrderRow | undefined> {
  const row = await conn.selectFrom("orders").selectAll().where("id", "=", id).executeTakeFirst();
  return row === undefined ? undefined : orderRow(row);
}

/** The escrow `id`, if stored. */
export async function readEscrow(conn: Db, id: string): Promise<EscrowRow | undefined> {
  const row = await conn.selectFrom("escrows").selectAll().where("id", "=", id).executeTakeFirst();
  return row === undefined ? undefined : escrowRow(row);
}

/** Escrows with a pending chain step, in id order. */
export async function readPendingEscrows(conn: Db): Promise<EscrowRow[]> {
  return (await conn.selectFrom("escrows").selectAll().where("pending", "is not", null).orderBy("id").execute()).map(escrowRow);
}

/** Escrows with id > `afterId`, in id order, at most `limit`. */
export async function readEscrowsAfter(conn: Db, afterId: string, limit: number): Promise<EscrowRow[]> {
  return (await conn.selectFrom("escrows").selectAll().where("id", ">", afterId).orderBy("id").limit(limit).execute()).map(escrowRow);
}

/** Orders in one of `statuses`, in id order, at most `limit`; none for no status. */
export async function readOrdersWithStatus(conn: Db, statuses: readonly string[], limit: number): Promise<OrderRow[]> {
  if (statuses.length === 0) return [];
  return (
    await conn
      .selectFrom("orders")
      .selectAll()
      .where("status", "in", [...statuses])
      .orderBy("id")
      .limit(limit)
      .execute()
  ).map(orderRow);
}

/** The stored command `key`, if any. */
export async function readCommand(conn: Db, key: string): Promise<CommandRow | undefined> {
  const r = await conn.selectFrom("commands").selectAll().where("key", "=", key).executeTakeFirst();
  return r === undefined ? undefined : { key: r.key, requestHash: r.request_hash, response: r.response, atMs: Number(r.at_ms) };
}

/** The stored commands among `keys`, by key; read in chunks of BULK_ROWS_MAX keys. */
export async function readCommands(conn: Db, keys: readonly string[]): Promise<Map<string, CommandRow>> {
  const found = new Map<string, CommandRow>();
  for (const part of chunks(keys)) {
    const rows = await conn.selectFrom("commands").selectAll().where("key", "in", part).execute();
    for (const r of rows) found.set(r.key, { key: r.key, requestHash: r.request_hash, response: r.response, atMs: Number(r.at_ms) });
  }
  return found;
}
