// Examples and descriptions of the OpenAPI document, per route: a realistic request (body or
// query) and 200 answer of each, from a real market (base58 addresses, ULID ids, decimal MOLT
// strings). Data only; a test validates every example against its route's schema.

/** What the document adds to one route. */
export interface RouteExample {
  /** What the summary cannot say: the behaviour that is not obvious. */
  readonly description?: string;
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string>>;
  readonly response?: unknown;
}

/** The key of a route: "POST /v1/orders/{id}/fund" (the method, then the path as the document writes it). */
export function routeKey(method: string, url: string): string {
  return `${method.toUpperCase()} ${url.replace(/:([A-Za-z]+)/g, "{$1}")}`;
}

/** The examples of every route, by routeKey. */
export const ROUTE_EXAMPLES: Readonly<Record<string, RouteExample>> = {};
