// The Store over Kysely, for SQLite (better-sqlite3) and PostgreSQL (pg). A batch is one
// transaction under the market's write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction
// advisory lock), and each table gets one statement per batch that reads its rows from a single
// JSON parameter, so a batch of a thousand commands costs a handful of statements.
import type Database from "better-sqlite3";
import type { SqliteCheckpointer } from "./sqlite-checkpointer.js";
import { Kysely, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { MarketError } from "../core/errors.js";
import { migrateToLatest } from "./migrations.js";
import { preparingPool } from "./postgres-prepared.js";
import { NonceTable } from "./nonce-table.js";
import { readOrdersDueBy } from "./order-due.js";
import { readEscrowsByIds, readOrderList } from "./order-list.js";
import { writeRowsPostgres } from "./postgres-writes.js";
import {
  loadBook,
  readCommand,
  readCommands,
  readEscrow,
  readEscrowsAfter,
  readEvents,
  readLastSeq,
  readOffer,
  readOrder,
  readOrdersWithStatus,
  readPendingEscrows,
} from "./sql-reads.js";
import { tableRows } from "./sql-tables.js";
import { readTradeBuckets, readTrades } from "./trade-table.js";
import type { Db, MarketTables } from "./sql-tables.js";
import { SqliteBatch } from "./sqlite-batch.js";
import { openSqliteFile } from "./sqlite-open.js";
import type { SqliteWriterThread, SyncAtCommit } from "./sqlite-writer-thread.js";
import type { WalSync } from "./wal-sync.js";
import { cachingStatements } from "./statement-cache.js";
import type {
  CommandRow,
  CommitOptions,
  CommittedBatch,
  EscrowRow,
  EventRow,
  NonceLimits,
  NonceVerdict,
  OfferRow,
  OrderListQuery,
  OrderRow,
  Store,
  StoreWriter,
  StoredBook,
  StoredOffer,
  TradeBucketQuery,
  TradeBucketRow,
  TradeQuery,
  TradeRow,
} from "./store.js";

/** Advisory lock id of the market's write lock on PostgreSQL. */
const WRITE_LOCK_ID = 0x4d4f4c54; // "MOLT"

/** The store of one market in a SQL database. */
export class SqlStore implements Store {
  private constructor(
    readonly dialect: "sqlite" | "postgres",
    private readonly db: Db,
    /** The PostgreSQL schema, when the store has its own. */
    private readonly schema?: string,
    /** The SQLite connection Kysely runs on (reads outside batches, migrations, loading the book). */
    private readonly sqlite?: Database.Database,
    /** The thread every SQLite write runs on (batches, nonces). */
    private readonly writerThread?: SqliteWriterThread,
    /** Checkpoints the SQLite write-ahead log off the event loop. */
    private readonly checkpointer?: SqliteCheckpointer,
    /** Syncs the SQLite write-ahead log off the event loop, once per group of batches. */
    private readonly walSync?: WalSync,
  ) {}

  /** The batch operations of the SQLite writer thread (transaction control, the batch's reads and writes). */
  private sqliteBatchOf: SqliteBatch | undefined;

  private get sqliteBatch(): SqliteBatch | undefined {
    return this.writerThread === undefined ? undefined : (this.sqliteBatchOf ??= new SqliteBatch(this.writerThread));
  }
  private nonces: NonceTable | undefined;

  /**
   * A SQLite file (created when missing) in WAL mode. A batch is acknowledged once its commit is in
   * the log and the log is fsync'd (WalSync: on libuv's thread pool, grouped, never on the event
   * loop), so it survives a kill -9 or a power cut. The log is checkpointed by a worker thread,
   * never inside a commit. Every write runs on a writer thread with a connection of its own
   * (SqliteWriterThread), so the file must be one WAL mode works on. @throws STORE_ERROR (it cannot
   * be opened, or is not a file in WAL mode: ":memory:", a network file system)
   * @example const store = SqlStore.openSqlite(".molt-market/market.db"); await store.migrate()
   */
  static openSqlite(path: string): SqlStore {
    try {
      const { database, writerThread, checkpointer, walSync } = openSqliteFile(path);
      return new SqlStore(
        "sqlite",
        new Kysely<MarketTables>({ dialect: new SqliteDialect({ database: cachingStatements(database) }) }),
        undefined,
        database,
        writerThread,
        checkpointer,
        walSync,
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
    return new SqlStore("postgres", new Kysely<MarketTables>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }) }), schema);
  }

  /** @throws STORE_ERROR */
  async migrate(): Promise<void> {
    await migrateToLatest(this.db as unknown as Kysely<unknown>, this.schema);
  }

  /** A PostgreSQL batch's writer, on its transaction's connection (SQLite's is SqliteBatch.writer). */
  private postgresWriter(conn: Db): StoreWriter {
    return {
      eventsAfter: (seq, limit) => readEvents(conn, seq, limit),
      commands: (keys) => readCommands(conn, keys),
      write: (batch) => writeRowsPostgres(conn, tableRows(batch)),
      getOrder: (id) => readOrder(conn, id),
      getEscrow: (id) => readEscrow(conn, id),
      writesOverlap: true,
    };
  }

  /** Resolves once the batch is committed and durable. @throws what `fn` throws (the transaction rolls back), STORE_ERROR */
  async writeBatch<T>(fn: (writer: StoreWriter) => Promise<T>): Promise<T> {
    const { result, durable } = await this.commitBatch(fn);
    await durable;
    return result;
  }

  /**
   * Resolves once the batch is committed, with a promise of its durability: SQLite, an fsync of the
   * log begun after the commit (WalSync: on libuv's pool, grouped, sticky once one fails), or, when
   * `syncAtCommit` says so as the COMMIT is sent, the writer thread's fsync before it answers;
   * PostgreSQL, at once (its commit is durable). @throws what `fn` throws (the transaction rolls back), STORE_ERROR
   */
  async commitBatch<T>(fn: (writer: StoreWriter) => Promise<T>, options: CommitOptions = {}): Promise<CommittedBatch<T>> {
    const sync: SyncAtCommit | undefined = options.syncAtCommit === undefined ? undefined : { wanted: options.syncAtCommit };
    const result = await this.transaction(fn, sync);
    const outcome = sync?.outcome;
    // Outside the connection: the event loop runs (and may commit the next batch) while the log is
    // synced, unless the writer thread synced it already before answering the COMMIT.
    const durable =
      outcome === undefined
        ? (this.walSync?.durable() ?? Promise.resolve())
        : (this.walSync?.syncedElsewhere("syncError" in outcome ? outcome.syncError : undefined) ?? Promise.resolve());
    // Handled here too: a caller that stops waiting (its process closing) leaves no unhandled rejection.
    durable.catch(() => undefined);
    return { result, durable };
  }

  private transaction<T>(fn: (writer: StoreWriter) => Promise<T>, sync?: SyncAtCommit): Promise<T> {
    const sqliteBatch = this.sqliteBatch;
    if (sqliteBatch !== undefined) return sqliteBatch.transaction(() => fn(sqliteBatch.writer()), sync);
    return this.db.connection().execute(async (conn) => {
      // PostgreSQL: begin and take the write lock in one round trip (no parameters: one simple query).
      await sql.raw(`begin; select pg_advisory_xact_lock(${WRITE_LOCK_ID})`).execute(conn);
      try {
        const result = await fn(this.postgresWriter(conn));
        await sql`commit`.execute(conn);
        return result;
      } catch (e) {
        await sql`rollback`.execute(conn).catch(() => undefined);
        throw e;
      }
    });
  }

  eventsAfter(seq: number, limit: number, types?: readonly string[]): Promise<EventRow[]> {
    return readEvents(this.db, seq, limit, types);
  }

  lastSeq(): Promise<number> {
    return readLastSeq(this.db);
  }

  loadBook(onOffers?: (page: readonly StoredOffer[]) => void): Promise<StoredBook> {
    return loadBook(this.db, this.sqlite, onOffers);
  }

  getOffer(id: string): Promise<OfferRow | undefined> {
    return readOffer(this.db, id);
  }

  getOrder(id: string): Promise<OrderRow | undefined> {
    return readOrder(this.db, id);
  }

  getEscrow(id: string): Promise<EscrowRow | undefined> {
    return readEscrow(this.db, id);
  }

  getEscrows(ids: readonly string[]): Promise<Map<string, EscrowRow>> {
    return readEscrowsByIds(this.db, ids);
  }

  pendingEscrows(): Promise<EscrowRow[]> {
    return readPendingEscrows(this.db);
  }

  getCommand(key: string): Promise<CommandRow | undefined> {
    return readCommand(this.db, key);
  }

  listEscrows(afterId: string, limit: number): Promise<EscrowRow[]> {
    return readEscrowsAfter(this.db, afterId, limit);
  }

  ordersWithStatus(statuses: readonly string[], limit: number): Promise<OrderRow[]> {
    return readOrdersWithStatus(this.db, statuses, limit);
  }

  ordersDueBy(nowMs: number, limit: number): Promise<OrderRow[]> {
    return readOrdersDueBy(this.db, nowMs, limit);
  }

  listOrders(query: OrderListQuery): Promise<OrderRow[]> {
    return readOrderList(this.db, query);
  }

  trades(query: TradeQuery): Promise<TradeRow[]> {
    return readTrades(this.db, query);
  }

  tradeBuckets(query: TradeBucketQuery): Promise<TradeBucketRow[]> {
    return readTradeBuckets(this.db, query);
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
    return (this.nonces ??= new NonceTable(this.db as unknown as Kysely<unknown>, this.writerThread));
  }

  async close(): Promise<void> {
    await this.walSync?.close();
    await this.checkpointer?.stop();
    await this.writerThread?.close();
    await this.db.destroy();
  }
}
