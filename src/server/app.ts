// The marketplace's HTTP API (issue 6, begun): a Fastify app built by a factory (listen happens
// elsewhere), TypeBox schemas for bodies and responses, RFC 9421 signatures on every mutating
// request, Idempotency-Key on every POST, and MarketErrors as { code, message, details }.
import { Type } from "@sinclair/typebox";
import type { Static, TSchema } from "@sinclair/typebox";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify from "fastify";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { systemClock } from "../core/clock.js";
import type { Clock } from "../core/clock.js";
import { MarketError, isMarketError } from "../core/errors.js";
import type { Address } from "../chain/address.js";
import type { Marketplace } from "../market/marketplace.js";
import { NonceStore, verifyRequest } from "./http-signature.js";

/** Named bounds of the HTTP API. */
export const SERVER_LIMITS = {
  /** Largest request body. */
  bodyBytesMax: 64 * 1024,
  /** Longest Idempotency-Key. */
  idempotencyKeyLengthMax: 100,
} as const;

/** What the app is built from. */
export interface AppDeps {
  readonly market: Marketplace;
  readonly clock?: Clock;
  readonly nonces?: NonceStore;
}

const ErrorBody = Type.Object({ code: Type.String(), message: Type.String(), details: Type.Record(Type.String(), Type.Unknown()) });
const Decimal = Type.String({ pattern: "^\\d{1,20}(\\.\\d{1,9})?$", description: "MOLT as a decimal string" });
const Feature = Type.Union(["NvLink", "Infiniband", "FP8", "HighBandwidthMemory", "DedicatedHost"].map((f) => Type.Literal(f)));
const Location = Type.Object({ region: Type.Optional(Type.String({ maxLength: 64 })), country: Type.Optional(Type.String({ minLength: 2, maxLength: 2 })) }, { additionalProperties: false });
const OfferBody = Type.Object(
  {
    gpuCapacity: Type.Object(
      {
        gpuCount: Type.Integer({ minimum: 1, maximum: 1024 }),
        gpuModel: Type.String({ minLength: 1, maxLength: 128 }),
        vramGb: Type.Integer({ minimum: 1, maximum: 2048 }),
        computeCapability: Type.Optional(Type.String({ maxLength: 8 })),
        memoryBandwidth: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
        currentUtilization: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
      },
      { additionalProperties: false },
    ),
    pricePerHour: Decimal,
    availableHours: Type.Integer({ minimum: 1, maximum: 8784 }),
    minCommitmentHours: Type.Optional(Type.Integer({ minimum: 0, maximum: 8784 })),
    expiresAt: Type.Optional(Type.String({ format: "date-time", maxLength: 40 })),
    features: Type.Optional(Type.Array(Feature, { maxItems: 10 })),
    location: Type.Optional(Location),
  },
  { additionalProperties: false },
);
const OrderBody = Type.Object(
  {
    requirements: Type.Object(
      {
        minGpuCount: Type.Integer({ minimum: 1, maximum: 1024 }),
        minVramGb: Type.Integer({ minimum: 0, maximum: 2048 }),
        maxPricePerHour: Decimal,
        estimatedHours: Type.Integer({ minimum: 1, maximum: 8784 }),
        preferredModels: Type.Optional(Type.Array(Type.String({ maxLength: 128 }), { maxItems: 16 })),
        requiredFeatures: Type.Optional(Type.Array(Feature, { maxItems: 10 })),
        location: Type.Optional(Location),
      },
      { additionalProperties: false },
    ),
    maxBudget: Type.Optional(Decimal),
    priority: Type.Optional(Type.Union(["Low", "Normal", "High", "Critical"].map((p) => Type.Literal(p)))),
    expiresAt: Type.Optional(Type.String({ format: "date-time", maxLength: 40 })),
  },
  { additionalProperties: false },
);
const MatchBody = Type.Object({
  orderId: Type.String(),
  offerId: Type.String(),
  providerId: Type.String(),
  gpuCount: Type.Integer(),
  pricePerHour: Type.String(),
  hours: Type.Integer(),
  totalCost: Type.String(),
  score: Type.Number(),
});
const SubmittedOrder = Type.Object({ orderId: Type.String(), status: Type.String(), match: Type.Optional(MatchBody) });
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

declare module "fastify" {
  interface FastifyRequest {
    /** The raw body bytes, for the content digest. */
    rawBody?: Buffer;
    /** The signer and market idempotency key of a mutating request, set before validation. */
    auth?: { readonly caller: Address; readonly key: string };
  }
}

function respond(schema: TSchema): Record<number, TSchema> {
  return { 200: schema, 400: ErrorBody, 401: ErrorBody, 402: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 410: ErrorBody, 422: ErrorBody };
}

/**
 * Builds the app (not listening). Invariants: a mutating request runs only with a valid signature
 * and an Idempotency-Key; every error is a 4xx { code, message, details } unless the server is broken.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const clock = deps.clock ?? systemClock;
  const nonces = deps.nonces ?? new NonceStore();
  // Unknown fields are refused, not dropped, and nothing is coerced: a client learns what it sent wrong.
  const app = Fastify({ bodyLimit: SERVER_LIMITS.bodyBytesMax, logger: false, ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } } }).withTypeProvider<TypeBoxTypeProvider>();

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

  app.setErrorHandler((error: unknown, _request, reply) => {
    if (isMarketError(error)) return reply.status(error.httpStatus).send(error.toJSON());
    const fastifyError = error as { validation?: unknown; statusCode?: number; code?: string; message?: string };
    if (fastifyError.validation !== undefined) {
      return reply.status(400).send(new MarketError("INVALID_FIELD", { field: "request", value: "as sent", allowed: fastifyError.message ?? "see /docs" }).toJSON());
    }
    if (fastifyError.code === "FST_ERR_CTP_BODY_TOO_LARGE") return reply.status(422).send(new MarketError("LIMIT_EXCEEDED", { limit: "bodyBytesMax", max: SERVER_LIMITS.bodyBytesMax }).toJSON());
    if (fastifyError.statusCode !== undefined && fastifyError.statusCode < 500) {
      return reply.status(fastifyError.statusCode).send(new MarketError("INVALID_FIELD", { field: "request", value: fastifyError.code ?? "", allowed: fastifyError.message ?? "" }).toJSON());
    }
    return reply.status(500).send({ code: "INTERNAL", message: "the server failed; nothing was acknowledged", details: {} });
  });

  /** Verifies the signature and the Idempotency-Key of a mutating request; returns the market key. */
  const authorize = (request: FastifyRequest): { readonly caller: Address; readonly key: string } => {
    const path = request.url.split("?")[0] ?? request.url;
    const caller = verifyRequest({ method: request.method, path, body: request.rawBody ?? "" }, request.headers, clock.now(), nonces);
    const key = request.headers["idempotency-key"];
    if (typeof key !== "string" || key.length === 0 || key.length > SERVER_LIMITS.idempotencyKeyLengthMax) {
      throw new MarketError("INVALID_FIELD", { field: "Idempotency-Key", value: typeof key === "string" ? `${key.length} characters` : "missing", allowed: `one header of 1..${SERVER_LIMITS.idempotencyKeyLengthMax} characters on every POST` });
    }
    // Keys are per caller: one caller's key never answers another's request.
    return { caller, key: `${caller}:${key}` };
  };
  // A mutating request is authenticated before its body is validated: a forged request learns nothing about schemas.
  app.addHook("preValidation", (request, _reply, done) => {
    if (request.method !== "POST") {
      done();
      return;
    }
    try {
      request.auth = authorize(request);
      done();
    } catch (e) {
      done(e as Error);
    }
  });
  const authOf = (request: FastifyRequest): { readonly caller: Address; readonly key: string } => {
    if (request.auth === undefined) throw new MarketError("UNAUTHORIZED", { reason: "the request is not signed" });
    return request.auth;
  };
  const send = (reply: FastifyReply, value: unknown): FastifyReply => reply.status(200).send(value);

  app.get("/healthz", { schema: { response: { 200: Type.Object({ status: Type.Literal("ok"), seq: Type.Integer() }) } } }, () => ({ status: "ok" as const, seq: deps.market.lastSeq }));

  app.post("/v1/offers", { schema: { body: OfferBody, response: respond(Type.Object({ offerId: Type.String() })) } }, async (request, reply) => {
    const { caller, key } = authOf(request);
    const body: Static<typeof OfferBody> = request.body;
    return send(reply, await deps.market.addOffer(key, { ...body, providerId: caller } as never));
  });

  for (const action of ["pause", "resume", "withdraw"] as const) {
    app.post(`/v1/offers/:id/${action}`, { schema: { params: IdParams, response: respond(Type.Object({ offerId: Type.String() })) } }, async (request, reply) => {
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
    return send(reply, result.match === undefined ? result : { ...result, match: { ...result.match, pricePerHour: result.match.pricePerHour.toString(), totalCost: result.match.totalCost.toString() } });
  });

  app.post("/v1/orders/:id/cancel", { schema: { params: IdParams, response: respond(Type.Object({ orderId: Type.String() })) } }, async (request, reply) => {
    const { caller, key } = authOf(request);
    await deps.market.cancelOrder(key, request.params.id, caller);
    return send(reply, { orderId: request.params.id });
  });

  app.get("/v1/orders/:id", { schema: { params: IdParams, response: respond(Type.Object({ orderId: Type.String(), status: Type.String(), buyerId: Type.String(), offerId: Type.Union([Type.String(), Type.Null()]), escrowId: Type.Union([Type.String(), Type.Null()]) })) } }, async (request, reply) => {
    const order = await deps.market.getOrder(request.params.id);
    return send(reply, { orderId: order.orderId, status: order.status, buyerId: order.buyerId, offerId: order.offerId, escrowId: order.escrowId });
  });

  await app.ready();
  return app;
}
