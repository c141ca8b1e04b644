// Marketplace: the order lifecycle over the book, the PaymentService and a Store. Every command is
// applied in a group-commit batch (one store transaction under the market's write lock, after
// catching up on other processes' events) and acknowledged only once that batch is durable.
// Chain steps are recorded as pending before they are sent and reconciled on start.
import { createHash } from "node:crypto";
import { Amount } from "../core/amount.js";
import { systemClock } from "../core/clock.js";
import type { Clock } from "../core/clock.js";
import { MarketError, assertIntInRange, isMarketError } from "../core/errors.js";
import { assertOrderTransition, canTransitionOrder } from "../core/enums.js";
import type { OrderStatus } from "../core/enums.js";
import { createOffer } from "../core/offer.js";
import type { CreateOfferInput } from "../core/offer.js";
import { createOrder } from "../core/order.js";
import type { CreateOrderInput } from "../core/order.js";
import type { OrderMatch } from "../core/types.js";
import type { Address } from "../core/address.js";
import type { MessageSigner } from "../chain/signer.js";
import { OrderBook } from "../orderbook/order-book.js";
import type { OrderBookLimits } from "../orderbook/order-book.js";
import type { PaymentService, RefundReason } from "../payments/payment-service.js";
import type { EscrowAccount } from "../settlement/escrow-account.js";
import { resolveDisputeSplit } from "../settlement/dispute.js";
import type { DisputeDecision } from "../settlement/dispute.js";
import { checkAttestation, settleJob } from "../settlement/settle-job.js";
import type { JobSettlementInput, SettlementResult } from "../settlement/settle-job.js";
import type { Attestation, Confirmation, Dispute } from "../settlement/statements.js";
import type { CommandRow, EventRow, OrderRow, Store, StoreWriter } from "../store/store.js";
import { BatchBuilder } from "./batch.js";
import { checkOfferCap, checkOrderBacking, walletLimits } from "./wallet-limits.js";
import type { BuyerLoad, WalletLimits } from "./wallet-limits.js";
import { isAddress } from "../core/address.js";
import { bookEventOf, decodeEscrow, decodeMatch, decodeOrder, encodeEscrow, restoreOffer } from "./codec.js";

/** Named bounds and defaults of a marketplace process. */
export const MARKET_LIMITS = {
  /** Commands one group commit takes at most. */
  batchMax: 1000,
  /** Commands waiting for a batch at most; more are refused with LIMIT_EXCEEDED. */
  queueMax: 100_000,
  /** Events read per page when catching up or replaying the feed. */
  eventPageMax: 1000,
  /** Orders one sweep looks at per rule. */
  sweepMax: 1000,
  /** Longest idempotency key: fits the server's `<caller address, 32..44>:<Idempotency-Key, 1..100>` (145). */
  keyLengthMax: 160,
  /** How often an idle process reads other processes' events. */
  followIntervalMs: 100,
  /** How long a match holds its GPUs for the buyer to fund the escrow (default); then it expires. */
  fundingWindowMs: 15 * 60_000,
  /** Longest funding window a market may set. */
  fundingWindowMsMax: 24 * 60 * 60_000,
} as const;

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
}

/** Lifecycle details of a job, kept with its order. */
export interface JobRecord {
  /** When the order was matched: the funding window runs from here. */
  readonly matchedAtMs?: number;
  /** The GPU model of the matched offer, kept for the job's proof when the offer is gone (orders matched since it was recorded). */
  readonly gpuModel?: string;
  readonly startedAtMs?: number;
  readonly attestation?: Attestation;
  readonly failure?: { readonly reason: string; readonly attestation?: Attestation };
  readonly dispute?: Dispute;
  /** The arbiter's split of a dispute, waiting for the buyer or the provider to accept it. */
  readonly decision?: { readonly providerShare: string; readonly reason: string; readonly decidedAtMs: number };
  readonly settlement?: { readonly status: string; readonly providerPayment: string; readonly platformFee: string; readonly buyerRefund: string; readonly transactions: readonly string[] };
  readonly settlementDue?: boolean;
}

/** An order as the market reports it. */
export interface OrderView {
  readonly orderId: string;
  readonly status: string;
  readonly buyerId: string;
  readonly offerId: string | null;
  readonly match: OrderMatch | undefined;
  readonly escrowId: string | null;
  readonly job: JobRecord;
}

/**
 * A chain step recorded before it is sent, with the idempotency key of the request that sends it:
 * when a crash comes between the send and the record, reconciliation records the outcome under
 * that key, so the request's retry gets its answer.
 */
type Pending =
  | { readonly op: "fund"; readonly key?: string }
  | { readonly op: "settle"; readonly outcome: SettlementSummary; readonly key?: string }
  | { readonly op: "refund"; readonly key?: string }
  | { readonly op: "resolve"; readonly outcome: SettlementSummary; readonly key?: string };

interface SettlementSummary {
  readonly status: string;
  readonly providerPayment: string;
  readonly platformFee: string;
  readonly buyerRefund: string;
}

interface Command {
  readonly key: string | undefined;
  readonly hash: string;
  readonly apply: (batch: BatchBuilder, writer: StoreWriter) => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** A listener of the event feed. */
export type FeedListener = (event: EventRow) => void;

function summarize(result: Pick<SettlementResult, "providerPayment" | "platformFee" | "buyerRefund"> & { readonly status: { readonly kind: string } | string }): SettlementSummary {
  return {
    status: typeof result.status === "string" ? result.status : result.status.kind,
    providerPayment: result.providerPayment.toString(),
    platformFee: result.platformFee.toString(),
    buyerRefund: result.buyerRefund.toString(),
  };
}

function checkKey(key: string): void {
  if (key.length === 0 || key.length > MARKET_LIMITS.keyLengthMax) {
    throw new MarketError("INVALID_FIELD", { field: "idempotencyKey", value: `${key.length} characters`, allowed: `1..${MARKET_LIMITS.keyLengthMax} characters` });
  }
}

/**
 * The durable marketplace. Invariants: a command is acknowledged only after its batch committed;
 * a repeated idempotency key returns the first answer; free + allocated GPUs = offered GPUs for
 * every offer; every process sharing the store converges on the same book.
 */
export class Marketplace {
  readonly store: Store;
  readonly payments: PaymentService;
  readonly nodeId: string;
  private readonly clock: Clock;
  private readonly batchMax: number;
  /** How long a match waits for its escrow to be funded. */
  readonly fundingWindowMs: number;
  private readonly bookLimits: Partial<OrderBookLimits>;
  /** Per-wallet caps and the backing of orders. */
  readonly walletLimits: WalletLimits;
  private bookValue: OrderBook;
  private seq = 0;
  private queue: Command[] = [];
  private flushScheduled = false;
  private exclusiveTail: Promise<void> = Promise.resolve();
  private batch: BatchBuilder | undefined;
  private replaying = false;
  private readonly listeners = new Set<FeedListener>();
  private followTimer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(options: MarketplaceOptions) {
    this.store = options.store;
    this.payments = options.payments;
    this.clock = options.clock ?? systemClock;
    this.nodeId = options.nodeId ?? `node-${process.pid}`;
    this.batchMax = options.batchMax ?? MARKET_LIMITS.batchMax;
    this.fundingWindowMs = options.fundingWindowMs ?? MARKET_LIMITS.fundingWindowMs;
    assertIntInRange("fundingWindowMs", this.fundingWindowMs, 1000, MARKET_LIMITS.fundingWindowMsMax);
    this.bookLimits = options.bookLimits ?? {};
    this.walletLimits = walletLimits(options.walletLimits);
    this.bookValue = this.newBook();
  }

  /** Migrates the store, rebuilds the book from it, reconciles pending chain steps, and starts following. @throws STORE_ERROR, CHAIN_ERROR */
  static async open(options: MarketplaceOptions): Promise<Marketplace> {
    await options.store.migrate();
    const market = new Marketplace(options);
    await market.rebuild();
    await market.reconcile();
    if (options.follow !== false) {
      market.followTimer = setInterval(() => void market.follow().catch(() => undefined), MARKET_LIMITS.followIntervalMs);
      market.followTimer.unref();
    }
    return market;
  }

  /** The in-memory book (read it; change it only through commands). */
  get book(): OrderBook {
    return this.bookValue;
  }

  /** The seq of the last event this process has applied. */
  get lastSeq(): number {
    return this.seq;
  }

  private newBook(): OrderBook {
    const book = new OrderBook({ clock: this.clock, limits: this.bookLimits });
    book.on((event) => {
      if (this.replaying || this.batch === undefined) return;
      const offerId = event.type === "OrderMatched" ? event.match.offerId : undefined;
      this.batch.bookEvent(event, offerId !== undefined && book.hasOffer(offerId) ? book.getOffer(offerId).gpuCapacity.gpuModel : undefined);
    });
    return book;
  }

  /** Loads the book from the store: offers with their free GPUs, resting orders and live allocations. */
  private async rebuild(): Promise<void> {
    const book = this.newBook();
    // Offers come page by page with their stored free GPUs (allocations already taken off).
    const stored = await this.store.loadBook((page) => {
      book.restoreOffers(page.map((row) => ({ offer: restoreOffer(row.doc, row.status), freeGpuCount: row.freeGpus })), { defer: true });
    });
    book.finishRestore();
    book.restoreAllocations(stored.allocated.flatMap((row) => (row.match === null ? [] : [{ order: decodeOrder(row.doc, "Matched"), match: decodeMatch(row.match) }])));
    this.replaying = true;
    try {
      for (const row of stored.resting) book.apply({ type: "OrderRested", order: decodeOrder(row.doc, "Pending") });
    } finally {
      this.replaying = false;
    }
    this.bookValue = book;
    this.seq = stored.seq;
  }

  /** Runs `fn` after every earlier exclusive step of this process. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.exclusiveTail.then(fn);
    this.exclusiveTail = run.then(() => undefined, () => undefined);
    return run;
  }

  private applyFeed(events: readonly EventRow[]): void {
    for (const event of events) {
      if (event.seq !== this.seq + 1) throw new MarketError("STORE_ERROR", { reason: `event feed jumped from ${this.seq} to ${event.seq}` });
      // A lifecycle event of the same name (OrderExpired, OrderCancelled of a matched order) carries
      // an entityId and is not a book event: the AllocationReleased after it moves the book.
      const raw = BOOK_EVENT_TYPES.has(event.type) ? (JSON.parse(event.payload) as { type: string; entityId?: unknown } & Record<string, unknown>) : undefined;
      if (raw !== undefined && raw.entityId === undefined) {
        this.replaying = true;
        try {
          this.bookValue.apply(bookEventOf(raw));
        } finally {
          this.replaying = false;
        }
      }
      this.seq = event.seq;
      this.publish(event);
    }
  }

  private async catchUp(read: (seq: number, limit: number) => Promise<EventRow[]>): Promise<void> {
    for (;;) {
      const events = await read(this.seq, MARKET_LIMITS.eventPageMax);
      this.applyFeed(events);
      if (events.length < MARKET_LIMITS.eventPageMax) return;
    }
  }

  /** Applies other processes' events committed since the last batch (runs on a timer while idle). */
  async follow(): Promise<void> {
    if (this.closed) return;
    await this.exclusive(() => this.catchUp((seq, limit) => this.store.eventsAfter(seq, limit)));
  }

  private publish(event: EventRow): void {
    for (const listener of this.listeners) listener(event);
  }

  /** Tells `listener` every event this process applies from now on (its own and followed ones); returns unsubscribe. */
  onEvent(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events after `seq`, oldest first, at most `limit` (a subscriber resuming the feed). @throws OUT_OF_RANGE */
  async events(afterSeq: number, limit: number = MARKET_LIMITS.eventPageMax): Promise<EventRow[]> {
    if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) throw new MarketError("OUT_OF_RANGE", { field: "afterSeq", value: String(afterSeq), min: "0", max: String(Number.MAX_SAFE_INTEGER) });
    if (!Number.isInteger(limit) || limit < 1 || limit > MARKET_LIMITS.eventPageMax) throw new MarketError("OUT_OF_RANGE", { field: "limit", value: String(limit), min: "1", max: String(MARKET_LIMITS.eventPageMax) });
    return this.store.eventsAfter(afterSeq, limit);
  }

  // ------------------------------------------------------------ group commit

  /** Queues a command for the next batch; resolves with its (JSON) answer once the batch is durable. */
  private submit(key: string | undefined, name: string, args: unknown, apply: Command["apply"]): Promise<unknown> {
    if (this.closed) return Promise.reject(new MarketError("STORE_ERROR", { reason: "the marketplace is closed" }));
    if (key !== undefined) checkKey(key);
    if (this.queue.length >= MARKET_LIMITS.queueMax) return Promise.reject(new MarketError("LIMIT_EXCEEDED", { limit: "queueMax", max: MARKET_LIMITS.queueMax }));
    const hash = createHash("sha256").update(name).update("\0").update(JSON.stringify(args)).digest("hex");
    return new Promise((resolve, reject) => {
      this.queue.push({ key, hash, apply, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => void this.exclusive(() => this.flush()));
      }
    });
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    while (this.queue.length > 0) await this.commit(this.queue.splice(0, this.batchMax));
  }

  private async commit(commands: readonly Command[]): Promise<void> {
    let builder: BatchBuilder | undefined;
    let outcomes: ({ readonly ok: unknown } | { readonly error: unknown })[];
    try {
      outcomes = await this.store.writeBatch(async (writer) => {
        await this.catchUp((seq, limit) => writer.eventsAfter(seq, limit));
        const batch = new BatchBuilder(this.seq, this.nodeId, this.clock.now());
        builder = batch;
        this.batch = batch;
        const keys = commands.flatMap((c) => (c.key === undefined ? [] : [c.key]));
        const stored: Map<string, CommandRow> = keys.length === 0 ? new Map<string, CommandRow>() : await writer.commands(keys);
        const results: ({ readonly ok: unknown } | { readonly error: unknown })[] = [];
        for (const command of commands) {
          const prior = command.key === undefined ? undefined : (stored.get(command.key) ?? batch.commandByKey.get(command.key));
          if (prior !== undefined) {
            results.push(prior.requestHash === command.hash ? { ok: JSON.parse(prior.response) as unknown } : { error: new MarketError("IDEMPOTENCY_KEY_REUSED", { key: command.key ?? "" }) });
            continue;
          }
          const mark = batch.mark();
          try {
            const response = JSON.stringify((await command.apply(batch, writer)) ?? null);
            if (command.key !== undefined) {
              const row = { key: command.key, requestHash: command.hash, response, atMs: batch.nowMs };
              batch.commands.push(row);
              batch.commandByKey.set(row.key, row);
            }
            results.push({ ok: JSON.parse(response) as unknown });
          } catch (e) {
            batch.rollback(mark);
            if (!isMarketError(e)) throw e;
            results.push({ error: e });
          }
        }
        await writer.write(batch.writes());
        return results;
      });
    } catch (e) {
      this.batch = undefined;
      // The book may hold changes that were never written: take it back from the store.
      await this.rebuild().catch(() => undefined);
      const error = isMarketError(e) ? e : new MarketError("STORE_ERROR", { reason: e instanceof Error ? e.message : String(e) }, { cause: e });
      for (const command of commands) command.reject(error);
      return;
    }
    this.batch = undefined;
    if (builder !== undefined) {
      this.seq = builder.lastSeq;
      for (const event of builder.events) this.publish(event);
    }
    commands.forEach((command, i) => {
      const outcome = outcomes[i];
      if (outcome !== undefined && "ok" in outcome) command.resolve(outcome.ok);
      else command.reject(outcome?.error);
    });
  }

  // ------------------------------------------------------------ reads

  private async orderRow(batch: BatchBuilder | undefined, writer: StoreWriter | undefined, orderId: string): Promise<OrderRow> {
    const row = batch?.orderById.get(orderId) ?? (await (writer ?? this.store).getOrder(orderId));
    if (row === undefined) throw new MarketError("ORDER_NOT_FOUND", { orderId });
    return row;
  }

  private async escrowOf(batch: BatchBuilder | undefined, writer: StoreWriter | undefined, order: OrderRow): Promise<{ readonly escrow: EscrowAccount; readonly pending: Pending | undefined }> {
    if (order.escrowId === null) throw new MarketError("ESCROW_NOT_FOUND", { escrowId: `(none for order ${order.id})` });
    const row = batch?.escrowById.get(order.escrowId) ?? (await (writer ?? this.store).getEscrow(order.escrowId));
    if (row === undefined) throw new MarketError("ESCROW_NOT_FOUND", { escrowId: order.escrowId });
    return { escrow: decodeEscrow(row.doc), pending: row.pending === null ? undefined : (JSON.parse(row.pending) as Pending) };
  }

  /** An order with its lifecycle. @throws ORDER_NOT_FOUND */
  async getOrder(orderId: string): Promise<OrderView> {
    return viewOf(await this.orderRow(undefined, undefined, orderId));
  }

  /** The escrow of an order. @throws ORDER_NOT_FOUND, ESCROW_NOT_FOUND */
  async getEscrow(orderId: string): Promise<EscrowAccount> {
    return (await this.escrowOf(undefined, undefined, await this.orderRow(undefined, undefined, orderId))).escrow;
  }

  // ------------------------------------------------------------ offers and orders

  /** Lists capacity, within its provider's cap of live offers. @throws validation codes, DUPLICATE_ID, EXPIRED, LIMIT_EXCEEDED (offersPerProviderMax, offersMax) */
  async addOffer(key: string, input: CreateOfferInput): Promise<{ readonly offerId: string }> {
    return (await this.submit(key, "addOffer", input, () => {
      const offer = createOffer(input, { clock: this.clock });
      checkOfferCap(this.book.liveOffersOf(offer.providerId), this.walletLimits);
      return { offerId: this.book.addOffer(offer) };
    })) as { offerId: string };
  }

  private offerCommand(key: string, name: "pauseOffer" | "resumeOffer" | "withdrawOffer", offerId: string, actor: Address): Promise<unknown> {
    return this.submit(key, name, { offerId, actor }, () => {
      const offer = this.book.getOffer(offerId as never);
      if (offer.providerId !== actor) throw new MarketError("FORBIDDEN", { actor, action: `${name} ${offerId}`, allowed: "the offer's provider" });
      if (name === "pauseOffer") this.book.pauseOffer(offer.id);
      else if (name === "resumeOffer") this.book.resumeOffer(offer.id);
      else this.book.removeOffer(offer.id);
      return { offerId };
    });
  }

  /** Active -> Paused, by the offer's provider. @throws OFFER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION */
  async pauseOffer(key: string, offerId: string, actor: Address): Promise<void> {
    await this.offerCommand(key, "pauseOffer", offerId, actor);
  }

  /** Paused -> Active. @throws OFFER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, EXPIRED */
  async resumeOffer(key: string, offerId: string, actor: Address): Promise<void> {
    await this.offerCommand(key, "resumeOffer", offerId, actor);
  }

  /** Withdraws an offer; running jobs keep their GPUs. @throws OFFER_NOT_FOUND, FORBIDDEN */
  async withdrawOffer(key: string, offerId: string, actor: Address): Promise<void> {
    await this.offerCommand(key, "withdrawOffer", offerId, actor);
  }

  /**
   * Submits an order: matched at once, or resting. It must be backed: the buyer's MOLT covers its
   * worst-case cost plus the buyer's resting and unfunded orders, within the buyer's caps.
   * @throws validation codes, DUPLICATE_ID, EXPIRED, LIMIT_EXCEEDED, INSUFFICIENT_FUNDS
   */
  async submitOrder(key: string, input: CreateOrderInput): Promise<{ readonly orderId: string; readonly status: string; readonly match?: OrderMatch }> {
    // The balance is read before the batch (a chain read holds no lock); the commitments inside it, serialized with the buyer's other orders.
    const buyerId: unknown = (input as { buyerId?: unknown }).buyerId;
    const available = this.walletLimits.backedOrders && typeof buyerId === "string" ? (isAddress(buyerId) ? await this.payments.client.balance(buyerId) : Amount.zero()) : undefined;
    const answer = (await this.submit(key, "submitOrder", input, async (batch, writer) => {
      const order = createOrder(input, { clock: this.clock });
      checkOrderBacking(order, await this.buyerLoad(batch, writer, order.buyerId), available, this.walletLimits);
      return this.book.submitOrder(order);
    })) as { orderId: string; status: string; match?: unknown };
    return answer.match === undefined ? { orderId: answer.orderId, status: answer.status } : { ...answer, match: decodeMatch(JSON.stringify(answer.match)) };
  }

  /** What `buyerId` has committed and not funded: its resting orders (the book) and its matched, unfunded orders (the store and this batch). */
  private async buyerLoad(batch: BatchBuilder, writer: StoreWriter, buyerId: string): Promise<BuyerLoad> {
    const resting = this.book.restingLoadOf(buyerId);
    const matched = new Map<string, OrderRow>();
    for (const row of await writer.ordersOfBuyer(buyerId, ["Matched"], this.walletLimits.unfundedMatchesPerBuyerMax)) matched.set(row.id, row);
    for (const row of batch.ordersOfBuyer(buyerId)) matched.set(row.id, row);
    let unfundedMatchCount = 0;
    let unfundedMatchBaseUnits = 0n;
    for (const row of matched.values()) {
      if (row.status !== "Matched" || row.match === null) continue;
      unfundedMatchCount++;
      unfundedMatchBaseUnits += decodeMatch(row.match).totalCost.baseUnits;
    }
    return { restingCount: resting.count, restingWorstCaseBaseUnits: resting.worstCaseBaseUnits, unfundedMatchCount, unfundedMatchBaseUnits };
  }

  /**
   * Cancels an order, by its buyer: a resting one, or a matched one it has not funded (its GPUs
   * return to the offer at once). @throws ORDER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, ESCROW_BUSY
   */
  async cancelOrder(key: string, orderId: string, actor: Address): Promise<void> {
    await this.submit(key, "cancelOrder", { orderId, actor }, async (batch, writer) => {
      const order = this.book.getOrder(orderId as never);
      if (order.buyerId !== actor) throw new MarketError("FORBIDDEN", { actor, action: `cancel order ${orderId}`, allowed: "its buyer" });
      if (!hasAllocation(this.book, orderId)) {
        this.book.cancelOrder(order.id);
        return { orderId };
      }
      const row = await this.orderRow(batch, writer, orderId);
      const escrow = await this.idleEscrow(batch, writer, row);
      if (row.status !== "Matched" || (escrow !== undefined && escrow.state !== "Created")) {
        throw new MarketError("INVALID_STATE_TRANSITION", { entity: "order", from: row.status, to: "Cancelled" });
      }
      this.transition(batch, row, "Cancelled", { ...jobOf(row), failure: { reason: "cancelled by the buyer before funding" } });
      this.release(orderId);
      return { orderId };
    });
  }

  // ------------------------------------------------------------ lifecycle

  private transition(batch: BatchBuilder, order: OrderRow, to: OrderStatus, job: JobRecord, changes: Partial<OrderRow> = {}): OrderRow {
    assertOrderTransition(order.status as OrderStatus, to);
    const row: OrderRow = { ...order, ...changes, status: to, job: JSON.stringify(job) };
    batch.putOrder(row);
    batch.marketEvent({ type: `Order${to}`, entityId: order.id, from: order.status, escrowId: row.escrowId });
    return row;
  }

  private putEscrow(batch: BatchBuilder, escrow: EscrowAccount, pending: Pending | undefined): void {
    batch.putEscrow({ id: escrow.id, orderId: escrow.orderId, state: escrow.state, doc: encodeEscrow(escrow), pending: pending === undefined ? null : JSON.stringify(pending) });
    batch.marketEvent({ type: `Escrow${escrow.state}`, entityId: escrow.id, orderId: escrow.orderId, pending: pending?.op ?? null });
  }

  /**
   * Records that a chain step is about to be sent. One step at a time per escrow: a second one
   * while the first is under way is refused with ESCROW_BUSY, as is every other command on the
   * order (idleEscrow); after a crash, start-up reconciliation settles it from the chain.
   * A signer still to sign elsewhere only rehearses the step: nothing is marked, nothing can be sent.
   * @throws ESCROW_ERROR
   */
  private markPending(batch: BatchBuilder, escrow: EscrowAccount, current: Pending | undefined, pending: Pending, signer: MessageSigner): void {
    if (current !== undefined) throw new MarketError("ESCROW_BUSY", { escrowId: escrow.id, step: current.op });
    if (signer.awaitingSignature !== true) this.putEscrow(batch, escrow, pending);
  }

  /**
   * The escrow of an order, for a command that changes the order: refused while a chain step of
   * the escrow is in flight, so the chain's outcome is never overwritten. @throws ESCROW_BUSY, ESCROW_NOT_FOUND
   */
  private async idleEscrow(batch: BatchBuilder, writer: StoreWriter, order: OrderRow): Promise<EscrowAccount | undefined> {
    if (order.escrowId === null) return undefined;
    const { escrow, pending } = await this.escrowOf(batch, writer, order);
    if (pending !== undefined) throw new MarketError("ESCROW_BUSY", { escrowId: escrow.id, step: pending.op });
    return escrow;
  }

  /** idleEscrow for an order that must have one. @throws ESCROW_BUSY, ESCROW_NOT_FOUND */
  private async requireIdleEscrow(batch: BatchBuilder, writer: StoreWriter, order: OrderRow): Promise<EscrowAccount> {
    const escrow = await this.idleEscrow(batch, writer, order);
    if (escrow === undefined) throw new MarketError("ESCROW_NOT_FOUND", { escrowId: `of order ${order.id}` });
    return escrow;
  }

  /** Clears the pending mark of an order's escrow as it is now (a step was refused, or never sent). */
  private clearPending(orderId: string): Promise<unknown> {
    return this.submit(undefined, "clearPending", { orderId }, async (batch, writer) => {
      const { escrow, pending } = await this.escrowOf(batch, writer, await this.orderRow(batch, writer, orderId));
      if (pending !== undefined) this.putEscrow(batch, escrow, undefined);
    });
  }

  /** Releases the GPUs of a job that ended, if the book still holds them. */
  private release(orderId: string): void {
    if (hasAllocation(this.book, orderId)) this.book.releaseAllocation(orderId as never);
  }

  /**
   * The buyer funds the escrow of a matched order: recorded (Created, pending), sent, then
   * recorded Locked and the order Escrowed. A repeat after a crash adopts an escrow already on chain.
   * A buyer who signs elsewhere first gets the transaction to sign (SIGNATURE_REQUIRED): that
   * rehearsal writes nothing, since the escrow's id, and so its accounts, follow from the order's.
   * @throws ORDER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, ESCROW_BUSY, INSUFFICIENT_BALANCE, SIGNATURE_REQUIRED, CHAIN_ERROR, STORE_ERROR
   */
  async fundEscrow(key: string, orderId: string, buyer: MessageSigner): Promise<EscrowAccount> {
    if ((await this.store.getCommand(key)) !== undefined) return this.getEscrow(orderId);
    checkKey(key);
    const rehearsal = buyer.awaitingSignature === true;
    let opened: EscrowAccount | undefined;
    await this.submit(undefined, "fundEscrow.open", { orderId, buyer: buyer.address }, async (batch, writer) => {
      const order = await this.orderRow(batch, writer, orderId);
      if (order.buyerId !== buyer.address) throw new MarketError("FORBIDDEN", { actor: buyer.address, action: `fund order ${orderId}`, allowed: "its buyer" });
      if (order.escrowId !== null) {
        const { escrow, pending } = await this.escrowOf(batch, writer, order);
        opened = escrow;
        if (escrow.state !== "Created") return;
        // An escrow opened for a match that has since expired or been cancelled is never funded.
        if (order.status !== "Matched") throw new MarketError("INVALID_STATE_TRANSITION", { entity: "order", from: order.status, to: "Escrowed" });
        this.markPending(batch, escrow, pending, { op: "fund", key }, buyer);
        return;
      }
      if (order.status !== "Matched" || order.match === null) throw new MarketError("INVALID_STATE_TRANSITION", { entity: "order", from: order.status, to: "Escrowed" });
      const escrow = this.payments.openEscrow(decodeMatch(order.match), buyer.address);
      opened = escrow;
      if (rehearsal) return;
      batch.putOrder({ ...order, escrowId: escrow.id });
      this.putEscrow(batch, escrow, { op: "fund", key });
    });
    const escrow = opened;
    if (escrow === undefined) throw new MarketError("ESCROW_NOT_FOUND", { escrowId: `of order ${orderId}` });
    if (escrow.state !== "Created") return escrow;
    let funded: EscrowAccount;
    try {
      funded = (await this.adoptFunding(escrow)) ?? (await this.payments.fundEscrow(escrow, buyer)).escrow;
    } catch (e) {
      if (!rehearsal) await this.clearPending(orderId);
      throw e;
    }
    await this.submit(key, "fundEscrow", { orderId, buyer: buyer.address }, (batch, writer) => this.recordFunded(batch, writer, orderId, funded));
    return funded;
  }

  /** The escrow as funded, if its account already holds the amount on chain. */
  private async adoptFunding(escrow: EscrowAccount): Promise<EscrowAccount | undefined> {
    const handle = await this.payments.client.escrowHandleFor({ escrowId: escrow.id, buyer: escrow.buyer, provider: escrow.provider, arbiter: escrow.arbiter, amount: escrow.amount });
    const held = await this.payments.client.escrowBalance(handle);
    if (held === undefined || held.lt(escrow.amount)) return undefined;
    return Object.freeze({ ...escrow, state: "Locked", chain: Object.freeze({ address: handle.address, multisig: handle.multisig }) });
  }

  private async recordFunded(batch: BatchBuilder, writer: StoreWriter, orderId: string, funded: EscrowAccount): Promise<{ readonly escrowId: string }> {
    const order = await this.orderRow(batch, writer, orderId);
    const { escrow } = await this.escrowOf(batch, writer, order);
    if (escrow.state !== "Created") return { escrowId: escrow.id };
    this.putEscrow(batch, funded, undefined);
    this.transition(batch, order, "Escrowed", jobOf(order));
    return { escrowId: funded.id };
  }

  /** The provider starts the job. @throws ORDER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION */
  async startJob(key: string, orderId: string, actor: Address): Promise<void> {
    await this.submit(key, "startJob", { orderId, actor }, async (batch, writer) => {
      const order = await this.orderRow(batch, writer, orderId);
      this.expectProvider(order, actor, "start");
      await this.idleEscrow(batch, writer, order);
      this.transition(batch, order, "Running", { ...jobOf(order), startedAtMs: batch.nowMs });
    });
  }

  /** Throws FORBIDDEN unless `actor` is the order's buyer or its match's provider (checked before the order's state, so an outsider learns nothing of it). */
  private expectParty(order: OrderRow, actor: string, action: string): void {
    if (actor !== order.buyerId && actor !== (order.match === null ? undefined : decodeMatch(order.match).providerId)) {
      throw new MarketError("FORBIDDEN", { actor, action: `${action} order ${order.id}`, allowed: "its buyer or the provider of its match" });
    }
  }

  private expectProvider(order: OrderRow, actor: string, action: string): void {
    const providerId = order.match === null ? undefined : decodeMatch(order.match).providerId;
    if (providerId !== actor) throw new MarketError("FORBIDDEN", { actor, action: `${action} the job of order ${order.id}`, allowed: "the provider of its match" });
  }

  /**
   * The provider completes the job with its attested proof: the GPUs return to the offer and the
   * dispute window starts; only the match's provider may. @throws ORDER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, INVALID_SIGNATURE, PROOF_MISMATCH
   */
  async completeJob(key: string, orderId: string, attestation: Attestation, actor: Address): Promise<void> {
    await this.submit(key, "completeJob", { orderId, attestation, actor }, async (batch, writer) => {
      const order = await this.orderRow(batch, writer, orderId);
      this.expectProvider(order, actor, "complete");
      assertOrderTransition(order.status as OrderStatus, "Completed");
      const escrow = await this.requireIdleEscrow(batch, writer, order);
      const completed = this.payments.completeJob(escrow, attestation);
      this.putEscrow(batch, completed, undefined);
      this.transition(batch, order, "Completed", { ...jobOf(order), attestation });
      this.release(orderId);
    });
  }

  /** The match's provider reports a failed job, with a proof of non-zero exit status. @throws ORDER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, INVALID_SIGNATURE, PROOF_MISMATCH, INVALID_FIELD */
  async failJob(key: string, orderId: string, attestation: Attestation, actor: Address): Promise<void> {
    await this.submit(key, "failJob", { orderId, attestation, actor }, async (batch, writer) => {
      const order = await this.orderRow(batch, writer, orderId);
      this.expectProvider(order, actor, "fail");
      assertOrderTransition(order.status as OrderStatus, "Failed");
      const escrow = await this.requireIdleEscrow(batch, writer, order);
      checkAttestation(escrow, attestation, batch.nowMs);
      if (attestation.proof.exitStatus === 0) throw new MarketError("INVALID_FIELD", { field: "attestation.proof.exitStatus", value: "0", allowed: "a non-zero exit status; a job that exited 0 completes" });
      this.transition(batch, order, "Failed", { ...jobOf(order), failure: { reason: `exit status ${attestation.proof.exitStatus}`, attestation } });
      this.release(orderId);
    });
  }

  /**
   * Settles a completed job: checked, recorded as pending, paid out in one transaction signed by
   * the arbiter and `cosigner`, then recorded Settled. A rejected confirmation opens a dispute.
   * @throws ORDER_NOT_FOUND, INVALID_STATE_TRANSITION, what settleJob throws, NOT_A_PARTY, CHAIN_ERROR, STORE_ERROR
   */
  async settle(key: string, orderId: string, input: { readonly actualHours?: number | string; readonly confirmation?: Confirmation }, cosigner: MessageSigner): Promise<OrderView> {
    const args = { orderId, actualHours: input.actualHours ?? null, confirmation: input.confirmation ?? null, cosigner: cosigner.address };
    if ((await this.store.getCommand(key)) !== undefined) return this.getOrder(orderId);
    checkKey(key);
    let settlementInput: JobSettlementInput | undefined;
    const intent = (await this.submit(undefined, "settle.intent", args, async (batch, writer) => {
      const order = await this.orderRow(batch, writer, orderId);
      this.expectParty(order, cosigner.address, "settle");
      assertOrderTransition(order.status as OrderStatus, "Settled");
      const job = jobOf(order);
      if (job.attestation === undefined) throw new MarketError("INVALID_STATE_TRANSITION", { entity: "order", from: order.status, to: "Settled" });
      const escrow = await this.requireIdleEscrow(batch, writer, order);
      const proof = job.attestation.proof;
      settlementInput = { escrowId: escrow.id, ...(input.actualHours === undefined ? {} : { actualHours: input.actualHours }), proof, providerAttestation: job.attestation, ...(input.confirmation === undefined ? {} : { buyerConfirmation: input.confirmation }) };
      const billedBy = cosigner.address === order.buyerId ? "buyer" : "provider";
      const result = settleJob(settlementInput, { escrow, nowMs: batch.nowMs, disputeWindowMs: this.payments.disputeWindowMs, billedBy });
      if (result.status.kind === "Disputed") {
        this.putEscrow(batch, Object.freeze({ ...escrow, state: "Disputed", disputeId: result.status.disputeId }), undefined);
        this.transition(batch, order, "Disputed", { ...job, failure: { reason: result.status.reason } });
        return { disputed: true };
      }
      this.markPending(batch, escrow, undefined, { op: "settle", outcome: summarize(result), key }, cosigner);
      return { disputed: false };
    })) as { disputed: boolean };
    // The intent has no key, so it ran now and built the input it checked.
    const checked = settlementInput;
    if (!intent.disputed && checked !== undefined) {
      await this.payOut(key, orderId, "settle", cosigner, async (escrow) => {
        const { result } = await this.payments.releasePayment(escrow, checked, cosigner);
        return { ...summarize(result), transactions: result.transactions };
      });
    }
    return this.getOrder(orderId);
  }

  /**
   * Refunds a failed job's escrow to the buyer (buyer + arbiter): at once for a failure the
   * provider attested, after lockedUntil for a timeout. @throws ORDER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, ESCROW_LOCKED, CHAIN_ERROR
   */
  async refund(key: string, orderId: string, buyer: MessageSigner): Promise<OrderView> {
    if ((await this.store.getCommand(key)) !== undefined) return this.getOrder(orderId);
    checkKey(key);
    await this.submit(undefined, "refund.intent", { orderId, buyer: buyer.address }, async (batch, writer) => {
      const order = await this.orderRow(batch, writer, orderId);
      if (order.buyerId !== buyer.address) throw new MarketError("FORBIDDEN", { actor: buyer.address, action: `refund order ${orderId}`, allowed: "its buyer" });
      assertOrderTransition(order.status as OrderStatus, "Refunded");
      const { escrow, pending } = await this.escrowOf(batch, writer, order);
      this.markPending(batch, escrow, pending, { op: "refund", key }, buyer);
    });
    await this.payOut(key, orderId, "refund", buyer, async (escrow) => {
      const attestation = jobOf(await this.orderRow(undefined, undefined, orderId)).failure?.attestation;
      const reason: RefundReason = attestation === undefined ? { kind: "timeout" } : { kind: "jobFailed", attestation };
      const { transactions } = await this.payments.refundPayment(escrow, reason, buyer);
      return { status: "FullRefund", providerPayment: "0", platformFee: "0", buyerRefund: escrow.amount.toString(), transactions };
    });
    return this.getOrder(orderId);
  }

  /** The buyer or the match's provider opens a dispute over a completed or failed job. @throws ORDER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, what PaymentService.openDispute throws */
  async openDispute(key: string, orderId: string, dispute: Dispute): Promise<void> {
    await this.submit(key, "openDispute", { orderId, dispute }, async (batch, writer) => {
      const order = await this.orderRow(batch, writer, orderId);
      this.expectParty(order, dispute.openedBy, "dispute");
      assertOrderTransition(order.status as OrderStatus, "Disputed");
      const escrow = await this.requireIdleEscrow(batch, writer, order);
      this.putEscrow(batch, this.payments.openDispute(escrow, dispute), undefined);
      this.transition(batch, order, "Disputed", { ...jobOf(order), dispute });
    });
  }

  /**
   * The arbiter decides a disputed escrow's split (base units to the provider; the fee comes out of
   * it, the rest is refunded); nothing moves until the buyer or the provider accepts it. A later
   * decision replaces one not yet accepted. Only the market's arbiter may.
   * @throws ORDER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, OUT_OF_RANGE, INVALID_AMOUNT, ESCROW_ERROR
   */
  async decideDispute(key: string, orderId: string, decision: { readonly providerShare: Amount | string; readonly reason: string }, actor: Address): Promise<void> {
    const providerShare = Amount.from(decision.providerShare);
    await this.submit(key, "decideDispute", { orderId, providerShare: providerShare.toString(), reason: decision.reason, actor }, async (batch, writer) => {
      if (actor !== this.payments.arbiter.address) throw new MarketError("FORBIDDEN", { actor, action: `decide the dispute of order ${orderId}`, allowed: "the market's arbiter" });
      const order = await this.orderRow(batch, writer, orderId);
      assertOrderTransition(order.status as OrderStatus, "Resolved");
      const escrow = await this.requireIdleEscrow(batch, writer, order);
      if (escrow.disputeId === undefined) throw new MarketError("ESCROW_ERROR", { reason: `escrow ${escrow.id} has no dispute` });
      resolveDisputeSplit(escrow, { disputeId: escrow.disputeId, providerShare, reason: decision.reason });
      batch.putOrder({ ...order, job: JSON.stringify({ ...jobOf(order), decision: { providerShare: providerShare.toString(), reason: decision.reason, decidedAtMs: batch.nowMs } }) });
      batch.marketEvent({ type: "DisputeDecided", entityId: order.id, escrowId: escrow.id, providerShare: providerShare.toString() });
    });
  }

  /**
   * The buyer or the provider accepts the arbiter's decision: its split is paid out in one
   * transaction co-signed by the arbiter and `acceptor`. @throws ORDER_NOT_FOUND, INVALID_STATE_TRANSITION, ESCROW_ERROR (no decision), NOT_A_PARTY, CHAIN_ERROR, SIGNATURE_REQUIRED
   */
  async resolveDispute(key: string, orderId: string, acceptor: MessageSigner): Promise<OrderView> {
    if ((await this.store.getCommand(key)) !== undefined) return this.getOrder(orderId);
    checkKey(key);
    let decided: DisputeDecision | undefined;
    await this.submit(undefined, "resolve.intent", { orderId, acceptor: acceptor.address }, async (batch, writer) => {
      const order = await this.orderRow(batch, writer, orderId);
      this.expectParty(order, acceptor.address, "accept the dispute decision of");
      assertOrderTransition(order.status as OrderStatus, "Resolved");
      const { escrow, pending } = await this.escrowOf(batch, writer, order);
      const decision = jobOf(order).decision;
      if (escrow.disputeId === undefined || decision === undefined) throw new MarketError("ESCROW_ERROR", { reason: `the arbiter has not decided the dispute of escrow ${escrow.id} yet` });
      decided = { disputeId: escrow.disputeId, providerShare: Amount.parse(decision.providerShare), reason: decision.reason };
      const split = resolveDisputeSplit(escrow, decided);
      this.markPending(batch, escrow, pending, { op: "resolve", outcome: summarize({ ...split, status: "Resolved" }), key }, acceptor);
    });
    // The intent has no key, so it ran now and read the decision it checked.
    const checked = decided;
    if (checked !== undefined) {
      await this.payOut(key, orderId, "resolve", acceptor, async (escrow) => {
        const { resolution } = await this.payments.handleDispute(escrow, checked, acceptor);
        return { ...summarize({ ...resolution, status: "Resolved" }), transactions: resolution.transactions };
      });
    }
    return this.getOrder(orderId);
  }

  /**
   * Mints test MOLT to `to` (never on mainnet) and records the answer under `key`, so a repeated
   * request does not mint again. A crash between the mint and the record can mint twice: test
   * money only. @throws INVALID_NETWORK, LIMIT_EXCEEDED, INVALID_FIELD, WALLET_ERROR, CHAIN_ERROR
   */
  async airdrop(key: string, to: Address, amount: Amount): Promise<{ readonly address: string; readonly molt: string; readonly transactionId: string }> {
    const prior = await this.store.getCommand(key);
    if (prior !== undefined) return JSON.parse(prior.response) as { address: string; molt: string; transactionId: string };
    checkKey(key);
    const transaction = await this.payments.client.airdrop(to, amount);
    const answer = { address: to, molt: transaction.amount.toString(), transactionId: transaction.id };
    return (await this.submit(key, "airdrop", { to, molt: amount.toString() }, (batch) => {
      batch.marketEvent({ type: "Airdrop", entityId: to, molt: answer.molt, transactionId: answer.transactionId });
      return answer;
    })) as typeof answer;
  }

  /** Sends a recorded payout, then records its outcome; on a refusal the pending mark is cleared. */
  private async payOut(key: string, orderId: string, op: "settle" | "refund" | "resolve", signer: MessageSigner, send: (escrow: EscrowAccount) => Promise<SettlementSummary & { readonly transactions: readonly string[] }>): Promise<void> {
    const { escrow } = await this.escrowOf(undefined, undefined, await this.orderRow(undefined, undefined, orderId));
    let outcome: SettlementSummary & { readonly transactions: readonly string[] };
    try {
      outcome = await send(escrow);
    } catch (e) {
      if (signer.awaitingSignature !== true) await this.clearPending(orderId);
      throw e;
    }
    await this.submit(key, op, { orderId }, (batch, writer) => this.recordPayout(batch, writer, orderId, op, outcome));
  }

  private async recordPayout(batch: BatchBuilder, writer: StoreWriter, orderId: string, op: "settle" | "refund" | "resolve", outcome: SettlementSummary & { readonly transactions: readonly string[] }): Promise<void> {
    const order = await this.orderRow(batch, writer, orderId);
    const { escrow } = await this.escrowOf(batch, writer, order);
    const state = op === "resolve" ? "Resolved" : outcome.status === "FullRefund" ? "Refunded" : "Released";
    this.putEscrow(batch, Object.freeze({ ...escrow, state, releasedAt: new Date(batch.nowMs), ...(outcome.transactions[0] === undefined ? {} : { settlementTransactionId: outcome.transactions[0] }) }) as EscrowAccount, undefined);
    const to: OrderStatus = op === "settle" ? "Settled" : op === "refund" ? "Refunded" : "Resolved";
    if (canTransitionOrder(order.status as OrderStatus, to)) {
      this.transition(batch, order, to, { ...jobOf(order), settlement: outcome });
      return;
    }
    // The escrow was paid out on chain: that outcome wins over whatever the store says of the order.
    batch.putOrder({ ...order, status: to, job: JSON.stringify({ ...jobOf(order), settlement: outcome }) });
    batch.marketEvent({ type: `Order${to}`, entityId: order.id, from: order.status, escrowId: order.escrowId, overruled: true });
  }

  /**
   * Settles chain steps that were recorded but whose outcome was not (a crash between send and
   * record): the chain says what happened, so nothing is stuck and nothing is paid twice.
   */
  async reconcile(): Promise<{ readonly recorded: number; readonly cleared: number }> {
    let recorded = 0;
    let cleared = 0;
    for (const row of await this.store.pendingEscrows()) {
      const escrow = decodeEscrow(row.doc);
      const pending = JSON.parse(row.pending ?? "null") as Pending | null;
      if (pending === null) continue;
      if (pending.op === "fund") {
        const funded = await this.adoptFunding(escrow);
        if (funded !== undefined) {
          // Under the funding request's key and arguments, so its retry gets this answer.
          await this.submit(pending.key, "fundEscrow", { orderId: row.orderId, buyer: escrow.buyer }, (batch, writer) => this.recordFunded(batch, writer, row.orderId, funded));
          recorded++;
          continue;
        }
      } else if (escrow.chain !== undefined) {
        const handle = await this.payments.client.escrowHandleFor({ escrowId: escrow.id, buyer: escrow.buyer, provider: escrow.provider, arbiter: escrow.arbiter, amount: escrow.amount });
        if ((await this.payments.client.escrowBalance(handle)) === undefined) {
          const outcome = pending.op === "refund" ? { status: "FullRefund", providerPayment: "0", platformFee: "0", buyerRefund: escrow.amount.toString() } : pending.outcome;
          await this.submit(pending.key, pending.op, { orderId: row.orderId }, (batch, writer) => this.recordPayout(batch, writer, row.orderId, pending.op, { ...outcome, transactions: [] }));
          recorded++;
          continue;
        }
      }
      await this.clearPending(row.orderId);
      cleared++;
    }
    return { recorded, cleared };
  }

  /**
   * One sweep: expires offers and resting orders, expires matches the buyer did not fund within
   * the funding window (their GPUs return), fails jobs whose escrow passed lockedUntil without
   * completing (the buyer may then refund), and marks settlements whose dispute window closed as
   * due. @throws STORE_ERROR
   */
  async sweep(): Promise<{ readonly expiredOffers: number; readonly expiredOrders: number; readonly timedOut: number; readonly settlementsDue: number; readonly unfunded: number }> {
    const candidates = await this.store.ordersWithStatus(["Matched", "Escrowed", "Running", "Completed"], MARKET_LIMITS.sweepMax);
    return (await this.submit(undefined, "sweep", null, async (batch, writer) => {
      const expired = this.book.expire();
      let timedOut = 0;
      let settlementsDue = 0;
      let unfunded = 0;
      for (const candidate of candidates) {
        const order = await this.orderRow(batch, writer, candidate.id);
        if (order.status === "Matched") {
          // A match past its funding window expires unless a funding is under way.
          if (batch.nowMs >= this.fundingDeadlineMs(order) && (await this.pendingOf(batch, writer, order)) === undefined) {
            this.expireUnfunded(batch, order);
            unfunded++;
          }
          continue;
        }
        if (order.escrowId === null) continue;
        const { escrow, pending } = await this.escrowOf(batch, writer, order);
        if (pending !== undefined) continue;
        const job = jobOf(order);
        if ((order.status === "Escrowed" || order.status === "Running") && escrow.jobEndedAt === undefined && batch.nowMs >= escrow.lockedUntil.getTime()) {
          this.transition(batch, order, "Failed", { ...job, failure: { reason: `timeout: the job did not complete by ${escrow.lockedUntil.toISOString()}` } });
          this.release(order.id);
          timedOut++;
        } else if (order.status === "Completed" && job.settlementDue !== true && escrow.jobEndedAt !== undefined && batch.nowMs >= escrow.jobEndedAt.getTime() + this.payments.disputeWindowMs) {
          batch.putOrder({ ...order, job: JSON.stringify({ ...job, settlementDue: true }) });
          batch.marketEvent({ type: "SettlementDue", entityId: order.id, escrowId: escrow.id });
          settlementsDue++;
        }
      }
      return { expiredOffers: expired.offers.length, expiredOrders: expired.orders.length, timedOut, settlementsDue, unfunded };
    })) as { expiredOffers: number; expiredOrders: number; timedOut: number; settlementsDue: number; unfunded: number };
  }

  private async pendingOf(batch: BatchBuilder, writer: StoreWriter, order: OrderRow): Promise<Pending | undefined> {
    return order.escrowId === null ? undefined : (await this.escrowOf(batch, writer, order)).pending;
  }

  /** When a matched order's funding window closes (from its match; rows from before matchedAtMs, from its creation). */
  private fundingDeadlineMs(order: OrderRow): number {
    return (jobOf(order).matchedAtMs ?? decodeOrder(order.doc, order.status).createdAt.getTime()) + this.fundingWindowMs;
  }

  /** A match its buyer did not fund in time: the order becomes Expired and its GPUs return to the offer. */
  private expireUnfunded(batch: BatchBuilder, order: OrderRow): void {
    this.transition(batch, order, "Expired", { ...jobOf(order), failure: { reason: `unfunded: the escrow was not funded within ${this.fundingWindowMs / 60_000} minutes of the match` } });
    this.release(order.id);
  }

  /** Stops following, waits for queued commands, and closes the store. */
  async close(): Promise<void> {
    if (this.followTimer !== undefined) clearInterval(this.followTimer);
    await this.exclusive(async () => {
      await this.flush();
    });
    this.closed = true;
    await this.store.close();
  }
}

const BOOK_EVENT_TYPES = new Set(["OfferAdded", "OfferPaused", "OfferResumed", "OfferWithdrawn", "OfferExpired", "OrderRested", "OrderMatched", "OrderCancelled", "OrderExpired", "AllocationReleased", "ReputationChanged"]);

function jobOf(order: OrderRow): JobRecord {
  return order.job === null ? {} : (JSON.parse(order.job) as JobRecord);
}

function viewOf(row: OrderRow): OrderView {
  return { orderId: row.id, status: row.status, buyerId: row.buyerId, offerId: row.offerId, match: row.match === null ? undefined : decodeMatch(row.match), escrowId: row.escrowId, job: jobOf(row) };
}

function hasAllocation(book: OrderBook, orderId: string): boolean {
  try {
    book.getMatch(orderId as never);
    return true;
  } catch {
    return false;
  }
}
