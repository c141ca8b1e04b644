// SQLite writes of a batch: one prepared statement per table and kind of change, run one row at a
// time on the writer thread (sqlite-writer-thread.ts) inside the batch's transaction. better-sqlite3
// runs them in microseconds, where a JSON parameter costs SQLite a parse of every row. Statement
// texts and the request that writes a batch's rows; the thread runs them.
import { MarketError } from "../core/errors.js";
import {
  COMMAND_COLUMNS,
  ESCROW_COLUMNS,
  ESCROW_UPDATE,
  EVENT_COLUMNS,
  OFFER_COLUMNS,
  OFFER_UPDATE,
  ORDER_COLUMNS,
  ORDER_UPDATE,
} from "./sql-tables.js";
import type { ColumnType, TableRows } from "./sql-tables.js";
import { NoRowChanged } from "./sqlite-writer-thread.js";
import type { SqliteWriterThread, WriterOp } from "./sqlite-writer-thread.js";
import { TRADE_COLUMNS } from "./trade-table.js";

const insert = (table: string, columns: readonly (readonly [string, ColumnType])[], onConflict: string): string =>
  `insert into ${table} (${columns.map(([c]) => c).join(", ")}) values (${columns.map(([c]) => `@${c}`).join(", ")}) ${onConflict}`;

/** The write statements by name, for the writer thread. */
export const SQLITE_WRITE_STATEMENTS = {
  offer: insert("offers", OFFER_COLUMNS, `on conflict (id) do update set ${OFFER_UPDATE}`),
  offerStatus: "update offers set status = @status where id = @id",
  capacity:
    "update offers set free_gpus = free_gpus + @delta where id = @id and free_gpus + @delta >= 0 and free_gpus + @delta <= gpu_count",
  order: insert("orders", ORDER_COLUMNS, `on conflict (id) do update set ${ORDER_UPDATE}`),
  orderStatus: "update orders set status = @status, due_at_ms = @due_at_ms where id = @id",
  orderDue: "update orders set due_at_ms = @due_at_ms where id = @id",
  escrow: insert("escrows", ESCROW_COLUMNS, `on conflict (id) do update set ${ESCROW_UPDATE}`),
  event: insert("events", EVENT_COLUMNS, ""),
  command: insert("commands", COMMAND_COLUMNS, ""),
  trade: insert("trades", TRADE_COLUMNS, ""),
} as const;

/** The request that writes `rows`, tables in the order BatchWrites documents; empty lists are left out. */
function writeOp(rows: TableRows): Extract<WriterOp, { readonly op: "write" }> {
  const parts: [keyof typeof SQLITE_WRITE_STATEMENTS, readonly object[], boolean][] = [
    ["offer", rows.offers, false],
    ["offerStatus", rows.offerStatuses, false],
    ["capacity", rows.moved, true],
    ["order", rows.orders, false],
    ["orderStatus", rows.orderStatuses, false],
    ["orderDue", rows.orderDues, false],
    ["escrow", rows.escrows, false],
    ["event", rows.events, false],
    ["command", rows.commands, false],
    ["trade", rows.trades, false],
  ];
  return { op: "write", parts: parts.filter(([, list]) => list.length > 0) };
}

/**
 * Writes a batch's rows on the writer thread, inside its open transaction. Invariant: capacity
 * never goes below zero or above the offer's GPUs. @throws INSUFFICIENT_CAPACITY, SqliteError
 */
export async function writeSqliteRows(thread: SqliteWriterThread, rows: TableRows): Promise<void> {
  try {
    const op = writeOp(rows);
    await thread.callLater(
      op,
      op.parts.reduce((sum, [, list]) => sum + list.length, 0),
    );
  } catch (e) {
    if (!(e instanceof NoRowChanged)) throw e;
    const delta = rows.moved[e.index]?.delta ?? 0;
    throw new MarketError("INSUFFICIENT_CAPACITY", { required: Math.max(0, -delta), available: 0 });
  }
}
