// The route of a job's extension: the buyer adds whole hours to its Escrowed or Running job and
// deposits their cost into the same escrow, co-signed like a funding (428 SIGNATURE_REQUIRED first,
// then the same request with chainSignature). Rules live in the market.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { PresentedSignature } from "../../chain/signer.js";
import { IdParams, respond } from "../../contract/common.js";
import { ExtendBody, ExtensionBody, extensionJson } from "../../contract/extension.js";
import { SIGNED } from "../../contract/openapi.js";
import { authOf } from "../auth.js";
import type { RouteDeps } from "./route-deps.js";

/** Adds POST /v1/orders/:id/extend. */
export const extensionRoutes: FastifyPluginAsyncTypebox<RouteDeps> = (app, { market }) => {
  app.post(
    "/v1/orders/:id/extend",
    {
      schema: {
        tags: ["jobs"],
        summary:
          "Extend an Escrowed or Running job by whole hours, depositing price x GPUs x hours into its escrow (its buyer only, co-signed)",
        description:
          "Refused with EXTENSION_REFUSED when the offer does not take the longer job (its longest job, its expiry) or the job was extended too often; the message says by how many hours it can be. First answer: 428 SIGNATURE_REQUIRED with the transaction message to sign; send the same request (same Idempotency-Key) again with chainSignature.",
        security: SIGNED,
        params: IdParams,
        body: ExtendBody,
        response: respond(ExtensionBody),
      },
    },
    async (request) => {
      const { caller, key } = authOf(request);
      const body = request.body;
      const { escrow, extension } = await market.extendJob(
        key,
        request.params.id,
        body.hours,
        new PresentedSignature(caller, body.chainSignature),
      );
      return extensionJson(escrow, extension);
    },
  );
  // Registration is synchronous; the plugin type asks for a promise.
  return Promise.resolve();
};
