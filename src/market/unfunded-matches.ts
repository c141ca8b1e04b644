// UnfundedMatches: each buyer's matched, unfunded orders and their cost, kept in memory from the
// event feed, so that backing an order (wallet-limits.ts) costs what the buyer submits, not a read
// of its up to unfundedMatchesPerBuyerMax stored matches on every order. Loaded from the store on
// every rebuild of the book, then moved on by every event this process applies, its own batches'
// and other processes' alike: an OrderMatched event adds its order, an event that moves an order to
// another status (Escrowed, Expired, Cancelled, or any other) removes it. Both are idempotent, so
// events the load already saw change nothing. In memory only; reads the store on rebuild.
import { OrderStatus } from "../core/enums.js";
import type { Store } from "../store/store.js";
import type { EventRow } from "../store/store.js";
import { Amount } from "../core/amount.js";
import { matchTotalCostBaseUnits } from "./codec.js";
import type { MarketFeed } from "./feed.js";

/** The events that say an order's new status, by type (`Order<Status>`), Matched left out. */
const LEAVES_MATCHED = new Set(
  Object.values(OrderStatus)
    .filter((status) => status !== "Matched")
    .map((status) => `Order${status}`),
);

/** Matched orders a rebuild loads at most (the book holds at most this many allocations too). */
export const UNFUNDED_MATCHES_LOADED_MAX = 10_000_000;

/**
 * Matched, unfunded orders by buyer. Invariant: after the feed applied seq s, it holds exactly the
 * orders the store holds as Matched at s, with their match's total cost.
 */
export class UnfundedMatches {
  private readonly byBuyer = new Map<string, Map<string, bigint>>();
  private readonly buyerOf = new Map<string, string>();

  constructor(
    feed: MarketFeed,
    private readonly store: Store,
  ) {
    feed.onRebuild(() => this.load());
    feed.onEvent((event) => {
      this.apply(event);
    });
  }

  /** The buyer's matched, unfunded orders (committed ones; a batch adds its own). */
  of(buyerId: string): ReadonlyMap<string, bigint> {
    return this.byBuyer.get(buyerId) ?? new Map<string, bigint>();
  }

  private async load(): Promise<void> {
    const rows = await this.store.ordersWithStatus(["Matched"], UNFUNDED_MATCHES_LOADED_MAX);
    this.byBuyer.clear();
    this.buyerOf.clear();
    for (const row of rows) if (row.match !== null) this.add(row.buyerId, row.id, matchTotalCostBaseUnits(row.match));
  }

  private apply(event: EventRow): void {
    if (event.type === "OrderMatched") {
      const payload = JSON.parse(event.payload) as { order: { buyerId: string }; match: { totalCost: string } };
      this.add(payload.order.buyerId, event.entityId, Amount.parse(payload.match.totalCost).baseUnits);
    } else if (LEAVES_MATCHED.has(event.type)) this.remove(event.entityId);
  }

  private add(buyerId: string, orderId: string, baseUnits: bigint): void {
    let orders = this.byBuyer.get(buyerId);
    if (orders === undefined) this.byBuyer.set(buyerId, (orders = new Map<string, bigint>()));
    orders.set(orderId, baseUnits);
    this.buyerOf.set(orderId, buyerId);
  }

  private remove(orderId: string): void {
    const buyerId = this.buyerOf.get(orderId);
    if (buyerId === undefined) return;
    this.buyerOf.delete(orderId);
    const orders = this.byBuyer.get(buyerId);
    orders?.delete(orderId);
    if (orders?.size === 0) this.byBuyer.delete(buyerId);
  }
}
