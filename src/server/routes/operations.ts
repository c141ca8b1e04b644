// Routes an operator watches: /healthz (up, and the last event seq applied) and /metrics
// (Prometheus text). The OpenAPI document itself is served at /docs by the app.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { HealthBody } from "../../contract/market-data.js";
import type { MarketMetrics } from "../metrics.js";
import type { RouteDeps } from "./route-deps.js";

const tags = ["operations"];

/** What GET /metrics serves, for the document. */
const METRICS_DESCRIPTION = [
  "Prometheus text exposition (prom-client), for a scraper. Series of this process:",
  "",
  "- `molt_http_requests_total{method,route,status}` and `molt_http_request_duration_seconds{method,route,status_class}` (histogram): route is the route pattern (`/v1/orders/:id`), `unmatched` for a path no route takes;",
  "- `molt_commands_total{command,outcome}`: market commands by name and outcome (`ok`, or the error code);",
  "- `molt_chain_transactions_total{kind,outcome}` and `molt_chain_transaction_confirm_seconds{kind}` (histogram): escrow steps (fundEscrow, settle, refund, resolve, extendJob) and airdrops;",
  "- `molt_settled_volume_base_units_total{op}`, `molt_platform_fees_base_units_total{op}`, `molt_refunded_base_units_total{op}`, `molt_payouts_total{op,status}`: payouts recorded, in MOLT base units (1 MOLT = 1e9; floats, for display);",
  "- `molt_sweeper_actions_total{kind}`: expiredOffers, expiredOrders, unfunded, timedOut, lost, settlementsDue;",
  "- gauges `molt_book_offers`, `molt_book_resting_orders`, `molt_book_allocations`, `molt_feed_seq`, `molt_feed_clients`;",
  "- Node.js process metrics (`process_*`, `nodejs_*`).",
].join("\n");

const METRICS_EXAMPLE = [
  "# HELP molt_http_requests_total HTTP requests answered, by method, route pattern and status",
  "# TYPE molt_http_requests_total counter",
  'molt_http_requests_total{method="GET",route="/v1/orders/:id",status="200"} 42',
  "# HELP molt_commands_total Market commands answered, by command and outcome (ok, or the error code)",
  "# TYPE molt_commands_total counter",
  'molt_commands_total{command="submitOrder",outcome="ok"} 17',
  'molt_commands_total{command="submitOrder",outcome="INSUFFICIENT_FUNDS"} 2',
  "",
].join("\n");

/** Adds /healthz and /metrics. */
export const operationRoutes: FastifyPluginAsyncTypebox<RouteDeps & { readonly metrics: MarketMetrics }> = (app, { market, metrics }) => {
  app.get(
    "/healthz",
    { schema: { tags, summary: "Is the server up, and the last event seq it applied", response: { 200: HealthBody } } },
    () => ({ status: "ok" as const, seq: market.lastSeq }),
  );

  app.get(
    "/metrics",
    {
      schema: {
        tags,
        summary: "Prometheus metrics of this process",
        description: METRICS_DESCRIPTION,
        response: {
          200: {
            description: "Prometheus text format 0.0.4",
            content: { "text/plain": { schema: { type: "string" }, example: METRICS_EXAMPLE } },
          },
        },
      },
    },
    async (_request, reply) => reply.header("content-type", metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  // Registration is synchronous; the plugin type asks for a promise.
  return Promise.resolve();
};
