// Examples of the orders routes in the OpenAPI document, taken from a real market (embedded chain,
// real wallets): requests and their 200 answers. Data only; test/server/openapi.test.ts validates each
// against its route's schema.
import type { RouteExample } from "../openapi-examples.js";

/** The orders routes' examples, by route key. */
export const ORDERS_EXAMPLES: Readonly<Record<string, RouteExample>> = {
  "GET /v1/matches": {
    query: {
      buyer: "912QgbHHkt6fR8hUn3h6JnrtMCaKvReSfmJTRDebEot",
      limit: "10",
    },
    response: {
      matches: [
        {
          orderId: "ord_01M8S0H685PFKDFKVH92XQ7N1Q",
          offerId: "ofr_01M8S0H0W2BY5C5WMAT6ZMEH42",
          providerId: "BGBn3EkUZPsAhHfJ4Wt8tUNmqnNXY2mofqb3rCpb5wS3",
          gpuCount: 2,
          pricePerHour: "2.5",
          hours: 2,
          totalCost: "10",
          feeBps: 250,
          platformFee: "0.24999838",
          score: 0.446029408,
          scoreBreakdown: {
            priceHeadroom: 0.075,
            gpuFit: 0.0375,
            vramFit: 0.1,
            preferredModel: 0.15,
            extraFeatures: 0.01,
            reputation: 0.023529408,
            utilization: 0.05,
            total: 0.446029408,
          },
        },
      ],
    },
  },
  "GET /v1/orders": {
    query: {
      buyer: "912QgbHHkt6fR8hUn3h6JnrtMCaKvReSfmJTRDebEot",
      limit: "2",
    },
    response: {
      orders: [
        {
          orderId: "ord_01M8S0H685PFKDFKVH92XQ7N1Q",
          status: "Running",
          buyerId: "912QgbHHkt6fR8hUn3h6JnrtMCaKvReSfmJTRDebEot",
          offerId: "ofr_01M8S0H0W2BY5C5WMAT6ZMEH42",
          escrowId: "esc_01M8S0H685PFKDFKVH92XQ7N1Q",
          match: {
            orderId: "ord_01M8S0H685PFKDFKVH92XQ7N1Q",
            offerId: "ofr_01M8S0H0W2BY5C5WMAT6ZMEH42",
            providerId: "BGBn3EkUZPsAhHfJ4Wt8tUNmqnNXY2mofqb3rCpb5wS3",
            gpuCount: 2,
            pricePerHour: "2.5",
            hours: 2,
            totalCost: "10",
            feeBps: 250,
            platformFee: "0.24999838",
            score: 0.446029408,
            scoreBreakdown: {
              priceHeadroom: 0.075,
              gpuFit: 0.0375,
              vramFit: 0.1,
              preferredModel: 0.15,
              extraFeatures: 0.01,
              reputation: 0.023529408,
              utilization: 0.05,
              total: 0.446029408,
            },
          },
          job: {
            gpuModel: "NVIDIA H100 80GB",
            fundedAtMs: 1796135754025,
            startedAtMs: 1796135754052,
          },
          rematch: false,
          successorOf: null,
          deadlines: {
            fundBy: null,
            lockedUntil: "2026-12-01T17:35:54.015Z",
            disputeUntil: null,
            receiptDueBy: "2026-12-01T14:40:54.052Z",
          },
        },
      ],
      next: "ord_01M8S0H66NHTT44AFRHNEM5A5B",
    },
  },
  "GET /v1/orders/{id}": {
    description:
      "The order with its match (price, GPUs, score and its parts), its job record (funding, start, receipts, attestation, settlement, extensions) and its deadlines.",
    response: {
      orderId: "ord_01M8S0H685PFKDFKVH92XQ7N1Q",
      status: "Running",
      buyerId: "912QgbHHkt6fR8hUn3h6JnrtMCaKvReSfmJTRDebEot",
      offerId: "ofr_01M8S0H0W2BY5C5WMAT6ZMEH42",
      escrowId: "esc_01M8S0H685PFKDFKVH92XQ7N1Q",
      match: {
        orderId: "ord_01M8S0H685PFKDFKVH92XQ7N1Q",
        offerId: "ofr_01M8S0H0W2BY5C5WMAT6ZMEH42",
        providerId: "BGBn3EkUZPsAhHfJ4Wt8tUNmqnNXY2mofqb3rCpb5wS3",
        gpuCount: 2,
        pricePerHour: "2.5",
        hours: 2,
        totalCost: "10",
        feeBps: 250,
        platformFee: "0.24999838",
        score: 0.446029408,
        scoreBreakdown: {
          priceHeadroom: 0.075,
          gpuFit: 0.0375,
          vramFit: 0.1,
          preferredModel: 0.15,
          extraFeatures: 0.01,
          reputation: 0.023529408,
          utilization: 0.05,
          total: 0.446029408,
        },
      },
      job: {
        gpuModel: "NVIDIA H100 80GB",
        fundedAtMs: 1796135754025,
        startedAtMs: 1796135754052,
      },
      rematch: false,
      successorOf: null,
      deadlines: {
        fundBy: null,
        lockedUntil: "2026-12-01T17:35:54.015Z",
        disputeUntil: null,
        receiptDueBy: "2026-12-01T14:40:54.052Z",
      },
    },
  },
  "POST /v1/orders": {
    description:
      "Every order is backed by the buyer's balance: its largest cost, with what the buyer's resting and unfunded orders already commit, must fit the MOLT it holds (402 INSUFFICIENT_FUNDS). A match allocates exactly `minGpuCount` GPUs for `estimatedHours`; the buyer then funds the escrow within the funding window (GET /v1/market, `fundingWindowMs`) or the match expires and its GPUs return.",
    body: {
      requirements: {
        minGpuCount: 2,
        minVramGb: 80,
        maxPricePerHour: "3",
        estimatedHours: 2,
        requiredFeatures: ["NvLink"],
        preferredModels: ["NVIDIA H100 80GB"],
      },
      maxBudget: "12",
    },
    response: {
      orderId: "ord_01M8S0H685PFKDFKVH92XQ7N1Q",
      status: "Matched",
      match: {
        orderId: "ord_01M8S0H685PFKDFKVH92XQ7N1Q",
        offerId: "ofr_01M8S0H0W2BY5C5WMAT6ZMEH42",
        providerId: "BGBn3EkUZPsAhHfJ4Wt8tUNmqnNXY2mofqb3rCpb5wS3",
        gpuCount: 2,
        pricePerHour: "2.5",
        hours: 2,
        totalCost: "10",
        feeBps: 250,
        platformFee: "0.24999838",
        score: 0.446029408,
        scoreBreakdown: {
          priceHeadroom: 0.075,
          gpuFit: 0.0375,
          vramFit: 0.1,
          preferredModel: 0.15,
          extraFeatures: 0.01,
          reputation: 0.023529408,
          utilization: 0.05,
          total: 0.446029408,
        },
      },
    },
  },
  "POST /v1/orders/{id}/cancel": {
    description:
      "A resting order, or a matched one not funded yet (its GPUs return to the offer). A funded order is not cancelled: it runs, fails or is refunded.",
    body: {},
    response: {
      orderId: "ord_01M8S0H66NHTT44AFRHNEM5A5B",
    },
  },
};
