// A batch's own reads on PostgreSQL (the feed's events after a seq, the stored answers of its
// keys), each one text whatever its arguments, so that it goes as a named statement prepared once
// per connection (postgres-prepared.ts). Both run before a batch applies its first command, while
// nothing else is written: parsing and planning them again in every batch was time the batch waited.
import { sql } from "kysely";
import { eventRow } from "./sql-tables.js";
import type { Db, MarketTables } from "./sql-tables.js";
import { PREPARED_MARK } from "./postgres-prepared.js";
import type { CommandRow, EventRow } from "./store.js";

/** Events with seq > `seq`, in seq order, at most `limit`. @throws STORE_ERROR */
export async function readEventsPostgres(conn: Db, seq: number, limit: number): Promise<EventRow[]> {
  const result = await sql<
    MarketTables["events"]
  >`${sql.raw(PREPARED_MARK)}select * from events where seq > ${seq} order by seq limit ${limit}`.execute(conn);
  return result.rows.map(eventRow);
}

/** The stored answers of those `keys` that were used, by key: one array parameter, whatever the number of keys. @throws STORE_ERROR */
export async function readCommandsPostgres(conn: Db, keys: readonly string[]): Promise<Map<string, CommandRow>> {
  const found = new Map<string, CommandRow>();
  if (keys.length === 0) return found;
  const result = await sql<
    MarketTables["commands"]
  >`${sql.raw(PREPARED_MARK)}select * from commands where key = any(${[...keys]}::text[])`.execute(conn);
  for (const r of result.rows) found.set(r.key, { key: r.key, requestHash: r.request_hash, response: r.response, atMs: Number(r.at_ms) });
  return found;
}
