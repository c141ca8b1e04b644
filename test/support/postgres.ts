// Where the PostgreSQL tests run: DATABASE_URL, else the local server (127.0.0.1:5432, user
// postgres, database test). In CI a missing server fails the run; elsewhere the suite is skipped
// with a loud warning.
import pg from "pg";
import { describe, it } from "vitest";
import { MIGRATION_LOCK_ID } from "../../src/store/migrations.js";

/** The local server every CI machine has. */
export const LOCAL_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test";

/** A reachable PostgreSQL URL, or undefined (after registering a skipped test that says why) off CI. @throws in CI when unreachable */
export async function postgresUrl(suite: string): Promise<string | undefined> {
  const url = process.env.DATABASE_URL ?? LOCAL_POSTGRES_URL;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("select 1");
    return url;
  } catch (e) {
    const reason = `PostgreSQL at ${url.replace(/\/\/[^@]*@/, "//…@")} is unreachable (${e instanceof Error ? e.message : String(e)})`;
    if (process.env.CI === "true") throw new Error(`${suite}: ${reason}; CI must run the PostgreSQL suites`, { cause: e });
    console.warn(`\n!!! SKIPPING ${suite} on PostgreSQL: ${reason}. Set DATABASE_URL to run it. !!!\n`);
    describe.skip(`${suite} (PostgreSQL unreachable)`, () => {
      it("needs PostgreSQL", () => undefined);
    });
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Drops a test schema and everything in it, holding the migration lock: a migration of another
 * schema in the same database (a test file running beside this one) fails if a schema vanishes
 * while Kysely's migrator introspects them all.
 */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_ID]);
    await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
}
