// Forward-only, versioned schema migrations, run on start by Kysely's Migrator. Each migration is
// written once and never edited; a change is a new migration. Works on SQLite and PostgreSQL.
import { Migrator, sql } from "kysely";
import type { Kysely, Migration, MigrationProvider } from "kysely";
import { MarketError } from "../core/errors.js";
import { ORDER_DUE_MIGRATION } from "./order-due.js";
import { ONE_BUYER_INDEX_MIGRATION, ORDER_LIST_MIGRATION } from "./order-list.js";
import { OFFER_BOOK_MIGRATION } from "./offer-book.js";
import { isPostgres } from "./sql-tables.js";
import { TRADES_MIGRATION } from "./trade-migration.js";

/** Every migration, by name; names sort in the order they run. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  "0001_market": {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("offers")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("provider_id", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("gpu_count", "integer", (c) => c.notNull())
        .addColumn("free_gpus", "integer", (c) => c.notNull())
        .addColumn("expires_at_ms", "bigint", (c) => c.notNull())
        .addColumn("doc", "text", (c) => c.notNull())
        .addCheckConstraint("offers_free_gpus_in_range", sql`free_gpus >= 0 and free_gpus <= gpu_count`)
        .execute();
      await db.schema.createIndex("offers_status").on("offers").column("status").execute();
      await db.schema
        .createTable("orders")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("buyer_id", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("offer_id", "text")
        .addColumn("expires_at_ms", "bigint", (c) => c.notNull())
        .addColumn("doc", "text", (c) => c.notNull())
        .addColumn("match", "text")
        .addColumn("escrow_id", "text")
        .addColumn("job", "text")
        .execute();
      await db.schema.createIndex("orders_status").on("orders").columns(["status", "id"]).execute();
      await db.schema
        .createTable("escrows")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("order_id", "text", (c) => c.notNull().unique())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("doc", "text", (c) => c.notNull())
        .addColumn("pending", "text")
        .execute();
      await db.schema
        .createTable("events")
        .addColumn("seq", "bigint", (c) => c.primaryKey())
        .addColumn("type", "text", (c) => c.notNull())
        .addColumn("entity_id", "text", (c) => c.notNull())
        .addColumn("at_ms", "bigint", (c) => c.notNull())
        .addColumn("node", "text", (c) => c.notNull())
        .addColumn("payload", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("commands")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("request_hash", "text", (c) => c.notNull())
        .addColumn("response", "text", (c) => c.notNull())
        .addColumn("at_ms", "bigint", (c) => c.notNull())
        .execute();
    },
  },
  "0002_nonces": {
    async up(db: Kysely<unknown>): Promise<void> {
      // Nonces of accepted request signatures, and how many each keyid recorded per window-long bucket.
      await db.schema
        .createTable("nonces")
        .addColumn("keyid", "text", (c) => c.notNull())
        .addColumn("nonce", "text", (c) => c.notNull())
        .addColumn("created_s", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("nonces_pk", ["keyid", "nonce"])
        .execute();
      await db.schema.createIndex("nonces_created").on("nonces").column("created_s").execute();
      await db.schema
        .createTable("nonce_counts")
        .addColumn("keyid", "text", (c) => c.notNull())
        .addColumn("bucket", "bigint", (c) => c.notNull())
        .addColumn("accepted", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("nonce_counts_pk", ["keyid", "bucket"])
        .execute();
    },
  },
  "0003_orders_by_buyer": {
    async up(db: Kysely<unknown>): Promise<void> {
      // A buyer's resting and unfunded orders, read when it submits another (orders are backed by its balance).
      await db.schema.createIndex("orders_buyer_status").on("orders").columns(["buyer_id", "status", "id"]).execute();
    },
  },
  "0005_trades": TRADES_MIGRATION,
  "0006_orders_by_party": ORDER_LIST_MIGRATION,
  "0007_orders_due": ORDER_DUE_MIGRATION,
  "0008_offer_book": OFFER_BOOK_MIGRATION,
  "0009_events_by_type": {
    async up(db: Kysely<unknown>): Promise<void> {
      // Events of a few types (a rebuild's reputation outcomes) without loading every other event.
      await db.schema.createIndex("events_type_seq").on("events").columns(["type", "seq"]).execute();
    },
  },
  "0010_offers_fillfactor": {
    async up(db: Kysely<unknown>): Promise<void> {
      // PostgreSQL: room in each page of offers, so that the free-GPU update of a match stays on its
      // page (a heap-only update, no new index entries). Pages written from now on; SQLite has no such setting.
      if (isPostgres(db)) await sql`alter table offers set (fillfactor = 70)`.execute(db);
    },
  },
  "0011_one_buyer_index": ONE_BUYER_INDEX_MIGRATION,
};

class StaticProvider implements MigrationProvider {
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve({ ...MIGRATIONS });
  }
}

/**
 * The advisory lock a PostgreSQL migration holds (the market's write lock id + 1). Kysely's
 * migrator introspects every schema of the database, which fails (3F000) when a schema is dropped
 * meanwhile: whoever drops schemas of a shared database (test suites, benches) holds it too.
 */
export const MIGRATION_LOCK_ID = 0x4d4f4c55;

/**
 * Applies the migrations not yet applied, in order; `schema` keeps Kysely's bookkeeping tables in
 * the store's own PostgreSQL schema. On PostgreSQL under MIGRATION_LOCK_ID: processes starting at
 * once migrate one after another. @throws STORE_ERROR when one fails (nothing of it stays)
 */
export async function migrateToLatest(db: Kysely<unknown>, schema?: string): Promise<void> {
  await withMigrationLock(db, (conn) => runMigrator(conn, schema));
}

/**
 * Runs `fn` on one connection of `db` holding MIGRATION_LOCK_ID (PostgreSQL; SQLite has no other
 * schema to race, so `fn` runs on `db` as it is). The lock is let go however `fn` ends.
 */
export async function withMigrationLock<T>(db: Kysely<unknown>, fn: (conn: Kysely<unknown>) => Promise<T>): Promise<T> {
  if (!isPostgres(db)) return fn(db);
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_ID})`.execute(conn);
    try {
      return await fn(conn);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`.execute(conn);
    }
  });
}

async function runMigrator(db: Kysely<unknown>, schema: string | undefined): Promise<void> {
  const migrator = new Migrator({ db, provider: new StaticProvider(), ...(schema === undefined ? {} : { migrationTableSchema: schema }) });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new MarketError(
      "STORE_ERROR",
      { reason: `migration ${failed} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}` },
      { cause: error },
    );
  }
}
