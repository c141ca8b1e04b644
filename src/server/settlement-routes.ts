// The routes of a job's money and its reads: fund the escrow, settle, refund, the arbiter's dispute
// decision and a party's acceptance of it; the order, its escrow and the offers as JSON. A step
// that sends a chain transaction needs the buyer's or provider's own signature on it: the first
// request answers SIGNATURE_REQUIRED (428) with the exact message, the repeat brings chainSignature.
// Registers routes only; the rules live in the Marketplace.
import { Type } from "@sinclair/typebox";
import type { Static } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Amount } from "../core/amount.js";
import { MarketError, assertIntInRange } from "../core/errors.js";
import type { BookOffer, OrderMatch } from "../core/types.js";
import type { Address } from "../core/address.js";
import { PresentedSignature } from "../chain/signer.js";
import type { Marketplace, OrderView } from "../market/marketplace.js";
import type { EscrowAccount } from "../settlement/escrow-account.js";
import type { Confirmation } from "../settlement/statements.js";
import { AddressText, Decimal, Digest, IdParams, MatchBody, QueryInt, SignatureHex, respond } from "./schemas.js";

/** Most offers one listing returns. */
export const OFFER_PAGE_MAX = 100;

const Base64 = (maxLength: number): ReturnType<typeof Type.String> => Type.String({ pattern: "^[A-Za-z0-9+/]*={0,2}$", minLength: 4, maxLength });
/** A party's signature over the transaction message SIGNATURE_REQUIRED handed out. */
const ChainSignature = Type.Object(
  { message: Base64(1700), signature: Base64(88) },
  { additionalProperties: false, description: "The transaction message from SIGNATURE_REQUIRED's details.message, unchanged, and the party's ed25519 signature over it, both base64" },
);
const ChainStepBody = Type.Object({ chainSignature: Type.Optional(ChainSignature) }, { additionalProperties: false });
const ConfirmationBody = Type.Object(
  {
    escrowId: Type.String({ maxLength: 64 }),
    proofDigest: Digest,
    buyer: AddressText,
    accepted: Type.Boolean(),
    billedSeconds: Type.Integer({ minimum: 0, maximum: 8784 * 3600 }),
    reason: Type.String({ maxLength: 256 }),
    signature: SignatureHex,
  },
  { additionalProperties: false },
);
const SettleBody = Type.Object(
  {
    actualHours: Type.Optional(Type.String({ pattern: "^\\d{1,4}(\\.\\d{1,9})?$", description: "hours to bill, as a decimal string (whole seconds); absent, the provider's attested time. Only the provider may bill less than it attested" })),
    confirmation: Type.Optional(ConfirmationBody),
    chainSignature: Type.Optional(ChainSignature),
  },
  { additionalProperties: false },
);
const DecisionBody = Type.Object({ providerShare: Decimal, reason: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false });

const EscrowBody = Type.Object({
  escrowId: Type.String(),
  state: Type.String(),
  orderId: Type.String(),
  offerId: Type.String(),
  buyer: Type.String(),
  provider: Type.String(),
  arbiter: Type.String(),
  feeRecipient: Type.String(),
  amount: Type.String(),
  pricePerHour: Type.String(),
  gpuCount: Type.Integer(),
  allocatedSeconds: Type.Integer(),
  feeBps: Type.Integer(),
  ratePerSecond: Type.String({ description: "base units per second for all the job's GPUs" }),
  feeRatePerSecond: Type.String({ description: "the platform fee's part of each second, base units" }),
  mint: Type.String({ description: "the MOLT mint" }),
  createdAt: Type.String(),
  lockedUntil: Type.String(),
  address: Type.String({ description: "the escrow's token account" }),
  multisig: Type.String({ description: "its 2-of-3 owner: buyer, provider, arbiter" }),
  jobEndedAt: Type.Optional(Type.String()),
  proofDigest: Type.Optional(Type.String()),
  disputeId: Type.Optional(Type.String()),
  releasedAt: Type.Optional(Type.String()),
  transactionId: Type.Optional(Type.String()),
  settlementTransactionId: Type.Optional(Type.String()),
});
const JobBody = Type.Object({
  gpuModel: Type.Optional(Type.String()),
  startedAtMs: Type.Optional(Type.Integer()),
  attestation: Type.Optional(Type.Unknown()),
  failure: Type.Optional(Type.Unknown()),
  dispute: Type.Optional(Type.Unknown()),
  decision: Type.Optional(Type.Unknown()),
  settlement: Type.Optional(Type.Unknown()),
  settlementDue: Type.Optional(Type.Boolean()),
});
/** An order with its match and job, as GET /v1/orders/{id} and the lifecycle routes answer. */
export const OrderViewBody = Type.Object({
  orderId: Type.String(),
  status: Type.String(),
  buyerId: Type.String(),
  offerId: Type.Union([Type.String(), Type.Null()]),
  escrowId: Type.Union([Type.String(), Type.Null()]),
  match: Type.Union([MatchBody, Type.Null()]),
  job: JobBody,
});
const OfferViewBody = Type.Object({
  offerId: Type.String(),
  providerId: Type.String(),
  status: Type.String(),
  gpuModel: Type.String(),
  gpuCount: Type.Integer(),
  freeGpus: Type.Integer(),
  vramGb: Type.Integer(),
  pricePerHour: Type.String(),
  availableHours: Type.Integer(),
  minCommitmentHours: Type.Integer(),
  features: Type.Array(Type.String()),
  region: Type.Optional(Type.String()),
  country: Type.Optional(Type.String()),
  createdAt: Type.String(),
  expiresAt: Type.String(),
});
const OfferListQuery = Type.Object(
  { provider: Type.Optional(AddressText), model: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })), after: Type.Optional(Type.String({ maxLength: 64 })), limit: Type.Optional(QueryInt) },
  { additionalProperties: false },
);
const MatchListQuery = Type.Object({ provider: Type.Optional(AddressText), buyer: Type.Optional(AddressText), limit: Type.Optional(QueryInt) }, { additionalProperties: false });
const BestOffersQuery = Type.Object(
  { gpus: QueryInt, vram: Type.Optional(QueryInt), maxPrice: Decimal, hours: QueryInt, models: Type.Optional(Type.String({ maxLength: 512, description: "comma-separated preferred models" })), limit: Type.Optional(QueryInt) },
  { additionalProperties: false },
);

/** A match with its amounts as decimal strings. */
export function matchJson(match: OrderMatch): Static<typeof MatchBody> {
  return { ...match, pricePerHour: match.pricePerHour.toString(), totalCost: match.totalCost.toString() };
}

/** An order as JSON. */
export function orderJson(order: OrderView): Static<typeof OrderViewBody> {
  return { orderId: order.orderId, status: order.status, buyerId: order.buyerId, offerId: order.offerId, escrowId: order.escrowId, match: order.match === undefined ? null : matchJson(order.match), job: order.job };
}

/** An offer as JSON. */
export function offerJson(offer: BookOffer): Static<typeof OfferViewBody> {
  return {
    offerId: offer.id,
    providerId: offer.providerId,
    status: offer.status,
    gpuModel: offer.gpuCapacity.gpuModel,
    gpuCount: offer.gpuCapacity.gpuCount,
    freeGpus: offer.freeGpuCount,
    vramGb: offer.gpuCapacity.vramGb,
    pricePerHour: offer.pricePerHour.toString(),
    availableHours: offer.availableHours,
    minCommitmentHours: offer.minCommitmentHours,
    features: [...offer.features],
    ...(offer.location?.region === undefined ? {} : { region: offer.location.region }),
    ...(offer.location?.country === undefined ? {} : { country: offer.location.country }),
    createdAt: offer.createdAt.toISOString(),
    expiresAt: offer.expiresAt.toISOString(),
  };
}

async function escrowJson(market: Marketplace, escrow: EscrowAccount): Promise<Static<typeof EscrowBody>> {
  const chain = escrow.chain ?? (await market.payments.client.escrowHandleFor({ escrowId: escrow.id, buyer: escrow.buyer, provider: escrow.provider, arbiter: escrow.arbiter, amount: escrow.amount }));
  const optional = (name: string, value: { toString(): string } | Date | undefined): Record<string, string> =>
    value === undefined ? {} : { [name]: value instanceof Date ? value.toISOString() : value.toString() };
  return {
    escrowId: escrow.id,
    state: escrow.state,
    orderId: escrow.orderId,
    offerId: escrow.offerId,
    buyer: escrow.buyer,
    provider: escrow.provider,
    arbiter: escrow.arbiter,
    feeRecipient: escrow.feeRecipient,
    amount: escrow.amount.toString(),
    pricePerHour: escrow.pricePerHour.toString(),
    gpuCount: escrow.gpuCount,
    allocatedSeconds: escrow.allocatedSeconds,
    feeBps: escrow.feeBps,
    ratePerSecond: escrow.rate.ratePerSecond.toString(),
    feeRatePerSecond: escrow.rate.feeRatePerSecond.toString(),
    mint: market.payments.client.mint,
    createdAt: escrow.createdAt.toISOString(),
    lockedUntil: escrow.lockedUntil.toISOString(),
    address: chain.address,
    multisig: chain.multisig,
    ...optional("jobEndedAt", escrow.jobEndedAt),
    ...optional("proofDigest", escrow.proofDigest),
    ...optional("disputeId", escrow.disputeId),
    ...optional("releasedAt", escrow.releasedAt),
    ...optional("transactionId", escrow.transactionId),
    ...optional("settlementTransactionId", escrow.settlementTransactionId),
  };
}

/** What the routes need from the app: the market, and the signer and key of a signed request. */
export interface SettlementRouteDeps {
  readonly market: Marketplace;
  readonly authOf: (request: FastifyRequest) => { readonly caller: Address; readonly key: string };
}

/** Adds the escrow, settlement, dispute-decision, order, match and offer read routes. */
export function registerSettlementRoutes(app: FastifyInstance, deps: SettlementRouteDeps): void {
  const { market, authOf } = deps;
  const send = (reply: FastifyReply, value: unknown): FastifyReply => reply.status(200).send(value);
  const order = async (id: string): Promise<Static<typeof OrderViewBody>> => orderJson(await market.getOrder(id));

  app.get("/v1/orders/:id", { schema: { params: IdParams, response: respond(OrderViewBody) } }, async (request, reply) => send(reply, await order((request.params as Static<typeof IdParams>).id)));

  app.get(
    "/v1/market",
    { schema: { response: respond(Type.Object({ arbiter: Type.String(), feeRecipient: Type.String(), mint: Type.String(), network: Type.String(), feeBps: Type.Integer() })) } },
    (_request, reply) =>
      send(reply, { arbiter: market.payments.arbiter.address, feeRecipient: market.payments.feeRecipient, mint: market.payments.client.mint, network: market.payments.client.network.name, feeBps: market.payments.feeBps }),
  );

  app.get("/v1/orders/:id/escrow", { schema: { params: IdParams, response: respond(EscrowBody) } }, async (request, reply) =>
    send(reply, await escrowJson(market, await market.getEscrow((request.params as Static<typeof IdParams>).id))),
  );

  app.post("/v1/orders/:id/fund", { schema: { params: IdParams, body: ChainStepBody, response: respond(EscrowBody) } }, async (request, reply) => {
    const { caller, key } = authOf(request);
    const body = request.body as Static<typeof ChainStepBody>;
    const escrow = await market.fundEscrow(key, (request.params as Static<typeof IdParams>).id, new PresentedSignature(caller, body.chainSignature));
    return send(reply, await escrowJson(market, escrow));
  });

  app.post("/v1/orders/:id/settle", { schema: { params: IdParams, body: SettleBody, response: respond(OrderViewBody) } }, async (request, reply) => {
    const { caller, key } = authOf(request);
    const body = request.body as Static<typeof SettleBody>;
    const id = (request.params as Static<typeof IdParams>).id;
    const input = { ...(body.actualHours === undefined ? {} : { actualHours: body.actualHours }), ...(body.confirmation === undefined ? {} : { confirmation: body.confirmation as Confirmation }) };
    return send(reply, orderJson(await market.settle(key, id, input, new PresentedSignature(caller, body.chainSignature))));
  });

  app.post("/v1/orders/:id/refund", { schema: { params: IdParams, body: ChainStepBody, response: respond(OrderViewBody) } }, async (request, reply) => {
    const { caller, key } = authOf(request);
    const body = request.body as Static<typeof ChainStepBody>;
    return send(reply, orderJson(await market.refund(key, (request.params as Static<typeof IdParams>).id, new PresentedSignature(caller, body.chainSignature))));
  });

  app.post("/v1/orders/:id/dispute/decide", { schema: { params: IdParams, body: DecisionBody, response: respond(OrderViewBody) } }, async (request, reply) => {
    const { caller, key } = authOf(request);
    const body = request.body as Static<typeof DecisionBody>;
    const id = (request.params as Static<typeof IdParams>).id;
    await market.decideDispute(key, id, { providerShare: Amount.parse(body.providerShare), reason: body.reason }, caller);
    return send(reply, await order(id));
  });

  app.post("/v1/orders/:id/dispute/accept", { schema: { params: IdParams, body: ChainStepBody, response: respond(OrderViewBody) } }, async (request, reply) => {
    const { caller, key } = authOf(request);
    const body = request.body as Static<typeof ChainStepBody>;
    return send(reply, orderJson(await market.resolveDispute(key, (request.params as Static<typeof IdParams>).id, new PresentedSignature(caller, body.chainSignature))));
  });

  app.get("/v1/matches", { schema: { querystring: MatchListQuery, response: respond(Type.Object({ matches: Type.Array(MatchBody) })) } }, (request, reply) => {
    const q = request.query as Static<typeof MatchListQuery>;
    if (q.provider === undefined && q.buyer === undefined) throw new MarketError("INVALID_FIELD", { field: "query", value: "neither provider nor buyer", allowed: "provider=<address> and/or buyer=<address>" });
    const limit = Number(q.limit ?? OFFER_PAGE_MAX);
    assertIntInRange("limit", limit, 1, OFFER_PAGE_MAX);
    const matches = market.book.matchesOf({ ...(q.provider === undefined ? {} : { providerId: q.provider }), ...(q.buyer === undefined ? {} : { buyerId: q.buyer }) }, limit);
    return send(reply, { matches: matches.map(matchJson) });
  });

  app.get("/v1/offers", { schema: { querystring: OfferListQuery, response: respond(Type.Object({ offers: Type.Array(OfferViewBody) })) } }, (request, reply) => {
    const q = request.query as Static<typeof OfferListQuery>;
    const limit = Number(q.limit ?? OFFER_PAGE_MAX);
    assertIntInRange("limit", limit, 1, OFFER_PAGE_MAX);
    const offers = market.book.listOffers({ ...(q.provider === undefined ? {} : { providerId: q.provider }), ...(q.model === undefined ? {} : { gpuModel: q.model }), ...(q.after === undefined ? {} : { after: q.after }) }, limit);
    return send(reply, { offers: offers.map(offerJson) });
  });

  app.get("/v1/offers/best", { schema: { querystring: BestOffersQuery, response: respond(Type.Object({ offers: Type.Array(OfferViewBody) })) } }, (request, reply) => {
    const q = request.query as Static<typeof BestOffersQuery>;
    const limit = Number(q.limit ?? 10);
    assertIntInRange("limit", limit, 1, OFFER_PAGE_MAX);
    const offers = market.book.bestOffers(
      {
        minGpuCount: Number(q.gpus),
        minVramGb: Number(q.vram ?? 0),
        maxPricePerHour: Amount.parse(q.maxPrice),
        estimatedHours: Number(q.hours),
        preferredModels: q.models === undefined || q.models === "" ? [] : q.models.split(",").map((m) => m.trim()),
        requiredFeatures: [],
      },
      limit,
    );
    return send(reply, { offers: offers.map(offerJson) });
  });

  app.get("/v1/offers/:id", { schema: { params: IdParams, response: respond(OfferViewBody) } }, (request, reply) => {
    const id = (request.params as Static<typeof IdParams>).id;
    if (!market.book.hasOffer(id as never)) throw new MarketError("OFFER_NOT_FOUND", { offerId: id });
    return send(reply, offerJson(market.book.getOffer(id as never)));
  });
}
