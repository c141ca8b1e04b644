// The Store over Kysely, for SQLite (better-sqlite3) and PostgreSQL (pg). A batch is one
// transaction under the market's write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction
// advisory lock), and each table gets one statement per batch that reads its rows from a single
// JSON parameter, so a batch of a thousand commands costs a handful of statements.
import Database from "better-sqlite3";
import { AUTOCHECKPOINT_PAGES, SqliteCheckpointer } from "./sqlite-checkpointer.js";
import { Kysely, PostgresDialect, SqliteDialect, sql } from "kysely";
import type { RawBuilder } from "kysely";
import pg from "pg";
import { MarketError } from "../core/errors.js";
import { migrateToLatest } from "./migrations.js";
import { NonceTable } from "./nonce-table.js";
import type { BatchWrites, CommandRow, EscrowRow, EventRow, NonceLimits, NonceVerdict, OfferRow, OrderRow, Store, StoreWriter, StoredBook } from "./store.js";

/** Offers read per page while loading a book. */
const LOAD_PAGE_ROWS = 20_000;
/** Rows one bulk statement writes at most (larger batches are split). */
export const BULK_ROWS_MAX = 5000;
/** Advisory lock id of the market's write lock on PostgreSQL. */
const WRITE_LOCK_ID = 0x4d4f4c54; // "MOLT"
/** How long SQLite waits for another process's write lock before it reports busy. */
const SQLITE_BUSY_TIMEOUT_MS = 10_000;

type Int = number | string | bigint;
interface MarketTables {
  offers: { id: string; provider_id: string; status: string; gpu_count: number; free_gpus: number; expires_at_ms: Int; doc: string };
  orders: { id: string; buyer_id: string; status: string; offer_id: string | null; expires_at_ms: Int; doc: string; match: string | null; escrow_id: string | null; job: string | null };
  escrows: { id: string; order_id: string; state: string; doc: string; pending: string | null };
  events: { seq: Int; type: string; entity_id: string; at_ms: Int; node: string; payload: string };
  commands: { key: string; request_hash: string; response: string; at_ms: Int };
}
type ColumnType = "text" | "integer" | "bigint";
type Db = Kysely<MarketTables>;

const OFFER_COLUMNS: readonly (readonly [string, ColumnType])[] = [["id", "text"], ["provider_id", "text"], ["status", "text"], ["gpu_count", "integer"], ["free_gpus", "integer"], ["expires_at_ms", "bigint"], ["doc", "text"]];
const ORDER_COLUMNS: readonly (readonly [string, ColumnType])[] = [["id", "text"], ["buyer_id", "text"], ["status", "text"], ["offer_id", "text"], ["expires_at_ms", "bigint"], ["doc", "text"], ["match", "text"], ["escrow_id", "text"], ["job", "text"]];
const ESCROW_COLUMNS: readonly (readonly [string, ColumnType])[] = [["id", "text"], ["order_id", "text"], ["state", "text"], ["doc", "text"], ["pending", "text"]];
const EVENT_COLUMNS: readonly (readonly [string, ColumnType])[] = [["seq", "bigint"], ["type", "text"], ["entity_id", "text"], ["at_ms", "bigint"], ["node", "text"], ["payload", "text"]];
const COMMAND_COLUMNS: readonly (readonly [string, ColumnType])[] = [["key", "text"], ["request_hash", "text"], ["response", "text"], ["at_ms", "bigint"]];

const offerRow = (r: MarketTables["offers"]): OfferRow => ({ id: r.id, providerId: r.provider_id, status: r.status, gpuCount: r.gpu_count, freeGpus: r.free_gpus, expiresAtMs: Number(r.expires_at_ms), doc: r.doc });
const orderRow = (r: MarketTables["orders"]): OrderRow => ({ id: r.id, buyerId: r.buyer_id, status: r.status, offerId: r.offer_id, expiresAtMs: Number(r.expires_at_ms), doc: r.doc, match: r.match, escrowId: r.escrow_id, job: r.job });
const escrowRow = (r: MarketTables["escrows"]): EscrowRow => ({ id: r.id, orderId: r.order_id, state: r.state, doc: r.doc, pending: r.pending });
const eventRow = (r: MarketTables["events"]): EventRow => ({ seq: Number(r.seq), type: r.type, entityId: r.entity_id, atMs: Number(r.at_ms), node: r.node, payload: r.payload });

const OFFER_UPDATE = "status = excluded.status, expires_at_ms = excluded.expires_at_ms, doc = excluded.doc";
const ORDER_UPDATE = "status = excluded.status, offer_id = excluded.offer_id, doc = excluded.doc, match = excluded.match, escrow_id = excluded.escrow_id, job = excluded.job";
const ESCROW_UPDATE = "state = excluded.state, doc = excluded.doc, pending = excluded.pending";

/** A batch as rows of each table (column names as keys), repeats merged, capacity summed per offer. */
function tableRows(batch: BatchWrites) {
  const deltas = new Map<string, number>();
  for (const { offerId, delta } of batch.capacity) deltas.set(offerId, (deltas.get(offerId) ?? 0) + delta);
  return {
    offers: lastById(batch.offers, (o) => o.id).map((o) => ({ id: o.id, provider_id: o.providerId, status: o.status, gpu_count: o.gpuCount, free_gpus: o.freeGpus, expires_at_ms: o.expiresAtMs, doc: o.doc })),
    offerStatuses: lastById(batch.offerStatuses ?? [], (c) => c.id),
    moved: [...deltas].filter(([, delta]) => delta !== 0).map(([id, delta]) => ({ id, delta })),
    orders: lastById(batch.orders, (o) => o.id).map((o) => ({ id: o.id, buyer_id: o.buyerId, status: o.status, offer_id: o.offerId, expires_at_ms: o.expiresAtMs, doc: o.doc, match: o.match, escrow_id: o.escrowId, job: o.job })),
    orderStatuses: lastById(batch.orderStatuses ?? [], (c) => c.id),
    escrows: lastById(batch.escrows, (e) => e.id).map((e) => ({ id: e.id, order_id: e.orderId, state: e.state, doc: e.doc, pending: e.pending })),
    events: batch.events.map((e) => ({ seq: e.seq, type: e.type, entity_id: e.entityId, at_ms: e.atMs, node: e.node, payload: e.payload })),
    commands: batch.commands.map((c) => ({ key: c.key, request_hash: c.requestHash, response: c.response, at_ms: c.atMs })),
  };
}

/** The SQLite write statements, prepared once per connection (after the migrations). */
function prepareWrites(database: Database.Database) {
  const insert = (table: string, columns: readonly (readonly [string, ColumnType])[], onConflict: string): Database.Statement =>
    database.prepare(`insert into ${table} (${columns.map(([c]) => c).join(", ")}) values (${columns.map(([c]) => `@${c}`).join(", ")}) ${onConflict}`);
  return {
    offer: insert("offers", OFFER_COLUMNS, `on conflict (id) do update set ${OFFER_UPDATE}`),
    offerStatus: database.prepare("update offers set status = @status where id = @id"),
    capacity: database.prepare("update offers set free_gpus = free_gpus + @delta where id = @id and free_gpus + @delta >= 0 and free_gpus + @delta <= gpu_count"),
    order: insert("orders", ORDER_COLUMNS, `on conflict (id) do update set ${ORDER_UPDATE}`),
    orderStatus: database.prepare("update orders set status = @status where id = @id"),
    escrow: insert("escrows", ESCROW_COLUMNS, `on conflict (id) do update set ${ESCROW_UPDATE}`),
    event: insert("events", EVENT_COLUMNS, ""),
    command: insert("commands", COMMAND_COLUMNS, ""),
  };
}

/** Last write wins for rows of the same id in one batch (one statement may not touch a row twice). */
function lastById<T>(rows: readonly T[], id: (row: T) => string): T[] {
  return [...new Map(rows.map((row) => [id(row), row])).values()];
}

function chunks<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += BULK_ROWS_MAX) out.push(rows.slice(i, i + BULK_ROWS_MAX));
  return out;
}

/** The store of one market in a SQL database. */
export class SqlStore implements Store {
  private constructor(
    readonly dialect: "sqlite" | "postgres",
    private readonly db: Db,
    /** The PostgreSQL schema, when the store has its own. */
    private readonly schema?: string,
    /** The SQLite connection Kysely runs on, for the prepared write statements. */
    private readonly sqlite?: Database.Database,
    /** Checkpoints the SQLite write-ahead log off the event loop. */
    private readonly checkpointer?: SqliteCheckpointer,
  ) {}

  private prepared: ReturnType<typeof prepareWrites> | undefined;
  private nonces: NonceTable | undefined;

  /**
   * A SQLite file (created when missing): WAL, synchronous=FULL, so a commit survives a kill -9
   * or a power cut. The log is checkpointed by a worker thread, never inside a commit. @throws STORE_ERROR
   */
  static openSqlite(path: string): SqlStore {
    try {
      const database = new Database(path);
      database.pragma("journal_mode = WAL");
      database.pragma("synchronous = FULL");
      database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
      database.pragma("wal_autocheckpoint = 0");
      const checkpointer = new SqliteCheckpointer(path, SQLITE_BUSY_TIMEOUT_MS, () => {
        if (database.open) database.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
      });
      return new SqlStore("sqlite", new Kysely<MarketTables>({ dialect: new SqliteDialect({ database }) }), undefined, database, checkpointer);
    } catch (e) {
      throw new MarketError("STORE_ERROR", { reason: `cannot open SQLite database ${path}: ${e instanceof Error ? e.message : String(e)}` }, { cause: e });
    }
  }

  /** A PostgreSQL database (`DATABASE_URL`), optionally in its own schema (created when missing). */
  static async openPostgres(connectionString: string, options: { readonly schema?: string; readonly poolSize?: number } = {}): Promise<SqlStore> {
    const schema = options.schema;
    if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
      throw new MarketError("INVALID_FIELD", { field: "schema", value: JSON.stringify(schema), allowed: "a lower-case SQL identifier" });
    }
    if (schema !== undefined) {
      const admin = new pg.Client({ connectionString });
      await admin.connect();
      try {
        await admin.query(`create schema if not exists ${schema}`);
      } finally {
        await admin.end();
      }
    }
    const pool = new pg.Pool({ connectionString, max: options.poolSize ?? 4, ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }) });
    return new SqlStore("postgres", new Kysely<MarketTables>({ dialect: new PostgresDialect({ pool }) }), schema);
  }

  /** @throws STORE_ERROR */
  async migrate(): Promise<void> {
    if (this.dialect === "postgres") {
      // Several processes may start at once: one migrates, the others wait for it.
      await this.db.connection().execute(async (conn) => {
        await sql`select pg_advisory_lock(${WRITE_LOCK_ID + 1})`.execute(conn);
        try {
          await migrateToLatest(conn as unknown as Kysely<unknown>, this.schema);
        } finally {
          await sql`select pg_advisory_unlock(${WRITE_LOCK_ID + 1})`.execute(conn);
        }
      });
      return;
    }
    await migrateToLatest(this.db as unknown as Kysely<unknown>);
  }

  /** A PostgreSQL FROM source that reads rows of `columns` from one JSON array parameter (SQLite writes through prepared statements). */
  private jsonSource(rows: readonly object[], columns: readonly (readonly [string, ColumnType])[]): RawBuilder<unknown> {
    return sql`jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(${sql.raw(columns.map(([name, type]) => `${name} ${type}`).join(", "))})`;
  }

  private async bulkInsert(conn: Db, table: string, rows: readonly object[], columns: readonly (readonly [string, ColumnType])[], onConflict: string): Promise<void> {
    const names = sql.raw(columns.map(([name]) => name).join(", "));
    for (const part of chunks(rows)) {
      await sql`insert into ${sql.table(table)} (${names}) select ${names} from ${this.jsonSource(part, columns)} where true ${sql.raw(onConflict)}`.execute(conn);
    }
  }

  private writer(conn: Db): StoreWriter {
    return {
      eventsAfter: (seq, limit) => this.readEvents(conn, seq, limit),
      commands: async (keys) => {
        const found = new Map<string, CommandRow>();
        for (const part of chunks(keys)) {
          const rows = await conn.selectFrom("commands").selectAll().where("key", "in", part).execute();
          for (const r of rows) found.set(r.key, { key: r.key, requestHash: r.request_hash, response: r.response, atMs: Number(r.at_ms) });
        }
        return found;
      },
      write: (batch) => this.writeRows(conn, batch),
      getOrder: (id) => this.readOrder(conn, id),
      getEscrow: (id) => this.readEscrow(conn, id),
      ordersOfBuyer: async (buyerId, statuses, limit) =>
        statuses.length === 0 ? [] : (await conn.selectFrom("orders").selectAll().where("buyer_id", "=", buyerId).where("status", "in", [...statuses]).orderBy("id").limit(limit).execute()).map(orderRow),
    };
  }

  private async writeRows(conn: Db, batch: BatchWrites): Promise<void> {
    const rows = tableRows(batch);
    if (this.sqlite !== undefined) {
      this.writeRowsSqlite(this.sqlite, rows);
      return;
    }
    if (await this.writeRowsInOneStatement(conn, rows)) return;
    await this.bulkInsert(conn, "offers", rows.offers, OFFER_COLUMNS, `on conflict (id) do update set ${OFFER_UPDATE}`);
    await this.setStatuses(conn, "offers", rows.offerStatuses);
    for (const part of chunks(rows.moved)) {
      const result = await sql`update offers set free_gpus = offers.free_gpus + x.delta from ${this.jsonSource(part, [["id", "text"], ["delta", "integer"]])}
        where offers.id = x.id and offers.free_gpus + x.delta >= 0 and offers.free_gpus + x.delta <= offers.gpu_count`.execute(conn);
      if (Number(result.numAffectedRows ?? 0n) !== part.length) {
        throw new MarketError("INSUFFICIENT_CAPACITY", { required: part.reduce((n, d) => n + Math.max(0, -d.delta), 0), available: 0 });
      }
    }
    await this.bulkInsert(conn, "orders", rows.orders, ORDER_COLUMNS, `on conflict (id) do update set ${ORDER_UPDATE}`);
    await this.setStatuses(conn, "orders", rows.orderStatuses);
    await this.bulkInsert(conn, "escrows", rows.escrows, ESCROW_COLUMNS, `on conflict (id) do update set ${ESCROW_UPDATE}`);
    await this.bulkInsert(conn, "events", rows.events, EVENT_COLUMNS, "");
    await this.bulkInsert(conn, "commands", rows.commands, COMMAND_COLUMNS, "");
  }

  /**
   * PostgreSQL: a batch that adds no offers and changes no statuses (orders submitted, lifecycle
   * steps) goes in ONE statement of data-modifying CTEs, one round trip instead of five. Returns
   * false when the batch needs the statement-per-table path.
   * @throws INSUFFICIENT_CAPACITY
   */
  private async writeRowsInOneStatement(conn: Db, rows: ReturnType<typeof tableRows>): Promise<boolean> {
    if (this.dialect !== "postgres" || rows.offers.length > 0 || rows.offerStatuses.length > 0 || rows.orderStatuses.length > 0) return false;
    const lists = [rows.moved, rows.orders, rows.escrows, rows.events, rows.commands];
    if (lists.some((list) => list.length > BULK_ROWS_MAX)) return false;
    const parts: RawBuilder<unknown>[] = [];
    const insert = (name: string, table: string, list: readonly object[], columns: readonly (readonly [string, ColumnType])[], onConflict: string): void => {
      if (list.length === 0) return;
      const names = sql.raw(columns.map(([column]) => column).join(", "));
      parts.push(sql`${sql.raw(name)} as (insert into ${sql.table(table)} (${names}) select ${names} from ${this.jsonSource(list, columns)} where true ${sql.raw(onConflict)})`);
    };
    parts.push(sql`cap as (update offers set free_gpus = offers.free_gpus + x.delta from ${this.jsonSource(rows.moved, [["id", "text"], ["delta", "integer"]])}
      where offers.id = x.id and offers.free_gpus + x.delta >= 0 and offers.free_gpus + x.delta <= offers.gpu_count returning offers.id)`);
    insert("o", "orders", rows.orders, ORDER_COLUMNS, `on conflict (id) do update set ${ORDER_UPDATE}`);
    insert("x", "escrows", rows.escrows, ESCROW_COLUMNS, `on conflict (id) do update set ${ESCROW_UPDATE}`);
    insert("e", "events", rows.events, EVENT_COLUMNS, "");
    insert("c", "commands", rows.commands, COMMAND_COLUMNS, "");
    const result = await sql<{ moved: number }>`with ${sql.join(parts, sql`, `)} select count(*)::int as moved from cap`.execute(conn);
    if ((result.rows[0]?.moved ?? -1) !== rows.moved.length) {
      throw new MarketError("INSUFFICIENT_CAPACITY", { required: rows.moved.reduce((n, d) => n + Math.max(0, -d.delta), 0), available: 0 });
    }
    return true;
  }

  /**
   * SQLite writes through prepared statements, one row at a time, inside the transaction Kysely
   * opened on the same connection: better-sqlite3 runs them in microseconds, where a JSON parameter
   * costs SQLite a parse of every row.
   */
  private writeRowsSqlite(database: Database.Database, rows: ReturnType<typeof tableRows>): void {
    const statements = (this.prepared ??= prepareWrites(database));
    for (const row of rows.offers) statements.offer.run(row);
    for (const row of rows.offerStatuses) statements.offerStatus.run(row);
    for (const row of rows.moved) {
      if (statements.capacity.run(row).changes !== 1) throw new MarketError("INSUFFICIENT_CAPACITY", { required: Math.max(0, -row.delta), available: 0 });
    }
    for (const row of rows.orders) statements.order.run(row);
    for (const row of rows.orderStatuses) statements.orderStatus.run(row);
    for (const row of rows.escrows) statements.escrow.run(row);
    for (const row of rows.events) statements.event.run(row);
    for (const row of rows.commands) statements.command.run(row);
  }

  private async setStatuses(conn: Db, table: "offers" | "orders", changes: readonly { readonly id: string; readonly status: string }[]): Promise<void> {
    for (const part of chunks(changes)) {
      await sql`update ${sql.table(table)} set status = x.status from ${this.jsonSource(part, [["id", "text"], ["status", "text"]])} where ${sql.table(table)}.id = x.id`.execute(conn);
    }
  }

  /** @throws what `fn` throws (the transaction rolls back), STORE_ERROR */
  async writeBatch<T>(fn: (writer: StoreWriter) => Promise<T>): Promise<T> {
    return this.db.connection().execute(async (conn) => {
      // PostgreSQL: begin and take the write lock in one round trip (no parameters: one simple query).
      await (this.dialect === "sqlite" ? sql`begin immediate` : sql.raw(`begin; select pg_advisory_xact_lock(${WRITE_LOCK_ID})`)).execute(conn);
      try {
        const result = await fn(this.writer(conn));
        await sql`commit`.execute(conn);
        return result;
      } catch (e) {
        await sql`rollback`.execute(conn).catch(() => undefined);
        throw e;
      }
    });
  }

  private async readEvents(conn: Db, seq: number, limit: number): Promise<EventRow[]> {
    const rows = await conn.selectFrom("events").selectAll().where("seq", ">", seq).orderBy("seq").limit(limit).execute();
    return rows.map(eventRow);
  }

  eventsAfter(seq: number, limit: number): Promise<EventRow[]> {
    return this.readEvents(this.db, seq, limit);
  }

  async lastSeq(): Promise<number> {
    const row = await this.db.selectFrom("events").select((eb) => eb.fn.max("seq").as("seq")).executeTakeFirst();
    return Number(row?.seq ?? 0);
  }

  async loadBook(onOffers?: (page: readonly OfferRow[]) => void): Promise<StoredBook> {
    // One read transaction, so the rows and the seq agree.
    return this.db.transaction().execute(async (trx) => {
      const seqRow = await trx.selectFrom("events").select((eb) => eb.fn.max("seq").as("seq")).executeTakeFirst();
      const resting = await trx.selectFrom("orders").selectAll().where("status", "=", "Pending").orderBy("id").execute();
      const allocated = await trx.selectFrom("orders").selectAll().where("status", "in", ["Matched", "Escrowed", "Running"]).orderBy("id").execute();
      const offers: OfferRow[] = [];
      await this.scanLiveOffers(trx, onOffers ?? ((page) => offers.push(...page)));
      return { offers, resting: resting.map(orderRow), allocated: allocated.map(orderRow), seq: Number(seqRow?.seq ?? 0) };
    });
  }

  /**
   * Active and paused offers in pages of LOAD_PAGE_ROWS, by a key that costs no sort: SQLite's rowid
   * (the table's own order), PostgreSQL's primary key index.
   * Invariant: called inside loadBook's read transaction.
   */
  private async scanLiveOffers(trx: Db, onPage: (page: readonly OfferRow[]) => void): Promise<void> {
    if (this.sqlite !== undefined) {
      // better-sqlite3 directly, rows as arrays: the book's largest read, and the same connection and transaction.
      const page = this.sqlite.prepare<[number, number], [number, string, string, string, number, number, number, string]>(
        `select rowid, id, provider_id, status, gpu_count, free_gpus, expires_at_ms, doc from offers where rowid > ? and status in ('Active', 'Paused') order by rowid limit ?`,
      ).raw(true);
      let rowid = -1;
      for (;;) {
        const rows = page.all(rowid, LOAD_PAGE_ROWS);
        if (rows.length === 0) return;
        onPage(rows.map(([, id, providerId, status, gpuCount, freeGpus, expiresAtMs, doc]) => ({ id, providerId, status, gpuCount, freeGpus, expiresAtMs, doc })));
        rowid = rows[rows.length - 1]?.[0] ?? rowid;
        if (rows.length < LOAD_PAGE_ROWS) return;
      }
    }
    let after = "";
    for (;;) {
      const rows = await trx.selectFrom("offers").selectAll().where("id", ">", after).where("status", "in", ["Active", "Paused"]).orderBy("id").limit(LOAD_PAGE_ROWS).execute();
      if (rows.length === 0) return;
      onPage(rows.map(offerRow));
      after = rows[rows.length - 1]?.id ?? after;
      if (rows.length < LOAD_PAGE_ROWS) return;
    }
  }

  async getOffer(id: string): Promise<OfferRow | undefined> {
    const row = await this.db.selectFrom("offers").selectAll().where("id", "=", id).executeTakeFirst();
    return row === undefined ? undefined : offerRow(row);
  }

  private async readOrder(conn: Db, id: string): Promise<OrderRow | undefined> {
    const row = await conn.selectFrom("orders").selectAll().where("id", "=", id).executeTakeFirst();
    return row === undefined ? undefined : orderRow(row);
  }

  private async readEscrow(conn: Db, id: string): Promise<EscrowRow | undefined> {
    const row = await conn.selectFrom("escrows").selectAll().where("id", "=", id).executeTakeFirst();
    return row === undefined ? undefined : escrowRow(row);
  }

  getOrder(id: string): Promise<OrderRow | undefined> {
    return this.readOrder(this.db, id);
  }

  getEscrow(id: string): Promise<EscrowRow | undefined> {
    return this.readEscrow(this.db, id);
  }

  async pendingEscrows(): Promise<EscrowRow[]> {
    return (await this.db.selectFrom("escrows").selectAll().where("pending", "is not", null).orderBy("id").execute()).map(escrowRow);
  }

  async getCommand(key: string): Promise<CommandRow | undefined> {
    const r = await this.db.selectFrom("commands").selectAll().where("key", "=", key).executeTakeFirst();
    return r === undefined ? undefined : { key: r.key, requestHash: r.request_hash, response: r.response, atMs: Number(r.at_ms) };
  }

  async listEscrows(afterId: string, limit: number): Promise<EscrowRow[]> {
    return (await this.db.selectFrom("escrows").selectAll().where("id", ">", afterId).orderBy("id").limit(limit).execute()).map(escrowRow);
  }

  async ordersWithStatus(statuses: readonly string[], limit: number): Promise<OrderRow[]> {
    if (statuses.length === 0) return [];
    return (await this.db.selectFrom("orders").selectAll().where("status", "in", [...statuses]).orderBy("id").limit(limit).execute()).map(orderRow);
  }

  /** @throws STORE_ERROR */
  acceptNonce(keyid: string, nonce: string, createdS: number, nowS: number, limits: NonceLimits): Promise<NonceVerdict> {
    return this.nonceTable().accept(keyid, nonce, createdS, nowS, limits);
  }

  /** @throws STORE_ERROR */
  pruneNonces(nowS: number, windowS: number): Promise<number> {
    return this.nonceTable().prune(nowS, windowS);
  }

  private nonceTable(): NonceTable {
    return (this.nonces ??= new NonceTable(this.db as unknown as Kysely<unknown>, this.sqlite));
  }

  async close(): Promise<void> {
    await this.checkpointer?.stop();
    await this.db.destroy();
  }
}
