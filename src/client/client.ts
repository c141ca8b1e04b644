// MarketClient: the typed HTTP client of the marketplace server. It signs every mutating request
// with a Wallet or a browser wallet (RFC 9421), sends an Idempotency-Key, retries transport failures with the same key
// (transport.ts), checks every chain transaction before the wallet co-signs it (chain-steps.ts), and
// turns error answers back into MarketErrors. Its answers are the contract's wire types.
import { Amount } from "../core/amount.js";
import type { Clock } from "../core/clock.js";
import { MarketError } from "../core/errors.js";
import type { AsyncSigner } from "../core/signer.js";
import type { DecisionRequest } from "../contract/disputes.js";
import type { EscrowView } from "../contract/escrows.js";
import type { ExtensionView } from "../contract/extension.js";
import type { AirdropView, BalanceView, EventPage, HealthView, MarketView, StatsView } from "../contract/market-data.js";
import type { CandlesView, DepthView, TradesView } from "../contract/market-history.js";
import type { OfferRequest, OfferView } from "../contract/offers.js";
import type { OrderListView } from "../contract/order-list.js";
import type { ProviderView } from "../contract/providers.js";
import type { CountersignRequest, ReceiptRequest, WorkloadView } from "../contract/jobs.js";
import type { ExplanationView, MatchView, OrderDetails, OrderRequest, OrderStatusView, SubmittedOrderView } from "../contract/orders.js";
import type { ChargeSplit } from "../settlement/billing.js";
import type { Attestation, Confirmation, Dispute } from "../settlement/statements.js";
import { chainStep, depositExpectation, payoutExpectation } from "./chain-steps.js";
import { receiptedShare } from "./receipted-share.js";
import { decisionShare, settlementShare } from "./payout-shares.js";
import type { ChainStepOptions } from "./chain-steps.js";
import type { SigningExpectation } from "./transaction-check.js";
import { quoteParams } from "./quote-query.js";
import type { QuoteQuery } from "./quote-query.js";
import { HttpTransport, queryOf } from "./transport.js";

/** How a client is set up. */
export interface MarketClientOptions {
  /** The server, e.g. http://127.0.0.1:8080 */
  readonly baseUrl: string;
  /** Signs mutating requests and chain steps: a Wallet, or any AsyncSigner (a browser wallet); reads need none. */
  readonly wallet?: AsyncSigner;
  readonly clock?: Clock;
  readonly fetch?: typeof fetch;
  /**
   * The market's arbiter key and MOLT mint, pinned: a funding is signed only into a 2-of-3 escrow
   * with this arbiter, of this mint. Absent, the client takes them from the server's GET /v1/market
   * once and keeps them for its life (trust on first use).
   */
  readonly market?: MarketIdentity;
}

/** Who a market is on chain: its arbiter (the third key of every escrow) and its MOLT mint; the rest as GET /v1/market tells it. */
export type MarketIdentity = Pick<MarketView, "arbiter" | "mint"> & Partial<Omit<MarketView, "arbiter" | "mint">>;

/**
 * The marketplace over HTTP. Invariant: a retried request carries the same Idempotency-Key, so it
 * takes effect once.
 * @example const client = new MarketClient({ baseUrl, wallet }); await client.submitOrder(order)
 */
export class MarketClient {
  private readonly transport: HttpTransport;
  private identity: Promise<MarketIdentity> | undefined;

  constructor(private readonly options: MarketClientOptions) {
    this.transport = new HttpTransport(options);
    if (options.market !== undefined) this.identity = Promise.resolve(options.market);
  }

  /** The market's arbiter, mint and network: pinned in the options, or the server's answer, asked once. @throws the server's MarketError */
  market(): Promise<MarketIdentity> {
    this.identity ??= this.request<MarketView>("GET", "/v1/market").catch((e: unknown) => {
      this.identity = undefined;
      throw e;
    });
    return this.identity;
  }

  private request<T>(method: "GET" | "POST", path: string, body?: unknown, key?: string): Promise<T> {
    return this.transport.request<T>(method, path, body, key);
  }

  /** What co-signing a payout of the order's escrow must give the signer: `share` splits the escrow's terms. */
  private async payout(
    orderId: string,
    signer: string,
    share: (escrow: EscrowView) => Promise<ChargeSplit> | ChargeSplit,
  ): Promise<SigningExpectation> {
    const escrow = await this.getEscrow(orderId);
    return payoutExpectation(escrow, signer, await share(escrow));
  }

  /** The buyer funds a matched order's escrow with exactly its total cost, co-signing on this machine. @throws the server's MarketError, ESCROW_ERROR */
  fundEscrow(orderId: string, options: ChainStepOptions = {}): Promise<EscrowView> {
    const expect = async (signer: string): Promise<SigningExpectation> => {
      const match = (await this.getOrder(orderId)).match;
      if (match === null) throw new MarketError("INVALID_STATE_TRANSITION", { entity: "order", from: "unmatched", to: "Escrowed" });
      const { arbiter, mint } = await this.market();
      return { kind: "fund", signer, amount: Amount.parse(match.totalCost), mint, provider: match.providerId, arbiter };
    };
    return chainStep(this.transport, `/v1/orders/${encodeURIComponent(orderId)}/fund`, {}, expect, options);
  }

  /** The buyer extends its Escrowed or Running job by whole `hours`, depositing exactly their cost into its escrow, co-signed here. @throws the server's MarketError, ESCROW_ERROR */
  extendJob(orderId: string, hours: number, options: ChainStepOptions = {}): Promise<ExtensionView> {
    const expect = async (signer: string): Promise<SigningExpectation> =>
      depositExpectation(await this.getEscrow(orderId), signer, hours, (await this.market()).mint);
    return chainStep(this.transport, `/v1/orders/${encodeURIComponent(orderId)}/extend`, { hours }, expect, options);
  }

  /** Settles a completed job, co-signed by the wallet (buyer with its confirmation, or provider after the dispute window). @throws the server's MarketError, ESCROW_ERROR */
  settle(
    orderId: string,
    input: { readonly actualHours?: string; readonly confirmation?: Confirmation },
    options: ChainStepOptions = {},
  ): Promise<OrderDetails> {
    // The seconds billed are computed here from the attested proof (a lost job: the provider's signed receipt), by the rule the market uses, never taken from the server.
    const share = async (escrow: EscrowView): Promise<ChargeSplit> =>
      settlementShare(await this.getOrder(orderId), escrow, this.options.wallet?.address, input.actualHours);
    return chainStep(
      this.transport,
      `/v1/orders/${encodeURIComponent(orderId)}/settle`,
      { ...input },
      (signer) => this.payout(orderId, signer, share),
      options,
    );
  }

  /** The buyer has a failed or timed-out job's escrow refunded. @throws the server's MarketError, ESCROW_ERROR */
  refund(orderId: string, options: ChainStepOptions = {}): Promise<OrderDetails> {
    const share = async (escrow: EscrowView): Promise<ChargeSplit> => receiptedShare(await this.getOrder(orderId), escrow);
    return chainStep(
      this.transport,
      `/v1/orders/${encodeURIComponent(orderId)}/refund`,
      {},
      (signer) => this.payout(orderId, signer, share),
      options,
    );
  }

  /** A party accepts the arbiter's decision on a dispute, which pays it out. @throws the server's MarketError, ESCROW_ERROR */
  acceptDecision(orderId: string, options: ChainStepOptions = {}): Promise<OrderDetails> {
    const share = async (escrow: EscrowView): Promise<ChargeSplit> => decisionShare(await this.getOrder(orderId), escrow);
    return chainStep(
      this.transport,
      `/v1/orders/${encodeURIComponent(orderId)}/dispute/accept`,
      {},
      (signer) => this.payout(orderId, signer, share),
      options,
    );
  }

  /** The arbiter decides a dispute's split (the provider's gross share in MOLT). @throws FORBIDDEN, the server's MarketError */
  decideDispute(orderId: string, decision: DecisionRequest, key?: string): Promise<OrderDetails> {
    return this.request("POST", `/v1/orders/${encodeURIComponent(orderId)}/dispute/decide`, decision, key);
  }

  /** The provider starts the job. @throws FORBIDDEN, INVALID_STATE_TRANSITION */
  startJob(orderId: string, key?: string): Promise<OrderStatusView> {
    return this.request("POST", `/v1/orders/${encodeURIComponent(orderId)}/start`, undefined, key);
  }

  /** The provider completes (exit 0) or fails (non-zero exit) the job with its attested proof. @throws FORBIDDEN, INVALID_SIGNATURE, PROOF_MISMATCH */
  endJob(orderId: string, action: "complete" | "fail", attestation: Attestation, key?: string): Promise<OrderStatusView> {
    return this.request("POST", `/v1/orders/${encodeURIComponent(orderId)}/${action}`, { attestation }, key);
  }

  /** The provider records a running job's signed usage receipt (with the telemetry its digest covers). @throws FORBIDDEN, RATE_LIMITED, INVALID_SIGNATURE, PROOF_MISMATCH */
  sendReceipt(orderId: string, body: ReceiptRequest, key?: string): Promise<OrderStatusView> {
    return this.request("POST", `/v1/orders/${encodeURIComponent(orderId)}/receipts`, body, key);
  }

  /** The buyer countersigns the job's latest receipt (it agrees the job had run that long). @throws FORBIDDEN, PROOF_MISMATCH, INVALID_SIGNATURE */
  countersignReceipt(orderId: string, body: CountersignRequest, key?: string): Promise<OrderStatusView> {
    return this.request("POST", `/v1/orders/${encodeURIComponent(orderId)}/receipts/countersign`, body, key);
  }

  /** What the order runs, for its buyer or matched provider (a signed read). @throws FORBIDDEN, ORDER_NOT_FOUND */
  workload(orderId: string, key?: string): Promise<WorkloadView> {
    return this.request("POST", `/v1/orders/${encodeURIComponent(orderId)}/workload`, undefined, key);
  }

  /** The buyer or provider opens a dispute with its signed statement. @throws FORBIDDEN, DISPUTE_WINDOW_CLOSED */
  openDispute(orderId: string, dispute: Dispute, key?: string): Promise<OrderStatusView> {
    return this.request("POST", `/v1/orders/${encodeURIComponent(orderId)}/dispute`, { dispute }, key);
  }

  /** An order's escrow. @throws ORDER_NOT_FOUND, ESCROW_NOT_FOUND */
  getEscrow(orderId: string): Promise<EscrowView> {
    return this.request("GET", `/v1/orders/${encodeURIComponent(orderId)}/escrow`);
  }

  /** Offers in the book, oldest first, optionally of one provider or GPU model. */
  async listOffers(
    filter: { readonly provider?: string; readonly model?: string; readonly after?: string; readonly limit?: number } = {},
  ): Promise<readonly OfferView[]> {
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
  submitOrder(order: OrderRequest, key?: string): Promise<SubmittedOrderView> {
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
  quote(query: QuoteQuery): Promise<{ readonly matches: readonly MatchView[]; readonly explanation?: ExplanationView }> {
    return this.request("GET", `/v1/quote?${quoteParams(query)}`);
  }

  /** A buyer's and/or a provider's orders in every status (or in `status`), newest first; `next` is the `after` of the next page. @throws INVALID_FIELD, OUT_OF_RANGE, INVALID_ID */
  listOrders(filter: {
    readonly buyer?: string;
    readonly provider?: string;
    readonly status?: readonly string[];
    readonly after?: string;
    readonly limit?: number;
  }): Promise<OrderListView> {
    const status = filter.status === undefined || filter.status.length === 0 ? undefined : filter.status.join(",");
    return this.request("GET", `/v1/orders?${queryOf({ ...filter, status })}`);
  }

  /** MOLT held by an address. @throws INVALID_ADDRESS */
  balance(address: string): Promise<BalanceView> {
    return this.request("GET", `/v1/balances/${encodeURIComponent(address)}`);
  }

  /** A provider's reputation: outcome counts, uptime, the estimate, its prior and recent outcomes. @throws INVALID_ADDRESS */
  provider(address: string): Promise<ProviderView> {
    return this.request("GET", `/v1/providers/${encodeURIComponent(address)}`);
  }

  /** Test MOLT minted to the wallet (never on mainnet). @throws INVALID_NETWORK, LIMIT_EXCEEDED, INVALID_AMOUNT */
  airdrop(molt: string, key?: string): Promise<AirdropView> {
    return this.request("POST", "/v1/airdrops", { molt }, key);
  }

  /** Market stats per GPU model. */
  stats(): Promise<StatsView> {
    return this.request("GET", "/v1/stats");
  }

  /** Trades (every match) after seq `after`, of one GPU model when given; `next` pages on. @throws OUT_OF_RANGE, INVALID_FIELD */
  trades(query: { readonly model?: string; readonly after?: number; readonly limit?: number } = {}): Promise<TradesView> {
    return this.request("GET", `/v1/market/trades?${queryOf(query)}`);
  }

  /** Candles per UTC bucket of [from, to) ms (default: the last 24 buckets), interval 1h or 1d. @throws OUT_OF_RANGE, INVALID_FIELD */
  candles(
    query: { readonly model?: string; readonly interval?: "1h" | "1d"; readonly from?: number; readonly to?: number } = {},
  ): Promise<CandlesView> {
    return this.request("GET", `/v1/market/candles?${queryOf(query)}`);
  }

  /** The live book's depth: free GPUs per price, resting demand per max price. @throws INVALID_FIELD */
  depth(query: { readonly model?: string } = {}): Promise<DepthView> {
    return this.request("GET", `/v1/market/depth?${queryOf(query)}`);
  }

  /** A page of the event feed after `seq`. */
  events(after = 0, limit = 1000): Promise<EventPage> {
    return this.request("GET", `/v1/events?after=${after}&limit=${limit}`);
  }

  /** Is the server up, and at which seq. */
  health(): Promise<HealthView> {
    return this.request("GET", "/healthz");
  }
}
