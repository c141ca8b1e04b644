// Prepared statements kept for Kysely on SQLite. Kysely's SQLite driver prepares every query it
// runs, and preparing (parse and plan) costs more than running the small reads a command makes;
// the same few texts come back on every request, so each is prepared once and kept. Statements run
// synchronously on one connection and nothing here streams, so a kept statement is never busy.
import type Database from "better-sqlite3";
import type { SqliteDatabase, SqliteStatement } from "kysely";

/** Statement texts kept at once (texts differ by the length of their IN lists; the oldest goes first). */
export const STATEMENTS_CACHED_MAX = 256;

/**
 * The connection as Kysely's SqliteDialect sees it, preparing each text once. Invariant: at most
 * STATEMENTS_CACHED_MAX statements are kept; each answers exactly as a freshly prepared one.
 */
export function cachingStatements(database: Database.Database): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => {
      statements.clear();
      database.close();
    },
    prepare: (sql: string): SqliteStatement => {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = database.prepare(sql);
        if (statements.size >= STATEMENTS_CACHED_MAX) statements.delete(statements.keys().next().value ?? "");
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}
