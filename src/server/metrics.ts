// The server's Prometheus metrics: default process metrics, requests by route and status, and the
// book's size. Counts only; GET /metrics (routes/operations.ts) serves them.
import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";
import type { FastifyInstance } from "fastify";
import type { Marketplace } from "../market/marketplace.js";

/** A registry of the server's metrics, and the request counter the app feeds. */
export interface MarketMetrics {
  readonly registry: Registry;
  readonly requests: Counter<"method" | "route" | "status">;
}

/** The metrics of one app over `market`: a fresh registry, so two apps in a process count apart. */
export function marketMetrics(market: Marketplace): MarketMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: "molt_http_requests_total",
    help: "HTTP requests answered, by method, route and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const gauge = (name: string, help: string, read: () => number): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  };
  gauge("molt_book_offers", "Offers in the book (active and paused)", () => market.book.offerCount);
  gauge("molt_book_resting_orders", "Orders resting in the book", () => market.book.pendingOrders().length);
  gauge("molt_book_allocations", "Matched orders holding GPUs", () => market.book.allocationCount);
  gauge("molt_feed_seq", "Last event seq this process applied", () => market.lastSeq);
  return { registry, requests };
}

/** Counts every answer by method, route template and status. */
export function countRequests(app: FastifyInstance, metrics: MarketMetrics): void {
  app.addHook("onResponse", (request, reply, done) => {
    metrics.requests.inc({ method: request.method, route: request.routeOptions.url ?? "unknown", status: String(reply.statusCode) });
    done();
  });
}
