// The wire contract of the market's public data: quotes, stats per GPU model, who the market is on
// chain, balances and test airdrops, the event log, health. Schemas and the stats mapper; pure.
import { Type } from "@sinclair/typebox";
import type { Static } from "@sinclair/typebox";
import { normalizeGpuModel } from "../core/gpu-model.js";
import type { BookOffer } from "../core/types.js";
import { GPU_MODELS_MAX, PROVIDER_FILTER_MAX } from "../core/limits.js";
import { GPU_MODEL_LENGTH_MAX } from "../core/gpu-model.js";
import { REGION_LENGTH_MAX } from "../core/location.js";
import { AddressText, COUNTRY_CODE_LENGTH, Decimal, QueryInt, QuerySeq } from "./common.js";
import { ExplanationBody, MatchBody } from "./orders.js";

/** Longest comma-separated feature list a quote's query carries. */
export const FEATURE_LIST_TEXT_LENGTH_MAX = 128;

/** A comma-separated list of 1..PROVIDER_FILTER_MAX provider addresses in a quote's query. */
const ProviderListText = Type.String({
  pattern: `^[1-9A-HJ-NP-Za-km-z]{32,44}(,[1-9A-HJ-NP-Za-km-z]{32,44}){0,${PROVIDER_FILTER_MAX - 1}}$`,
  maxLength: PROVIDER_FILTER_MAX * 45,
  description: "comma-separated provider addresses",
});

/** A comma-separated list of 1..GPU_MODELS_MAX GPU model names in a quote's query (the `gpuModels` hard filter). */
const ModelListText = Type.String({
  minLength: 1,
  maxLength: GPU_MODELS_MAX * (GPU_MODEL_LENGTH_MAX + 1),
  description: "comma-separated GPU model names; only offers of one of them match (a hard filter, normalized)",
});

/** A reputation floor in [0, 1] as query text (the `minReputation` hard filter). */
const ReputationText = Type.String({
  pattern: "^(0(\\.[0-9]{1,6})?|1(\\.0{1,6})?)$",
  description: "only offers of providers with at least this reputation (0..1) match (a hard filter)",
});

/** The id a quote's matches carry (a quote records nothing). */
export const QUOTE_ORDER_ID = "ord_00000000000000000000000000";

/** GET /v1/quote: the best matches an order with these requirements would get now (a quote records nothing). */
export const QuoteQuery = Type.Object(
  {
    gpus: QueryInt,
    vram: Type.Optional(QueryInt),
    maxPrice: Decimal,
    hours: QueryInt,
    features: Type.Optional(Type.String({ maxLength: FEATURE_LIST_TEXT_LENGTH_MAX, description: "comma-separated features" })),
    region: Type.Optional(Type.String({ maxLength: REGION_LENGTH_MAX })),
    country: Type.Optional(Type.String({ minLength: COUNTRY_CODE_LENGTH, maxLength: COUNTRY_CODE_LENGTH })),
    allowProviders: Type.Optional(ProviderListText),
    denyProviders: Type.Optional(ProviderListText),
    models: Type.Optional(ModelListText),
    minReputation: Type.Optional(ReputationText),
    limit: Type.Optional(QueryInt),
  },
  { additionalProperties: false },
);

/** GET /v1/quote's answer: the best matches, and when there are none, why (a quote is a question: 200 either way). */
export const QuoteBody = Type.Object({ matches: Type.Array(MatchBody), explanation: Type.Optional(ExplanationBody) });

/** One GPU model's market: active offers, free GPUs, lowest and median price per GPU-hour. */
export const ModelStats = Type.Object({
  gpuModel: Type.String(),
  offers: Type.Integer(),
  freeGpus: Type.Integer(),
  lowestPrice: Type.String(),
  medianPrice: Type.String(),
});
/** One GPU model's market. */
export type ModelStatsView = Static<typeof ModelStats>;
/** GET /v1/stats. */
export const StatsBody = Type.Object({ models: Type.Array(ModelStats) });
/** Market stats per GPU model. */
export type StatsView = Static<typeof StatsBody>;

/** Who a market is on chain: its arbiter (the third key of every escrow), fee recipient, MOLT mint, network and fee. */
export const MarketBody = Type.Object({
  arbiter: Type.String(),
  feeRecipient: Type.String(),
  mint: Type.String(),
  network: Type.String(),
  feeBps: Type.Integer(),
  receiptTimeoutMs: Type.Integer({ description: "how long a running job may go without a usage receipt before it fails ProviderLost" }),
  disputeWindowMs: Type.Integer({
    description: "how long after a job completes a party may dispute it; an unconfirmed proof settles after it",
  }),
  fundingWindowMs: Type.Integer({ description: "how long a match waits for its buyer to fund the escrow before it expires" }),
});
/** Who a market is, as GET /v1/market answers. */
export type MarketView = Static<typeof MarketBody>;

/** GET /v1/balances/{address}. */
export const BalanceParams = Type.Object({ address: AddressText });
/** MOLT held by an address. */
export const BalanceBody = Type.Object({ address: Type.String(), molt: Type.String() });
/** An address's balance. */
export type BalanceView = Static<typeof BalanceBody>;
/** POST /v1/airdrops: test MOLT minted to the signer (never on mainnet). */
export const AirdropBody = Type.Object({ molt: Decimal }, { additionalProperties: false });
/** The answer of an airdrop. */
export const AirdropAnswer = Type.Object({ address: Type.String(), molt: Type.String(), transactionId: Type.String() });
/** An airdrop made. */
export type AirdropView = Static<typeof AirdropAnswer>;

/** One event of the market's log, as GET /v1/events pages it and /v1/feed streams it. */
export const EventBody = Type.Object({
  seq: Type.Integer(),
  type: Type.String(),
  entityId: Type.String(),
  atMs: Type.Integer(),
  node: Type.String(),
  payload: Type.String({ description: "the event's JSON document" }),
});
/** An event of the market's log. */
export type EventView = Static<typeof EventBody>;
/** GET /v1/events: events after a seq. */
export const EventsQuery = Type.Object({ after: Type.Optional(QuerySeq), limit: Type.Optional(QueryInt) }, { additionalProperties: false });
/** A page of events. */
export const EventPageBody = Type.Object({ events: Type.Array(EventBody) });
/** A page of the event log. */
export type EventPage = Static<typeof EventPageBody>;
/** GET /v1/feed: the events after a seq, then each new one. */
export const FeedQuery = Type.Object({ after: Type.Optional(QuerySeq) }, { additionalProperties: false });

/** GET /healthz: up, and the last event seq the process applied. */
export const HealthBody = Type.Object({ status: Type.Literal("ok"), seq: Type.Integer() });
/** The server's health. */
export type HealthView = Static<typeof HealthBody>;

/** Per GPU model (normalized): active offers, free GPUs, lowest and median price per GPU-hour. */
export function modelStats(offers: readonly BookOffer[]): ModelStatsView[] {
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
      return {
        gpuModel,
        offers: list.length,
        freeGpus: list.reduce((n, o) => n + o.freeGpuCount, 0),
        lowestPrice: prices[0]?.toString() ?? "0",
        medianPrice: median?.toString() ?? "0",
      };
    });
}
