// Examples of the orders routes in the OpenAPI document, taken from a real market (embedded chain,
// real wallets): requests and their 200 answers. Data only; test/server/openapi.test.ts validates each
// against its route's schema.
import type { RouteExample } from "../openapi-examples.js";
import { EXAMPLE_BUYER, EXAMPLE_MATCH, EXAMPLE_RUNNING_ORDER } from "./common.js";

/** The orders routes' examples, by route key. */
export const ORDERS_EXAMPLES: Readonly<Record<string, RouteExample>> = {
  "GET /v1/matches": {
    query: {
      buyer: EXAMPLE_BUYER,
      limit: "10",
    },
    response: {
      matches: [EXAMPLE_MATCH],
    },
  },
  "GET /v1/orders": {
    query: {
      buyer: EXAMPLE_BUYER,
      limit: "2",
    },
    response: {
      orders: [EXAMPLE_RUNNING_ORDER],
      next: "ord_01M8S0H66NHTT44AFRHNEM5A5B",
    },
  },
  "GET /v1/orders/{id}": {
    description:
      "The order with its match (price, GPUs, score and its parts), its job record (funding, start, receipts, attestation, settlement, extensions) and its deadlines.",
    response: EXAMPLE_RUNNING_ORDER,
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
      orderId: EXAMPLE_MATCH.orderId,
      status: "Matched",
      match: EXAMPLE_MATCH,
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
