// Routes of a job's money: read the escrow; the buyer funds it; a party settles it (the buyer with
// its confirmation, or the provider after the dispute window); the buyer has it refunded. A step
// that sends a chain transaction needs the party's own signature on it: the first request answers
// SIGNATURE_REQUIRED (428) with the exact message, the repeat brings chainSignature. Rules live in the market.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { PresentedSignature } from "../../chain/signer.js";
import { IdParams, respond } from "../../contract/common.js";
import { ChainStepBody, EscrowBody, SettleBody } from "../../contract/escrows.js";
import { OrderViewBody } from "../../contract/orders.js";
import { SIGNED } from "../../contract/openapi.js";
import { authOf } from "../auth.js";
import { escrowView, orderJson } from "../views.js";
import type { RouteDeps } from "./route-deps.js";

const tags = ["escrows"];
const coSigned =
  "First answer: 428 SIGNATURE_REQUIRED with the transaction message to sign; send the same request (same Idempotency-Key) again with chainSignature.";

/** Adds the escrow routes. */
export const escrowRoutes: FastifyPluginAsyncTypebox<RouteDeps> = (app, { market }) => {
  app.get(
    "/v1/orders/:id/escrow",
    { schema: { tags, summary: "An order's escrow", params: IdParams, response: respond(EscrowBody) } },
    async (request) => escrowView(market, await market.getEscrow(request.params.id)),
  );

  app.post(
    "/v1/orders/:id/fund",
    {
      schema: {
        tags,
        summary: "Fund a matched order's escrow with its total cost (its buyer only, co-signed)",
        description: coSigned,
        security: SIGNED,
        params: IdParams,
        body: ChainStepBody,
        response: respond(EscrowBody),
      },
    },
    async (request) => {
      const { caller, key } = authOf(request);
      const escrow = await market.fundEscrow(key, request.params.id, new PresentedSignature(caller, request.body.chainSignature));
      return escrowView(market, escrow);
    },
  );

  app.post(
    "/v1/orders/:id/settle",
    {
      schema: {
        tags,
        summary: "Settle a completed job: pay the provider, the fee and the buyer's refund in one transaction (co-signed)",
        description: coSigned,
        security: SIGNED,
        params: IdParams,
        body: SettleBody,
        response: respond(OrderViewBody),
      },
    },
    async (request) => {
      const { caller, key } = authOf(request);
      const body = request.body;
      const input = {
        ...(body.actualHours === undefined ? {} : { actualHours: body.actualHours }),
        ...(body.confirmation === undefined ? {} : { confirmation: body.confirmation }),
      };
      return orderJson(market, await market.settle(key, request.params.id, input, new PresentedSignature(caller, body.chainSignature)));
    },
  );

  app.post(
    "/v1/orders/:id/refund",
    {
      schema: {
        tags,
        summary: "Refund a failed or timed-out job's escrow in full (its buyer only, co-signed)",
        description: coSigned,
        security: SIGNED,
        params: IdParams,
        body: ChainStepBody,
        response: respond(OrderViewBody),
      },
    },
    async (request) => {
      const { caller, key } = authOf(request);
      return orderJson(market, await market.refund(key, request.params.id, new PresentedSignature(caller, request.body.chainSignature)));
    },
  );
  // Registration is synchronous; the plugin type asks for a promise.
  return Promise.resolve();
};
