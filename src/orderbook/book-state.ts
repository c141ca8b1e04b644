// BookState: the parts of one order book (offers, resting orders, allocations, events, clock,
// bounds) and the steps several operations share: compile a query, rest an order, allocate a
// match, expire offers and orders. In memory only, no I/O.
import type { Amount } from "../core/amount.js";
import type { Clock } from "../core/clock.js";
import { MarketError } from "../core/errors.js";
import { OrderStatus } from "../core/enums.js";
import type { OfferId, OrderId } from "../core/ids.js";
import type { JobOrder, JobRequirements, OrderMatch } from "../core/types.js";
import { Allocations } from "./allocations.js";
import { EventRecorder } from "./book-events.js";
import type { OrderBookLimits } from "./book-limits.js";
import { OfferSet } from "./offer-set.js";
import { matchOf } from "./order-match.js";
import { compileQuery } from "./query.js";
import type { CompiledQuery } from "./query.js";
import { RestingOrders } from "./resting-orders.js";

/** What one expire() call removed. */
export interface ExpiryResult {
  readonly offers: OfferId[];
  readonly orders: OrderId[];
}

/**
 * One book's state. Invariant: an order id is at most once in resting orders and allocations
 * together; every change of state that listeners hear of is recorded by the step that makes it.
 */
export class BookState {
  readonly offers: OfferSet;
  readonly resting = new RestingOrders();
  readonly allocations: Allocations;
  readonly events: EventRecorder;

  constructor(
    readonly clock: Clock,
    readonly limits: OrderBookLimits,
  ) {
    this.offers = new OfferSet(limits.offersMax, limits.shapeWalkShapesMax);
    this.allocations = new Allocations(this.offers, limits.allocationsMax);
    this.events = new EventRecorder(clock);
  }

  /** Requirements resolved against the offer table now (query.ts). */
  compile(requirements: JobRequirements, maxBudget: Amount | undefined, nowMs: number): CompiledQuery {
    return compileQuery(this.offers.table, requirements, maxBudget, nowMs);
  }

  /** @throws DUPLICATE_ID (the order rests or holds GPUs) */
  checkNewOrder(orderId: OrderId): void {
    if (this.resting.get(orderId) !== undefined || this.allocations.has(orderId)) {
      throw new MarketError("DUPLICATE_ID", { kind: "order", id: orderId });
    }
  }

  /** @throws EXPIRED (the order's expiry is at or before nowMs) */
  assertNotExpired(order: JobOrder, nowMs: number): void {
    if (order.expiresAt.getTime() <= nowMs) {
      throw new MarketError("EXPIRED", { entity: "order", id: order.id, expiresAt: order.expiresAt.toISOString() });
    }
  }

  /** Rests a validated order with its compiled query. @throws LIMIT_EXCEEDED (restingOrdersMax) */
  rest(order: JobOrder, query: CompiledQuery): void {
    if (this.resting.size >= this.limits.restingOrdersMax) {
      throw new MarketError("LIMIT_EXCEEDED", { limit: "restingOrdersMax", max: this.limits.restingOrdersMax });
    }
    this.resting.add(order, query);
  }

  /** The match of `order` on the offer in `slot`, which satisfies `query` (order-match.ts). */
  matchOf(order: JobOrder, query: CompiledQuery, slot: number): OrderMatch {
    return matchOf(this.offers.table, this.offers.reputations, order, query, slot);
  }

  /** Matches an order to the offer in `slot` (which satisfies it; room checked) and holds the GPUs; records OrderMatched. */
  allocate(order: JobOrder, query: CompiledQuery, slot: number): OrderMatch {
    const match = this.matchOf(order, query, slot);
    this.allocations.hold(order, match, slot);
    if (this.events.listening) this.events.record({ type: "OrderMatched", order: { ...order, status: OrderStatus.Matched }, match });
    return match;
  }

  /** Drops an expired offer; records OfferExpired. */
  expireOfferSlot(slot: number): void {
    const offerId = this.offers.table.ids[slot] as OfferId;
    this.offers.drop(slot);
    if (this.events.listening) this.events.record({ type: "OfferExpired", offerId });
  }

  /**
   * Expires every offer and resting order whose expiry is at or before the clock's now; records and
   * flushes their events. Costs what is due: both come off expiry heaps (expiry-heap.ts, resting-expiry.ts).
   */
  expireDue(): ExpiryResult {
    const nowMs = this.clock.now();
    const offers: OfferId[] = [];
    for (let slot = this.offers.nextExpired(nowMs); slot >= 0; slot = this.offers.nextExpired(nowMs)) {
      offers.push(this.offers.table.ids[slot] as OfferId);
      this.expireOfferSlot(slot);
    }
    const orders: OrderId[] = [];
    for (const entry of this.resting.expiredAt(nowMs)) {
      this.resting.remove(entry.order.id);
      orders.push(entry.order.id);
      if (this.events.listening) this.events.record({ type: "OrderExpired", orderId: entry.order.id });
    }
    this.events.flush();
    return { offers, orders };
  }
}
