// Every route of the HTTP API (the route plugins of src/server/routes/) as the hostile
// suite attacks it: its method and path, who owns the object it acts on, a valid request (the
// body a mutating route takes, the query a read takes), and what each query parameter is. A
// malformed variant of a valid request must be refused; a test checks this table against the
// routes the server publishes, so a new route cannot go unattacked.
import type { Wallet } from "../../../src/chain/wallet.js";
import type { EscrowView } from "../../../src/contract/escrows.js";
import { newDisputeId } from "../../../src/core/ids.js";
import { attest, openDisputeStatement } from "../../../src/settlement/statements.js";
import type { ExecutionProof } from "../../../src/settlement/statements.js";
import { countersignUsageReceipt, signUsageReceipt, telemetryDigest } from "../../../src/settlement/usage-receipt.js";
import type { UsageReceipt } from "../../../src/settlement/usage-receipt.js";

/** The objects the routes act on, made by the suite's setup. */
export interface RouteFixture {
  readonly buyer: Wallet;
  readonly provider: Wallet;
  readonly arbiter: Wallet;
  readonly attacker: Wallet;
  /** An active offer of the provider. */
  readonly offerId: string;
  /** A funded order of the buyer whose job runs. */
  readonly orderId: string;
  readonly escrow: EscrowView;
  readonly startedAtMs: number;
  /** A resting order of the buyer. */
  readonly restingId: string;
}

/** What a query parameter holds: its malformed values follow from it. */
export type QueryKind =
  "int" | "decimal" | "address" | "seq" | { readonly text: { readonly minLength: number; readonly maxLength: number } };

/** One route. A POST always has a valid body: a command that takes no fields takes `{}` (and refuses any field). */
export interface HostileRoute {
  readonly method: "GET" | "POST";
  /** As the OpenAPI document writes it: /v1/orders/{id}/fund */
  readonly template: string;
  /** Where its path parameter goes, when it has one: an order, an offer, or an address. */
  readonly param?: "order" | "resting" | "offer" | "address";
  /** Who may call it (the caller whose valid request would change state). */
  owner(f: RouteFixture): Wallet;
  /** The body of a valid POST; undefined for a GET. */
  body?(f: RouteFixture): Record<string, unknown>;
  /** A valid query, and the kind of each parameter it may take. */
  readonly query?: { readonly valid: Readonly<Record<string, string>>; readonly kinds: Readonly<Record<string, QueryKind>> };
}

function proof(f: RouteFixture, exitStatus: number): ExecutionProof {
  return {
    escrowId: f.escrow.escrowId,
    orderId: f.orderId,
    offerId: f.escrow.offerId,
    provider: f.provider.address,
    gpuModel: "H100",
    gpuCount: f.escrow.gpuCount,
    startedAtMs: f.startedAtMs,
    endedAtMs: f.startedAtMs + 1000,
    exitStatus,
    outputDigest: "a".repeat(64),
    usageDigest: "b".repeat(64),
  };
}

/** The job's first usage receipt: one second run, a second after its start, with the telemetry the receipts route is sent. */
function receiptOf(f: RouteFixture): UsageReceipt {
  return signUsageReceipt({
    escrowId: f.escrow.escrowId,
    provider: f.provider,
    sequence: 1,
    secondsRun: 1,
    atMs: f.startedAtMs + 1000,
    telemetryDigest: telemetryDigest({ gpuUtilizationPct: [90], deviceUuids: ["GPU-0"] }),
  });
}

const buyer = (f: RouteFixture): Wallet => f.buyer;
const provider = (f: RouteFixture): Wallet => f.provider;
const anyone = (f: RouteFixture): Wallet => f.attacker;
const offerBody = (): Record<string, unknown> => ({
  gpuCapacity: { gpuCount: 8, gpuModel: "H100", vramGb: 80 },
  pricePerHour: "2.5",
  availableHours: 24,
});
const noFields = (): Record<string, unknown> => ({});
const orderBody = (): Record<string, unknown> => ({
  requirements: { minGpuCount: 1, minVramGb: 40, maxPricePerHour: "3", estimatedHours: 1 },
});
const QUOTE = {
  valid: { gpus: "1", maxPrice: "3", hours: "1", vram: "40", limit: "5" },
  kinds: {
    gpus: "int",
    maxPrice: "decimal",
    hours: "int",
    vram: "int",
    limit: "int",
    features: { text: { minLength: 0, maxLength: 128 } },
    region: { text: { minLength: 0, maxLength: 64 } },
    country: { text: { minLength: 2, maxLength: 2 } },
  },
} as const;

/** Every route the server serves, but /docs (static OpenAPI pages). */
export const HOSTILE_ROUTES: readonly HostileRoute[] = [
  { method: "GET", template: "/healthz", owner: anyone },
  { method: "GET", template: "/metrics", owner: anyone },
  { method: "GET", template: "/v1/stats", owner: anyone },
  {
    method: "GET",
    template: "/v1/market/trades",
    owner: anyone,
    query: {
      valid: { model: "H100", after: "0", limit: "10" },
      kinds: { model: { text: { minLength: 1, maxLength: 64 } }, after: "seq", limit: "int" },
    },
  },
  {
    method: "GET",
    template: "/v1/market/candles",
    owner: anyone,
    query: {
      valid: { model: "H100", interval: "1h", from: "0", to: "3600000" },
      kinds: {
        model: { text: { minLength: 1, maxLength: 64 } },
        interval: { text: { minLength: 2, maxLength: 2 } },
        from: "seq",
        to: "seq",
      },
    },
  },
  {
    method: "GET",
    template: "/v1/market/depth",
    owner: anyone,
    query: { valid: { model: "H100" }, kinds: { model: { text: { minLength: 1, maxLength: 64 } } } },
  },
  { method: "GET", template: "/v1/market", owner: anyone },
  { method: "GET", template: "/v1/balances/{address}", param: "address", owner: anyone },
  { method: "GET", template: "/v1/providers/{address}", param: "address", owner: anyone },
  { method: "GET", template: "/v1/quote", owner: anyone, query: QUOTE },
  {
    method: "GET",
    template: "/v1/offers/best",
    owner: anyone,
    query: {
      valid: { gpus: "1", maxPrice: "3", hours: "1" },
      kinds: {
        gpus: "int",
        vram: "int",
        maxPrice: "decimal",
        hours: "int",
        models: { text: { minLength: 0, maxLength: 512 } },
        limit: "int",
      },
    },
  },
  {
    method: "GET",
    template: "/v1/events",
    owner: anyone,
    query: { valid: { after: "0", limit: "10" }, kinds: { after: "seq", limit: "int" } },
  },
  { method: "GET", template: "/v1/feed", owner: anyone, query: { valid: { after: "0" }, kinds: { after: "seq" } } },
  {
    method: "GET",
    template: "/v1/offers",
    owner: anyone,
    query: {
      valid: { limit: "10" },
      kinds: {
        provider: "address",
        model: { text: { minLength: 1, maxLength: 128 } },
        after: { text: { minLength: 0, maxLength: 64 } },
        limit: "int",
      },
    },
  },
  { method: "GET", template: "/v1/offers/{id}", param: "offer", owner: anyone },
  {
    method: "GET",
    template: "/v1/matches",
    owner: anyone,
    query: {
      valid: { buyer: "11111111111111111111111111111111", limit: "10" },
      kinds: { provider: "address", buyer: "address", limit: "int" },
    },
  },
  {
    method: "GET",
    template: "/v1/orders",
    owner: anyone,
    query: {
      valid: { buyer: "11111111111111111111111111111111", status: "Pending,Settled", limit: "10" },
      kinds: {
        buyer: "address",
        provider: "address",
        status: { text: { minLength: 0, maxLength: 102 } },
        after: { text: { minLength: 0, maxLength: 64 } },
        limit: "int",
      },
    },
  },
  { method: "GET", template: "/v1/orders/{id}", param: "order", owner: anyone },
  { method: "GET", template: "/v1/orders/{id}/escrow", param: "order", owner: anyone },
  { method: "POST", template: "/v1/offers", owner: provider, body: offerBody },
  { method: "POST", template: "/v1/offers/{id}/pause", param: "offer", owner: provider, body: noFields },
  { method: "POST", template: "/v1/offers/{id}/resume", param: "offer", owner: provider, body: noFields },
  { method: "POST", template: "/v1/offers/{id}/withdraw", param: "offer", owner: provider, body: noFields },
  { method: "POST", template: "/v1/orders", owner: buyer, body: orderBody },
  { method: "POST", template: "/v1/orders/{id}/cancel", param: "resting", owner: buyer, body: noFields },
  { method: "POST", template: "/v1/orders/{id}/start", param: "order", owner: provider, body: noFields },
  {
    method: "POST",
    template: "/v1/orders/{id}/complete",
    param: "order",
    owner: provider,
    body: (f) => ({ attestation: attest(proof(f, 0), f.provider) }),
  },
  {
    method: "POST",
    template: "/v1/orders/{id}/fail",
    param: "order",
    owner: provider,
    body: (f) => ({ attestation: attest(proof(f, 137), f.provider) }),
  },
  {
    method: "POST",
    template: "/v1/orders/{id}/dispute",
    param: "order",
    owner: buyer,
    body: (f) => ({
      dispute: openDisputeStatement({
        id: newDisputeId(f.startedAtMs),
        escrowId: f.escrow.escrowId,
        party: f.buyer,
        reason: "the output is empty",
        openedAtMs: f.startedAtMs + 2000,
      }),
    }),
  },
  {
    method: "POST",
    template: "/v1/orders/{id}/receipts",
    param: "order",
    owner: provider,
    body: (f) => ({ receipt: receiptOf(f), telemetry: { gpuUtilizationPct: [90], deviceUuids: ["GPU-0"] } }),
  },
  {
    method: "POST",
    template: "/v1/orders/{id}/receipts/countersign",
    param: "order",
    owner: buyer,
    body: (f) => ({ sequence: 1, signature: countersignUsageReceipt(receiptOf(f), f.buyer) }),
  },
  { method: "POST", template: "/v1/orders/{id}/workload", param: "order", owner: buyer, body: noFields },
  { method: "POST", template: "/v1/orders/{id}/fund", param: "order", owner: buyer, body: () => ({}) },
  { method: "POST", template: "/v1/orders/{id}/settle", param: "order", owner: buyer, body: () => ({ actualHours: "0.5" }) },
  { method: "POST", template: "/v1/orders/{id}/refund", param: "order", owner: buyer, body: () => ({}) },
  { method: "POST", template: "/v1/orders/{id}/extend", param: "order", owner: buyer, body: () => ({ hours: 1 }) },
  {
    method: "POST",
    template: "/v1/orders/{id}/dispute/decide",
    param: "order",
    owner: (f) => f.arbiter,
    body: () => ({ providerShare: "1", reason: "half the output" }),
  },
  { method: "POST", template: "/v1/orders/{id}/dispute/accept", param: "order", owner: buyer, body: () => ({}) },
  { method: "POST", template: "/v1/airdrops", owner: anyone, body: () => ({ molt: "1" }) },
];

/** The route's path with its parameter filled in (`value` replaces the fixture's object). */
export function pathOf(route: HostileRoute, f: RouteFixture, value?: string): string {
  const id =
    value ??
    (route.param === "order" ? f.orderId : route.param === "resting" ? f.restingId : route.param === "offer" ? f.offerId : f.buyer.address);
  return route.template.replace(/\{[a-z]+\}/, id);
}

/** The route's valid URL: its path and its valid query. */
export function urlOf(route: HostileRoute, f: RouteFixture): string {
  const query = new URLSearchParams(route.query?.valid ?? {}).toString();
  return query === "" ? pathOf(route, f) : `${pathOf(route, f)}?${query}`;
}
