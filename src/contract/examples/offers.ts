// Examples of the offers routes in the OpenAPI document, taken from a real market (embedded chain,
// real wallets): requests and their 200 answers. Data only; test/server/openapi.test.ts validates each
// against its route's schema.
import type { RouteExample } from "../openapi-examples.js";
import { EXAMPLE_OFFER, EXAMPLE_PROVIDER } from "./common.js";

/** The offers routes' examples, by route key. */
export const OFFERS_EXAMPLES: Readonly<Record<string, RouteExample>> = {
  "GET /v1/offers": {
    query: {
      provider: EXAMPLE_PROVIDER,
      limit: "10",
    },
    response: {
      offers: [EXAMPLE_OFFER],
    },
  },
  "GET /v1/offers/best": {
    description:
      "Offers ranked by score as a match would rank them (price headroom, fit, preferred models, extra features, reputation, utilization); nothing is reserved.",
    query: {
      gpus: "2",
      vram: "80",
      maxPrice: "3",
      hours: "2",
      limit: "3",
    },
    response: {
      offers: [EXAMPLE_OFFER],
    },
  },
  "GET /v1/offers/{id}": {
    response: EXAMPLE_OFFER,
  },
  "POST /v1/offers": {
    description:
      "The signer is the provider. An offer lists `gpuCount` GPUs of one model at `pricePerHour` MOLT per GPU-hour for `availableHours`; several orders share its capacity (each takes `minGpuCount` GPUs, returned when its job ends). Resting orders the new offer satisfies are matched at once. Live offers per provider are capped (422 LIMIT_EXCEEDED).",
    body: {
      gpuCapacity: {
        gpuCount: 4,
        gpuModel: "NVIDIA A100 80GB",
        vramGb: 80,
      },
      pricePerHour: "1.2",
      availableHours: 48,
    },
    response: {
      offerId: "ofr_01M8S0H7AQ426BPNZQCMT3XNYV",
    },
  },
  "POST /v1/offers/{id}/pause": {
    body: {},
    response: {
      offerId: "ofr_01M8S0H0W2BY5C5WMAT6ZMEH42",
    },
  },
  "POST /v1/offers/{id}/resume": {
    body: {},
    response: {
      offerId: "ofr_01M8S0H0W2BY5C5WMAT6ZMEH42",
    },
  },
  "POST /v1/offers/{id}/withdraw": {
    body: {},
    response: {
      offerId: "ofr_01M8S0H7AQ426BPNZQCMT3XNYV",
    },
  },
};
