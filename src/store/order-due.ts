// The sweeper's deadline index: orders.due_at_ms, a lower bound of the next instant the sweeper
// must look at an order, so a sweep reads what is due and not what exists. With its migration and
// its read. SQLite and PostgreSQL.
import { sql } from "kysely";
import type { Kysely, Migration } from "kysely";
import { SWEPT_STATUSES, orderRow } from "./sql-tables.js";
import type { Db } from "./sql-tables.js";
import type { OrderRow } from "./store.js";

/** The deadline index; existing live orders are due at once (the first sweeps compute their deadlines). */
export const ORDER_DUE_MIGRATION: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable("orders").addColumn("due_at_ms", "bigint").execute();
    await sql`update orders set due_at_ms = 0 where status in (${sql.join([...SWEPT_STATUSES])})`.execute(db);
    await db.schema.createIndex("orders_due_at_ms").on("orders").column("due_at_ms").execute();
  },
};

/**
 * Orders due by `nowMs` (due_at_ms <= nowMs), earliest deadline first, at most `limit`. Invariant:
 * reads through the index only the rows it returns. @throws STORE_ERROR
 */
export async function readOrdersDueBy(conn: Db, nowMs: number, limit: number): Promise<OrderRow[]> {
  return (
    await conn.selectFrom("orders").selectAll().where("due_at_ms", "<=", nowMs).orderBy("due_at_ms").orderBy("id").limit(limit).execute()
  ).map(orderRow);
}
