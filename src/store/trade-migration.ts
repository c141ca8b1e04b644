// The migration that adds the trades table and fills it from the event log: one row per OrderMatched
// event already stored (the market writes later ones in the batch of their event). SQLite and PostgreSQL.
import { sql } from "kysely";
import type { Kysely, Migration } from "kysely";
import { Amount } from "../core/amount.js";
import { normalizeGpuModel } from "../core/gpu-model.js";
import { TRADE_COLUMNS, tradeColumnsOf } from "./trade-table.js";
import type { TradeRow } from "./store.js";

/** Events read per page while filling the table. */
const BACKFILL_PAGE_ROWS = 2000;
/** The model of a trade whose offer and job record name none (never, for matches the market made). */
export const UNKNOWN_GPU_MODEL = "UNKNOWN";

/** The GPU model of an order's match: the job record's, else its offer's, normalized. */
async function modelOf(db: Kysely<unknown>, orderId: string, offerId: string): Promise<string> {
  const job = await sql<{ job: string | null }>`select job from orders where id = ${orderId}`.execute(db);
  const offer = await sql<{ doc: string }>`select doc from offers where id = ${offerId}`.execute(db);
  const fromJob = (JSON.parse(job.rows[0]?.job ?? "{}") as { gpuModel?: unknown }).gpuModel;
  const fromOffer = (JSON.parse(offer.rows[0]?.doc ?? "{}") as { gpuCapacity?: { gpuModel?: unknown } }).gpuCapacity?.gpuModel;
  try {
    return normalizeGpuModel(fromJob ?? fromOffer);
  } catch {
    return UNKNOWN_GPU_MODEL;
  }
}

/** The trade of a stored OrderMatched event. */
async function tradeOfEvent(db: Kysely<unknown>, seq: number, atMs: number, payload: string): Promise<TradeRow> {
  const { match } = JSON.parse(payload) as {
    match: {
      orderId: string;
      offerId: string;
      providerId: string;
      gpuCount: number;
      hours: number;
      pricePerHour: string;
      totalCost: string;
    };
  };
  return {
    seq,
    atMs,
    orderId: match.orderId,
    offerId: match.offerId,
    providerId: match.providerId,
    gpuModel: await modelOf(db, match.orderId, match.offerId),
    gpuCount: match.gpuCount,
    hours: match.hours,
    gpuHours: match.gpuCount * match.hours,
    priceBaseUnits: Amount.parse(match.pricePerHour).baseUnits,
    costBaseUnits: Amount.parse(match.totalCost).baseUnits,
  };
}

/** 0005_trades: the table, its indexes (by model and seq, by model and time, by time), and the trades of stored matches. */
export const TRADES_MIGRATION: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    let table = db.schema.createTable("trades");
    for (const [name, type] of TRADE_COLUMNS) table = table.addColumn(name, type, (c) => (name === "seq" ? c.primaryKey() : c.notNull()));
    await table.execute();
    await db.schema.createIndex("trades_model_seq").on("trades").columns(["gpu_model", "seq"]).execute();
    await db.schema.createIndex("trades_model_time").on("trades").columns(["gpu_model", "at_ms"]).execute();
    await db.schema.createIndex("trades_time").on("trades").column("at_ms").execute();
    let after = 0;
    for (;;) {
      const page = await sql<{ seq: number | string; at_ms: number | string; payload: string }>`
        select seq, at_ms, payload from events where type = 'OrderMatched' and seq > ${after} order by seq limit ${BACKFILL_PAGE_ROWS}`.execute(
        db,
      );
      for (const row of page.rows) {
        const trade = tradeColumnsOf(await tradeOfEvent(db, Number(row.seq), Number(row.at_ms), row.payload));
        await sql`insert into trades (${sql.raw(TRADE_COLUMNS.map(([name]) => name).join(", "))}) values (${sql.join(
          TRADE_COLUMNS.map(([name]) => trade[name]),
        )})`.execute(db);
        after = Number(row.seq);
      }
      if (page.rows.length < BACKFILL_PAGE_ROWS) return;
    }
  },
};
