// The answers of GET /v1/quote and GET /v1/offers/best as functions of the book and the query, with
// the instant each stops being true by the clock alone, and the normalized keys they are cached by.
// Reads the book only.
import { Amount } from "../core/amount.js";
import type { Clock } from "../core/clock.js";
import { parseFeature } from "../core/enums.js";
import { assertIntInRange } from "../core/errors.js";
import { createOrder } from "../core/order.js";
import type { Static } from "@sinclair/typebox";
import { QUOTE_ORDER_ID } from "../contract/market-data.js";
import type { QuoteBody, QuoteQuery } from "../contract/market-data.js";
import { OFFER_PAGE_MAX, offerJson } from "../contract/offers.js";
import type { BestOffersQuery, OfferView } from "../contract/offers.js";
import { explanationJson, matchJson } from "../contract/orders.js";
import type { OrderBook } from "../orderbook/order-book.js";
import { SERVER_LIMITS } from "./limits.js";
import type { TimedAnswer } from "./quote-cache.js";

type Quote = Static<typeof QuoteQuery>;
type Best = Static<typeof BestOffersQuery>;

const QUOTE_FIELDS = [
  "gpus",
  "vram",
  "maxPrice",
  "hours",
  "features",
  "region",
  "country",
  "allowProviders",
  "denyProviders",
  "models",
  "minReputation",
  "limit",
] as const satisfies readonly (keyof Quote)[];
const BEST_FIELDS = ["gpus", "vram", "maxPrice", "hours", "models", "limit"] as const satisfies readonly (keyof Best)[];

/** The cache key of a quote query: its fields in one fixed order (the order of the URL's parameters does not matter). */
export const quoteKey = (q: Quote): string => JSON.stringify(QUOTE_FIELDS.map((field) => q[field] ?? null));

/** The cache key of a best-offers query, like quoteKey. */
export const bestOffersKey = (q: Best): string => JSON.stringify(BEST_FIELDS.map((field) => q[field] ?? null));

/** The earliest expiry among offers (Infinity for none): before it, time alone removes none of them. */
function earliestExpiryMs(expiries: Iterable<number>): number {
  let earliestMs = Number.POSITIVE_INFINITY;
  for (const ms of expiries) earliestMs = Math.min(earliestMs, ms);
  return earliestMs;
}

/**
 * The quote for `q` now: the matches with their breakdowns, or none and why. Valid until the
 * earliest expiry of a matched offer (time only removes offers, and removing offers outside the
 * best `limit` changes nothing); a miss's explanation counts every offer, so it is never kept.
 * @throws OUT_OF_RANGE (limit), the validation codes of an order
 */
export function quoteAnswer(book: OrderBook, q: Quote, clock: Clock, feeBps: number): TimedAnswer<Static<typeof QuoteBody>> {
  const limit = q.limit === undefined ? 10 : Number(q.limit);
  assertIntInRange("limit", limit, 1, SERVER_LIMITS.quoteLimitMax);
  const order = createOrder(
    {
      // A quote is no order: one fixed id spares a fresh id per request.
      id: QUOTE_ORDER_ID,
      buyerId: "quote",
      requirements: {
        minGpuCount: Number(q.gpus),
        minVramGb: Number(q.vram ?? 0),
        maxPricePerHour: q.maxPrice,
        estimatedHours: Number(q.hours),
        requiredFeatures:
          q.features === undefined || q.features === "" ? [] : q.features.split(",").map((f) => parseFeature(f.trim(), "features")),
        ...(q.region === undefined && q.country === undefined
          ? {}
          : {
              location: {
                ...(q.region === undefined ? {} : { region: q.region }),
                ...(q.country === undefined ? {} : { country: q.country }),
              },
            }),
        ...(q.allowProviders === undefined && q.denyProviders === undefined
          ? {}
          : {
              providers: {
                ...(q.allowProviders === undefined ? {} : { allow: q.allowProviders.split(",") }),
                ...(q.denyProviders === undefined ? {} : { deny: q.denyProviders.split(",") }),
              },
            }),
        ...(q.models === undefined ? {} : { gpuModels: q.models.split(",") }),
        ...(q.minReputation === undefined ? {} : { minReputation: Number(q.minReputation) }),
      },
    },
    { clock },
  );
  const quote = book.quoteOrder(order, limit);
  const matches = quote.matches.map((match) => matchJson(match, feeBps));
  if (quote.explanation !== undefined)
    return { answer: { matches, explanation: explanationJson(quote.explanation) }, validUntilMs: Number.NEGATIVE_INFINITY };
  return {
    answer: { matches },
    validUntilMs: earliestExpiryMs(quote.matches.map((match) => book.getOffer(match.offerId).expiresAt.getTime())),
  };
}

/**
 * The best offers for `q` now, ranked. Valid until the earliest expiry among them (an empty answer
 * stays empty while time alone passes). @throws OUT_OF_RANGE (limit), INVALID_AMOUNT, validation codes
 */
export function bestOffersAnswer(book: OrderBook, q: Best): TimedAnswer<{ offers: OfferView[] }> {
  const limit = Number(q.limit ?? 10);
  assertIntInRange("limit", limit, 1, OFFER_PAGE_MAX);
  const offers = book.bestOffers(
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
  return { answer: { offers: offers.map(offerJson) }, validUntilMs: earliestExpiryMs(offers.map((offer) => offer.expiresAt.getTime())) };
}
