// Routes of a matched job's run: its provider starts it, then completes it (exit 0) or fails it
// (non-zero exit) with its attested proof. Rules and signature checks live in the market.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { EmptyBody, IdParams, respond } from "../../contract/common.js";
import { AttestationBody } from "../../contract/jobs.js";
import { OrderStatusBody } from "../../contract/orders.js";
import { SIGNED } from "../../contract/openapi.js";
import { authOf, bodyless } from "../auth.js";
import type { RouteDeps } from "./route-deps.js";

const tags = ["jobs"];

/** Adds the job routes. */
export const jobRoutes: FastifyPluginAsyncTypebox<RouteDeps> = (app, { market }) => {
  /** The order's id and the status it is in now. */
  const statusOf = async (orderId: string): Promise<{ orderId: string; status: string }> => ({
    orderId,
    status: (await market.getOrder(orderId)).status,
  });

  app.post(
    "/v1/orders/:id/start",
    {
      preValidation: bodyless,
      schema: {
        tags,
        summary: "Start a funded job (its provider only)",
        security: SIGNED,
        params: IdParams,
        body: EmptyBody,
        response: respond(OrderStatusBody),
      },
    },
    async (request) => {
      const { caller, key } = authOf(request);
      await market.startJob(key, request.params.id, caller);
      return statusOf(request.params.id);
    },
  );

  const summaries = {
    complete: "Complete a running job with its attested proof, exit status 0 (its provider only)",
    fail: "Fail a running job with its attested proof, non-zero exit status (its provider only)",
  } as const;
  for (const action of ["complete", "fail"] as const) {
    app.post(
      `/v1/orders/:id/${action}`,
      {
        schema: {
          tags,
          summary: summaries[action],
          security: SIGNED,
          params: IdParams,
          body: AttestationBody,
          response: respond(OrderStatusBody),
        },
      },
      async (request) => {
        const { caller, key } = authOf(request);
        const { attestation } = request.body;
        if (action === "complete") await market.completeJob(key, request.params.id, attestation, caller);
        else await market.failJob(key, request.params.id, attestation, caller);
        return statusOf(request.params.id);
      },
    );
  }
  // Registration is synchronous; the plugin type asks for a promise.
  return Promise.resolve();
};
