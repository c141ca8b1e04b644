// Examples of the market routes in the OpenAPI document, taken from a real market (embedded chain,
// real wallets): requests and their 200 answers. Data only; test/server/openapi.test.ts validates each
// against its route's schema.
import type { RouteExample } from "../openapi-examples.js";
import { EXAMPLE_MATCH } from "./common.js";

/** The market routes' examples, by route key. */
export const MARKET_EXAMPLES: Readonly<Record<string, RouteExample>> = {
  "GET /v1/balances/{address}": {
    response: {
      address: "912QgbHHkt6fR8hUn3h6JnrtMCaKvReSfmJTRDebEot",
      molt: "100012.997222222",
    },
  },
  "GET /v1/market": {
    response: {
      arbiter: "AhnmfacGx4hjXsXhRQkEuBnHaMYe3HLraJzSpz8m7sB6",
      feeRecipient: "AhnmfacGx4hjXsXhRQkEuBnHaMYe3HLraJzSpz8m7sB6",
      mint: "GomBGZvPmNxr8HCz1zuu7Fsebj5yD7DFMVoPws9B4Q2V",
      network: "localnet",
      feeBps: 250,
      receiptTimeoutMs: 300000,
      disputeWindowMs: 3600000,
      fundingWindowMs: 900000,
    },
  },
  "GET /v1/market/candles": {
    query: {
      model: "NVIDIA H100 80GB",
      interval: "1h",
      from: "1796128555139",
      to: "1796135755139",
    },
    response: {
      model: "H100",
      interval: "1h",
      fromMs: 1796126400000,
      toMs: 1796137200000,
      candles: [
        {
          startMs: 1796133600000,
          start: "2026-12-01T14:00:00.000Z",
          trades: 4,
          open: "2.5",
          high: "2.5",
          low: "2.5",
          close: "2.5",
          gpuHours: 16,
          molt: "40",
        },
      ],
    },
  },
  "GET /v1/market/depth": {
    query: {
      model: "NVIDIA H100 80GB",
    },
    response: {
      model: "H100",
      asks: [
        {
          price: "2.5",
          gpus: 6,
          count: 1,
        },
      ],
      bids: [],
      partial: false,
    },
  },
  "GET /v1/market/trades": {
    query: {
      model: "NVIDIA H100 80GB",
      after: "0",
      limit: "2",
    },
    response: {
      trades: [
        {
          seq: 2,
          atMs: 1796135748522,
          orderId: "ord_01M8S0H0X8086ZW5VS0KWVTEGC",
          offerId: "ofr_01M8S0H0W2BY5C5WMAT6ZMEH42",
          providerId: "BGBn3EkUZPsAhHfJ4Wt8tUNmqnNXY2mofqb3rCpb5wS3",
          gpuModel: "H100",
          gpuCount: 2,
          hours: 2,
          gpuHours: 4,
          pricePerHour: "2.5",
          molt: "10",
        },
      ],
      next: 20,
    },
  },
  "GET /v1/quote": {
    description: "A pure quote: nothing is reserved. Without a match, `explanation` says which constraints no offer in the book meets.",
    query: {
      gpus: "2",
      vram: "80",
      maxPrice: "3",
      hours: "2",
      features: "NvLink",
      limit: "3",
    },
    response: {
      matches: [
        {
          ...EXAMPLE_MATCH,
          orderId: "ord_00000000000000000000000000",
          score: 0.308529408,
          scoreBreakdown: { ...EXAMPLE_MATCH.scoreBreakdown, gpuFit: 0.05, preferredModel: 0, total: 0.308529408 },
        },
      ],
    },
  },
  "GET /v1/stats": {
    response: {
      models: [
        {
          gpuModel: "H100",
          offers: 1,
          freeGpus: 6,
          lowestPrice: "2.5",
          medianPrice: "2.5",
        },
      ],
    },
  },
  "POST /v1/airdrops": {
    description: "Test MOLT minted to the signer; refused on mainnet (INVALID_NETWORK) and capped per address (LIMIT_EXCEEDED).",
    body: {
      molt: "25",
    },
    response: {
      address: "912QgbHHkt6fR8hUn3h6JnrtMCaKvReSfmJTRDebEot",
      molt: "25",
      transactionId: "5MXRAw1bW6hKG1bdVoqaE9GKr8yE16AnM1jxAdxqvp1Yu1Thxi2XTHBLbepGuoYbgpjqvfn1rmTgnvcgeps9msAH",
    },
  },
};
