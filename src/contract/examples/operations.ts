// Examples of the operations routes in the OpenAPI document, taken from a real market (embedded chain,
// real wallets): requests and their 200 answers. Data only; test/server/openapi.test.ts validates each
// against its route's schema.
import type { RouteExample } from "../openapi-examples.js";

/** The operations routes' examples, by route key. */
export const OPERATIONS_EXAMPLES: Readonly<Record<string, RouteExample>> = {
  "GET /healthz": {
    response: {
      status: "ok",
      seq: 57,
    },
  },
};
