// MarketClient: the typed HTTP client of the marketplace server. It signs every mutating request
// with a Wallet (RFC 9421), sends an Idempotency-Key, retries transport failures with the same key,
// and turns error answers back into MarketErrors. Talks HTTP only through fetch.
import { randomUUID } from "node:crypto";
import { systemClock } from "../core/clock.js";
import type { Clock } from "../core/clock.js";
import { MARKET_ERROR_TABLE, MarketError } from "../core/errors.js";
import type { MarketErrorCode, MarketErrorDetails } from "../core/errors.js";
import type { Wallet } from "../chain/wallet.js";
import { signRequest } from "../server/http-signature.js";

/** Attempts of one request when the connection fails (same key, fresh signature each time). */
export const CLIENT_ATTEMPTS_MAX = 3;

/** How a client is set up. */
export interface MarketClientOptions {
  /** The server, e.g. http://127.0.0.1:8080 */
  readonly baseUrl: string;
  /** Signs mutating requests; reads need none. */
  readonly wallet?: Wallet;
  readonly clock?: Clock;
  readonly fetch?: typeof fetch;
}

/** A match as the server sends it (amounts as decimal strings). */
export interface MatchView {
  readonly orderId: string;
  readonly offerId: string;
  readonly providerId: string;
  readonly gpuCount: number;
  readonly pricePerHour: string;
  readonly hours: number;
  readonly totalCost: string;
  readonly score: number;
}

/** What a client may send when listing capacity (the provider is the signer). */
export interface OfferRequest {
  readonly gpuCapacity: { readonly gpuCount: number; readonly gpuModel: string; readonly vramGb: number; readonly computeCapability?: string; readonly memoryBandwidth?: number; readonly currentUtilization?: number };
  readonly pricePerHour: string;
  readonly availableHours: number;
  readonly minCommitmentHours?: number;
  readonly expiresAt?: string;
  readonly features?: readonly string[];
  readonly location?: { readonly region?: string; readonly country?: string };
}

/** What a client may send when ordering compute (the buyer is the signer). */
export interface OrderRequest {
  readonly requirements: {
    readonly minGpuCount: number;
    readonly minVramGb: number;
    readonly maxPricePerHour: string;
    readonly estimatedHours: number;
    readonly preferredModels?: readonly string[];
    readonly requiredFeatures?: readonly string[];
    readonly location?: { readonly region?: string; readonly country?: string };
  };
  readonly maxBudget?: string;
  readonly priority?: "Low" | "Normal" | "High" | "Critical";
  readonly expiresAt?: string;
}

function isCode(code: unknown): code is MarketErrorCode {
  return typeof code === "string" && Object.hasOwn(MARKET_ERROR_TABLE, code);
}

/**
 * The marketplace over HTTP. Invariant: a retried request carries the same Idempotency-Key, so it
 * takes effect once.
 * @example const client = new MarketClient({ baseUrl, wallet }); await client.submitOrder(order)
 */
export class MarketClient {
  private readonly baseUrl: string;
  private readonly clock: Clock;
  private readonly fetcher: typeof fetch;

  constructor(private readonly options: MarketClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.clock = options.clock ?? systemClock;
    this.fetcher = options.fetch ?? fetch;
  }

  private async request<T>(method: "GET" | "POST", path: string, body?: unknown, key: string = randomUUID()): Promise<T> {
    const payload = body === undefined ? "" : JSON.stringify(body);
    for (let attempt = 1; ; attempt++) {
      const headers: Record<string, string> = { accept: "application/json" };
      if (method === "POST") {
        if (this.options.wallet === undefined) throw new MarketError("WALLET_ERROR", { reason: `${method} ${path} must be signed: give the client a wallet` });
        Object.assign(headers, signRequest({ method, path: path.split("?")[0] ?? path, body: payload }, this.options.wallet, this.clock.now()), { "content-type": "application/json", "idempotency-key": key });
      }
      let response: Response;
      try {
        response = await this.fetcher(`${this.baseUrl}${path}`, { method, headers, ...(method === "POST" ? { body: payload } : {}) });
      } catch (e) {
        if (attempt < CLIENT_ATTEMPTS_MAX) continue;
        throw new Error(`cannot reach ${this.baseUrl} (${CLIENT_ATTEMPTS_MAX} attempts): ${e instanceof Error ? e.message : String(e)}; is the server running?`, { cause: e });
      }
      const text = await response.text();
      const json: unknown = text === "" ? undefined : JSON.parse(text);
      if (response.ok) return json as T;
      const error = json as { code?: unknown; details?: unknown; message?: unknown } | undefined;
      if (isCode(error?.code)) throw new MarketError(error.code, error.details as MarketErrorDetails[typeof error.code]);
      throw new Error(`${method} ${path}: HTTP ${response.status} ${typeof error?.message === "string" ? error.message : text.slice(0, 200)}`);
    }
  }

  /** Lists capacity as the client's wallet. @throws the server's MarketError */
  addOffer(offer: OfferRequest, key?: string): Promise<{ readonly offerId: string }> {
    return this.request("POST", "/v1/offers", offer, key);
  }

  /** Pauses, resumes or withdraws one of the wallet's offers. @throws the server's MarketError */
  offerAction(offerId: string, action: "pause" | "resume" | "withdraw", key?: string): Promise<{ readonly offerId: string }> {
    return this.request("POST", `/v1/offers/${encodeURIComponent(offerId)}/${action}`, undefined, key);
  }

  /** Orders compute as the client's wallet. @throws the server's MarketError */
  submitOrder(order: OrderRequest, key?: string): Promise<{ readonly orderId: string; readonly status: string; readonly match?: MatchView }> {
    return this.request("POST", "/v1/orders", order, key);
  }

  /** Cancels one of the wallet's resting orders. @throws the server's MarketError */
  cancelOrder(orderId: string, key?: string): Promise<{ readonly orderId: string }> {
    return this.request("POST", `/v1/orders/${encodeURIComponent(orderId)}/cancel`, undefined, key);
  }

  /** An order's status. @throws ORDER_NOT_FOUND */
  getOrder(orderId: string): Promise<{ readonly orderId: string; readonly status: string; readonly buyerId: string; readonly offerId: string | null; readonly escrowId: string | null }> {
    return this.request("GET", `/v1/orders/${encodeURIComponent(orderId)}`);
  }

  /** The best offers for a job, ranked. @throws INVALID_FIELD, OUT_OF_RANGE */
  quote(query: { readonly gpus: number; readonly maxPrice: string; readonly hours: number; readonly vram?: number; readonly features?: readonly string[]; readonly region?: string; readonly country?: string; readonly limit?: number }): Promise<{ readonly matches: readonly MatchView[] }> {
    const params = new URLSearchParams({ gpus: String(query.gpus), maxPrice: query.maxPrice, hours: String(query.hours) });
    if (query.vram !== undefined) params.set("vram", String(query.vram));
    if (query.features !== undefined && query.features.length > 0) params.set("features", query.features.join(","));
    if (query.region !== undefined) params.set("region", query.region);
    if (query.country !== undefined) params.set("country", query.country);
    if (query.limit !== undefined) params.set("limit", String(query.limit));
    return this.request("GET", `/v1/quote?${params.toString()}`);
  }

  /** MOLT held by an address. @throws INVALID_ADDRESS */
  balance(address: string): Promise<{ readonly address: string; readonly molt: string }> {
    return this.request("GET", `/v1/balances/${encodeURIComponent(address)}`);
  }

  /** Test MOLT minted to the wallet (never on mainnet). @throws INVALID_NETWORK, LIMIT_EXCEEDED, INVALID_AMOUNT */
  airdrop(molt: string, key?: string): Promise<{ readonly address: string; readonly molt: string; readonly transactionId: string }> {
    return this.request("POST", "/v1/airdrops", { molt }, key);
  }

  /** Market stats per GPU model. */
  stats(): Promise<{ readonly models: readonly { readonly gpuModel: string; readonly offers: number; readonly freeGpus: number; readonly lowestPrice: string; readonly medianPrice: string }[] }> {
    return this.request("GET", "/v1/stats");
  }

  /** A page of the event feed after `seq`. */
  events(after = 0, limit = 1000): Promise<{ readonly events: readonly { readonly seq: number; readonly type: string; readonly entityId: string; readonly atMs: number; readonly node: string; readonly payload: string }[] }> {
    return this.request("GET", `/v1/events?after=${after}&limit=${limit}`);
  }

  /** Is the server up, and at which seq. */
  health(): Promise<{ readonly status: "ok"; readonly seq: number }> {
    return this.request("GET", "/healthz");
  }
}
