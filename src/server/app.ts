// The marketplace's HTTP API (issue 6, begun): a Fastify app built by a factory (listen happens
// elsewhere), TypeBox schemas for bodies and responses, RFC 9421 signatures on every mutating
// request, Idempotency-Key on every POST, and MarketErrors as { code, message, details }.
import { Type } from "@sinclair/typebox";
import type { Static } from "@sinclair/typebox";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import rateLimit from "@fastify/rate-limit";
import websocket from "@fastify/websocket";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify from "fastify";
import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Amount } from "../core/amount.js";
import { systemClock } from "../core/clock.js";
import type { Clock } from "../core/clock.js";
import { parseFeature } from "../core/enums.js";
import { MarketError, assertIntInRange, isMarketError } from "../core/errors.js";
import { normalizeGpuModel } from "../core/gpu-model.js";
import { createOrder } from "../core/order.js";
import type { BookOffer } from "../core/types.js";
import { parseAddress } from "../core/address.js";
import type { Address } from "../core/address.js";
import type { Marketplace } from "../market/marketplace.js";
import type { Attestation, Dispute } from "../settlement/statements.js";
import { registerFeed } from "./feed.js";
import { clientErrorHandler, frameworkErrors, registerNotFound } from "./http-errors.js";
import { matchJson, registerSettlementRoutes } from "./settlement-routes.js";
import { AddressText, AttestationBody, DisputeBody, EmptyBody, EventBody, ID_PARAM_EXPECTED, ID_PARAM_LENGTH_MAX, IdParams, MatchBody, ModelStats, OfferBody, OrderBody, QueryInt, QuoteQuery, Decimal, SubmittedOrder, respond } from "./schemas.js";
import { verifySignature } from "./http-signature.js";
import { recordNonce, storeNonces } from "./nonce-registry.js";
import type { NonceRegistry } from "./nonce-registry.js";

/** Named bounds of the HTTP API. */
export const SERVER_LIMITS = {
  /** Largest request body. */
  bodyBytesMax: 64 * 1024,
  /** Characters of a refused Content-Type repeated in an error's details at most. */
  contentTypeEchoLengthMax: 100,
  /** Longest Idempotency-Key header; the market's key is `<caller address>:<header>`, within MARKET_LIMITS.keyLengthMax. */
  idempotencyKeyLengthMax: 100,
  /** Most matches one quote returns. */
  quoteLimitMax: 100,
  /** Events one feed page returns at most. */
  eventPageMax: 1000,
  /** How long market stats are reused before they are computed again. */
  statsTtlMs: 1000,
  /** Requests one client address may make per minute. */
  requestsPerMinute: 6000,
} as const;

/** The id a quote's matches carry (a quote records nothing). */
export const QUOTE_ORDER_ID = "ord_00000000000000000000000000";

/** What the app is built from. */
export interface AppDeps {
  readonly market: Marketplace;
  readonly clock?: Clock;
  /** Where accepted signature nonces are recorded (default: the market's store, once across restarts and nodes). */
  readonly nonces?: NonceRegistry;
  /** Requests per minute per client address (default SERVER_LIMITS.requestsPerMinute). */
  readonly requestsPerMinute?: number;
}

declare module "fastify" {
  interface FastifyRequest {
    /** The raw body bytes, for the content digest. */
    rawBody?: Buffer;
    /** The signer and market idempotency key of a mutating request, set before validation. */
    auth?: { readonly caller: Address; readonly key: string };
  }
}

/** Per GPU model (normalized): active offers, free GPUs, lowest and median price per GPU-hour. */
export function modelStats(offers: readonly BookOffer[]): Static<typeof ModelStats>[] {
  const byModel = new Map<string, BookOffer[]>();
  for (const offer of offers) {
    const model = normalizeGpuModel(offer.gpuCapacity.gpuModel);
    const list = byModel.get(model);
    if (list === undefined) byModel.set(model, [offer]);
    else list.push(offer);
  }
  return [...byModel]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([gpuModel, list]) => {
      const prices = list.map((o) => o.pricePerHour).sort((a, b) => a.compare(b));
      // The lower middle price: a median that is always one of the listed prices, exact to the base unit.
      const median = prices[Math.floor((prices.length - 1) / 2)];
      return { gpuModel, offers: list.length, freeGpus: list.reduce((n, o) => n + o.freeGpuCount, 0), lowestPrice: prices[0]?.toString() ?? "0", medianPrice: median?.toString() ?? "0" };
    });
}

/** The server's Prometheus metrics: default process metrics, requests by route and status, and the book's size. */
function marketMetrics(market: Marketplace): { readonly registry: Registry; readonly requests: Counter<"method" | "route" | "status"> } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({ name: "molt_http_requests_total", help: "HTTP requests answered, by method, route and status", labelNames: ["method", "route", "status"] as const, registers: [registry] });
  const gauge = (name: string, help: string, read: () => number): void => {
    new Gauge({ name, help, registers: [registry], collect() { this.set(read()); } });
  };
  gauge("molt_book_offers", "Offers in the book (active and paused)", () => market.book.offerCount);
  gauge("molt_book_resting_orders", "Orders resting in the book", () => market.book.pendingOrders().length);
  gauge("molt_book_allocations", "Matched orders holding GPUs", () => market.book.allocationCount);
  gauge("molt_feed_seq", "Last event seq this process applied", () => market.lastSeq);
  return { registry, requests };
}


/**
 * Builds the app (not listening). Invariants: a mutating request runs only with a valid signature
 * and an Idempotency-Key; every error is a 4xx { code, message, details } unless the server is broken.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const clock = deps.clock ?? systemClock;
  const nonces = deps.nonces ?? storeNonces(deps.market.store);
  // Unknown fields are refused, not dropped, and nothing is coerced: a client learns what it sent wrong.
  const app = Fastify({ bodyLimit: SERVER_LIMITS.bodyBytesMax, logger: false, frameworkErrors, clientErrorHandler, ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } } }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(swagger, {
    openapi: {
      info: { title: "molt-market", version: "0.1.0", description: "Order book, escrow and settlement of a GPU compute marketplace paid in MOLT. Mutating requests are signed (RFC 9421, ed25519 wallet key) and carry an Idempotency-Key." },
      components: { securitySchemes: { httpMessageSignature: { type: "apiKey", in: "header", name: "Signature", description: "RFC 9421 signature (ed25519) covering @method, @path, content-digest and idempotency-key in any order; Signature-Input gives created, keyid (wallet address) and nonce, optionally alg (ed25519) and expires" } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  await app.register(websocket, { options: { maxPayload: 1024 } });
  const requestsPerMinute = deps.requestsPerMinute ?? SERVER_LIMITS.requestsPerMinute;
  await app.register(rateLimit, {
    max: requestsPerMinute,
    timeWindow: 60_000,
    errorResponseBuilder: (_request, context) => new MarketError("RATE_LIMITED", { limit: "requestsPerMinute", max: requestsPerMinute, retryAfterS: Math.ceil(context.ttl / 1000) }),
  });
  const metrics = marketMetrics(deps.market);
  app.addHook("onResponse", (request, reply, done) => {
    metrics.requests.inc({ method: request.method, route: request.routeOptions.url ?? "unknown", status: String(reply.statusCode) });
    done();
  });

  // JSON is the only body: its raw bytes are kept for the content digest. Any other content type
  // (Fastify's text/plain parser included) is refused before authentication, so no body reaches a
  // route without its bytes checked; a request with no body and no content type has rawBody unset.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (request, _payload, done) => {
    done(new MarketError("UNSUPPORTED_MEDIA_TYPE", { contentType: (request.headers["content-type"] ?? "none").slice(0, SERVER_LIMITS.contentTypeEchoLengthMax), allowed: "application/json" }), undefined);
  });
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (request, body: Buffer, done) => {
    request.rawBody = body;
    if (body.length === 0) {
      done(null, {});
      return;
    }
    try {
      done(null, JSON.parse(body.toString("utf8")) as unknown);
    } catch {
      done(new MarketError("INVALID_FIELD", { field: "body", value: `${body.length} bytes`, allowed: "a JSON document" }), undefined);
    }
  });

  app.setErrorHandler((error: unknown, request, reply) => {
    if (isMarketError(error)) return reply.status(error.httpStatus).send(error.toJSON());
    const fastifyError = error as { validation?: unknown; validationContext?: string; statusCode?: number; code?: string; message?: string };
    const params = request.params as Record<string, unknown> | undefined;
    if (fastifyError.validation !== undefined && fastifyError.validationContext === "params" && typeof params?.id === "string") {
      return reply.status(400).send(new MarketError("INVALID_ID", { kind: "path", value: params.id.slice(0, ID_PARAM_LENGTH_MAX), expected: ID_PARAM_EXPECTED }).toJSON());
    }
    if (fastifyError.validation !== undefined) {
      return reply.status(400).send(new MarketError("INVALID_FIELD", { field: "request", value: "as sent", allowed: fastifyError.message ?? "see /docs" }).toJSON());
    }
    if (fastifyError.code === "FST_ERR_CTP_BODY_TOO_LARGE") return reply.status(422).send(new MarketError("LIMIT_EXCEEDED", { limit: "bodyBytesMax", max: SERVER_LIMITS.bodyBytesMax }).toJSON());
    if (fastifyError.statusCode !== undefined && fastifyError.statusCode < 500) {
      return reply.status(fastifyError.statusCode).send(new MarketError("INVALID_FIELD", { field: "request", value: fastifyError.code ?? "", allowed: fastifyError.message ?? "" }).toJSON());
    }
    return reply.status(500).send({ code: "INTERNAL", message: "the server failed; nothing was acknowledged", details: {} });
  });

  /**
   * Verifies the signature (over the raw body bytes) and the Idempotency-Key of a mutating request,
   * then records its nonce in the store; returns the market key. A refused request records nothing.
   */
  const authorize = async (request: FastifyRequest): Promise<{ readonly caller: Address; readonly key: string }> => {
    const path = request.url.split("?")[0] ?? request.url;
    const nowMs = clock.now();
    const verified = verifySignature({ method: request.method, path, body: request.rawBody ?? "" }, request.headers, nowMs);
    const key = request.headers["idempotency-key"];
    if (typeof key !== "string" || key.length === 0 || key.length > SERVER_LIMITS.idempotencyKeyLengthMax) {
      throw new MarketError("INVALID_FIELD", { field: "Idempotency-Key", value: typeof key === "string" ? `${key.length} characters` : "missing", allowed: `one header of 1..${SERVER_LIMITS.idempotencyKeyLengthMax} characters on every POST` });
    }
    await recordNonce(nonces, verified, nowMs);
    // Keys are per caller: one caller's key never answers another's request.
    return { caller: verified.keyid, key: `${verified.keyid}:${key}` };
  };
  // A mutating request is authenticated before its body is validated: a forged request learns nothing about schemas.
  app.addHook("preValidation", async (request) => {
    if (request.method !== "POST") return;
    request.auth = await authorize(request);
  });
  const authOf = (request: FastifyRequest): { readonly caller: Address; readonly key: string } => {
    if (request.auth === undefined) throw new MarketError("UNAUTHORIZED", { reason: "the request is not signed" });
    return request.auth;
  };
  const send = (reply: FastifyReply, value: unknown): FastifyReply => reply.status(200).send(value);
  /** A command that takes no body: a request without one is validated as `{}`, so EmptyBody refuses any field. */
  const noBody = { body: EmptyBody };
  const bodyless = (request: FastifyRequest, _reply: FastifyReply, done: () => void): void => {
    if (request.body === undefined) request.body = {};
    done();
  };

  app.get("/metrics", { schema: { hide: true } }, async (_request, reply) => reply.header("content-type", metrics.registry.contentType).send(await metrics.registry.metrics()));

  registerFeed(app, deps.market);
  registerNotFound(app);
  registerSettlementRoutes(app, { market: deps.market, authOf });

  app.get("/healthz", { schema: { response: { 200: Type.Object({ status: Type.Literal("ok"), seq: Type.Integer() }) } } }, () => ({ status: "ok" as const, seq: deps.market.lastSeq }));

  app.post("/v1/offers", { schema: { body: OfferBody, response: respond(Type.Object({ offerId: Type.String() })) } }, async (request, reply) => {
    const { caller, key } = authOf(request);
    const body: Static<typeof OfferBody> = request.body;
    return send(reply, await deps.market.addOffer(key, { ...body, providerId: caller } as never));
  });

  for (const action of ["pause", "resume", "withdraw"] as const) {
    app.post(`/v1/offers/:id/${action}`, { preValidation: bodyless, schema: { params: IdParams, ...noBody, response: respond(Type.Object({ offerId: Type.String() })) } }, async (request, reply) => {
      const { caller, key } = authOf(request);
      const { id } = request.params;
      if (action === "pause") await deps.market.pauseOffer(key, id, caller);
      else if (action === "resume") await deps.market.resumeOffer(key, id, caller);
      else await deps.market.withdrawOffer(key, id, caller);
      return send(reply, { offerId: id });
    });
  }

  app.post("/v1/orders", { schema: { body: OrderBody, response: respond(SubmittedOrder) } }, async (request, reply) => {
    const { caller, key } = authOf(request);
    const body: Static<typeof OrderBody> = request.body;
    const result = await deps.market.submitOrder(key, { ...body, buyerId: caller } as never);
    return send(reply, result.match === undefined ? result : { ...result, match: matchJson(result.match) });
  });

  app.post("/v1/orders/:id/cancel", { preValidation: bodyless, schema: { params: IdParams, ...noBody, response: respond(Type.Object({ orderId: Type.String() })) } }, async (request, reply) => {
    const { caller, key } = authOf(request);
    await deps.market.cancelOrder(key, request.params.id, caller);
    return send(reply, { orderId: request.params.id });
  });

  const OrderStatusBody = Type.Object({ orderId: Type.String(), status: Type.String() });

  app.post("/v1/orders/:id/start", { preValidation: bodyless, schema: { params: IdParams, ...noBody, response: respond(OrderStatusBody) } }, async (request, reply) => {
    const { caller, key } = authOf(request);
    await deps.market.startJob(key, request.params.id, caller);
    return send(reply, { orderId: request.params.id, status: (await deps.market.getOrder(request.params.id)).status });
  });

  for (const action of ["complete", "fail"] as const) {
    app.post(`/v1/orders/:id/${action}`, { schema: { params: IdParams, body: AttestationBody, response: respond(OrderStatusBody) } }, async (request, reply) => {
      const { caller, key } = authOf(request);
      const attestation = request.body.attestation as unknown as Attestation;
      if (action === "complete") await deps.market.completeJob(key, request.params.id, attestation, caller);
      else await deps.market.failJob(key, request.params.id, attestation, caller);
      return send(reply, { orderId: request.params.id, status: (await deps.market.getOrder(request.params.id)).status });
    });
  }

  app.post("/v1/orders/:id/dispute", { schema: { params: IdParams, body: DisputeBody, response: respond(OrderStatusBody) } }, async (request, reply) => {
    const { caller, key } = authOf(request);
    const dispute = request.body.dispute as unknown as Dispute;
    if (dispute.openedBy !== caller) throw new MarketError("FORBIDDEN", { actor: caller, action: `open a dispute signed by ${dispute.openedBy}`, allowed: "the dispute's signer" });
    await deps.market.openDispute(key, request.params.id, dispute);
    return send(reply, { orderId: request.params.id, status: (await deps.market.getOrder(request.params.id)).status });
  });

  app.get("/v1/balances/:address", { schema: { params: Type.Object({ address: AddressText }), response: respond(Type.Object({ address: Type.String(), molt: Type.String() })) } }, async (request, reply) => {
    const address = parseAddress(request.params.address);
    return send(reply, { address, molt: (await deps.market.payments.client.balance(address)).toString() });
  });

  app.post("/v1/airdrops", { schema: { body: Type.Object({ molt: Decimal }, { additionalProperties: false }), response: respond(Type.Object({ address: Type.String(), molt: Type.String(), transactionId: Type.String() })) } }, async (request, reply) => {
    const { caller, key } = authOf(request);
    // Minting test MOLT is refused on mainnet and capped per airdrop by the chain client.
    return send(reply, await deps.market.airdrop(key, caller, Amount.parse(request.body.molt)));
  });

  app.get("/v1/quote", { schema: { querystring: QuoteQuery, response: respond(Type.Object({ matches: Type.Array(MatchBody) })) } }, (request, reply) => {
    const q = request.query;
    const limit = q.limit === undefined ? 10 : Number(q.limit);
    assertIntInRange("limit", limit, 1, SERVER_LIMITS.quoteLimitMax);
    const order = createOrder(
      {
        // A quote is no order: one fixed id spares a fresh id per request.
        id: QUOTE_ORDER_ID,
        buyerId: "quote",
        requirements: {
          minGpuCount: Number(q.gpus), minVramGb: Number(q.vram ?? 0), maxPricePerHour: q.maxPrice, estimatedHours: Number(q.hours),
          requiredFeatures: q.features === undefined || q.features === "" ? [] : q.features.split(",").map((f) => parseFeature(f.trim(), "features")),
          ...(q.region === undefined && q.country === undefined ? {} : { location: { ...(q.region === undefined ? {} : { region: q.region }), ...(q.country === undefined ? {} : { country: q.country }) } }),
        },
      },
      { clock },
    );
    const matches = deps.market.book.matchOrder(order, limit);
    return send(reply, { matches: matches.map(matchJson) });
  });

  let stats: { readonly atMs: number; readonly models: Static<typeof ModelStats>[] } | undefined;
  app.get("/v1/stats", { schema: { response: respond(Type.Object({ models: Type.Array(ModelStats) })) } }, (_request, reply) => {
    const nowMs = clock.now();
    if (stats === undefined || nowMs - stats.atMs >= SERVER_LIMITS.statsTtlMs) stats = { atMs: nowMs, models: modelStats(deps.market.book.activeOffers()) };
    return send(reply, { models: stats.models });
  });

  app.get("/v1/events", { schema: { querystring: Type.Object({ after: Type.Optional(Type.String({ pattern: "^\\d{1,15}$" })), limit: Type.Optional(QueryInt) }, { additionalProperties: false }), response: respond(Type.Object({ events: Type.Array(EventBody) })) } }, async (request, reply) => {
    const limit = Number(request.query.limit ?? SERVER_LIMITS.eventPageMax);
    assertIntInRange("limit", limit, 1, SERVER_LIMITS.eventPageMax);
    return send(reply, { events: await deps.market.events(Number(request.query.after ?? 0), limit) });
  });

  await app.ready();
  return app;
}
