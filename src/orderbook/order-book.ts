// OrderBook: the matching engine of the spec, a facade over its parts (book-state.ts lists them);
// listeners, restore, apply and snapshot come from ReplicatedBook (replicated-book.ts).
// Orders match continuously (best offer at once, else rest until an offer satisfies them); every
// change emits an event. In memory only: no I/O, no chain, no store; time from the injected clock.
import type { Amount } from "../core/amount.js";
import { systemClock } from "../core/clock.js";
import type { Clock } from "../core/clock.js";
import type { OfferId, OrderId } from "../core/ids.js";
import type { BookOffer, CapacityOffer, JobOrder, JobRequirements, OrderMatch } from "../core/types.js";
import { ORDER_BOOK_LIMITS, RESULT_LIMIT_DEFAULT, checkResultLimit } from "./book-limits.js";
import type { OrderBookLimits } from "./book-limits.js";
import { bestOffers, explainMiss, matchHeldBy, matchOrder, orderOf } from "./book-queries.js";
import { BookState } from "./book-state.js";
import type { ExpiryResult } from "./book-state.js";
import type { MissExplanation } from "./miss-explanation.js";
import { activeOffers, listOffers } from "./offer-listing.js";
import { addOffer, addOffers, pauseOffer, resumeOffer, withdrawOffer } from "./offer-lifecycle.js";
import { cancelOrder, extendAllocation, releaseAllocation, submitOrder } from "./order-lifecycle.js";
import type { SubmitOrderResult } from "./order-lifecycle.js";
import { serveResting } from "./serve-resting.js";
import type { BookSnapshot } from "./replica.js";
import { ReplicatedBook } from "./replicated-book.js";
import { materializeOffer } from "./offer-materialize.js";

export { ORDER_BOOK_LIMITS, RESULT_LIMIT_DEFAULT };
export type { BookSnapshot, ExpiryResult, MissExplanation, OrderBookLimits, SubmitOrderResult };

/** Options of an OrderBook. */
export interface OrderBookOptions {
  readonly clock?: Clock;
  readonly limits?: Partial<OrderBookLimits>;
}

/**
 * The in-memory order book with indexed matching.
 * Invariants: for every offer, free GPUs + GPUs of its live allocations = its GPU count;
 * only active, unexpired offers with enough free GPUs match; results are ordered by score (its whole
 * score units, so parts equal by the formula tie exactly), then
 * price, then offer age, then id, exactly as the reference scan orders them.
 * @example
 * const book = new OrderBook();
 * book.addOffer(createOffer({ providerId: "p", gpuCapacity: { gpuCount: 8, gpuModel: "H100", vramGb: 80 }, pricePerHour: "10", availableHours: 24 }));
 * book.submitOrder(createOrder({ buyerId: "b", requirements: { minGpuCount: 4, minVramGb: 40, maxPricePerHour: "15", estimatedHours: 8 } }));
 */
export class OrderBook extends ReplicatedBook {
  constructor(options: OrderBookOptions = {}) {
    super(new BookState(options.clock ?? systemClock, { ...ORDER_BOOK_LIMITS, ...options.limits }));
  }

  // ---------------------------------------------------------------- offers

  /**
   * Adds a capacity offer; resting orders it satisfies are matched to it at once, by priority then age.
   * @throws INVALID_ID, INVALID_FIELD, OUT_OF_RANGE, INVALID_AMOUNT (validation), DUPLICATE_ID, EXPIRED, LIMIT_EXCEEDED
   */
  addOffer(offer: CapacityOffer): OfferId {
    return addOffer(this.state, offer);
  }

  /**
   * Adds many offers at once, all or none (rebuilding a book from a store, loading a market):
   * the same rules and events as addOffer, with one sort per touched index list instead of one
   * sorted insert per offer.
   * @throws the codes of addOffer, for the first offer that breaks a rule; then nothing is added
   */
  addOffers(offers: Iterable<CapacityOffer>): OfferId[] {
    return addOffers(this.state, offers);
  }

  /** Withdraws an offer (Active or Paused -> Withdrawn); running jobs keep their GPUs. @throws OFFER_NOT_FOUND */
  removeOffer(offerId: OfferId): void {
    withdrawOffer(this.state, offerId);
  }

  /** Active -> Paused: the offer stops matching. @throws OFFER_NOT_FOUND, INVALID_STATE_TRANSITION */
  pauseOffer(offerId: OfferId): void {
    pauseOffer(this.state, offerId);
  }

  /** Paused -> Active: the offer matches again and serves resting orders. @throws OFFER_NOT_FOUND, INVALID_STATE_TRANSITION, EXPIRED */
  resumeOffer(offerId: OfferId): void {
    resumeOffer(this.state, offerId);
  }

  /** The offer with its free GPUs. @throws OFFER_NOT_FOUND */
  getOffer(offerId: OfferId): BookOffer {
    const offers = this.state.offers;
    return materializeOffer(offers.table, offers.slotOf(offerId));
  }

  /** Does the book hold this offer (active or paused). */
  hasOffer(offerId: OfferId): boolean {
    return this.state.offers.table.slotById.has(offerId);
  }

  /** Number of offers held (active and paused). */
  get offerCount(): number {
    return this.state.offers.table.liveCount;
  }

  /** Offers (active and paused) `providerId` holds in the book: what a per-provider cap counts. */
  liveOffersOf(providerId: string): number {
    return this.state.offers.table.liveOffersOf(providerId);
  }

  /** Orders `buyerId` has resting, and their worst-case cost: what a per-buyer cap and the backing of orders count. */
  restingLoadOf(buyerId: string): { readonly count: number; readonly worstCaseBaseUnits: bigint } {
    return this.state.resting.buyerLoad(buyerId);
  }

  /** All active offers, ordered by id (creation time). */
  activeOffers(): BookOffer[] {
    return activeOffers(this.state.offers.table);
  }

  /**
   * Offers held (active and paused), oldest first, optionally of one provider and one GPU model
   * (normalized); at most `limit`, after the offer id `after`. @throws OUT_OF_RANGE (limit)
   */
  listOffers(filter: { readonly providerId?: string; readonly gpuModel?: string; readonly after?: string }, limit: number): BookOffer[] {
    checkResultLimit(limit, this.state.limits);
    return listOffers(this.state.offers.table, filter, limit);
  }

  /**
   * Sets a provider's reputation in [0, 1] (default 0.5); it weighs in every later score, and
   * resting orders whose minReputation it now meets are served by the provider's offers.
   * @throws OUT_OF_RANGE
   */
  setProviderReputation(providerId: string, reputation: number): void {
    const events = this.state.events;
    const slots = this.state.offers.setReputation(providerId, reputation);
    if (events.listening) events.record({ type: "ReputationChanged", providerId, reputation });
    for (const slot of slots) serveResting(this.state, slot);
    events.flush();
  }

  /** A provider's reputation (0.5 when never set). */
  providerReputation(providerId: string): number {
    return this.state.offers.reputationOf(providerId);
  }

  // ---------------------------------------------------------------- queries

  /**
   * The best active offers for requirements, best first (score, then price, age, id).
   * @throws INVALID_FIELD, OUT_OF_RANGE, INVALID_AMOUNT (validation)
   */
  bestOffers(requirements: JobRequirements, limit = Math.min(RESULT_LIMIT_DEFAULT, this.state.limits.resultLimitMax)): BookOffer[] {
    return bestOffers(this.state, requirements, limit);
  }

  /**
   * A pure quote: the matches the order would get now, best first, with score breakdowns.
   * Changes nothing. @throws validation codes, EXPIRED (order past its expiry), OUT_OF_RANGE (limit)
   */
  matchOrder(order: JobOrder, limit = Math.min(RESULT_LIMIT_DEFAULT, this.state.limits.resultLimitMax)): OrderMatch[] {
    return matchOrder(this.state, order, limit);
  }

  /**
   * A quote with its reason when empty: the matches the order would get now (matchOrder) and, when
   * there are none, why (explainMiss). Changes nothing.
   * @throws validation codes, EXPIRED (order past its expiry), OUT_OF_RANGE (limit)
   */
  quoteOrder(order: JobOrder, limit?: number): { readonly matches: OrderMatch[]; readonly explanation?: MissExplanation } {
    const matches = this.matchOrder(order, limit);
    const explanation = matches.length === 0 ? this.explainMiss(order.requirements, order.maxBudget) : undefined;
    return explanation === undefined ? { matches } : { matches, explanation };
  }

  /**
   * Why requirements (with a budget) find no offer now: the constraint that empties the results
   * when they are applied in MISS_CONSTRAINTS order (model, GPUs, VRAM, features, region, country,
   * providers, reputation, hours, price, budget), the nearest offer, whether no offer held could
   * ever fill it, and the code (NO_MATCHING_OFFERS, or PRICE_EXCEEDS_BUDGET when only the cost
   * stands in the way). Undefined when an offer satisfies them. Bounded: one pass over at most
   * MISS_SCAN_SLOTS_MAX offer slots; call it on a miss only.
   * @throws INVALID_FIELD, OUT_OF_RANGE, INVALID_AMOUNT (validation)
   */
  explainMiss(requirements: JobRequirements, maxBudget?: Amount): MissExplanation | undefined {
    return explainMiss(this.state, requirements, maxBudget);
  }

  // ---------------------------------------------------------------- orders

  /**
   * Submits an order: it takes the best matching offer at once (allocating minGpuCount GPUs), or
   * rests until an offer that satisfies it gains capacity, or it expires.
   * @throws validation codes, DUPLICATE_ID, EXPIRED, LIMIT_EXCEEDED
   */
  submitOrder(order: JobOrder): SubmitOrderResult {
    return submitOrder(this.state, order);
  }

  /** Cancels a resting order (Pending -> Cancelled). @throws ORDER_NOT_FOUND, INVALID_STATE_TRANSITION (already matched) */
  cancelOrder(orderId: OrderId): void {
    cancelOrder(this.state, orderId);
  }

  /** The order as the book holds it, with its current status (Pending or Matched). @throws ORDER_NOT_FOUND */
  getOrder(orderId: OrderId): JobOrder {
    return orderOf(this.state, orderId);
  }

  /** The match a matched order holds. @throws ORDER_NOT_FOUND */
  getMatch(orderId: OrderId): OrderMatch {
    return matchHeldBy(this.state, orderId);
  }

  /** Resting orders in serve order (priority, then age). */
  pendingOrders(): JobOrder[] {
    return this.state.resting.inServeOrder().map((entry) => entry.order);
  }

  /** Number of matched orders still holding GPUs. */
  get allocationCount(): number {
    return this.state.allocations.size;
  }

  /** Matches whose GPUs are still allocated. */
  activeMatches(): OrderMatch[] {
    return this.state.allocations.matches();
  }

  /**
   * Matches holding GPUs (matched, funded or running jobs) of one provider and/or one buyer, in the
   * order they were made; at most `limit`. @throws OUT_OF_RANGE (limit)
   */
  matchesOf(filter: { readonly providerId?: string; readonly buyerId?: string }, limit: number): OrderMatch[] {
    checkResultLimit(limit, this.state.limits);
    return this.state.allocations.matchesOf(filter, limit);
  }

  /**
   * The job of a matched order ended: its GPUs return to the offer (if the offer is still held)
   * and resting orders that now fit are served. @throws ORDER_NOT_FOUND
   */
  releaseAllocation(orderId: OrderId): void {
    releaseAllocation(this.state, orderId);
  }

  /** A funded job was extended: its match now runs `hours` for `totalCost` in all, same GPUs. @throws ORDER_NOT_FOUND */
  extendAllocation(orderId: OrderId, hours: number, totalCost: Amount): void {
    extendAllocation(this.state, orderId, hours, totalCost);
  }

  // ---------------------------------------------------------------- expiry

  /** Expires every offer and resting order whose expiry is at or before the clock's now. */
  expire(): ExpiryResult {
    return this.state.expireDue();
  }
}
