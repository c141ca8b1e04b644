// The wire contract of orders and matches: what a buyer sends to order compute, a match with the
// parts of its score, an order with its match and job, and the mapper from an OrderMatch. Pure.
import { Type } from "@sinclair/typebox";
import type { Static } from "@sinclair/typebox";
import { OrderStatus } from "../core/enums.js";
import {
  GPU_COUNT_MAX,
  GPU_COUNT_MIN,
  GPU_MODELS_MAX,
  HOURS_MAX,
  HOURS_MIN,
  PREFERRED_MODELS_MAX,
  PROVIDER_FILTER_MAX,
  VRAM_GB_MAX,
} from "../core/limits.js";
import type { OrderMatch } from "../core/types.js";
import type { Amount } from "../core/amount.js";
import { fullRunSplit } from "../settlement/billing.js";
import { AddressText, Decimal, FEATURE_LIST_LENGTH_MAX, FeatureText, LocationBody, PriorityText, QueryInt } from "./common.js";
import { JobBody } from "./jobs.js";
import { WorkloadBody } from "./workload.js";
import { DateTimeText, MODEL_TEXT_LENGTH_MAX } from "./offers.js";

/** An order's hard provider filters (core's ProviderFilter): providers are the addresses that sign their offers. */
const ProviderFilterBody = Type.Object(
  {
    allow: Type.Optional(
      Type.Array(AddressText, { minItems: 1, maxItems: PROVIDER_FILTER_MAX, description: "the only providers the order may match" }),
    ),
    deny: Type.Optional(Type.Array(AddressText, { maxItems: PROVIDER_FILTER_MAX, description: "providers the order never matches" })),
  },
  { additionalProperties: false },
);

/** What an order asks of an offer: the hard constraints, the preferences and the filters. */
const RequirementsBody = Type.Object(
  {
    minGpuCount: Type.Integer({ minimum: GPU_COUNT_MIN, maximum: GPU_COUNT_MAX }),
    minVramGb: Type.Integer({ minimum: 0, maximum: VRAM_GB_MAX }),
    maxPricePerHour: Decimal,
    estimatedHours: Type.Integer({ minimum: HOURS_MIN, maximum: HOURS_MAX }),
    preferredModels: Type.Optional(Type.Array(Type.String({ maxLength: MODEL_TEXT_LENGTH_MAX }), { maxItems: PREFERRED_MODELS_MAX })),
    requiredFeatures: Type.Optional(Type.Array(FeatureText, { maxItems: FEATURE_LIST_LENGTH_MAX })),
    location: Type.Optional(LocationBody),
    providers: Type.Optional(ProviderFilterBody),
    gpuModels: Type.Optional(
      Type.Array(Type.String({ maxLength: MODEL_TEXT_LENGTH_MAX }), {
        minItems: 1,
        maxItems: GPU_MODELS_MAX,
        description: "hard filter: only offers of one of these GPU models (normalized: 'h100' = 'NVIDIA H100 80GB') match",
      }),
    ),
    minReputation: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, description: "hard filter: only offers of providers with at least this reputation match" }),
    ),
  },
  { additionalProperties: false },
);

/** What a buyer sends to order compute; the buyer is the request's signer. */
export const OrderBody = Type.Object(
  {
    requirements: RequirementsBody,
    maxBudget: Type.Optional(Decimal),
    priority: Type.Optional(PriorityText),
    expiresAt: Type.Optional(DateTimeText),
    workload: Type.Optional(WorkloadBody),
    rematch: Type.Optional(
      Type.Boolean({
        description: "when its job fails, submit a successor order for the remaining hours, excluding the provider that failed",
      }),
    ),
  },
  { additionalProperties: false },
);
/** What a client may send when ordering compute (the buyer is the signer). */
export type OrderRequest = Static<typeof OrderBody>;

/** The weighted parts a match's score is the sum of (core's ScoreBreakdown). */
export const ScoreBreakdownBody = Type.Object(
  {
    priceHeadroom: Type.Number(),
    gpuFit: Type.Number(),
    vramFit: Type.Number(),
    preferredModel: Type.Number(),
    extraFeatures: Type.Number(),
    reputation: Type.Number(),
    utilization: Type.Number(),
    total: Type.Number({ description: "the score, in [0, 1]" }),
  },
  { description: "the weighted parts of the score; total is their sum" },
);
/** A match: the offer an order got, what was allocated, at what cost, and why it scored as it did. */
export const MatchBody = Type.Object({
  orderId: Type.String(),
  offerId: Type.String(),
  providerId: Type.String(),
  gpuCount: Type.Integer(),
  pricePerHour: Type.String(),
  hours: Type.Integer(),
  totalCost: Type.String(),
  feeBps: Type.Integer({ description: "the platform's fee rate in basis points (250 = 2.5 %), fixed into the escrow when it is funded" }),
  platformFee: Type.String({
    description:
      "the platform's fee (MOLT) on totalCost if the job runs all its hours; it comes out of the provider's payment, the buyer pays totalCost",
  }),
  score: Type.Number(),
  scoreBreakdown: ScoreBreakdownBody,
});
/** A match as the server sends it (amounts as decimal strings). */
export type MatchView = Static<typeof MatchBody>;
/** A list of matches (a quote, or the matches holding GPUs). */
export const MatchListBody = Type.Object({ matches: Type.Array(MatchBody) });
/** GET /v1/matches: the matches holding GPUs of a provider and/or a buyer. */
export const MatchListQuery = Type.Object(
  { provider: Type.Optional(AddressText), buyer: Type.Optional(AddressText), limit: Type.Optional(QueryInt) },
  { additionalProperties: false },
);

/** The offer nearest to passing the constraint that emptied an order's results. */
const NearestOfferBody = Type.Object({
  offerId: Type.String(),
  providerId: Type.String(),
  gpuModel: Type.String(),
  freeGpuCount: Type.Integer(),
  vramGb: Type.Integer(),
  features: Type.Array(Type.String()),
  pricePerHour: Type.String(),
  region: Type.Optional(Type.String()),
  availableHours: Type.Integer(),
  minCommitmentHours: Type.Integer(),
  providerReputation: Type.Number(),
});
/** Why an order or quote found no offer (the book's MissExplanation). */
export const ExplanationBody = Type.Object(
  {
    code: Type.Union([Type.Literal("NO_MATCHING_OFFERS"), Type.Literal("PRICE_EXCEEDS_BUDGET")], {
      description: "PRICE_EXCEEDS_BUDGET: an offer fits everything but the price or budget; else NO_MATCHING_OFFERS",
    }),
    constraint: Type.String({
      description:
        "the constraint that left no offer, applied in this order: gpuModels, gpuCount, vram, features, region, country, providers, reputation, hours, price, budget ('offers': the book has none with free GPUs)",
    }),
    message: Type.String(),
    nearest: Type.Optional(NearestOfferBody),
    onOffer: Type.Array(Type.String(), { description: "models, regions or countries on offer, for those constraints" }),
    restsIndefinitely: Type.Boolean({
      description: "no offer in the book could fill the order even with all its GPUs free: it waits for a new offer (it still rests)",
    }),
    complete: Type.Boolean({ description: "the diagnosis looked at the whole book" }),
  },
  { description: "why nothing matched: the constraint that emptied the results and the nearest offer" },
);
/** A miss explanation as the server sends it. */
export type ExplanationView = Static<typeof ExplanationBody>;

/** A miss explanation as the book gives it (orderbook's MissExplanation; contract may not import the book). */
interface MissExplanationInput extends Readonly<Omit<ExplanationView, "nearest" | "onOffer">> {
  readonly onOffer: readonly string[];
  readonly nearest?: Readonly<Omit<NonNullable<ExplanationView["nearest"]>, "features" | "pricePerHour">> & {
    readonly features: readonly string[];
    readonly pricePerHour: Amount;
  };
}

/** The wire form of a miss explanation (amounts as decimal strings). */
export function explanationJson(explanation: MissExplanationInput): ExplanationView {
  const { nearest, ...rest } = explanation;
  return {
    ...rest,
    onOffer: [...rest.onOffer],
    ...(nearest === undefined
      ? {}
      : { nearest: { ...nearest, features: [...nearest.features], pricePerHour: nearest.pricePerHour.toString() } }),
  };
}

/**
 * The answer of POST /v1/orders: the order, and its match when it found one at once; a Pending
 * order that found none has the explanation of why (it rests all the same: capacity may come).
 */
export const SubmittedOrder = Type.Object({
  orderId: Type.String(),
  status: Type.String(),
  match: Type.Optional(MatchBody),
  explanation: Type.Optional(ExplanationBody),
});
/** A submitted order. */
export type SubmittedOrderView = Static<typeof SubmittedOrder>;
/** The answer of a cancellation: the order's id. */
export const OrderIdBody = Type.Object({ orderId: Type.String() });
/** The answer of a job command: the order and the status it is in now. */
export const OrderStatusBody = Type.Object({ orderId: Type.String(), status: Type.String() });
/** An order's id and status. */
export type OrderStatusView = Static<typeof OrderStatusBody>;

/** An ISO 8601 time, or null when that clock does not run for the order now. */
const DeadlineText = (description: string) => Type.Union([Type.String({ format: "date-time" }), Type.Null()], { description });
/** The market's clocks that run for an order in its current status (null: not running now); the sweeper enforces them. */
export const DeadlinesBody = Type.Object(
  {
    fundBy: DeadlineText("Matched: the buyer funds the escrow by then, or the match expires (funding window from the match)"),
    lockedUntil: DeadlineText(
      "Escrowed or Running: the job completes by then or fails Timeout; Failed: the escrow's lock, after which a timed-out job is refunded",
    ),
    disputeUntil: DeadlineText(
      "Completed or Failed: a party may open a dispute until then; an unconfirmed proof settles after it (dispute window from the job's end)",
    ),
    receiptDueBy: DeadlineText(
      "Escrowed: the provider starts the job by then; Running: its next usage receipt is due by then; else it fails ProviderLost",
    ),
  },
  { additionalProperties: false },
);
/** An order's deadlines, as the server reports them. */
export type OrderDeadlines = Static<typeof DeadlinesBody>;

/** An order with its match and job, as GET /v1/orders/{id} and the lifecycle routes answer. */
export const OrderViewBody = Type.Object({
  orderId: Type.String(),
  status: Type.String({ description: `one of ${Object.values(OrderStatus).join(", ")}` }),
  buyerId: Type.String(),
  offerId: Type.Union([Type.String(), Type.Null()]),
  escrowId: Type.Union([Type.String(), Type.Null()]),
  match: Type.Union([MatchBody, Type.Null()]),
  job: JobBody,
  rematch: Type.Boolean({ description: "a failed job of this order is continued by a successor order" }),
  successorOf: Type.Union([Type.String(), Type.Null()], {
    description: "the failed order this one continues, when the market submitted it",
  }),
  deadlines: DeadlinesBody,
  requirements: Type.Optional(RequirementsBody),
});
/** An order with its match and job, as the server reports it. */
export type OrderDetails = Static<typeof OrderViewBody>;

/**
 * A match as JSON under a fee of `feeBps`: amounts as decimal strings, the fee on its total cost
 * (the settlement's own split of a full run: fullRunSplit), and the parts of its score.
 */
export function matchJson(match: OrderMatch, feeBps: number): MatchView {
  return {
    orderId: match.orderId,
    offerId: match.offerId,
    providerId: match.providerId,
    gpuCount: match.gpuCount,
    pricePerHour: match.pricePerHour.toString(),
    hours: match.hours,
    totalCost: match.totalCost.toString(),
    feeBps,
    platformFee: fullRunSplit(match, feeBps).platformFee.toString(),
    score: match.score,
    scoreBreakdown: { ...match.scoreBreakdown },
  };
}
