// Examples and descriptions of the OpenAPI document, per route: a realistic request (body or
// query) and 200 answer of each, taken from a real market (base58 addresses, ULID ids, decimal
// MOLT strings), one file per tag under examples/. Data only; a test validates every example
// against its route's schema as the document publishes it.
import { DISPUTES_EXAMPLES } from "./examples/disputes.js";
import { ESCROWS_EXAMPLES } from "./examples/escrows.js";
import { FEED_EXAMPLES } from "./examples/feed.js";
import { JOBS_EXAMPLES } from "./examples/jobs.js";
import { MARKET_EXAMPLES } from "./examples/market.js";
import { OFFERS_EXAMPLES } from "./examples/offers.js";
import { OPERATIONS_EXAMPLES } from "./examples/operations.js";
import { ORDERS_EXAMPLES } from "./examples/orders.js";
import { PROVIDERS_EXAMPLES } from "./examples/providers.js";

/** What the document adds to one route. */
export interface RouteExample {
  /** What the summary cannot say: the behaviour that is not obvious (replaces the route's own description). */
  readonly description?: string;
  /** A request body the route accepts. */
  readonly body?: unknown;
  /** A query the route accepts, parameter by parameter. */
  readonly query?: Readonly<Record<string, string>>;
  /** The route's 200 answer to that request. */
  readonly response?: unknown;
}

/** The key of a route: "POST /v1/orders/{id}/fund" (the method, then the path as the document writes it). */
export function routeKey(method: string, url: string): string {
  return `${method.toUpperCase()} ${url.replace(/:([A-Za-z]+)/g, "{$1}")}`;
}

/** The examples of every route, by routeKey. */
export const ROUTE_EXAMPLES: Readonly<Record<string, RouteExample>> = {
  ...OFFERS_EXAMPLES,
  ...ORDERS_EXAMPLES,
  ...JOBS_EXAMPLES,
  ...ESCROWS_EXAMPLES,
  ...DISPUTES_EXAMPLES,
  ...MARKET_EXAMPLES,
  ...PROVIDERS_EXAMPLES,
  ...FEED_EXAMPLES,
  ...OPERATIONS_EXAMPLES,
};
