// Routes an operator watches: /healthz (up, and the last event seq applied) and /metrics
// (Prometheus, kept out of the OpenAPI document). The document itself is served at /docs by the app.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { HealthBody } from "../../contract/market-data.js";
import type { MarketMetrics } from "../metrics.js";
import type { RouteDeps } from "./route-deps.js";

const tags = ["operations"];

/** Adds /healthz and /metrics. */
export const operationRoutes: FastifyPluginAsyncTypebox<RouteDeps & { readonly metrics: MarketMetrics }> = (app, { market, metrics }) => {
  app.get(
    "/healthz",
    { schema: { tags, summary: "Is the server up, and the last event seq it applied", response: { 200: HealthBody } } },
    () => ({ status: "ok" as const, seq: market.lastSeq }),
  );

  app.get("/metrics", { schema: { hide: true, tags, summary: "Prometheus metrics" } }, async (_request, reply) =>
    reply.header("content-type", metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  // Registration is synchronous; the plugin type asks for a promise.
  return Promise.resolve();
};
