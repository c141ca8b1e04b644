// A SQLite batch on the writer thread (sqlite-writer-thread.ts): BEGIN IMMEDIATE, COMMIT, ROLLBACK,
// the reads inside the transaction (the feed's events after a seq, the stored commands of the
// batch's keys, an order or escrow by id) and its writes (sqlite-writes.ts), each a statement
// prepared once on the thread's connection. The rows come back here and are mapped as the store's
// Kysely reads map them. Statement texts and row mapping; the thread runs them.
import { escrowRow, eventRow, orderRow, tableRows } from "./sql-tables.js";
import type { MarketTables, TableRows } from "./sql-tables.js";
import { SQLITE_WRITE_STATEMENTS, writeSqliteRows } from "./sqlite-writes.js";
import type { SqliteWriterThread, SyncAtCommit } from "./sqlite-writer-thread.js";
import type { CommandRow, EscrowRow, EventRow, OrderRow, StoreWriter } from "./store.js";

/** The batch's statements by name, for the writer thread (its writes included). */
export const SQLITE_BATCH_STATEMENTS = {
  ...SQLITE_WRITE_STATEMENTS,
  begin: "begin immediate",
  commit: "commit",
  rollback: "rollback",
  eventsAfter: "select seq, type, entity_id, at_ms, node, payload from events where seq > ? order by seq limit ?",
  storedCommand: "select key, request_hash, response, at_ms from commands where key = ?",
  orderById: "select * from orders where id = ?",
  escrowById: "select * from escrows where id = ?",
} as const;

/** The batch operations of a SQLite store on its writer thread. Invariant: each read answers what the Kysely read it replaces answers. */
export class SqliteBatch {
  /** The writes sent in the open transaction, each settled with its error or undefined. */
  private writes: Promise<Error | undefined>[] = [];

  constructor(private readonly thread: SqliteWriterThread) {}

  /**
   * Runs `fn` in one immediate transaction on the thread, after the one before it, and commits it;
   * a write that failed fails the commit with its own error; `sync`: see SqliteWriterThread.transaction. @throws what `fn` throws, INSUFFICIENT_CAPACITY, SqliteError (busy, commit), STORE_ERROR
   */
  transaction<T>(fn: () => Promise<T>, sync?: SyncAtCommit): Promise<T> {
    return this.thread.transaction(
      () => {
        this.writes = [];
        return fn();
      },
      async () => (await Promise.all(this.writes)).find((error) => error !== undefined),
      sync,
    );
  }

  /**
   * Sends a batch's rows (writeSqliteRows) and resolves at once: the thread writes them in order
   * before anything sent after them, and the transaction's commit fails if they failed.
   */
  write(rows: TableRows): Promise<void> {
    this.writes.push(
      writeSqliteRows(this.thread, rows).then(
        () => undefined,
        (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
      ),
    );
    return Promise.resolve();
  }

  /** The StoreWriter a batch's function gets: these reads and writes, the writes beside this thread. */
  writer(): StoreWriter {
    return {
      eventsAfter: (seq, limit) => this.eventsAfter(seq, limit),
      commands: (keys) => this.commands(keys),
      write: (batch) => this.write(tableRows(batch)),
      getOrder: (id) => this.order(id),
      getEscrow: (id) => this.escrow(id),
      writesOverlap: true,
    };
  }

  /** Events with seq > `seq`, in seq order, at most `limit` (as readEvents without types). */
  async eventsAfter(seq: number, limit: number): Promise<EventRow[]> {
    return (await this.thread.call<MarketTables["events"][]>({ op: "all", s: "eventsAfter", args: [seq, limit] })).map(eventRow);
  }

  /** The stored commands of `keys`, by key (as readCommands). */
  async commands(keys: readonly string[]): Promise<Map<string, CommandRow>> {
    const rows = await this.thread.call<(MarketTables["commands"] | undefined)[]>({
      op: "getEach",
      s: "storedCommand",
      args: keys.map((key) => [key]),
    });
    const found = new Map<string, CommandRow>();
    for (const r of rows) {
      if (r !== undefined) found.set(r.key, { key: r.key, requestHash: r.request_hash, response: r.response, atMs: Number(r.at_ms) });
    }
    return found;
  }

  /** The order `id` as the transaction sees it (as readOrder). */
  async order(id: string): Promise<OrderRow | undefined> {
    const row = await this.thread.call<MarketTables["orders"] | undefined>({ op: "get", s: "orderById", args: [id] });
    return row === undefined ? undefined : orderRow(row);
  }

  /** The escrow `id` as the transaction sees it (as readEscrow). */
  async escrow(id: string): Promise<EscrowRow | undefined> {
    const row = await this.thread.call<MarketTables["escrows"] | undefined>({ op: "get", s: "escrowById", args: [id] });
    return row === undefined ? undefined : escrowRow(row);
  }
}
