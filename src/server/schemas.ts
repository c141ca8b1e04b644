// The TypeBox schemas of the HTTP API: bodies, queries and answers, shared by the routes and
// published in the OpenAPI document. Types only, no behaviour.
import { Type } from "@sinclair/typebox";
import type { TSchema } from "@sinclair/typebox";

export const ErrorBody = Type.Object({ code: Type.String(), message: Type.String(), details: Type.Record(Type.String(), Type.Unknown()) });
export const Decimal = Type.String({ pattern: "^\\d{1,20}(\\.\\d{1,9})?$", description: "MOLT as a decimal string" });
export const Feature = Type.Union(["NvLink", "Infiniband", "FP8", "HighBandwidthMemory", "DedicatedHost"].map((f) => Type.Literal(f)));
export const Location = Type.Object({ region: Type.Optional(Type.String({ maxLength: 64 })), country: Type.Optional(Type.String({ minLength: 2, maxLength: 2 })) }, { additionalProperties: false });
export const OfferBody = Type.Object(
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
export const OrderBody = Type.Object(
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
export const MatchBody = Type.Object({
  orderId: Type.String(),
  offerId: Type.String(),
  providerId: Type.String(),
  gpuCount: Type.Integer(),
  pricePerHour: Type.String(),
  hours: Type.Integer(),
  totalCost: Type.String(),
  score: Type.Number(),
});
/** A whole number in a query string (query values are text; nothing is coerced). */
export const QueryInt = Type.String({ pattern: "^\\d{1,9}$" });
export const QuoteQuery = Type.Object(
  {
    gpus: QueryInt,
    vram: Type.Optional(QueryInt),
    maxPrice: Decimal,
    hours: QueryInt,
    features: Type.Optional(Type.String({ maxLength: 128, description: "comma-separated features" })),
    region: Type.Optional(Type.String({ maxLength: 64 })),
    country: Type.Optional(Type.String({ minLength: 2, maxLength: 2 })),
    limit: Type.Optional(QueryInt),
  },
  { additionalProperties: false },
);
export const ModelStats = Type.Object({ gpuModel: Type.String(), offers: Type.Integer(), freeGpus: Type.Integer(), lowestPrice: Type.String(), medianPrice: Type.String() });
export const EventBody = Type.Object({ seq: Type.Integer(), type: Type.String(), entityId: Type.String(), atMs: Type.Integer(), node: Type.String(), payload: Type.String() });
export const AddressText = Type.String({ pattern: "^[1-9A-HJ-NP-Za-km-z]{32,44}$" });
export const Digest = Type.String({ pattern: "^[0-9a-f]{64}$" });
export const SignatureHex = Type.String({ pattern: "^[0-9a-f]{128}$" });
export const ProofBody = Type.Object(
  {
    escrowId: Type.String({ maxLength: 64 }),
    orderId: Type.String({ maxLength: 64 }),
    offerId: Type.String({ maxLength: 64 }),
    provider: AddressText,
    gpuModel: Type.String({ maxLength: 128 }),
    gpuCount: Type.Integer({ minimum: 1, maximum: 1024 }),
    startedAtMs: Type.Integer({ minimum: 0 }),
    endedAtMs: Type.Integer({ minimum: 0 }),
    exitStatus: Type.Integer({ minimum: -2147483648, maximum: 2147483647 }),
    outputDigest: Digest,
    usageDigest: Digest,
  },
  { additionalProperties: false },
);
export const AttestationBody = Type.Object({ attestation: Type.Object({ proof: ProofBody, signature: SignatureHex }, { additionalProperties: false }) }, { additionalProperties: false });
export const DisputeBody = Type.Object(
  {
    dispute: Type.Object(
      {
        id: Type.String({ maxLength: 64 }),
        escrowId: Type.String({ maxLength: 64 }),
        openedBy: AddressText,
        reason: Type.String({ maxLength: 256 }),
        evidence: Type.Array(Digest, { maxItems: 16 }),
        openedAtMs: Type.Integer({ minimum: 0 }),
        signature: SignatureHex,
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export const SubmittedOrder = Type.Object({ orderId: Type.String(), status: Type.String(), match: Type.Optional(MatchBody) });
/** Longest id a path takes; every id the market makes is far shorter. */
export const ID_PARAM_LENGTH_MAX = 64;
/** What an id in a path may hold: visible ASCII, so no NUL byte or other control character ever reaches a store (PostgreSQL refuses NUL in text). */
export const ID_PARAM_EXPECTED = `1..${ID_PARAM_LENGTH_MAX} visible ASCII characters (no space or control character)`;
/** A path's object id: refused with INVALID_ID (400) before any store is asked, unless it is 1..64 visible ASCII characters. */
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: ID_PARAM_LENGTH_MAX, pattern: `^[\\x21-\\x7E]{1,${ID_PARAM_LENGTH_MAX}}$` }) }, { additionalProperties: false });
/** The body of a command that takes none: nothing, or `{}`; a field is refused, not ignored. */
export const EmptyBody = Type.Object({}, { additionalProperties: false, description: "no body, or {}" });


/** The answers of a route: `schema` on 200, `{ code, message, details }` on every 4xx it may give. */
export function respond(schema: TSchema): Record<number, TSchema> {
  return { 200: schema, 400: ErrorBody, 401: ErrorBody, 402: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 410: ErrorBody, 422: ErrorBody, 428: ErrorBody };
}
