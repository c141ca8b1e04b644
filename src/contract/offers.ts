// The wire contract of offers: what a provider sends to list capacity, how an offer in the book is
// shown, the queries that list and rank offers, and the mapper from a BookOffer. Pure, no I/O.
import { Type } from "@sinclair/typebox";
import type { Static } from "@sinclair/typebox";
import { OfferStatus } from "../core/enums.js";
import {
  COMPUTE_CAPABILITY_LENGTH_MAX,
  GPU_COUNT_MAX,
  GPU_COUNT_MIN,
  HOURS_MAX,
  HOURS_MIN,
  MEMORY_BANDWIDTH_MAX,
  UTILIZATION_MAX,
  VRAM_GB_MAX,
  VRAM_GB_MIN,
} from "../core/limits.js";
import type { BookOffer } from "../core/types.js";
import { AddressText, Decimal, FEATURE_LIST_LENGTH_MAX, FeatureText, ID_PARAM_LENGTH_MAX, LocationBody, QueryInt } from "./common.js";

/** Most offers one listing returns. */
export const OFFER_PAGE_MAX = 100;
/**
 * Longest GPU model text a request carries: a loose bound above the core's GPU_MODEL_LENGTH_MAX, so
 * that a long name reaches the core's check, which names the field in its INVALID_FIELD.
 */
export const MODEL_TEXT_LENGTH_MAX = 128;
/** An ISO 8601 time a request carries (expiresAt). */
export const DateTimeText = Type.String({ format: "date-time", maxLength: 40 });

/** What a provider sends to list capacity; the provider is the request's signer. */
export const OfferBody = Type.Object(
  {
    gpuCapacity: Type.Object(
      {
        gpuCount: Type.Integer({ minimum: GPU_COUNT_MIN, maximum: GPU_COUNT_MAX }),
        gpuModel: Type.String({ minLength: 1, maxLength: MODEL_TEXT_LENGTH_MAX }),
        vramGb: Type.Integer({ minimum: VRAM_GB_MIN, maximum: VRAM_GB_MAX }),
        computeCapability: Type.Optional(Type.String({ maxLength: COMPUTE_CAPABILITY_LENGTH_MAX })),
        memoryBandwidth: Type.Optional(Type.Integer({ minimum: 1, maximum: MEMORY_BANDWIDTH_MAX })),
        currentUtilization: Type.Optional(Type.Integer({ minimum: 0, maximum: UTILIZATION_MAX })),
      },
      { additionalProperties: false },
    ),
    pricePerHour: Decimal,
    availableHours: Type.Integer({ minimum: HOURS_MIN, maximum: HOURS_MAX }),
    minCommitmentHours: Type.Optional(Type.Integer({ minimum: 0, maximum: HOURS_MAX })),
    expiresAt: Type.Optional(DateTimeText),
    features: Type.Optional(Type.Array(FeatureText, { maxItems: FEATURE_LIST_LENGTH_MAX })),
    location: Type.Optional(LocationBody),
  },
  { additionalProperties: false, description: "an offer's location, when given, names both region and country" },
);
/** What a client may send when listing capacity (the provider is the signer). */
export type OfferRequest = Static<typeof OfferBody>;

/** The answer of an offer command: the offer's id. */
export const OfferIdBody = Type.Object({ offerId: Type.String() });

/** An offer in the book, as GET /v1/offers and GET /v1/offers/{id} answer. */
export const OfferViewBody = Type.Object({
  offerId: Type.String(),
  providerId: Type.String(),
  status: Type.Union(Object.values(OfferStatus).map((status) => Type.Literal(status))),
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
/** An offer in the book (amounts as decimal strings, times ISO 8601). */
export type OfferView = Static<typeof OfferViewBody>;
/** A page of offers. */
export const OfferListBody = Type.Object({ offers: Type.Array(OfferViewBody) });

/** GET /v1/offers: the book's offers, oldest first, optionally of one provider or GPU model, after an offer id. */
export const OfferListQuery = Type.Object(
  {
    provider: Type.Optional(AddressText),
    model: Type.Optional(Type.String({ minLength: 1, maxLength: MODEL_TEXT_LENGTH_MAX })),
    after: Type.Optional(Type.String({ maxLength: ID_PARAM_LENGTH_MAX })),
    limit: Type.Optional(QueryInt),
  },
  { additionalProperties: false },
);
/** GET /v1/offers/best: the offers that would serve a job, ranked. */
export const BestOffersQuery = Type.Object(
  {
    gpus: QueryInt,
    vram: Type.Optional(QueryInt),
    maxPrice: Decimal,
    hours: QueryInt,
    models: Type.Optional(Type.String({ maxLength: 512, description: "comma-separated preferred models" })),
    limit: Type.Optional(QueryInt),
  },
  { additionalProperties: false },
);

/** An offer as JSON: amounts as decimal strings, times ISO 8601, location flattened. */
export function offerJson(offer: BookOffer): OfferView {
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
