// Routes of a matched job's run: its provider starts it, sends usage receipts while it runs (the
// buyer may countersign them), then completes it (exit 0) or fails it (non-zero exit) with its
// attested proof; the parties read its workload. Rules and signature checks live in the market.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { EmptyBody, IdParams, respond } from "../../contract/common.js";
import { AttestationBody, CountersignBody, ReceiptBody, WorkloadAnswer } from "../../contract/jobs.js";
import { OrderStatusBody } from "../../contract/orders.js";
import { SIGNED } from "../../contract/openapi.js";
import { workloadJson } from "../../contract/workload.js";
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
  app.post(
    "/v1/orders/:id/receipts",
    {
      schema: {
        tags,
        summary: "Record a usage receipt of a running job: cumulative seconds run, signed (its provider only)",
        security: SIGNED,
        params: IdParams,
        body: ReceiptBody,
        response: respond(OrderStatusBody),
      },
    },
    async (request) => {
      const { caller, key } = authOf(request);
      const { receipt, telemetry } = request.body;
      await market.recordReceipt(key, request.params.id, telemetry === undefined ? { receipt } : { receipt, telemetry }, caller);
      return statusOf(request.params.id);
    },
  );

  app.post(
    "/v1/orders/:id/receipts/countersign",
    {
      schema: {
        tags,
        summary: "Countersign the latest usage receipt of a job (its buyer only)",
        security: SIGNED,
        params: IdParams,
        body: CountersignBody,
        response: respond(OrderStatusBody),
      },
    },
    async (request) => {
      const { caller, key } = authOf(request);
      await market.countersignReceipt(key, request.params.id, request.body, caller);
      return statusOf(request.params.id);
    },
  );

  app.post(
    "/v1/orders/:id/workload",
    {
      preValidation: bodyless,
      schema: {
        tags,
        summary: "Read what an order runs (its buyer or matched provider only; signed, since nobody else may)",
        security: SIGNED,
        params: IdParams,
        body: EmptyBody,
        response: respond(WorkloadAnswer),
      },
    },
    async (request) => {
      const { caller } = authOf(request);
      const workload = await market.workloadOf(request.params.id, caller);
      return { orderId: request.params.id, workload: workload === null ? null : workloadJson(workload) };
    },
  );

  // Registration is synchronous; the plugin type asks for a promise.
  return Promise.resolve();
};
