// Routes of offers: a provider lists capacity and pauses, resumes or withdraws it (only its own);
// anyone reads the book's offers, one offer, or the best offers for a job. Rules live in the market.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { MarketError, assertIntInRange } from "../../core/errors.js";
import { isOfferId } from "../../core/ids.js";
import { parseLocation } from "../../core/location.js";
import type { Location } from "../../core/location.js";
import { EmptyBody, IdParams, respond } from "../../contract/common.js";
import {
  BestOffersQuery,
  OFFER_PAGE_MAX,
  OfferBody,
  OfferIdBody,
  OfferListBody,
  OfferListQuery,
  OfferViewBody,
  offerJson,
} from "../../contract/offers.js";
import type { OfferRequest, OfferView } from "../../contract/offers.js";
import { SIGNED } from "../../contract/openapi.js";
import { authOf, bodyless } from "../auth.js";
import { bestOffersAnswer, bestOffersKey } from "../quote-answers.js";
import { JSON_CONTENT_TYPE, QuoteCache, serializedAnswer } from "../quote-cache.js";
import type { SerializedAnswer } from "../quote-cache.js";
import type { RouteDeps } from "./route-deps.js";

const tags = ["offers"];

/**
 * An offer's location, when given, names both region and country (the core's Location); a part
 * missing is the core's INVALID_FIELD naming it. The body is not copied: the market's idempotency
 * hash is of the body as sent. @throws INVALID_FIELD
 */
function assertWholeLocation(offer: OfferRequest): asserts offer is OfferRequest & { readonly location?: Location } {
  if (offer.location !== undefined && (offer.location.region === undefined || offer.location.country === undefined))
    parseLocation(offer.location);
}

/** Adds the offer routes. */
export const offerRoutes: FastifyPluginAsyncTypebox<RouteDeps> = (app, { market, clock }) => {
  // The best offers are ranked again only when the book, the feed or the clock changed them.
  // The answer is kept as its JSON, serialized once by the route's response schema.
  const bestOffers = new QuoteCache<SerializedAnswer<{ offers: OfferView[] }>>(market, clock);
  app.addHook("onClose", (_instance, done) => {
    bestOffers.close();
    done();
  });
  app.post(
    "/v1/offers",
    {
      schema: {
        tags,
        summary: "List GPU capacity (the signer is the provider)",
        security: SIGNED,
        body: OfferBody,
        response: respond(OfferIdBody),
      },
    },
    async (request) => {
      const { caller, key } = authOf(request);
      const offer = request.body;
      assertWholeLocation(offer);
      return market.addOffer(key, { ...offer, providerId: caller });
    },
  );

  const actions = {
    pause: "Pause an offer (its provider only)",
    resume: "Resume a paused offer (its provider only)",
    withdraw: "Withdraw an offer for good (its provider only)",
  } as const;
  for (const action of ["pause", "resume", "withdraw"] as const) {
    app.post(
      `/v1/offers/:id/${action}`,
      {
        preValidation: bodyless,
        schema: { tags, summary: actions[action], security: SIGNED, params: IdParams, body: EmptyBody, response: respond(OfferIdBody) },
      },
      async (request) => {
        const { caller, key } = authOf(request);
        const { id } = request.params;
        if (action === "pause") await market.pauseOffer(key, id, caller);
        else if (action === "resume") await market.resumeOffer(key, id, caller);
        else await market.withdrawOffer(key, id, caller);
        return { offerId: id };
      },
    );
  }

  app.get(
    "/v1/offers",
    {
      schema: {
        tags,
        summary: "The book's offers, oldest first, optionally of one provider or GPU model",
        querystring: OfferListQuery,
        response: respond(OfferListBody),
      },
    },
    (request) => {
      const q = request.query;
      const limit = Number(q.limit ?? OFFER_PAGE_MAX);
      assertIntInRange("limit", limit, 1, OFFER_PAGE_MAX);
      const offers = market.book.listOffers(
        {
          ...(q.provider === undefined ? {} : { providerId: q.provider }),
          ...(q.model === undefined ? {} : { gpuModel: q.model }),
          ...(q.after === undefined ? {} : { after: q.after }),
        },
        limit,
      );
      return { offers: offers.map(offerJson) };
    },
  );

  app.get(
    "/v1/offers/best",
    { schema: { tags, summary: "The best offers for a job, ranked", querystring: BestOffersQuery, response: respond(OfferListBody) } },
    (request, reply) => {
      const cached = bestOffers.get(bestOffersKey(request.query), () =>
        serializedAnswer(bestOffersAnswer(market.book, request.query), (answer) => reply.serialize(answer)),
      );
      // Sent as serialized when it was computed: no second serialization per request.
      reply.type(JSON_CONTENT_TYPE).serializer(() => cached.json);
      return cached.answer;
    },
  );

  app.get("/v1/offers/:id", { schema: { tags, summary: "One offer", params: IdParams, response: respond(OfferViewBody) } }, (request) => {
    const { id } = request.params;
    if (!isOfferId(id) || !market.book.hasOffer(id)) throw new MarketError("OFFER_NOT_FOUND", { offerId: id });
    return offerJson(market.book.getOffer(id));
  });
  // Registration is synchronous; the plugin type asks for a promise.
  return Promise.resolve();
};
