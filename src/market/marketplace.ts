// Marketplace: the order lifecycle over the book, the PaymentService and a Store, as one facade
// over its parts (feed, command queue, book, job and chain commands, sweeper; wired in
// market-parts.ts). Delegates only, and owns the follow timer.
import type { MessageSigner } from "../chain/signer.js";
import { parseAddress } from "../core/address.js";
import type { Address } from "../core/address.js";
import type { Amount } from "../core/amount.js";
import type { Clock } from "../core/clock.js";
import type { CreateOfferInput } from "../core/offer.js";
import type { CreateOrderInput } from "../core/order.js";
import type { Workload } from "../core/workload.js";
import type { OrderBook, OrderBookLimits } from "../orderbook/order-book.js";
import type { PaymentService } from "../payments/payment-service.js";
import type { EscrowAccount } from "../settlement/escrow-account.js";
import type { Attestation, Dispute } from "../settlement/statements.js";
import type { EventRow, Store } from "../store/store.js";
import type { SubmittedOrder } from "./book-commands.js";
import type { AirdropAnswer, SettleInput } from "./chain-commands.js";
import type { JobExtension } from "./extend-command.js";
import type { FeedListener } from "./feed.js";
import type { DisputeDecisionInput } from "./job-commands.js";
import { MARKET_LIMITS } from "./limits.js";
import { isReceiptedFailure } from "./lost-job.js";
import { wireMarketParts } from "./market-parts.js";
import type { MarketParts } from "./market-parts.js";
import type { MarketObserver } from "./observer.js";
import type { ProviderReputation } from "./reputation-ledger.js";
import type { CountersignInput, ReceiptInput } from "./receipt-commands.js";
import type { SweepResult } from "./sweeper.js";
import type { OrderView } from "./views.js";
import type { WalletLimits } from "./wallet-limits.js";

/** What a marketplace process is built from. */
export interface MarketplaceOptions {
  readonly store: Store;
  readonly payments: PaymentService;
  readonly clock?: Clock;
  /** This process's name in the event feed. */
  readonly nodeId?: string;
  readonly batchMax?: number;
  readonly bookLimits?: Partial<OrderBookLimits>;
  /** Follow other processes' events while idle (default true). */
  readonly follow?: boolean;
  /** How long a match waits for its escrow to be funded before the sweeper expires it (default MARKET_LIMITS.fundingWindowMs). */
  readonly fundingWindowMs?: number;
  /** Per-wallet caps and the backing of orders (default WALLET_LIMITS). */
  readonly walletLimits?: Partial<WalletLimits>;
  /** How long a job may go without a usage receipt before it fails ProviderLost (default MARKET_LIMITS.receiptTimeoutMs). */
  readonly receiptTimeoutMs?: number;
}

/**
 * The durable marketplace. Invariants: a command is acknowledged only after its batch committed;
 * a repeated idempotency key returns the first answer; free + allocated GPUs = offered GPUs for
 * every offer; every process sharing the store converges on the same book; chain steps are
 * recorded as pending before they are sent and reconciled on start.
 */
export class Marketplace {
  readonly store: Store;
  readonly payments: PaymentService;
  readonly nodeId: string;
  /** How long a match waits for its escrow to be funded. */
  readonly fundingWindowMs: number;
  /** Per-wallet caps and the backing of orders. */
  readonly walletLimits: WalletLimits;
  /** How long a job may go without a usage receipt (a funded job without a start) before it fails ProviderLost. */
  readonly receiptTimeoutMs: number;
  /** The feed, queue, rows, command groups and sweeper this facade delegates to (see market-parts.ts). */
  private readonly parts: MarketParts;
  private followTimer: NodeJS.Timeout | undefined;

  private constructor(options: MarketplaceOptions) {
    const parts = wireMarketParts(options);
    this.parts = parts;
    this.store = parts.store;
    this.payments = parts.payments;
    this.nodeId = parts.nodeId;
    this.fundingWindowMs = parts.fundingWindowMs;
    this.walletLimits = parts.walletLimits;
    this.receiptTimeoutMs = parts.receiptTimeoutMs;
  }

  /** Migrates the store, rebuilds the book from it, reconciles pending chain steps, and starts following. @throws STORE_ERROR, CHAIN_ERROR, OUT_OF_RANGE (fundingWindowMs) */
  static async open(options: MarketplaceOptions): Promise<Marketplace> {
    await options.store.migrate();
    const market = new Marketplace(options);
    await market.parts.feed.rebuild();
    await market.reconcile();
    if (options.follow !== false) {
      market.followTimer = setInterval(() => void market.follow().catch(() => undefined), MARKET_LIMITS.followIntervalMs);
      market.followTimer.unref();
    }
    return market;
  }

  /** The in-memory book (read it; change it only through commands). */
  get book(): OrderBook {
    return this.parts.feed.book;
  }

  /** The seq of the last event this process has applied. */
  get lastSeq(): number {
    return this.parts.feed.seq;
  }

  /** Applies other processes' events committed since the last batch (runs on a timer while idle). @throws STORE_ERROR */
  async follow(): Promise<void> {
    if (this.parts.queue.closed) return;
    await this.parts.queue.exclusive(() => this.parts.feed.catchUp((seq, limit) => this.store.eventsAfter(seq, limit)));
  }

  /** Tells `listener` every event this process applies from now on (its own and followed ones), in seq order, each once it is durable; returns unsubscribe. */
  onEvent(listener: FeedListener): () => void {
    return this.parts.feed.onDurableEvent(listener);
  }

  /** Tells `observer` this process's command outcomes, chain transactions, payouts and sweeps from now on; returns its removal. */
  observe(observer: MarketObserver): () => void {
    return this.parts.observers.add(observer);
  }

  /** Durable events after `afterSeq`, oldest first, at most `limit` (a subscriber resuming the feed). @throws OUT_OF_RANGE */
  events(afterSeq: number, limit: number = MARKET_LIMITS.eventPageMax): Promise<EventRow[]> {
    return this.parts.feed.events(afterSeq, limit);
  }

  /** A provider's reputation: outcome counts, uptime, estimate and recent outcomes, folded from the event log. @throws INVALID_ADDRESS */
  providerReputation(providerId: string): ProviderReputation {
    return this.parts.reputation.reportOf(parseAddress(providerId));
  }

  /** An order with its lifecycle. @throws ORDER_NOT_FOUND */
  getOrder(orderId: string): Promise<OrderView> {
    return this.parts.rows.getOrder(orderId);
  }

  /** The escrow of an order. @throws ORDER_NOT_FOUND, ESCROW_NOT_FOUND */
  getEscrow(orderId: string): Promise<EscrowAccount> {
    return this.parts.rows.getEscrow(orderId);
  }

  /** Lists capacity, within its provider's cap of live offers. @throws validation codes, DUPLICATE_ID, EXPIRED, LIMIT_EXCEEDED */
  addOffer(key: string, input: CreateOfferInput): Promise<{ readonly offerId: string }> {
    return this.parts.bookCommands.addOffer(key, input);
  }

  /** Active -> Paused, by the offer's provider. @throws OFFER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION */
  pauseOffer(key: string, offerId: string, actor: Address): Promise<void> {
    return this.parts.bookCommands.offerCommand(key, "pauseOffer", offerId, actor);
  }

  /** Paused -> Active. @throws OFFER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, EXPIRED */
  resumeOffer(key: string, offerId: string, actor: Address): Promise<void> {
    return this.parts.bookCommands.offerCommand(key, "resumeOffer", offerId, actor);
  }

  /** Withdraws an offer; running jobs keep their GPUs. @throws OFFER_NOT_FOUND, FORBIDDEN */
  withdrawOffer(key: string, offerId: string, actor: Address): Promise<void> {
    return this.parts.bookCommands.offerCommand(key, "withdrawOffer", offerId, actor);
  }

  /** Submits a backed order: matched at once, or resting. @throws validation codes, DUPLICATE_ID, EXPIRED, LIMIT_EXCEEDED, INSUFFICIENT_FUNDS */
  submitOrder(key: string, input: CreateOrderInput): Promise<SubmittedOrder> {
    return this.parts.bookCommands.submitOrder(key, input);
  }

  /** Cancels a resting order, or a matched one not funded, by its buyer. @throws ORDER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, ESCROW_BUSY */
  cancelOrder(key: string, orderId: string, actor: Address): Promise<void> {
    return this.parts.bookCommands.cancelOrder(key, orderId, actor);
  }

  /** The buyer funds the escrow of a matched order (a repeat adopts a funding already on chain). @throws ORDER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, ESCROW_BUSY, INSUFFICIENT_BALANCE, SIGNATURE_REQUIRED, CHAIN_ERROR, STORE_ERROR */
  fundEscrow(key: string, orderId: string, buyer: MessageSigner): Promise<EscrowAccount> {
    return this.parts.chainCommands.fundEscrow(key, orderId, buyer);
  }

  /** The buyer adds whole hours to its Escrowed or Running job, depositing their cost into its escrow. @throws OUT_OF_RANGE, ORDER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, EXTENSION_REFUSED, ESCROW_BUSY, INSUFFICIENT_BALANCE, SIGNATURE_REQUIRED, CHAIN_ERROR, STORE_ERROR */
  extendJob(key: string, orderId: string, hours: number, buyer: MessageSigner): Promise<JobExtension> {
    return this.parts.extendCommand.extendJob(key, orderId, hours, buyer);
  }

  /** The provider starts the job. @throws ORDER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION */
  startJob(key: string, orderId: string, actor: Address): Promise<void> {
    return this.parts.jobCommands.startJob(key, orderId, actor);
  }

  /** The provider completes the job with its attested proof. @throws ORDER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, INVALID_SIGNATURE, PROOF_MISMATCH */
  completeJob(key: string, orderId: string, attestation: Attestation, actor: Address): Promise<void> {
    return this.parts.jobCommands.completeJob(key, orderId, attestation, actor);
  }

  /** The provider reports a failed job, with a proof of non-zero exit status. @throws ORDER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, INVALID_SIGNATURE, PROOF_MISMATCH, INVALID_FIELD */
  failJob(key: string, orderId: string, attestation: Attestation, actor: Address): Promise<void> {
    return this.parts.jobCommands.failJob(key, orderId, attestation, actor);
  }

  /**
   * Settles a completed job (or opens a dispute on a rejected confirmation); a failed job with
   * receipted seconds (lost provider) is paid those seconds instead, whichever party asks first.
   * @throws ORDER_NOT_FOUND, INVALID_STATE_TRANSITION, what settleJob throws, NOT_A_PARTY, CHAIN_ERROR, STORE_ERROR
   */
  async settle(key: string, orderId: string, input: SettleInput, cosigner: MessageSigner): Promise<OrderView> {
    if (isReceiptedFailure(await this.parts.rows.orderRow(undefined, undefined, orderId)))
      return this.parts.lostJobs.payOut(key, orderId, cosigner);
    return this.parts.chainCommands.settle(key, orderId, input, cosigner);
  }

  /**
   * Refunds a failed job's escrow to the buyer; a failed job with receipted seconds (lost provider)
   * pays the provider those seconds and refunds the rest. @throws ORDER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, ESCROW_LOCKED, CHAIN_ERROR
   */
  async refund(key: string, orderId: string, buyer: MessageSigner): Promise<OrderView> {
    const order = await this.parts.rows.orderRow(undefined, undefined, orderId);
    if (isReceiptedFailure(order) && order.buyerId === buyer.address) return this.parts.lostJobs.payOut(key, orderId, buyer);
    return this.parts.chainCommands.refund(key, orderId, buyer);
  }

  /** The provider records a running job's usage receipt. @throws ORDER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, RATE_LIMITED, INVALID_SIGNATURE, PROOF_MISMATCH, INVALID_FIELD */
  recordReceipt(key: string, orderId: string, input: ReceiptInput, actor: Address): Promise<void> {
    return this.parts.receiptCommands.recordReceipt(key, orderId, input, actor);
  }

  /** The buyer countersigns the job's latest receipt. @throws ORDER_NOT_FOUND, FORBIDDEN, PROOF_MISMATCH, INVALID_SIGNATURE */
  countersignReceipt(key: string, orderId: string, input: CountersignInput, actor: Address): Promise<void> {
    return this.parts.receiptCommands.countersignReceipt(key, orderId, input, actor);
  }

  /** The workload of an order, for its buyer or matched provider only. @throws ORDER_NOT_FOUND, FORBIDDEN */
  workloadOf(orderId: string, actor: Address): Promise<Workload | null> {
    return this.parts.receiptCommands.workloadOf(orderId, actor);
  }

  /** The buyer or the provider opens a dispute over a completed or failed job. @throws ORDER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, what PaymentService.openDispute throws */
  openDispute(key: string, orderId: string, dispute: Dispute): Promise<void> {
    return this.parts.jobCommands.openDispute(key, orderId, dispute);
  }

  /** The market's arbiter decides a dispute's split. @throws ORDER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, OUT_OF_RANGE, INVALID_AMOUNT, ESCROW_ERROR */
  decideDispute(key: string, orderId: string, decision: DisputeDecisionInput, actor: Address): Promise<void> {
    return this.parts.jobCommands.decideDispute(key, orderId, decision, actor);
  }

  /** The buyer or the provider accepts the arbiter's decision, paid out at once. @throws ORDER_NOT_FOUND, INVALID_STATE_TRANSITION, ESCROW_ERROR, NOT_A_PARTY, CHAIN_ERROR, SIGNATURE_REQUIRED */
  resolveDispute(key: string, orderId: string, acceptor: MessageSigner): Promise<OrderView> {
    return this.parts.chainCommands.resolveDispute(key, orderId, acceptor);
  }

  /** Mints test MOLT to `to` once per key (never on mainnet). @throws INVALID_NETWORK, LIMIT_EXCEEDED, INVALID_FIELD, WALLET_ERROR, CHAIN_ERROR */
  airdrop(key: string, to: Address, amount: Amount): Promise<AirdropAnswer> {
    return this.parts.chainCommands.airdrop(key, to, amount);
  }

  /** Records or clears chain steps a crash left pending, as the chain says. @throws STORE_ERROR, CHAIN_ERROR */
  reconcile(): Promise<{ readonly recorded: number; readonly cleared: number }> {
    return this.parts.chainSteps.reconcile();
  }

  /** One sweep of expiries, unfunded matches, timeouts and due settlements. @throws STORE_ERROR */
  async sweep(): Promise<SweepResult> {
    const result = await this.parts.sweeper.sweep();
    this.parts.observers.swept(result);
    return result;
  }

  /** Stops following, waits for queued commands, and closes the store. @throws STORE_ERROR */
  async close(): Promise<void> {
    if (this.followTimer !== undefined) clearInterval(this.followTimer);
    await this.parts.queue.close();
    await this.store.close();
  }
}
