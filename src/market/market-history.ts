// Market history from the store: trades paged by seq and candles per UTC-aligned bucket. Closed
// buckets never change, so they are cached (bounded LRU) and only open ones are read again; every
// answer comes from the store, so every node sharing it gives the same one.
import { Amount } from "../core/amount.js";
import type { Clock } from "../core/clock.js";
import { MarketError } from "../core/errors.js";
import type { Store, TradeBucketRow, TradeRow } from "../store/store.js";

/** The bounds of market history reads. */
export const HISTORY_LIMITS = {
  /** Trades one page holds at most. */
  tradesPageMax: 500,
  /** Trades one page holds when the request names no limit. */
  tradesPageDefault: 100,
  /** Buckets one candles request may span. */
  candleBucketsMax: 1000,
  /** Buckets a candles request spans when it names no `from`. */
  candleBucketsDefault: 24,
  /** Closed buckets the cache holds (oldest use dropped first). */
  candleCacheMax: 20_000,
  /** A bucket is closed (cached) once its end is this far in the past: matches another node stamped late still land in it. */
  candleCloseGraceMs: 60_000,
} as const;

/** The candle intervals, in ms. */
export const CANDLE_INTERVALS_MS = { "1h": 3_600_000, "1d": 86_400_000 } as const;
/** A candle interval's name. */
export type CandleInterval = keyof typeof CANDLE_INTERVALS_MS;

/** One bucket's trades: open/high/low/close per GPU-hour, volumes. Invariant: trades >= 1. */
export interface Candle {
  readonly startMs: number;
  readonly trades: number;
  readonly open: Amount;
  readonly high: Amount;
  readonly low: Amount;
  readonly close: Amount;
  readonly gpuHours: bigint;
  readonly molt: Amount;
}

/** What a candles request asks: a model (or every model), an interval and [fromMs, toMs). */
export interface CandleRequest {
  readonly gpuModel?: string;
  readonly interval: CandleInterval;
  readonly fromMs?: number;
  readonly toMs?: number;
}

const candleOf = (b: TradeBucketRow): Candle => ({
  startMs: b.startMs,
  trades: b.trades,
  open: Amount.fromBaseUnits(b.openBaseUnits),
  high: Amount.fromBaseUnits(b.highBaseUnits),
  low: Amount.fromBaseUnits(b.lowBaseUnits),
  close: Amount.fromBaseUnits(b.closeBaseUnits),
  gpuHours: b.gpuHours,
  // A sum of u64 costs may pass 2^64 - 1 in theory; the bucket's MOLT then reads as the maximum.
  molt: Amount.fromBaseUnits(b.costBaseUnits > (1n << 64n) - 1n ? (1n << 64n) - 1n : b.costBaseUnits),
});

/** Trades and candles of one store, with the closed-bucket cache of this process. */
export class MarketHistory {
  /** Closed buckets by `model|interval|start`; null for a closed bucket without trades. */
  private readonly cache = new Map<string, Candle | null>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /**
   * Trades after seq `afterSeq`, of one normalized model when given, in seq order, at most `limit`.
   * @throws OUT_OF_RANGE (limit outside 1..tradesPageMax), STORE_ERROR
   */
  async trades(gpuModel: string | undefined, afterSeq: number, limit: number): Promise<TradeRow[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > HISTORY_LIMITS.tradesPageMax) {
      throw new MarketError("OUT_OF_RANGE", { field: "limit", value: String(limit), min: "1", max: String(HISTORY_LIMITS.tradesPageMax) });
    }
    return this.store.trades({ ...(gpuModel === undefined ? {} : { gpuModel }), afterSeq, limit });
  }

  /**
   * Candles of the buckets that hold trades within [from, to) widened to whole buckets (default: the
   * candleBucketsDefault buckets up to now); buckets without trades are left out.
   * @throws OUT_OF_RANGE (from not before to, more than candleBucketsMax buckets), STORE_ERROR
   */
  async candles(request: CandleRequest): Promise<{ readonly fromMs: number; readonly toMs: number; readonly candles: Candle[] }> {
    const intervalMs = CANDLE_INTERVALS_MS[request.interval];
    const nowMs = this.clock.now();
    const toBucket = Math.ceil((request.toMs ?? nowMs + 1) / intervalMs);
    const fromBucket =
      request.fromMs === undefined ? toBucket - HISTORY_LIMITS.candleBucketsDefault : Math.floor(request.fromMs / intervalMs);
    const span = toBucket - fromBucket;
    if (span < 1 || span > HISTORY_LIMITS.candleBucketsMax) {
      throw new MarketError("OUT_OF_RANGE", {
        field: "from..to",
        value: `${span} ${request.interval} buckets`,
        min: "1",
        max: String(HISTORY_LIMITS.candleBucketsMax),
      });
    }
    const key = (bucket: number): string => `${request.gpuModel ?? "*"}|${request.interval}|${bucket}`;
    const closed = (bucket: number): boolean => (bucket + 1) * intervalMs + HISTORY_LIMITS.candleCloseGraceMs <= nowMs;
    const candles: Candle[] = [];
    let bucket = fromBucket;
    for (; bucket < toBucket; bucket++) {
      const cached = closed(bucket) ? this.cached(key(bucket)) : undefined;
      if (cached === undefined) break;
      if (cached !== null) candles.push(cached);
    }
    if (bucket < toBucket) {
      const rows = await this.store.tradeBuckets({
        ...(request.gpuModel === undefined ? {} : { gpuModel: request.gpuModel }),
        intervalMs,
        fromMs: bucket * intervalMs,
        toMs: toBucket * intervalMs,
      });
      const byStart = new Map(rows.map((row) => [row.startMs, candleOf(row)]));
      for (; bucket < toBucket; bucket++) {
        const candle = byStart.get(bucket * intervalMs) ?? null;
        if (closed(bucket)) this.remember(key(bucket), candle);
        if (candle !== null) candles.push(candle);
      }
    }
    return { fromMs: fromBucket * intervalMs, toMs: toBucket * intervalMs, candles };
  }

  /** A cached bucket, marked as just used; undefined when not cached. */
  private cached(key: string): Candle | null | undefined {
    const value = this.cache.get(key);
    if (value === undefined) return undefined;
    this.cache.delete(key);
    this.cache.set(key, value);
    return value;
  }

  private remember(key: string, candle: Candle | null): void {
    this.cache.delete(key);
    this.cache.set(key, candle);
    if (this.cache.size > HISTORY_LIMITS.candleCacheMax) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }
}
