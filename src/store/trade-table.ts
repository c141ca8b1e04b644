// The trades table: one row per OrderMatched event (same seq), written in the batch of the event,
// and its reads — a page by seq and per-bucket sums for candles. Prices are stored as fixed-width
// decimal text of base units, so SQL's min/max on text is min/max on the amount in both dialects;
// costs as whole MOLT plus the remainder, so SQL sums stay exact in 64-bit integers.
import { sql } from "kysely";
import type { Kysely } from "kysely";
import { BASE_UNITS_PER_MOLT } from "../core/amount.js";
import type { TradeBucketQuery, TradeBucketRow, TradeQuery, TradeRow } from "./store.js";

/** Digits of a stored price: 2^64 - 1 has 20. */
const PRICE_DIGITS = 20;

/** The trades table as Kysely sees it. */
export interface TradeTable {
  seq: number | string | bigint;
  at_ms: number | string | bigint;
  order_id: string;
  offer_id: string;
  provider_id: string;
  gpu_model: string;
  gpu_count: number;
  hours: number;
  gpu_hours: number | string | bigint;
  /** Price per GPU-hour in base units, zero-padded to PRICE_DIGITS. */
  price: string;
  /** floor(totalCost / 10^9). */
  cost_molt: number | string | bigint;
  /** totalCost mod 10^9. */
  cost_rest: number | string | bigint;
}

type Conn = Kysely<{ trades: TradeTable }>;

/** The columns of the trades table, for bulk writes. */
export const TRADE_COLUMNS = [
  ["seq", "bigint"],
  ["at_ms", "bigint"],
  ["order_id", "text"],
  ["offer_id", "text"],
  ["provider_id", "text"],
  ["gpu_model", "text"],
  ["gpu_count", "integer"],
  ["hours", "integer"],
  ["gpu_hours", "bigint"],
  ["price", "text"],
  ["cost_molt", "bigint"],
  ["cost_rest", "bigint"],
] as const;

/** A trade as the table's columns. Invariant: costs split exactly (cost_molt x 10^9 + cost_rest). */
export function tradeColumnsOf(
  t: TradeRow,
): TradeTable & { seq: number; at_ms: number; gpu_hours: number; cost_molt: string; cost_rest: number } {
  return {
    seq: t.seq,
    at_ms: t.atMs,
    order_id: t.orderId,
    offer_id: t.offerId,
    provider_id: t.providerId,
    gpu_model: t.gpuModel,
    gpu_count: t.gpuCount,
    hours: t.hours,
    gpu_hours: t.gpuHours,
    price: t.priceBaseUnits.toString().padStart(PRICE_DIGITS, "0"),
    // Text, so a value past 2^53 reaches SQL exactly (SQLite and PostgreSQL both cast it).
    cost_molt: (t.costBaseUnits / BASE_UNITS_PER_MOLT).toString(),
    cost_rest: Number(t.costBaseUnits % BASE_UNITS_PER_MOLT),
  };
}

/** A stored trade row. */
function tradeOf(r: TradeTable): TradeRow {
  return {
    seq: Number(r.seq),
    atMs: Number(r.at_ms),
    orderId: r.order_id,
    offerId: r.offer_id,
    providerId: r.provider_id,
    gpuModel: r.gpu_model,
    gpuCount: r.gpu_count,
    hours: r.hours,
    gpuHours: Number(r.gpu_hours),
    priceBaseUnits: BigInt(r.price),
    costBaseUnits: BigInt(String(r.cost_molt)) * BASE_UNITS_PER_MOLT + BigInt(String(r.cost_rest)),
  };
}

/** Trades with seq > afterSeq, of the model when given, in seq order, at most `limit`. */
export async function readTrades(conn: Conn, query: TradeQuery): Promise<TradeRow[]> {
  let q = conn.selectFrom("trades").selectAll().where("seq", ">", query.afterSeq);
  if (query.gpuModel !== undefined) q = q.where("gpu_model", "=", query.gpuModel);
  return (await q.orderBy("seq").limit(query.limit).execute()).map(tradeOf);
}

/**
 * The trades of [fromMs, toMs) summed per bucket of intervalMs, in bucket order; empty buckets have
 * no row. Two statements: the sums (SQL, exact: text casts of integer sums), then the open and
 * close prices of each bucket's first and last seq.
 */
export async function readTradeBuckets(conn: Conn, query: TradeBucketQuery): Promise<TradeBucketRow[]> {
  const interval = Math.trunc(query.intervalMs);
  // A literal, not a parameter: PostgreSQL must see the select's bucket and the group's as one expression.
  const bucketOf = sql<string>`at_ms / ${sql.raw(String(interval))}`;
  const bucket = sql<string>`cast(${bucketOf} as text)`;
  let q = conn
    .selectFrom("trades")
    .select([
      bucket.as("bucket"),
      sql<string>`cast(count(*) as text)`.as("trades"),
      sql<string>`cast(sum(gpu_hours) as text)`.as("gpu_hours"),
      sql<string>`cast(sum(cost_molt) as text)`.as("cost_molt"),
      sql<string>`cast(sum(cost_rest) as text)`.as("cost_rest"),
      sql<string>`max(price)`.as("high"),
      sql<string>`min(price)`.as("low"),
      sql<string>`cast(min(seq) as text)`.as("first_seq"),
      sql<string>`cast(max(seq) as text)`.as("last_seq"),
    ])
    .where("at_ms", ">=", query.fromMs)
    .where("at_ms", "<", query.toMs);
  if (query.gpuModel !== undefined) q = q.where("gpu_model", "=", query.gpuModel);
  const sums = await q.groupBy(bucketOf).orderBy(bucketOf).execute();
  if (sums.length === 0) return [];
  const seqs = [...new Set(sums.flatMap((s) => [s.first_seq, s.last_seq]))];
  const priceOfSeq = new Map<string, bigint>();
  for (let i = 0; i < seqs.length; i += 1000) {
    const part = seqs.slice(i, i + 1000).map((seq) => Number(seq));
    const rows = await conn.selectFrom("trades").select(["seq", "price"]).where("seq", "in", part).execute();
    for (const row of rows) priceOfSeq.set(String(row.seq), BigInt(row.price));
  }
  return sums.map((s) => ({
    startMs: Number(s.bucket) * interval,
    trades: Number(s.trades),
    gpuHours: BigInt(s.gpu_hours),
    costBaseUnits: BigInt(s.cost_molt) * BASE_UNITS_PER_MOLT + BigInt(s.cost_rest),
    openBaseUnits: priceOfSeq.get(s.first_seq) ?? 0n,
    highBaseUnits: BigInt(s.high),
    lowBaseUnits: BigInt(s.low),
    closeBaseUnits: priceOfSeq.get(s.last_seq) ?? 0n,
  }));
}
