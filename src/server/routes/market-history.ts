// Routes of market history and depth: trades (every match, paged by seq), candles per UTC bucket
// (closed buckets cached), and the live book's depth. Reads only; the store answers the same on every node.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { normalizeGpuModel } from "../../core/gpu-model.js";
import { Amount } from "../../core/amount.js";
import { respond } from "../../contract/common.js";
import { CandlesBody, CandlesQuery, DepthBody, DepthQuery, TradesBody, TradesQuery } from "../../contract/market-history.js";
import type { DepthView } from "../../contract/market-history.js";
import { marketDepth } from "../../market/market-depth.js";
import { HISTORY_LIMITS, MarketHistory } from "../../market/market-history.js";
import { SERVER_LIMITS } from "../limits.js";
import type { RouteDeps } from "./route-deps.js";

const tags = ["market"];
/** Models whose depth answer is kept for statsTtlMs at once. */
const DEPTH_CACHE_MODELS_MAX = 256;

const modelOf = (model: string | undefined): string | undefined => (model === undefined ? undefined : normalizeGpuModel(model, "model"));

/** Adds the market history routes. */
export const marketHistoryRoutes: FastifyPluginAsyncTypebox<RouteDeps> = (app, { market, clock }) => {
  const history = new MarketHistory(market.store, clock);

  app.get(
    "/v1/market/trades",
    {
      schema: {
        tags,
        summary: `Trades (every match) after seq \`after\`, of one GPU model when given, in seq order; at most \`limit\` (default ${HISTORY_LIMITS.tradesPageDefault}, max ${HISTORY_LIMITS.tradesPageMax})`,
        querystring: TradesQuery,
        response: respond(TradesBody),
      },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit === undefined ? HISTORY_LIMITS.tradesPageDefault : Number(q.limit);
      const trades = await history.trades(modelOf(q.model), Number(q.after ?? 0), limit);
      const last = trades[trades.length - 1];
      return {
        trades: trades.map((t) => ({
          seq: t.seq,
          atMs: t.atMs,
          orderId: t.orderId,
          offerId: t.offerId,
          providerId: t.providerId,
          gpuModel: t.gpuModel,
          gpuCount: t.gpuCount,
          hours: t.hours,
          gpuHours: t.gpuHours,
          pricePerHour: Amount.fromBaseUnits(t.priceBaseUnits).toString(),
          molt: Amount.fromBaseUnits(t.costBaseUnits).toString(),
        })),
        ...(last === undefined || trades.length < limit ? {} : { next: last.seq }),
      };
    },
  );

  app.get(
    "/v1/market/candles",
    {
      schema: {
        tags,
        summary:
          "Candles per UTC bucket (interval 1h or 1d; from/to in ms, widened to whole buckets; default the last 24 buckets): " +
          `open/high/low/close MOLT per GPU-hour, GPU-hours and MOLT traded; buckets without trades left out; at most ${HISTORY_LIMITS.candleBucketsMax} buckets`,
        querystring: CandlesQuery,
        response: respond(CandlesBody),
      },
    },
    async (request) => {
      const q = request.query;
      const model = modelOf(q.model);
      const interval = q.interval ?? "1h";
      const answer = await history.candles({
        ...(model === undefined ? {} : { gpuModel: model }),
        interval,
        ...(q.from === undefined ? {} : { fromMs: Number(q.from) }),
        ...(q.to === undefined ? {} : { toMs: Number(q.to) }),
      });
      return {
        model: model ?? null,
        interval,
        fromMs: answer.fromMs,
        toMs: answer.toMs,
        candles: answer.candles.map((c) => ({
          startMs: c.startMs,
          start: new Date(c.startMs).toISOString(),
          trades: c.trades,
          open: c.open.toString(),
          high: c.high.toString(),
          low: c.low.toString(),
          close: c.close.toString(),
          gpuHours: Number(c.gpuHours),
          molt: c.molt.toString(),
        })),
      };
    },
  );

  const depths = new Map<string, { readonly atMs: number; readonly view: DepthView }>();
  app.get(
    "/v1/market/depth",
    {
      schema: {
        tags,
        summary:
          "The live book's depth, of one GPU model when given: free GPUs of active offers per price (asks, cheapest first) and " +
          "GPUs resting orders want per max price (bids, highest first); at most 100 levels a side",
        querystring: DepthQuery,
        response: respond(DepthBody),
      },
    },
    (request) => {
      const model = modelOf(request.query.model);
      const key = model ?? "*";
      const nowMs = clock.now();
      const cached = depths.get(key);
      if (cached !== undefined && nowMs - cached.atMs < SERVER_LIMITS.statsTtlMs) return cached.view;
      const depth = marketDepth(market.book, model);
      const level = (l: { readonly price: Amount; readonly gpus: number; readonly count: number }) => ({
        price: l.price.toString(),
        gpus: l.gpus,
        count: l.count,
      });
      const view = { model: model ?? null, asks: depth.asks.map(level), bids: depth.bids.map(level), partial: depth.partial };
      if (depths.size >= DEPTH_CACHE_MODELS_MAX) depths.clear();
      depths.set(key, { atMs: nowMs, view });
      return view;
    },
  );
  return Promise.resolve();
};
