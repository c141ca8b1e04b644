// Examples of the feed routes in the OpenAPI document, taken from a real market (embedded chain,
// real wallets): requests and their 200 answers. Data only; test/server/openapi.test.ts validates each
// against its route's schema.
import type { RouteExample } from "../openapi-examples.js";

/** The feed routes' examples, by route key. */
export const FEED_EXAMPLES: Readonly<Record<string, RouteExample>> = {
  "GET /v1/events": {
    description:
      "The event log (every book and lifecycle change, numbered by a monotonic `seq`), oldest first; page on with after=<last seq>. The live feed (GET /v1/feed) sends the same events as they happen. `payload` is the event's own JSON document.",
    query: {
      after: "40",
      limit: "2",
    },
    response: {
      events: [
        {
          seq: 41,
          type: "DisputeDecided",
          entityId: "ord_01M8S0H4GZ1QPYA9JF0W7GYR3D",
          atMs: 1796135753456,
          node: "node-20795",
          payload:
            '{"type":"DisputeDecided","entityId":"ord_01M8S0H4GZ1QPYA9JF0W7GYR3D","escrowId":"esc_01M8S0H4GZ1QPYA9JF0W7GYR3D","providerShare":"2"}',
        },
      ],
    },
  },
  "GET /v1/feed": {
    query: {
      after: "41",
    },
  },
};
