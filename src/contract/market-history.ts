// The wire contract of market data over time: trades (every match), candles per UTC bucket, and the
// book's depth. TypeBox schemas; amounts are decimal MOLT strings (exact). Pure.
import { Type } from "@sinclair/typebox";
import type { Static } from "@sinclair/typebox";
import { GPU_MODEL_LENGTH_MAX } from "../core/gpu-model.js";
import { QueryInt, QuerySeq } from "./common.js";

/** A GPU model in a query: normalized by the server ("nvidia h100" is H100). */
const ModelText = Type.String({ minLength: 1, maxLength: GPU_MODEL_LENGTH_MAX, description: "a GPU model name, normalized" });

/** GET /v1/market/trades: trades after seq `after` (default 0), of `model` when given, at most `limit` (default 100, max 500). */
export const TradesQuery = Type.Object(
  { model: Type.Optional(ModelText), after: Type.Optional(QuerySeq), limit: Type.Optional(QueryInt) },
  { additionalProperties: false },
);
/** One trade: a match, at the seq and time of its OrderMatched event. */
export const TradeBody = Type.Object({
  seq: Type.Integer(),
  atMs: Type.Integer(),
  orderId: Type.String(),
  offerId: Type.String(),
  providerId: Type.String(),
  gpuModel: Type.String(),
  gpuCount: Type.Integer(),
  hours: Type.Integer(),
  gpuHours: Type.Integer(),
  pricePerHour: Type.String({ description: "MOLT per GPU-hour" }),
  molt: Type.String({ description: "the match's total cost, MOLT" }),
});
/** A page of trades; `next` is the `after` of the next page, absent on the last page. */
export const TradesBody = Type.Object({ trades: Type.Array(TradeBody), next: Type.Optional(Type.Integer()) });
/** A page of trades. */
export type TradesView = Static<typeof TradesBody>;

/** GET /v1/market/candles: `interval` 1h (default) or 1d; `from`/`to` in ms since the epoch (default: the last 24 buckets). */
export const CandlesQuery = Type.Object(
  {
    model: Type.Optional(ModelText),
    interval: Type.Optional(Type.Union([Type.Literal("1h"), Type.Literal("1d")])),
    from: Type.Optional(QuerySeq),
    to: Type.Optional(QuerySeq),
  },
  { additionalProperties: false },
);
/** One bucket with trades: open/high/low/close MOLT per GPU-hour, GPU-hours and MOLT traded. */
export const CandleBody = Type.Object({
  startMs: Type.Integer(),
  start: Type.String({ description: "the bucket's start, ISO 8601 UTC" }),
  trades: Type.Integer(),
  open: Type.String(),
  high: Type.String(),
  low: Type.String(),
  close: Type.String(),
  gpuHours: Type.Integer(),
  molt: Type.String(),
});
/** Candles of [fromMs, toMs) (widened to whole buckets); buckets without trades are left out. */
export const CandlesBody = Type.Object({
  model: Type.Union([Type.String(), Type.Null()]),
  interval: Type.String(),
  fromMs: Type.Integer(),
  toMs: Type.Integer(),
  candles: Type.Array(CandleBody),
});
/** Candles on the wire. */
export type CandlesView = Static<typeof CandlesBody>;

/** GET /v1/market/depth: of `model` when given. */
export const DepthQuery = Type.Object({ model: Type.Optional(ModelText) }, { additionalProperties: false });
/** One price level: GPUs and the offers (asks) or orders (bids) behind them. */
const DepthLevelBody = Type.Object({ price: Type.String(), gpus: Type.Integer(), count: Type.Integer() });
/** Asks (free GPUs by price, cheapest first), bids (resting demand by max price, highest first); `partial` when the scan hit its cap. */
export const DepthBody = Type.Object({
  model: Type.Union([Type.String(), Type.Null()]),
  asks: Type.Array(DepthLevelBody),
  bids: Type.Array(DepthLevelBody),
  partial: Type.Boolean(),
});
/** Depth on the wire. */
export type DepthView = Static<typeof DepthBody>;
