// Routes of disputes: the buyer or the provider opens one with its signed statement; the arbiter
// decides the split; a party accepts the decision, which pays it out (co-signed on chain). Rules
// live in the market.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { MarketError } from "../../core/errors.js";
import { PresentedSignature } from "../../chain/signer.js";
import { Amount } from "../../core/amount.js";
import { IdParams, respond } from "../../contract/common.js";
import { DecisionBody, DisputeBody } from "../../contract/disputes.js";
import { ChainStepBody } from "../../contract/escrows.js";
import { OrderStatusBody, OrderViewBody } from "../../contract/orders.js";
import { SIGNED } from "../../contract/openapi.js";
import { authOf } from "../auth.js";
import { orderJson } from "../views.js";
import type { RouteDeps } from "./route-deps.js";

const tags = ["disputes"];

/** Adds the dispute routes. */
export const disputeRoutes: FastifyPluginAsyncTypebox<RouteDeps> = (app, { market }) => {
  app.post(
    "/v1/orders/:id/dispute",
    {
      schema: {
        tags,
        summary: "Open a dispute with a signed statement (the buyer or the provider, who signs both)",
        security: SIGNED,
        params: IdParams,
        body: DisputeBody,
        response: respond(OrderStatusBody),
      },
    },
    async (request) => {
      const { caller, key } = authOf(request);
      const { dispute } = request.body;
      if (dispute.openedBy !== caller)
        throw new MarketError("FORBIDDEN", {
          actor: caller,
          action: `open a dispute signed by ${dispute.openedBy}`,
          allowed: "the dispute's signer",
        });
      await market.openDispute(key, request.params.id, dispute);
      return { orderId: request.params.id, status: (await market.getOrder(request.params.id)).status };
    },
  );

  app.post(
    "/v1/orders/:id/dispute/decide",
    {
      schema: {
        tags,
        summary: "Decide a dispute's split: the provider's gross share in MOLT (the arbiter only)",
        security: SIGNED,
        params: IdParams,
        body: DecisionBody,
        response: respond(OrderViewBody),
      },
    },
    async (request) => {
      const { caller, key } = authOf(request);
      const { id } = request.params;
      await market.decideDispute(key, id, { providerShare: Amount.parse(request.body.providerShare), reason: request.body.reason }, caller);
      return orderJson(market, await market.getOrder(id));
    },
  );

  app.post(
    "/v1/orders/:id/dispute/accept",
    {
      schema: {
        tags,
        summary: "Accept the arbiter's decision, which pays it out (the buyer or the provider, co-signed)",
        description:
          "First answer: 428 SIGNATURE_REQUIRED with the transaction message to sign; send the same request again with chainSignature.",
        security: SIGNED,
        params: IdParams,
        body: ChainStepBody,
        response: respond(OrderViewBody),
      },
    },
    async (request) => {
      const { caller, key } = authOf(request);
      return orderJson(
        market,
        await market.resolveDispute(key, request.params.id, new PresentedSignature(caller, request.body.chainSignature)),
      );
    },
  );
  // Registration is synchronous; the plugin type asks for a promise.
  return Promise.resolve();
};
