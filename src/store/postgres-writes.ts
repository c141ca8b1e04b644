// PostgreSQL writes of a batch: each table gets one statement that reads its rows from a single
// JSON parameter (jsonb_to_recordset), and a batch that adds no offers and changes no statuses goes
// in ONE statement of data-modifying CTEs, of one text prepared once per connection
// (postgres-prepared.ts). Runs on the connection of the batch's transaction.
import { sql } from "kysely";
import type { RawBuilder } from "kysely";
import { MarketError } from "../core/errors.js";
import {
  BULK_ROWS_MAX,
  COMMAND_COLUMNS,
  ESCROW_COLUMNS,
  ESCROW_UPDATE,
  EVENT_COLUMNS,
  OFFER_COLUMNS,
  OFFER_UPDATE,
  ORDER_COLUMNS,
  ORDER_UPDATE,
  chunks,
} from "./sql-tables.js";
import type { ColumnType, Db, TableRows } from "./sql-tables.js";
import { PREPARED_MARK } from "./postgres-prepared.js";
import { TRADE_COLUMNS } from "./trade-table.js";

/** A FROM source that reads rows of `columns` from one JSON array parameter. */
function jsonSource(rows: readonly object[], columns: readonly (readonly [string, ColumnType])[]): RawBuilder<unknown> {
  return sql`jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(${sql.raw(columns.map(([name, type]) => `${name} ${type}`).join(", "))})`;
}

async function bulkInsert(
  conn: Db,
  table: string,
  rows: readonly object[],
  columns: readonly (readonly [string, ColumnType])[],
  onConflict: string,
): Promise<void> {
  const names = sql.raw(columns.map(([name]) => name).join(", "));
  for (const part of chunks(rows)) {
    await sql`insert into ${sql.table(table)} (${names}) select ${names} from ${jsonSource(part, columns)} where true ${sql.raw(onConflict)}`.execute(
      conn,
    );
  }
}

/** Offer status changes. */
async function setOfferStatuses(conn: Db, changes: readonly { readonly id: string; readonly status: string }[]): Promise<void> {
  for (const part of chunks(changes)) {
    await sql`update offers set status = x.status from ${jsonSource(part, [
      ["id", "text"],
      ["status", "text"],
    ])} where offers.id = x.id`.execute(conn);
  }
}

/** Order status changes with their due_at_ms, then the sweeper's dues, in that order. */
async function setOrderColumns(conn: Db, rows: TableRows): Promise<void> {
  for (const part of chunks(rows.orderStatuses)) {
    await sql`update orders set status = x.status, due_at_ms = x.due_at_ms from ${jsonSource(part, [
      ["id", "text"],
      ["status", "text"],
      ["due_at_ms", "bigint"],
    ])} where orders.id = x.id`.execute(conn);
  }
  for (const part of chunks(rows.orderDues)) {
    await sql`update orders set due_at_ms = x.due_at_ms from ${jsonSource(part, [
      ["id", "text"],
      ["due_at_ms", "bigint"],
    ])} where orders.id = x.id`.execute(conn);
  }
}

/** The INSUFFICIENT_CAPACITY of capacity moves that did not all apply. */
function capacityRefused(moved: TableRows["moved"]): MarketError {
  return new MarketError("INSUFFICIENT_CAPACITY", { required: moved.reduce((n, d) => n + Math.max(0, -d.delta), 0), available: 0 });
}

/**
 * A batch that adds no offers and changes no statuses (orders submitted, lifecycle steps) in ONE
 * statement of data-modifying CTEs, one round trip instead of five. Returns false when the batch
 * needs the statement-per-table path.
 * @throws INSUFFICIENT_CAPACITY
 */
async function writeInOneStatement(conn: Db, rows: TableRows): Promise<boolean> {
  if (rows.offers.length > 0 || rows.offerStatuses.length > 0 || rows.orderStatuses.length > 0 || rows.orderDues.length > 0) return false;
  const lists = [rows.moved, rows.orders, rows.escrows, rows.events, rows.commands, rows.trades];
  if (lists.some((list) => list.length > BULK_ROWS_MAX)) return false;
  const parts: RawBuilder<unknown>[] = [];
  const insert = (
    name: string,
    table: string,
    list: readonly object[],
    columns: readonly (readonly [string, ColumnType])[],
    onConflict: string,
  ): void => {
    const names = sql.raw(columns.map(([column]) => column).join(", "));
    parts.push(
      sql`${sql.raw(name)} as (insert into ${sql.table(table)} (${names}) select ${names} from ${jsonSource(list, columns)} where true ${sql.raw(onConflict)})`,
    );
  };
  parts.push(sql`cap as (update offers set free_gpus = offers.free_gpus + x.delta from ${jsonSource(rows.moved, [
    ["id", "text"],
    ["delta", "integer"],
  ])}
    where offers.id = x.id and offers.free_gpus + x.delta >= 0 and offers.free_gpus + x.delta <= offers.gpu_count returning offers.id)`);
  insert("o", "orders", rows.orders, ORDER_COLUMNS, `on conflict (id) do update set ${ORDER_UPDATE}`);
  insert("x", "escrows", rows.escrows, ESCROW_COLUMNS, `on conflict (id) do update set ${ESCROW_UPDATE}`);
  insert("e", "events", rows.events, EVENT_COLUMNS, "");
  insert("c", "commands", rows.commands, COMMAND_COLUMNS, "");
  insert("t", "trades", rows.trades, TRADE_COLUMNS, "");
  // Every CTE is there, empty lists too: one text, prepared once per connection.
  const result = await sql<{
    moved: number;
  }>`${sql.raw(PREPARED_MARK)}with ${sql.join(parts, sql`, `)} select count(*)::int as moved from cap`.execute(conn);
  if ((result.rows[0]?.moved ?? -1) !== rows.moved.length) throw capacityRefused(rows.moved);
  return true;
}

/**
 * Writes a batch's rows on PostgreSQL. Invariant: capacity never goes below zero or above the
 * offer's GPUs (a conditional update; a move that would is refused and the batch rolls back).
 * @throws INSUFFICIENT_CAPACITY
 */
export async function writeRowsPostgres(conn: Db, rows: TableRows): Promise<void> {
  if (await writeInOneStatement(conn, rows)) return;
  await bulkInsert(conn, "offers", rows.offers, OFFER_COLUMNS, `on conflict (id) do update set ${OFFER_UPDATE}`);
  await setOfferStatuses(conn, rows.offerStatuses);
  for (const part of chunks(rows.moved)) {
    const result = await sql`update offers set free_gpus = offers.free_gpus + x.delta from ${jsonSource(part, [
      ["id", "text"],
      ["delta", "integer"],
    ])}
      where offers.id = x.id and offers.free_gpus + x.delta >= 0 and offers.free_gpus + x.delta <= offers.gpu_count`.execute(conn);
    if (Number(result.numAffectedRows ?? 0n) !== part.length) throw capacityRefused(part);
  }
  await bulkInsert(conn, "orders", rows.orders, ORDER_COLUMNS, `on conflict (id) do update set ${ORDER_UPDATE}`);
  await setOrderColumns(conn, rows);
  await bulkInsert(conn, "escrows", rows.escrows, ESCROW_COLUMNS, `on conflict (id) do update set ${ESCROW_UPDATE}`);
  await bulkInsert(conn, "events", rows.events, EVENT_COLUMNS, "");
  await bulkInsert(conn, "commands", rows.commands, COMMAND_COLUMNS, "");
  await bulkInsert(conn, "trades", rows.trades, TRADE_COLUMNS, "");
}
