// The marketplace's HTTP API: the factory that builds the Fastify app (listen happens elsewhere).
// It sets up what every route shares (JSON bodies kept raw, RFC 9421 signatures and Idempotency-Key
// on every POST, rate limits, metrics, errors as { code, message, details }, the OpenAPI document
// and the live feed) and registers one route plugin per resource. No route and no rule here.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import rateLimit from "@fastify/rate-limit";
import websocket from "@fastify/websocket";
import Fastify from "fastify";
import type { FastifyInstance } from "fastify";
import { systemClock } from "../core/clock.js";
import type { Clock } from "../core/clock.js";
import { MarketError } from "../core/errors.js";
import type { Marketplace } from "../market/marketplace.js";
import { acceptJsonOnly, authenticatePosts } from "./auth.js";
import { clientErrorHandler, errorHandler, frameworkErrors, registerNotFound } from "./http-errors.js";
import { SERVER_LIMITS } from "./limits.js";
import { registerDocs } from "./docs.js";
import { countFeedClients, countRequests, marketMetrics, observeMarket } from "./metrics.js";
import { logRequests, loggerOptions, requestIdOf } from "./request-log.js";
import { refuseBadUpgrades } from "./upgrades.js";
import type { AppLogger } from "./request-log.js";
import { storeNonces } from "./nonce-registry.js";
import { VerifyPool } from "./verify-pool.js";
import type { NonceRegistry } from "./nonce-registry.js";
import { dashboardRoutes } from "./routes/dashboard.js";
import { disputeRoutes } from "./routes/disputes.js";
import { escrowRoutes } from "./routes/escrows.js";
import { extensionRoutes } from "./routes/extension.js";
import { feedRoutes } from "./routes/feed.js";
import { jobRoutes } from "./routes/jobs.js";
import { marketDataRoutes } from "./routes/market-data.js";
import { marketHistoryRoutes } from "./routes/market-history.js";
import { offerRoutes } from "./routes/offers.js";
import { operationRoutes } from "./routes/operations.js";
import { orderRoutes } from "./routes/orders.js";
import { providerRoutes } from "./routes/providers.js";

/** What the app is built from. */
export interface AppDeps {
  readonly market: Marketplace;
  readonly clock?: Clock;
  /** Where accepted signature nonces are recorded (default: the market's store, once across restarts and nodes). */
  readonly nonces?: NonceRegistry;
  /** Requests per minute per client address (default SERVER_LIMITS.requestsPerMinute). */
  readonly requestsPerMinute?: number;
  /** JSON request logs (pino): off by default; `{ level, stream? }` logs at level to stream (default stdout). */
  readonly logger?: AppLogger;
  /**
   * Worker threads that verify request signatures (a VerifyPool, closed with the app); 0, the
   * default, verifies on the main thread. `serve` starts one per spare core.
   */
  readonly verifyThreads?: number;
}

/**
 * Builds the app (not listening). Invariants: a mutating request runs only with a valid signature
 * and an Idempotency-Key; every error is a 4xx { code, message, details } unless the server is broken.
 * @example const app = await buildApp({ market }); await app.listen({ port: 8080 });
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const clock = deps.clock ?? systemClock;
  const nonces = deps.nonces ?? storeNonces(deps.market.store);
  // Unknown fields are refused, not dropped, and nothing is coerced: a client learns what it sent wrong.
  const app = Fastify({
    bodyLimit: SERVER_LIMITS.bodyBytesMax,
    ...loggerOptions(deps.logger),
    genReqId: requestIdOf,
    frameworkErrors,
    clientErrorHandler,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // First, so every answer (a 404, a 429) carries its X-Request-Id and is logged, and so that the
  // plugins registered next (the document's pages among them) inherit the error handler.
  logRequests(app);
  app.setErrorHandler(errorHandler);
  await registerDocs(app);
  await app.register(websocket, { options: { maxPayload: 1024 } });
  refuseBadUpgrades(app);
  const requestsPerMinute = deps.requestsPerMinute ?? SERVER_LIMITS.requestsPerMinute;
  await app.register(rateLimit, {
    max: requestsPerMinute,
    timeWindow: 60_000,
    errorResponseBuilder: (_request, context) =>
      new MarketError("RATE_LIMITED", { limit: "requestsPerMinute", max: requestsPerMinute, retryAfterS: Math.ceil(context.ttl / 1000) }),
  });
  const metrics = marketMetrics(deps.market);
  countRequests(app, metrics);
  countFeedClients(app, metrics);
  observeMarket(app, deps.market, metrics);
  acceptJsonOnly(app);
  const pool = (deps.verifyThreads ?? 0) > 0 ? VerifyPool.start(deps.verifyThreads ?? 0) : undefined;
  if (pool !== undefined) app.addHook("onClose", () => pool.close());
  authenticatePosts(app, { clock, nonces, ...(pool === undefined ? {} : { verify: (a, m, s) => pool.verify(a, m, s) }) });
  registerNotFound(app);

  const routeDeps = { market: deps.market, clock };
  await app.register(operationRoutes, { ...routeDeps, metrics });
  await app.register(feedRoutes, routeDeps);
  await app.register(offerRoutes, routeDeps);
  await app.register(orderRoutes, routeDeps);
  await app.register(jobRoutes, routeDeps);
  await app.register(escrowRoutes, routeDeps);
  await app.register(extensionRoutes, routeDeps);
  await app.register(disputeRoutes, routeDeps);
  await app.register(marketDataRoutes, routeDeps);
  await app.register(marketHistoryRoutes, routeDeps);
  await app.register(providerRoutes, routeDeps);
  await app.register(dashboardRoutes);

  await app.ready();
  return app;
}
