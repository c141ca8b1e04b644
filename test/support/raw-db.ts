// A database for migration and backfill tests, on SQLite and (when reachable) PostgreSQL: how to
// open the store, how to reach its tables raw (below the store, to write rows as an older version
// did), and how to drop it.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { withMigrationLock } from "../../src/store/migrations.js";
import { SqlStore } from "../../src/store/sql-store.js";
import type { Store } from "../../src/store/store.js";
import { dropSchema, postgresUrl } from "./postgres.js";

/** A database: how to open the store, how to reach it raw (below the store), how to drop it. */
export interface TestDb {
  readonly name: string;
  open(): Promise<Store>;
  raw(): Kysely<unknown>;
  /**
   * Runs schema changes on `raw`: on PostgreSQL on one connection holding the migration lock, since
   * a migration of another test file's schema fails if a table or column vanishes while it runs.
   */
  ddl(raw: Kysely<unknown>, changes: (conn: Kysely<unknown>) => Promise<void>): Promise<void>;
  dispose(): Promise<void>;
}

function sqliteDb(prefix: string): TestDb {
  const path = join(mkdtempSync(join(tmpdir(), `molt-${prefix}-`)), "market.db");
  return {
    name: "sqlite",
    open: () => Promise.resolve(SqlStore.openSqlite(path)),
    raw: () => new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(path) }) }),
    ddl: (raw, changes) => changes(raw),
    dispose: () => Promise.resolve(),
  };
}

function postgresDb(connectionString: string, prefix: string): TestDb {
  const schema = `molt_${prefix.replaceAll("-", "_")}_${process.pid}`;
  return {
    name: "postgres",
    open: () => SqlStore.openPostgres(connectionString, { schema }),
    raw: () =>
      new Kysely<unknown>({
        dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString, options: `-c search_path=${schema}` }) }),
      }),
    ddl: (raw, changes) => withMigrationLock(raw, changes),
    dispose: () => dropSchema(connectionString, schema),
  };
}

/** Factories of fresh databases named after `prefix`: SQLite, and PostgreSQL when reachable (else skipped loudly, naming `suite`). */
export async function rawDbFactories(suite: string, prefix: string): Promise<(() => TestDb)[]> {
  const url = await postgresUrl(suite);
  return [() => sqliteDb(prefix), ...(url === undefined ? [] : [() => postgresDb(url, prefix)])];
}
