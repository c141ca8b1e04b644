// Examples of the offers routes in the OpenAPI document, taken from a real market (embedded chain,
// real wallets): requests and their 200 answers. Data only; test/server/openapi.test.ts validates each
// against its route's schema.
import type { RouteExample } from "../openapi-examples.js";

/** The offers routes' examples, by route key. */
export const OFFERS_EXAMPLES: Readonly<Record<string, RouteExample>> = {
  "GET /v1/offers": {
    query: {
      provider: "BGBn3EkUZPsAhHfJ4Wt8tUNmqnNXY2mofqb3rCpb5wS3",
      limit: "10",
    },
    response: {
      offers: [
        {
          offerId: "ofr_01M8S0H0W2BY5C5WMAT6ZMEH42",
          providerId: "BGBn3EkUZPsAhHfJ4Wt8tUNmqnNXY2mofqb3rCpb5wS3",
          status: "Active",
          gpuModel: "NVIDIA H100 80GB",
          gpuCount: 8,
          freeGpus: 6,
          vramGb: 80,
          pricePerHour: "2.5",
          availableHours: 72,
          minCommitmentHours: 1,
          features: ["NvLink", "Infiniband"],
          createdAt: "2026-12-01T14:35:48.482Z",
          expiresAt: "2026-12-08T14:35:48.482Z",
          region: "eu-west",
          country: "DE",
        },
      ],
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
      offers: [
        {
          offerId: "ofr_01M8S0H0W2BY5C5WMAT6ZMEH42",
          providerId: "BGBn3EkUZPsAhHfJ4Wt8tUNmqnNXY2mofqb3rCpb5wS3",
          status: "Active",
          gpuModel: "NVIDIA H100 80GB",
          gpuCount: 8,
          freeGpus: 6,
          vramGb: 80,
          pricePerHour: "2.5",
          availableHours: 72,
          minCommitmentHours: 1,
          features: ["NvLink", "Infiniband"],
          createdAt: "2026-12-01T14:35:48.482Z",
          expiresAt: "2026-12-08T14:35:48.482Z",
          region: "eu-west",
          country: "DE",
        },
      ],
    },
  },
  "GET /v1/offers/{id}": {
    response: {
      offerId: "ofr_01M8S0H0W2BY5C5WMAT6ZMEH42",
      providerId: "BGBn3EkUZPsAhHfJ4Wt8tUNmqnNXY2mofqb3rCpb5wS3",
      status: "Active",
      gpuModel: "NVIDIA H100 80GB",
      gpuCount: 8,
      freeGpus: 6,
      vramGb: 80,
      pricePerHour: "2.5",
      availableHours: 72,
      minCommitmentHours: 1,
      features: ["NvLink", "Infiniband"],
      createdAt: "2026-12-01T14:35:48.482Z",
      expiresAt: "2026-12-08T14:35:48.482Z",
      region: "eu-west",
      country: "DE",
    },
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
