// Routes of orders: a buyer submits an order (matched at once when an offer satisfies it, else it
// rests) and cancels its own resting order; anyone reads an order or the matches holding GPUs of a
// provider or buyer. Rules live in the market.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Amount } from "../../core/amount.js";
import { MarketError, assertIntInRange } from "../../core/errors.js";
import { parseRequirements } from "../../core/order.js";
import { EmptyBody, IdParams, respond } from "../../contract/common.js";
import { OFFER_PAGE_MAX } from "../../contract/offers.js";
import {
  MatchListBody,
  MatchListQuery,
  OrderBody,
  OrderIdBody,
  OrderViewBody,
  SubmittedOrder,
  explanationJson,
  matchJson,
} from "../../contract/orders.js";
import { OrderListBody, OrderListQuery } from "../../contract/order-list.js";
import { SIGNED } from "../../contract/openapi.js";
import { authOf, bodyless } from "../auth.js";
import { listOrders } from "../order-list.js";
import { orderJson } from "../views.js";
import type { RouteDeps } from "./route-deps.js";

const tags = ["orders"];

/** Adds the order routes. */
export const orderRoutes: FastifyPluginAsyncTypebox<RouteDeps> = (app, { market }) => {
  app.post(
    "/v1/orders",
    {
      schema: {
        tags,
        summary:
          "Order compute (the signer is the buyer); the answer has the match when one was found at once, else the order rests " +
          "and the answer explains why nothing matched (explanation.restsIndefinitely: no offer in the book could ever fill it)",
        security: SIGNED,
        body: OrderBody,
        response: respond(SubmittedOrder),
      },
    },
    async (request) => {
      const { caller, key } = authOf(request);
      const result = await market.submitOrder(key, { ...request.body, buyerId: caller });
      if (result.match !== undefined)
        return { orderId: result.orderId, status: result.status, match: matchJson(result.match, market.payments.feeBps) };
      // It rests: say why nothing matched (the order was validated by submitOrder, so these parse).
      const { maxBudget } = request.body;
      const explanation = market.book.explainMiss(
        parseRequirements(request.body.requirements),
        maxBudget === undefined ? undefined : Amount.parse(maxBudget),
      );
      return explanation === undefined
        ? { orderId: result.orderId, status: result.status }
        : { orderId: result.orderId, status: result.status, explanation: explanationJson(explanation) };
    },
  );

  app.post(
    "/v1/orders/:id/cancel",
    {
      preValidation: bodyless,
      schema: {
        tags,
        summary: "Cancel a resting order (its buyer only)",
        security: SIGNED,
        params: IdParams,
        body: EmptyBody,
        response: respond(OrderIdBody),
      },
    },
    async (request) => {
      const { caller, key } = authOf(request);
      await market.cancelOrder(key, request.params.id, caller);
      return { orderId: request.params.id };
    },
  );

  app.get(
    "/v1/orders/:id",
    { schema: { tags, summary: "An order with its match and job", params: IdParams, response: respond(OrderViewBody) } },
    async (request) => orderJson(market, await market.getOrder(request.params.id)),
  );

  app.get(
    "/v1/orders",
    {
      schema: {
        tags,
        summary:
          "A buyer's and/or a provider's orders in every status, newest first, each as GET /v1/orders/{id} answers it; next pages on",
        querystring: OrderListQuery,
        response: respond(OrderListBody),
      },
    },
    (request) => listOrders(market, request.query),
  );

  app.get(
    "/v1/matches",
    {
      schema: {
        tags,
        summary: "Matches holding GPUs (matched, funded or running jobs) of a provider and/or a buyer",
        querystring: MatchListQuery,
        response: respond(MatchListBody),
      },
    },
    (request) => {
      const q = request.query;
      if (q.provider === undefined && q.buyer === undefined)
        throw new MarketError("INVALID_FIELD", {
          field: "query",
          value: "neither provider nor buyer",
          allowed: "provider=<address> and/or buyer=<address>",
        });
      const limit = Number(q.limit ?? OFFER_PAGE_MAX);
      assertIntInRange("limit", limit, 1, OFFER_PAGE_MAX);
      const matches = market.book.matchesOf(
        { ...(q.provider === undefined ? {} : { providerId: q.provider }), ...(q.buyer === undefined ? {} : { buyerId: q.buyer }) },
        limit,
      );
      return { matches: matches.map((match) => matchJson(match, market.payments.feeBps)) };
    },
  );
  // Registration is synchronous; the plugin type asks for a promise.
  return Promise.resolve();
};
