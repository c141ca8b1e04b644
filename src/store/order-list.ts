// A party's orders, newest first, a page at a time: a buyer's (by buyer_id), a provider's (the
// orders matched to one of its offers), or both at once, and the escrows of a page in one read;
// with the migration whose indexes serve those reads. SQLite and PostgreSQL. Reads only.
import { sql } from "kysely";
import type { Migration } from "kysely";
import { OrderStatus } from "../core/enums.js";
import type { Kysely } from "kysely";
import { chunks, escrowRow, isPostgres, orderRow } from "./sql-tables.js";
import type { Db, MarketTables } from "./sql-tables.js";
import type { EscrowRow, OrderListQuery, OrderRow } from "./store.js";

/** Indexes for a party's orders newest first: by buyer, by matched offer, and offers by provider (orders_buyer_id dropped again by ONE_BUYER_INDEX_MIGRATION). */
export const ORDER_LIST_MIGRATION: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.createIndex("orders_buyer_id").on("orders").columns(["buyer_id", "id"]).execute();
    await db.schema.createIndex("orders_offer_id").on("orders").columns(["offer_id", "id"]).execute();
    await db.schema.createIndex("offers_provider_id").on("offers").columns(["provider_id", "id"]).execute();
  },
};

/**
 * Drops orders_buyer_id (buyer, id): a buyer's orders of every status are read from
 * orders_buyer_status, one range per status (readOrderList). Each index with a party first takes
 * an order's write to a page of its own: on SQLite a 4 KB frame of the log in every commit.
 */
export const ONE_BUYER_INDEX_MIGRATION: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex("orders_buyer_id").ifExists().execute();
  },
};

/** Every status an order row holds (the market writes no other). */
const ORDER_STATUSES: readonly string[] = Object.values(OrderStatus);

/**
 * The orders `query` asks for, newest first (ids are time-sortable ULIDs, so by id descending),
 * at most `query.limit`: of its buyer and/or of the provider of their matched offer, in one of its
 * statuses when given (none for an empty list; every OrderStatus when absent), with ids below
 * `beforeId` when given. A buyer's are read one status at a time through orders_buyer_status (each
 * an index range read backwards, at most `limit` rows) and merged, so a page costs the same however
 * many orders the buyer has in other statuses. Invariant: pages by `beforeId` = the last id of the
 * previous page neither repeat nor skip a row.
 */
export async function readOrderList(conn: Db, query: OrderListQuery): Promise<OrderRow[]> {
  if (query.statuses !== undefined && query.statuses.length === 0) return [];
  // The provider's and the page's bounds, common to every read below.
  const orders = () => {
    let select = conn.selectFrom("orders").selectAll();
    if (query.providerId !== undefined) select = select.where("offer_id", "in", offersOf(conn, query.providerId));
    if (query.beforeId !== undefined) select = select.where("id", "<", query.beforeId);
    return select;
  };
  const buyerId = query.buyerId;
  if (buyerId === undefined) {
    const select = query.statuses === undefined ? orders() : orders().where("status", "in", [...query.statuses]);
    return (await select.orderBy("id", "desc").limit(query.limit).execute()).map(orderRow);
  }
  const inStatus = (status: string) =>
    orders().where("buyer_id", "=", buyerId).where("status", "=", status).orderBy("id", "desc").limit(query.limit);
  const statuses = [...new Set(query.statuses ?? ORDER_STATUSES)];
  const [first, ...others] = statuses;
  if (first === undefined) return [];
  if (others.length === 0) return (await inStatus(first).execute()).map(orderRow);
  if (isPostgres(conn)) return (await buyerPagePostgres(conn, buyerId, statuses, query)).map(orderRow);
  // Each status's page inside a subquery of its own (SQLite takes no ORDER BY or LIMIT on a bare arm of a UNION).
  const arm = (status: string, i: number) => conn.selectFrom(inStatus(status).as(`s${i}`)).selectAll();
  const union = others.reduce((all, status, i) => all.unionAll(arm(status, i + 1)), arm(first, 0));
  return (await conn.selectFrom(union.as("page")).selectAll().orderBy("id", "desc").limit(query.limit).execute()).map(orderRow);
}

/**
 * PostgreSQL: the same merge as one lateral join over the statuses, passed as one array. Its text
 * does not grow with the statuses, and the server plans one arm instead of one per status (a
 * 12-arm union took 1.5 ms to plan against 0.2 ms to run).
 */
async function buyerPagePostgres(conn: Db, buyerId: string, statuses: readonly string[], query: OrderListQuery) {
  const provider =
    query.providerId === undefined ? sql`` : sql`and o.offer_id in (select f.id from offers f where f.provider_id = ${query.providerId})`;
  const before = query.beforeId === undefined ? sql`` : sql`and o.id < ${query.beforeId}`;
  const result = await sql<MarketTables["orders"]>`
    select page.* from unnest(${statuses}::text[]) as s(status)
    cross join lateral (
      select o.* from orders o where o.buyer_id = ${buyerId} and o.status = s.status ${provider} ${before}
      order by o.id desc limit ${query.limit}
    ) as page
    order by page.id desc limit ${query.limit}`.execute(conn);
  return result.rows;
}

/** The ids of a provider's offers, as a subquery. */
function offersOf(conn: Db, providerId: string) {
  return conn.selectFrom("offers").select("offers.id").where("offers.provider_id", "=", providerId);
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
