// The Store over Kysely, for SQLite (better-sqlite3) and PostgreSQL (pg). A batch is one
// transaction under the market's write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction
// advisory lock), and each table gets one statement per batch that reads its rows from a single
// JSON parameter, so a batch of a thousand commands costs a handful of statements.
import Database from "better-sqlite3";
import { AUTOCHECKPOINT_PAGES, SqliteCheckpointer } from "./sqlite-checkpointer.js";
import { Kysely, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { MarketError } from "../core/errors.js";
import { migrateToLatest } from "./migrations.js";
import { NonceTable } from "./nonce-table.js";
import { writeRowsPostgres } from "./postgres-writes.js";
import { chunks, escrowRow, eventRow, offerRow, orderRow, tableRows } from "./sql-tables.js";
import type { Db, MarketTables } from "./sql-tables.js";
import { SqliteWrites } from "./sqlite-writes.js";
import type {
  CommandRow,
  EscrowRow,
  EventRow,
  NonceLimits,
  NonceVerdict,
  OfferRow,
  OrderRow,
  Store,
  StoreWriter,
  StoredBook,
} from "./store.js";

/** Offers read per page while loading a book. */
const LOAD_PAGE_ROWS = 20_000;
/** Advisory lock id of the market's write lock on PostgreSQL. */
const WRITE_LOCK_ID = 0x4d4f4c54; // "MOLT"
/** How long SQLite waits for another process's write lock before it reports busy. */
const SQLITE_BUSY_TIMEOUT_MS = 10_000;

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

  /** The prepared write statements of the SQLite connection (SQLite only). */
  private sqliteWritesOf: SqliteWrites | undefined;

  private get sqliteWrites(): SqliteWrites | undefined {
    return this.sqlite === undefined ? undefined : (this.sqliteWritesOf ??= new SqliteWrites(this.sqlite));
  }
  private nonces: NonceTable | undefined;

  /**
   * A SQLite file (created when missing): WAL, synchronous=FULL, so a commit survives a kill -9
   * or a power cut. The log is checkpointed by a worker thread, never inside a commit. @throws STORE_ERROR
   * @example const store = SqlStore.openSqlite(".molt-market/market.db"); await store.migrate()
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
      return new SqlStore(
        "sqlite",
        new Kysely<MarketTables>({ dialect: new SqliteDialect({ database }) }),
        undefined,
        database,
        checkpointer,
      );
    } catch (e) {
      throw new MarketError(
        "STORE_ERROR",
        { reason: `cannot open SQLite database ${path}: ${e instanceof Error ? e.message : String(e)}` },
        { cause: e },
      );
    }
  }

  /**
   * A PostgreSQL database (`DATABASE_URL`), optionally in its own schema (created when missing).
   * @example const store = await SqlStore.openPostgres(process.env.DATABASE_URL ?? ""); await store.migrate()
   */
  static async openPostgres(
    connectionString: string,
    options: { readonly schema?: string; readonly poolSize?: number } = {},
  ): Promise<SqlStore> {
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
    const pool = new pg.Pool({
      connectionString,
      max: options.poolSize ?? 4,
      ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
    });
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
      write: async (batch) => {
        const rows = tableRows(batch);
        if (this.sqliteWrites !== undefined) this.sqliteWrites.write(rows);
        else await writeRowsPostgres(conn, rows);
      },
      getOrder: (id) => this.readOrder(conn, id),
      getEscrow: (id) => this.readEscrow(conn, id),
      ordersOfBuyer: async (buyerId, statuses, limit) =>
        statuses.length === 0
          ? []
          : (
              await conn
                .selectFrom("orders")
                .selectAll()
                .where("buyer_id", "=", buyerId)
                .where("status", "in", [...statuses])
                .orderBy("id")
                .limit(limit)
                .execute()
            ).map(orderRow),
    };
  }

  /** @throws what `fn` throws (the transaction rolls back), STORE_ERROR */
  async writeBatch<T>(fn: (writer: StoreWriter) => Promise<T>): Promise<T> {
    return this.db.connection().execute(async (conn) => {
      // PostgreSQL: begin and take the write lock in one round trip (no parameters: one simple query).
      await (this.dialect === "sqlite" ? sql`begin immediate` : sql.raw(`begin; select pg_advisory_xact_lock(${WRITE_LOCK_ID})`)).execute(
        conn,
      );
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
    const row = await this.db
      .selectFrom("events")
      .select((eb) => eb.fn.max("seq").as("seq"))
      .executeTakeFirst();
    return Number(row?.seq ?? 0);
  }

  async loadBook(onOffers?: (page: readonly OfferRow[]) => void): Promise<StoredBook> {
    // One read transaction, so the rows and the seq agree.
    return this.db.transaction().execute(async (trx) => {
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
      const page = this.sqlite
        .prepare<[number, number], [number, string, string, string, number, number, number, string]>(
          `select rowid, id, provider_id, status, gpu_count, free_gpus, expires_at_ms, doc from offers where rowid > ? and status in ('Active', 'Paused') order by rowid limit ?`,
        )
        .raw(true);
      let rowid = -1;
      for (;;) {
        const rows = page.all(rowid, LOAD_PAGE_ROWS);
        if (rows.length === 0) return;
        onPage(
          rows.map(([, id, providerId, status, gpuCount, freeGpus, expiresAtMs, doc]) => ({
            id,
            providerId,
            status,
            gpuCount,
            freeGpus,
            expiresAtMs,
            doc,
          })),
        );
        rowid = rows[rows.length - 1]?.[0] ?? rowid;
        if (rows.length < LOAD_PAGE_ROWS) return;
      }
    }
    let after = "";
    for (;;) {
      const rows = await trx
        .selectFrom("offers")
        .selectAll()
        .where("id", ">", after)
        .where("status", "in", ["Active", "Paused"])
        .orderBy("id")
        .limit(LOAD_PAGE_ROWS)
        .execute();
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
    return (
      await this.db
        .selectFrom("orders")
        .selectAll()
        .where("status", "in", [...statuses])
        .orderBy("id")
        .limit(limit)
        .execute()
    ).map(orderRow);
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
