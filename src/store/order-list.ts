// A party's orders, newest first, a page at a time: a buyer's (by buyer_id), a provider's (the
// orders matched to one of its offers), or both at once, and the escrows of a page in one read;
// with the migration whose indexes serve those reads. SQLite and PostgreSQL. Reads only.
import type { Migration } from "kysely";
import type { Kysely } from "kysely";
import { chunks, escrowRow, orderRow } from "./sql-tables.js";
import type { Db } from "./sql-tables.js";
import type { EscrowRow, OrderListQuery, OrderRow } from "./store.js";

/** Indexes for a party's orders newest first: by buyer, by matched offer, and offers by provider. */
export const ORDER_LIST_MIGRATION: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.createIndex("orders_buyer_id").on("orders").columns(["buyer_id", "id"]).execute();
    await db.schema.createIndex("orders_offer_id").on("orders").columns(["offer_id", "id"]).execute();
    await db.schema.createIndex("offers_provider_id").on("offers").columns(["provider_id", "id"]).execute();
  },
};

/**
 * The orders `query` asks for, newest first (ids are time-sortable ULIDs, so by id descending),
 * at most `query.limit`: of its buyer and/or of the provider of their matched offer, in one of its
 * statuses when given (none for an empty list), with ids below `beforeId` when given.
 * Invariant: pages by `beforeId` = the last id of the previous page neither repeat nor skip a row.
 */
export async function readOrderList(conn: Db, query: OrderListQuery): Promise<OrderRow[]> {
  if (query.statuses !== undefined && query.statuses.length === 0) return [];
  let select = conn.selectFrom("orders").selectAll();
  if (query.buyerId !== undefined) select = select.where("buyer_id", "=", query.buyerId);
  if (query.providerId !== undefined)
    select = select.where(
      "offer_id",
      "in",
      conn.selectFrom("offers").select("offers.id").where("offers.provider_id", "=", query.providerId),
    );
  if (query.statuses !== undefined) select = select.where("status", "in", [...query.statuses]);
  if (query.beforeId !== undefined) select = select.where("id", "<", query.beforeId);
  return (await select.orderBy("id", "desc").limit(query.limit).execute()).map(orderRow);
}

/**
 * The escrows of `ids` that exist, by id: one statement per chunk of ids (sql-tables' bulk bound),
 * through the primary key, where one read per escrow would cost a statement each. @throws STORE_ERROR
 */
export async function readEscrowsByIds(conn: Db, ids: readonly string[]): Promise<Map<string, EscrowRow>> {
  const escrows = new Map<string, EscrowRow>();
  for (const part of chunks([...new Set(ids)])) {
    if (part.length === 0) continue;
    for (const row of await conn.selectFrom("escrows").selectAll().where("id", "in", part).execute()) escrows.set(row.id, escrowRow(row));
  }
  return escrows;
}
