// Routes of the market's public data: a quote (the matches an order would get now, recording
// nothing), stats per GPU model, who the market is on chain, balances, and test MOLT airdrops.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Amount } from "../../core/amount.js";
import { parseAddress } from "../../core/address.js";
import { parseFeature } from "../../core/enums.js";
import { assertIntInRange } from "../../core/errors.js";
import { createOrder } from "../../core/order.js";
import { respond } from "../../contract/common.js";
import {
  AirdropAnswer,
  AirdropBody,
  BalanceBody,
  BalanceParams,
  MarketBody,
  QUOTE_ORDER_ID,
  QuoteBody,
  QuoteQuery,
  StatsBody,
  modelStats,
} from "../../contract/market-data.js";
import type { ModelStatsView } from "../../contract/market-data.js";
import { explanationJson, matchJson } from "../../contract/orders.js";
import { SIGNED } from "../../contract/openapi.js";
import { authOf } from "../auth.js";
import { SERVER_LIMITS } from "../limits.js";
import type { RouteDeps } from "./route-deps.js";

const tags = ["market"];

/** Adds the market data routes. */
export const marketDataRoutes: FastifyPluginAsyncTypebox<RouteDeps> = (app, { market, clock }) => {
  app.get(
    "/v1/quote",
    {
      schema: {
        tags,
        summary:
          "The best matches an order with these requirements would get now, with their score breakdowns (records nothing); " +
          "allowProviders / denyProviders, models (GPU models, any of) and minReputation are the order's hard filters; " +
          "no match answers 200 with matches [] and an explanation (the constraint that left no offer, the nearest offer)",
        querystring: QuoteQuery,
        response: respond(QuoteBody),
      },
    },
    (request) => {
      const q = request.query;
      const limit = q.limit === undefined ? 10 : Number(q.limit);
      assertIntInRange("limit", limit, 1, SERVER_LIMITS.quoteLimitMax);
      const order = createOrder(
        {
          // A quote is no order: one fixed id spares a fresh id per request.
          id: QUOTE_ORDER_ID,
          buyerId: "quote",
          requirements: {
            minGpuCount: Number(q.gpus),
            minVramGb: Number(q.vram ?? 0),
            maxPricePerHour: q.maxPrice,
            estimatedHours: Number(q.hours),
            requiredFeatures:
              q.features === undefined || q.features === "" ? [] : q.features.split(",").map((f) => parseFeature(f.trim(), "features")),
            ...(q.region === undefined && q.country === undefined
              ? {}
              : {
                  location: {
                    ...(q.region === undefined ? {} : { region: q.region }),
                    ...(q.country === undefined ? {} : { country: q.country }),
                  },
                }),
            ...(q.allowProviders === undefined && q.denyProviders === undefined
              ? {}
              : {
                  providers: {
                    ...(q.allowProviders === undefined ? {} : { allow: q.allowProviders.split(",") }),
                    ...(q.denyProviders === undefined ? {} : { deny: q.denyProviders.split(",") }),
                  },
                }),
            ...(q.models === undefined ? {} : { gpuModels: q.models.split(",") }),
            ...(q.minReputation === undefined ? {} : { minReputation: Number(q.minReputation) }),
          },
        },
        { clock },
      );
      const quote = market.book.quoteOrder(order, limit);
      const matches = quote.matches.map((match) => matchJson(match, market.payments.feeBps));
      return quote.explanation === undefined ? { matches } : { matches, explanation: explanationJson(quote.explanation) };
    },
  );

  let stats: { readonly atMs: number; readonly models: ModelStatsView[] } | undefined;
  app.get(
    "/v1/stats",
    {
      schema: {
        tags,
        summary: "Per GPU model: active offers, free GPUs, lowest and median price per GPU-hour",
        response: respond(StatsBody),
      },
    },
    () => {
      const nowMs = clock.now();
      if (stats === undefined || nowMs - stats.atMs >= SERVER_LIMITS.statsTtlMs)
        stats = { atMs: nowMs, models: modelStats(market.book.activeOffers()) };
      return { models: stats.models };
    },
  );

  app.get(
    "/v1/market",
    {
      schema: {
        tags,
        summary:
          "Who the market is on chain (arbiter, fee recipient, MOLT mint, network, fee) and its clocks (receipt timeout, dispute and funding windows)",
        response: respond(MarketBody),
      },
    },
    () => ({
      arbiter: market.payments.arbiter.address,
      feeRecipient: market.payments.feeRecipient,
      mint: market.payments.client.mint,
      network: market.payments.client.network.name,
      feeBps: market.payments.feeBps,
      receiptTimeoutMs: market.receiptTimeoutMs,
      disputeWindowMs: market.payments.disputeWindowMs,
      fundingWindowMs: market.fundingWindowMs,
    }),
  );

  app.get(
    "/v1/balances/:address",
    { schema: { tags, summary: "MOLT held by an address", params: BalanceParams, response: respond(BalanceBody) } },
    async (request) => {
      const address = parseAddress(request.params.address);
      return { address, molt: (await market.payments.client.balance(address)).toString() };
    },
  );

  app.post(
    "/v1/airdrops",
    {
      schema: {
        tags,
        summary: "Mint test MOLT to the signer (never on mainnet; capped per airdrop)",
        security: SIGNED,
        body: AirdropBody,
        response: respond(AirdropAnswer),
      },
    },
    async (request) => {
      const { caller, key } = authOf(request);
      // Minting test MOLT is refused on mainnet and capped per airdrop by the chain client.
      return market.airdrop(key, caller, Amount.parse(request.body.molt));
    },
  );
  // Registration is synchronous; the plugin type asks for a promise.
  return Promise.resolve();
};
