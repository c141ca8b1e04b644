// Routes of providers: a provider's reputation, with the counts, prior and recent outcomes its
// estimate is folded from (the same answer on every node that applied the same events).
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { respond } from "../../contract/common.js";
import { ProviderBody, ProviderParams } from "../../contract/providers.js";
import type { ProviderView } from "../../contract/providers.js";
import { REPUTATION_MODEL } from "../../market/reputation-ledger.js";
import type { RouteDeps } from "./route-deps.js";

const tags = ["providers"];

/** Adds the provider routes. */
export const providerRoutes: FastifyPluginAsyncTypebox<RouteDeps> = (app, { market }) => {
  app.get(
    "/v1/providers/:address",
    {
      schema: {
        tags,
        summary:
          "A provider's reputation: jobs settled, failed, lost, timed out and disputes, uptime from receipts, " +
          "the estimate the match score uses, its prior, and the recent outcomes (a provider without outcomes has the prior)",
        params: ProviderParams,
        response: respond(ProviderBody),
      },
    },
    (request): ProviderView => {
      const report = market.providerReputation(request.params.address);
      return {
        ...report,
        counts: { ...report.counts },
        recent: report.recent.map((outcome) => ({ ...outcome })),
        prior: {
          successes: REPUTATION_MODEL.priorSuccesses,
          failures: REPUTATION_MODEL.priorFailures,
          halfLifeMs: REPUTATION_MODEL.halfLifeMs,
        },
      };
    },
  );
  return Promise.resolve();
};
