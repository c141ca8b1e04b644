// The statements a SQLite batch runs: BEGIN IMMEDIATE, COMMIT, ROLLBACK, the two reads inside it
// (the feed's events after a seq, the stored commands of the batch's keys) and its writes
// (sqlite-writes.ts), prepared once per connection and run by better-sqlite3 directly. Through Kysely each cost a
// query build, a compile and a few promise turns per batch. Statements only: the caller holds the
// connection (Kysely's mutex) around them.
import type Database from "better-sqlite3";
import { eventRow } from "./sql-tables.js";
import type { MarketTables } from "./sql-tables.js";
import { SqliteWrites } from "./sqlite-writes.js";
import type { TableRows } from "./sql-tables.js";
import type { CommandRow, EventRow } from "./store.js";

/** The statements of one connection (after the migrations). */
function prepareBatchStatements(database: Database.Database) {
  return {
    begin: database.prepare("begin immediate"),
    commit: database.prepare("commit"),
    rollback: database.prepare("rollback"),
    eventsAfter: database.prepare<[number, number], MarketTables["events"]>(
      "select seq, type, entity_id, at_ms, node, payload from events where seq > ? order by seq limit ?",
    ),
    command: database.prepare<[string], MarketTables["commands"]>("select key, request_hash, response, at_ms from commands where key = ?"),
  };
}

/** A SQLite connection's batch statements, prepared on first use. Invariant: each answers what the Kysely query it replaces answers. */
export class SqliteBatch {
  private prepared: ReturnType<typeof prepareBatchStatements> | undefined;
  private readonly writes: SqliteWrites;

  constructor(private readonly database: Database.Database) {
    this.writes = new SqliteWrites(database);
  }

  /** Writes a batch's rows (SqliteWrites.write). @throws INSUFFICIENT_CAPACITY */
  write(rows: TableRows): void {
    this.writes.write(rows);
  }

  private get statements(): ReturnType<typeof prepareBatchStatements> {
    return (this.prepared ??= prepareBatchStatements(this.database));
  }

  /**
   * Runs `fn` in one immediate transaction (the write lock, waited for up to the busy timeout) and
   * commits it; rolls it back when `fn` or the commit throws. @throws what `fn` throws, SqliteError (busy, commit)
   */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    const statements = this.statements;
    statements.begin.run();
    try {
      const result = await fn();
      statements.commit.run();
      return result;
    } catch (e) {
      try {
        // Unless SQLite ended it already (a failed statement may roll the transaction back).
        if (this.database.inTransaction) statements.rollback.run();
      } catch {
        // The transaction is gone either way: the first error is the one to report.
      }
      throw e;
    }
  }

  /** Events with seq > `seq`, in seq order, at most `limit` (as readEvents without types). */
  eventsAfter(seq: number, limit: number): EventRow[] {
    return this.statements.eventsAfter.all(seq, limit).map(eventRow);
  }

  /** The stored commands of `keys`, by key (as readCommands). */
  commands(keys: readonly string[]): Map<string, CommandRow> {
    const found = new Map<string, CommandRow>();
    const statement = this.statements.command;
    for (const key of keys) {
      const r = statement.get(key);
      if (r !== undefined) found.set(r.key, { key: r.key, requestHash: r.request_hash, response: r.response, atMs: Number(r.at_ms) });
    }
    return found;
  }
}
