// Routes of the market's public data: a quote (the matches an order would get now, recording
// nothing), stats per GPU model, who the market is on chain, balances, and test MOLT airdrops.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { Static } from "@sinclair/typebox";
import { Amount } from "../../core/amount.js";
import { parseAddress } from "../../core/address.js";
import { respond } from "../../contract/common.js";
import {
  AirdropAnswer,
  AirdropBody,
  BalanceBody,
  BalanceParams,
  MarketBody,
  QuoteBody,
  QuoteQuery,
  StatsBody,
  modelStats,
} from "../../contract/market-data.js";
import type { ModelStatsView } from "../../contract/market-data.js";
import { SIGNED } from "../../contract/openapi.js";
import { authOf } from "../auth.js";
import { SERVER_LIMITS } from "../limits.js";
import { quoteAnswer, quoteKey } from "../quote-answers.js";
import { JSON_CONTENT_TYPE, QuoteCache, serializedAnswer } from "../quote-cache.js";
import type { SerializedAnswer } from "../quote-cache.js";
import type { RouteDeps } from "./route-deps.js";

const tags = ["market"];

/** Adds the market data routes. */
export const marketDataRoutes: FastifyPluginAsyncTypebox<RouteDeps> = (app, { market, clock }) => {
  // A quote is computed again only when the book, the feed or the clock changed what it says.
  // The answer is kept as its JSON, serialized once by the route's response schema.
  const quotes = new QuoteCache<SerializedAnswer<Static<typeof QuoteBody>>>(market, clock);
  app.addHook("onClose", (_instance, done) => {
    quotes.close();
    done();
  });
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
    (request, reply) => {
      const cached = quotes.get(quoteKey(request.query), () =>
        serializedAnswer(quoteAnswer(market.book, request.query, clock, market.payments.feeBps), (answer) => reply.serialize(answer)),
      );
      // Sent as serialized when it was computed: no second serialization per request.
      reply.type(JSON_CONTENT_TYPE).serializer(() => cached.json);
      return cached.answer;
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
