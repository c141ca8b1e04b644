// The server's Prometheus metrics, one fresh registry per app: default process metrics; requests by
// route pattern, method and status with their latency; the market's commands, chain transactions,
// payouts and sweeps (through a MarketObserver); the book's size and the live feed's clients.
// Labels are bounded: route patterns (never raw URLs), this code's command names, fixed error codes.
// Amounts are counted in MOLT base units, as floats for display only. GET /metrics serves them.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { FastifyInstance } from "fastify";
import { Amount } from "../core/amount.js";
import type { Marketplace } from "../market/marketplace.js";
import type { MarketObserver } from "../market/observer.js";

/** Latency buckets of HTTP answers, in seconds (1 ms .. 10 s). */
export const HTTP_LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10] as const;
/** Latency buckets of chain transactions from send to confirmation, in seconds (1 ms .. 60 s). */
export const CHAIN_LATENCY_BUCKETS_S = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60] as const;

/** A registry of the server's metrics, and the request series the app feeds. */
export interface MarketMetrics {
  readonly registry: Registry;
  readonly requests: Counter<"method" | "route" | "status">;
  readonly requestSeconds: Histogram<"method" | "route" | "status_class">;
}

/** Methods a request is counted under; any other (PROPFIND, ...) is "other". */
const COUNTED_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** Base units of a decimal MOLT string, as a float for display; 0 for text that is not an amount. */
function baseUnitsOf(molt: string): number {
  try {
    return Number(Amount.parse(molt).baseUnits);
  } catch {
    return 0;
  }
}

/** The metrics of one app over `market`: a fresh registry, so two apps in a process count apart. */
export function marketMetrics(market: Marketplace): MarketMetrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: "molt_http_requests_total",
    help: "HTTP requests answered, by method, route pattern and status",
    labelNames: ["method", "route", "status"] as const,
    registers,
  });
  const requestSeconds = new Histogram({
    name: "molt_http_request_duration_seconds",
    help: "Time to answer an HTTP request, by method, route pattern and status class (2xx, 4xx, ...)",
    labelNames: ["method", "route", "status_class"] as const,
    buckets: [...HTTP_LATENCY_BUCKETS_S],
    registers,
  });
  const gauge = (name: string, help: string, read: () => number): void => {
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  };
  gauge("molt_book_offers", "Offers in the book (active and paused)", () => market.book.offerCount);
  gauge("molt_book_resting_orders", "Orders resting in the book", () => market.book.pendingOrders().length);
  gauge("molt_book_allocations", "Matched orders holding GPUs", () => market.book.allocationCount);
  gauge("molt_feed_seq", "Last event seq this process applied", () => market.lastSeq);
  return { registry, requests, requestSeconds };
}

/** Counts every answer by method, route pattern and status, and times it. */
export function countRequests(app: FastifyInstance, metrics: MarketMetrics): void {
  app.addHook("onResponse", (request, reply, done) => {
    const method = COUNTED_METHODS.has(request.method) ? request.method : "other";
    const route = request.routeOptions.url ?? "unmatched";
    metrics.requests.inc({ method, route, status: String(reply.statusCode) });
    metrics.requestSeconds.observe({ method, route, status_class: `${Math.floor(reply.statusCode / 100)}xx` }, reply.elapsedTime / 1000);
    done();
  });
}

/** Counts the live feed's open WebSockets (the app's only WebSocket route is /v1/feed). */
export function countFeedClients(app: FastifyInstance, metrics: MarketMetrics): void {
  new Gauge({
    name: "molt_feed_clients",
    help: "Live feed WebSocket connections open now",
    registers: [metrics.registry],
    collect() {
      this.set(app.websocketServer.clients.size);
    },
  });
}

/**
 * Counts what `market` does while the app runs: commands by name and outcome, chain transactions
 * by kind and outcome with their latency, payouts' amounts, sweeper actions by kind. The observer
 * is removed when the app closes.
 */
export function observeMarket(app: FastifyInstance, market: Marketplace, metrics: MarketMetrics): void {
  const registers = [metrics.registry];
  const commands = new Counter({
    name: "molt_commands_total",
    help: "Market commands answered, by command and outcome (ok, or the error code)",
    labelNames: ["command", "outcome"] as const,
    registers,
  });
  const chainTransactions = new Counter({
    name: "molt_chain_transactions_total",
    help: "Chain transactions sent, by kind (fundEscrow, settle, refund, resolve, extendJob, airdrop) and outcome (ok, or the error code)",
    labelNames: ["kind", "outcome"] as const,
    registers,
  });
  const chainSeconds = new Histogram({
    name: "molt_chain_transaction_confirm_seconds",
    help: "Time from sending a chain transaction to its confirmation, by kind (confirmed ones only)",
    labelNames: ["kind"] as const,
    buckets: [...CHAIN_LATENCY_BUCKETS_S],
    registers,
  });
  const amountCounter = (name: string, help: string): Counter<"op"> =>
    new Counter({
      name,
      help: `${help}, by payout (settle, refund, resolve); MOLT base units (1 MOLT = 1e9)`,
      labelNames: ["op"],
      registers,
    });
  const settled = amountCounter("molt_settled_volume_base_units_total", "MOLT charged for compute (provider payment + platform fee)");
  const fees = amountCounter("molt_platform_fees_base_units_total", "MOLT platform fees taken");
  const refunded = amountCounter("molt_refunded_base_units_total", "MOLT refunded to buyers");
  const payouts = new Counter({
    name: "molt_payouts_total",
    help: "Escrow payouts recorded, by payout (settle, refund, resolve) and settlement status",
    labelNames: ["op", "status"] as const,
    registers,
  });
  const sweeps = new Counter({
    name: "molt_sweeper_actions_total",
    help: "What sweeps did, by kind (expiredOffers, expiredOrders, unfunded, timedOut, lost, settlementsDue)",
    labelNames: ["kind"] as const,
    registers,
  });
  const observer: MarketObserver = {
    commandAnswered: (command, outcome) => {
      commands.inc({ command, outcome });
    },
    chainTransaction: (kind, outcome, latencyMs) => {
      chainTransactions.inc({ kind, outcome });
      if (outcome === "ok") chainSeconds.observe({ kind }, latencyMs / 1000);
    },
    payoutRecorded: (op, summary) => {
      payouts.inc({ op, status: summary.status });
      settled.inc({ op }, baseUnitsOf(summary.providerPayment) + baseUnitsOf(summary.platformFee));
      fees.inc({ op }, baseUnitsOf(summary.platformFee));
      refunded.inc({ op }, baseUnitsOf(summary.buyerRefund));
    },
    swept: (result) => {
      for (const [kind, count] of Object.entries(result) as [string, number][]) sweeps.inc({ kind }, count);
    },
  };
  const remove = market.observe(observer);
  app.addHook("onClose", (_instance, done) => {
    remove();
    done();
  });
}
