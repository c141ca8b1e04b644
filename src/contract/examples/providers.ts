// Examples of the providers routes in the OpenAPI document, taken from a real market (embedded chain,
// real wallets): requests and their 200 answers. Data only; test/server/openapi.test.ts validates each
// against its route's schema.
import type { RouteExample } from "../openapi-examples.js";

/** The providers routes' examples, by route key. */
export const PROVIDERS_EXAMPLES: Readonly<Record<string, RouteExample>> = {
  "GET /v1/providers/{address}": {
    response: {
      providerId: "BGBn3EkUZPsAhHfJ4Wt8tUNmqnNXY2mofqb3rCpb5wS3",
      counts: {
        settled: 1,
        disputeWon: 0,
        disputeLost: 1,
        failedExitStatus: 1,
        lost: 0,
        timedOut: 0,
      },
      uptime: 9.259259259259259e-5,
      estimate: 0.4705881510010536,
      successWeight: 0.9999992196748906,
      failureWeight: 1.2499998834058255,
      prior: {
        successes: 1,
        failures: 1,
        halfLifeMs: 2592000000,
      },
      latestAtMs: 1796135753794,
      recent: [
        {
          orderId: "ord_01M8S0H4GZ1QPYA9JF0W7GYR3D",
          outcome: "disputeLost",
          atMs: 1796135753794,
        },
      ],
    },
  },
};
