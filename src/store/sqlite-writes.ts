// SQLite writes of a batch: prepared statements, one row at a time, inside the transaction Kysely
// opened on the same connection. better-sqlite3 runs them in microseconds, where a JSON parameter
// costs SQLite a parse of every row.
import type Database from "better-sqlite3";
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
import { TRADE_COLUMNS } from "./trade-table.js";

/** The SQLite write statements, prepared once per connection (after the migrations). */
function prepareWrites(database: Database.Database) {
  const insert = (table: string, columns: readonly (readonly [string, ColumnType])[], onConflict: string): Database.Statement =>
    database.prepare(
      `insert into ${table} (${columns.map(([c]) => c).join(", ")}) values (${columns.map(([c]) => `@${c}`).join(", ")}) ${onConflict}`,
    );
  return {
    offer: insert("offers", OFFER_COLUMNS, `on conflict (id) do update set ${OFFER_UPDATE}`),
    offerStatus: database.prepare("update offers set status = @status where id = @id"),
    capacity: database.prepare(
      "update offers set free_gpus = free_gpus + @delta where id = @id and free_gpus + @delta >= 0 and free_gpus + @delta <= gpu_count",
    ),
    order: insert("orders", ORDER_COLUMNS, `on conflict (id) do update set ${ORDER_UPDATE}`),
    orderStatus: database.prepare("update orders set status = @status, due_at_ms = @due_at_ms where id = @id"),
    orderDue: database.prepare("update orders set due_at_ms = @due_at_ms where id = @id"),
    escrow: insert("escrows", ESCROW_COLUMNS, `on conflict (id) do update set ${ESCROW_UPDATE}`),
    event: insert("events", EVENT_COLUMNS, ""),
    command: insert("commands", COMMAND_COLUMNS, ""),
    trade: insert("trades", TRADE_COLUMNS, ""),
  };
}

/** The write statements of one SQLite connection, prepared on first use (after the migrations). */
export class SqliteWrites {
  private prepared: ReturnType<typeof prepareWrites> | undefined;

  constructor(private readonly database: Database.Database) {}

  /** Writes a batch's rows. Invariant: capacity never goes below zero or above the offer's GPUs. @throws INSUFFICIENT_CAPACITY */
  write(rows: TableRows): void {
    const statements = (this.prepared ??= prepareWrites(this.database));
    for (const row of rows.offers) statements.offer.run(row);
    for (const row of rows.offerStatuses) statements.offerStatus.run(row);
    for (const row of rows.moved) {
      if (statements.capacity.run(row).changes !== 1)
        throw new MarketError("INSUFFICIENT_CAPACITY", { required: Math.max(0, -row.delta), available: 0 });
    }
    for (const row of rows.orders) statements.order.run(row);
    for (const row of rows.orderStatuses) statements.orderStatus.run(row);
    for (const row of rows.orderDues) statements.orderDue.run(row);
    for (const row of rows.escrows) statements.escrow.run(row);
    for (const row of rows.events) statements.event.run(row);
    for (const row of rows.commands) statements.command.run(row);
    for (const row of rows.trades) statements.trade.run(row);
  }
}
