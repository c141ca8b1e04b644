// MarketClient: the typed HTTP client of the marketplace server. It signs every mutating request
// with a Wallet (RFC 9421), sends an Idempotency-Key, retries transport failures with the same key,
// and turns error answers back into MarketErrors. Talks HTTP only through fetch.
import { randomUUID } from "node:crypto";
import { systemClock } from "../core/clock.js";
import type { Clock } from "../core/clock.js";
import { MARKET_ERROR_TABLE, MarketError, isMarketError } from "../core/errors.js";
import type { MarketErrorCode, MarketErrorDetails } from "../core/errors.js";
import { Amount } from "../core/amount.js";
import type { Wallet } from "../chain/wallet.js";
import { signRequest } from "../server/http-signature.js";
import type { JobRecord } from "../market/marketplace.js";
import type { Attestation, Confirmation, Dispute } from "../settlement/statements.js";
import { TOKEN_PROGRAM_ADDRESS, findAssociatedTokenPda } from "@solana-program/token";
import { billSeconds, splitCharge } from "../settlement/billing.js";
import { billedSecondsOf } from "../settlement/settle-job.js";
import type { BillingRate, ChargeSplit } from "../settlement/billing.js";
import { checkTransactionToSign } from "./transaction-check.js";
import type { SigningExpectation } from "./transaction-check.js";

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
  /**
   * The market's arbiter key and MOLT mint, pinned: a funding is signed only into a 2-of-3 escrow
   * with this arbiter, of this mint. Absent, the client takes them from the server's GET /v1/market
   * once and keeps them for its life (trust on first use).
   */
  readonly market?: MarketIdentity;
}

/** Who a market is on chain: its arbiter (the third key of every escrow), its MOLT mint and network. */
export interface MarketIdentity {
  readonly arbiter: string;
  readonly mint: string;
  readonly feeRecipient?: string;
  readonly network?: string;
  readonly feeBps?: number;
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

/** Rounds of SIGNATURE_REQUIRED one chain step goes through before it gives up (the message changes when the chain moves on). */
export const SIGNING_ROUNDS_MAX = 3;

/** An order with its match and job, as the server reports it. */
export interface OrderDetails {
  readonly orderId: string;
  readonly status: string;
  readonly buyerId: string;
  readonly offerId: string | null;
  readonly escrowId: string | null;
  readonly match: MatchView | null;
  /** What happened to the job: start, attestation, failure, dispute, decision, settlement. */
  readonly job: JobRecord;
}

/** A job's escrow, as the server reports it (amounts in MOLT, times ISO 8601). */
export interface EscrowView {
  readonly escrowId: string;
  readonly state: string;
  readonly orderId: string;
  readonly offerId: string;
  readonly buyer: string;
  readonly provider: string;
  readonly arbiter: string;
  readonly feeRecipient: string;
  readonly amount: string;
  readonly pricePerHour: string;
  readonly gpuCount: number;
  readonly allocatedSeconds: number;
  readonly feeBps: number;
  readonly ratePerSecond: string;
  readonly feeRatePerSecond: string;
  readonly mint: string;
  readonly createdAt: string;
  readonly lockedUntil: string;
  readonly address: string;
  readonly multisig: string;
  readonly jobEndedAt?: string;
  readonly proofDigest?: string;
  readonly disputeId?: string;
  readonly releasedAt?: string;
  readonly transactionId?: string;
  readonly settlementTransactionId?: string;
}

/** An offer in the book. */
export interface OfferView {
  readonly offerId: string;
  readonly providerId: string;
  readonly status: string;
  readonly gpuModel: string;
  readonly gpuCount: number;
  readonly freeGpus: number;
  readonly vramGb: number;
  readonly pricePerHour: string;
  readonly availableHours: number;
  readonly minCommitmentHours: number;
  readonly features: readonly string[];
  readonly region?: string;
  readonly country?: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

/** Where a chain step is: asking for the transaction, signing it (and what it does), waiting for the chain. */
export type ChainStepProgress =
  | { readonly phase: "preparing" }
  | { readonly phase: "signing"; readonly summary: string }
  | { readonly phase: "confirming" };

/** The billing rate an escrow view states. */
function rateOf(escrow: EscrowView): BillingRate {
  return { ratePerSecond: BigInt(escrow.ratePerSecond), feeRatePerSecond: BigInt(escrow.feeRatePerSecond) };
}

/** A query string of the defined values of `filter`. */
function queryOf(filter: Readonly<Record<string, string | number | undefined>>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filter)) if (value !== undefined) params.set(name, String(value));
  return params.toString();
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
  private identity: Promise<MarketIdentity> | undefined;

  constructor(private readonly options: MarketClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.clock = options.clock ?? systemClock;
    this.fetcher = options.fetch ?? fetch;
    if (options.market !== undefined) this.identity = Promise.resolve(options.market);
  }

  /** The market's arbiter, mint and network: pinned in the options, or the server's answer, asked once. @throws the server's MarketError */
  market(): Promise<MarketIdentity> {
    this.identity ??= this.request<MarketIdentity>("GET", "/v1/market").catch((e: unknown) => {
      this.identity = undefined;
      throw e;
    });
    return this.identity;
  }

  private async request<T>(method: "GET" | "POST", path: string, body?: unknown, key: string = randomUUID()): Promise<T> {
    const payload = body === undefined ? "" : JSON.stringify(body);
    for (let attempt = 1; ; attempt++) {
      const headers: Record<string, string> = { accept: "application/json" };
      if (method === "POST") {
        if (this.options.wallet === undefined) throw new MarketError("WALLET_ERROR", { reason: `${method} ${path} must be signed: give the client a wallet` });
        // The signature covers the Idempotency-Key: a captured request cannot be sent again under another key.
        Object.assign(headers, signRequest({ method, path: path.split("?")[0] ?? path, body: payload, idempotencyKey: key }, this.options.wallet, this.clock.now()), { "content-type": "application/json" });
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

  /**
   * A POST that sends a chain transaction the wallet co-signs: the server answers
   * SIGNATURE_REQUIRED with the message, which is checked against `expect` before it is signed and
   * sent back under the same Idempotency-Key. @throws ESCROW_ERROR (a message asking more), the server's MarketError
   */
  private async chainStep<T>(path: string, body: Readonly<Record<string, unknown>>, expect: (signer: string) => Promise<SigningExpectation>, key: string, onProgress?: (progress: ChainStepProgress) => void): Promise<T> {
    const wallet = this.options.wallet;
    if (wallet === undefined) throw new MarketError("WALLET_ERROR", { reason: `POST ${path} must be signed: give the client a wallet` });
    onProgress?.({ phase: "preparing" });
    let chainSignature: { readonly message: string; readonly signature: string } | undefined;
    for (let round = 1; ; round++) {
      try {
        if (chainSignature !== undefined) onProgress?.({ phase: "confirming" });
        return await this.request<T>("POST", path, chainSignature === undefined ? body : { ...body, chainSignature }, key);
      } catch (e) {
        if (!isMarketError(e, "SIGNATURE_REQUIRED") || e.details.signer !== wallet.address || round > SIGNING_ROUNDS_MAX) throw e;
        const summary = checkTransactionToSign(e.details.message, await expect(wallet.address));
        onProgress?.({ phase: "signing", summary });
        const message = Buffer.from(e.details.message, "base64");
        chainSignature = { message: e.details.message, signature: Buffer.from(wallet.sign(message)).toString("base64") };
      }
    }
  }

  /**
   * What co-signing a payout of the order's escrow must give the signer: computed here from the
   * escrow's terms (`share` splits them), not taken from the server. The buyer also gets any MOLT
   * someone sent into the escrow account, so its part is a minimum.
   */
  private async payoutExpectation(orderId: string, signer: string, share: (escrow: EscrowView) => Promise<ChargeSplit> | ChargeSplit): Promise<SigningExpectation> {
    const escrow = await this.getEscrow(orderId);
    const split = await share(escrow);
    const [account] = await findAssociatedTokenPda({ owner: signer as never, mint: escrow.mint as never, tokenProgram: TOKEN_PROGRAM_ADDRESS });
    const isBuyer = signer === escrow.buyer;
    return { kind: "payout", signer, escrow: escrow.address, receives: { account, amount: isBuyer ? split.buyerRefund : split.providerPayment, orMore: isBuyer } };
  }

  /** The buyer funds a matched order's escrow with exactly its total cost, co-signing on this machine. @throws the server's MarketError, ESCROW_ERROR */
  fundEscrow(orderId: string, options: { readonly key?: string; readonly onProgress?: (progress: ChainStepProgress) => void } = {}): Promise<EscrowView> {
    const expect = async (signer: string): Promise<SigningExpectation> => {
      const match = (await this.getOrder(orderId)).match;
      if (match === null) throw new MarketError("INVALID_STATE_TRANSITION", { entity: "order", from: "unmatched", to: "Escrowed" });
      const { arbiter, mint } = await this.market();
      return { kind: "fund", signer, amount: Amount.parse(match.totalCost), mint, provider: match.providerId, arbiter };
    };
    return this.chainStep(`/v1/orders/${encodeURIComponent(orderId)}/fund`, {}, expect, options.key ?? randomUUID(), options.onProgress);
  }

  /** Settles a completed job, co-signed by the wallet (buyer with its confirmation, or provider after the dispute window). @throws the server's MarketError, ESCROW_ERROR */
  settle(orderId: string, input: { readonly actualHours?: string; readonly confirmation?: Confirmation }, options: { readonly key?: string; readonly onProgress?: (progress: ChainStepProgress) => void } = {}): Promise<OrderDetails> {
    // The seconds billed are computed here from the attested proof, by the rule the market uses, never taken from the server.
    const share = async (escrow: EscrowView): Promise<ChargeSplit> => {
      const attestation = (await this.getOrder(orderId)).job.attestation;
      if (attestation === undefined) throw new MarketError("INVALID_STATE_TRANSITION", { entity: "order", from: "not completed", to: "Settled" });
      const role = this.options.wallet?.address === escrow.buyer ? "buyer" : "provider";
      return billSeconds(billedSecondsOf({ ...(input.actualHours === undefined ? {} : { actualHours: input.actualHours }), proof: attestation.proof }, escrow, role), Amount.parse(escrow.amount), rateOf(escrow));
    };
    return this.chainStep(`/v1/orders/${encodeURIComponent(orderId)}/settle`, { ...input }, (signer) => this.payoutExpectation(orderId, signer, share), options.key ?? randomUUID(), options.onProgress);
  }

  /** The buyer has a failed or timed-out job's escrow refunded. @throws the server's MarketError, ESCROW_ERROR */
  refund(orderId: string, options: { readonly key?: string; readonly onProgress?: (progress: ChainStepProgress) => void } = {}): Promise<OrderDetails> {
    const share = (escrow: EscrowView): ChargeSplit => billSeconds(0, Amount.parse(escrow.amount), rateOf(escrow));
    return this.chainStep(`/v1/orders/${encodeURIComponent(orderId)}/refund`, {}, (signer) => this.payoutExpectation(orderId, signer, share), options.key ?? randomUUID(), options.onProgress);
  }

  /** A party accepts the arbiter's decision on a dispute, which pays it out. @throws the server's MarketError, ESCROW_ERROR */
  acceptDecision(orderId: string, options: { readonly key?: string; readonly onProgress?: (progress: ChainStepProgress) => void } = {}): Promise<OrderDetails> {
    const share = async (escrow: EscrowView): Promise<ChargeSplit> => {
      const decision = (await this.getOrder(orderId)).job.decision;
      if (decision === undefined) throw new MarketError("ESCROW_ERROR", { reason: `the arbiter has not decided the dispute of order ${orderId} yet` });
      return splitCharge(Amount.parse(decision.providerShare), Amount.parse(escrow.amount), rateOf(escrow));
    };
    return this.chainStep(`/v1/orders/${encodeURIComponent(orderId)}/dispute/accept`, {}, (signer) => this.payoutExpectation(orderId, signer, share), options.key ?? randomUUID(), options.onProgress);
  }

  /** The arbiter decides a dispute's split (the provider's gross share in MOLT). @throws FORBIDDEN, the server's MarketError */
  decideDispute(orderId: string, decision: { readonly providerShare: string; readonly reason: string }, key?: string): Promise<OrderDetails> {
    return this.request("POST", `/v1/orders/${encodeURIComponent(orderId)}/dispute/decide`, decision, key);
  }

  /** The provider starts the job. @throws FORBIDDEN, INVALID_STATE_TRANSITION */
  startJob(orderId: string, key?: string): Promise<{ readonly orderId: string; readonly status: string }> {
    return this.request("POST", `/v1/orders/${encodeURIComponent(orderId)}/start`, undefined, key);
  }

  /** The provider completes (exit 0) or fails (non-zero exit) the job with its attested proof. @throws FORBIDDEN, INVALID_SIGNATURE, PROOF_MISMATCH */
  endJob(orderId: string, action: "complete" | "fail", attestation: Attestation, key?: string): Promise<{ readonly orderId: string; readonly status: string }> {
    return this.request("POST", `/v1/orders/${encodeURIComponent(orderId)}/${action}`, { attestation }, key);
  }

  /** The buyer or provider opens a dispute with its signed statement. @throws FORBIDDEN, DISPUTE_WINDOW_CLOSED */
  openDispute(orderId: string, dispute: Dispute, key?: string): Promise<{ readonly orderId: string; readonly status: string }> {
    return this.request("POST", `/v1/orders/${encodeURIComponent(orderId)}/dispute`, { dispute }, key);
  }

  /** An order's escrow. @throws ORDER_NOT_FOUND, ESCROW_NOT_FOUND */
  getEscrow(orderId: string): Promise<EscrowView> {
    return this.request("GET", `/v1/orders/${encodeURIComponent(orderId)}/escrow`);
  }

  /** Offers in the book, oldest first, optionally of one provider or GPU model. */
  async listOffers(filter: { readonly provider?: string; readonly model?: string; readonly after?: string; readonly limit?: number } = {}): Promise<readonly OfferView[]> {
    return (await this.request<{ offers: OfferView[] }>("GET", `/v1/offers?${queryOf(filter)}`)).offers;
  }

  /** Matches holding GPUs (matched, funded or running jobs) of a provider and/or a buyer. @throws INVALID_FIELD (neither) */
  async matches(filter: { readonly provider?: string; readonly buyer?: string; readonly limit?: number }): Promise<readonly MatchView[]> {
    return (await this.request<{ matches: MatchView[] }>("GET", `/v1/matches?${queryOf(filter)}`)).matches;
  }

  /** One offer. @throws OFFER_NOT_FOUND */
  getOffer(offerId: string): Promise<OfferView> {
    return this.request("GET", `/v1/offers/${encodeURIComponent(offerId)}`);
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

  /** An order with its match and job. @throws ORDER_NOT_FOUND */
  getOrder(orderId: string): Promise<OrderDetails> {
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
