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
import { matchTotalCostBaseUnits } from "./codec.js";
import type { MarketFeed } from "./feed.js";
import { matchedFacts } from "./matched-events.js";

/** The events that say an order's new status, by type (`Order<Status>`), Matched left out. */
const LEAVES_MATCHED = new Set(
  Object.values(OrderStatus)
    .filter((status) => status !== "Matched")
    .map((status) => `Order${status}`),
);

/** Matched orders a rebuild loads at most (the book holds at most this many allocations too). */
export const UNFUNDED_MATCHES_LOADED_MAX = 10_000_000;

/** A buyer's matched, unfunded orders: each one's total cost in base units, and their sum. */
export interface BuyerUnfunded {
  readonly orders: ReadonlyMap<string, bigint>;
  /** The sum of `orders`' costs. */
  readonly totalBaseUnits: bigint;
}

interface MutableBuyerUnfunded {
  readonly orders: Map<string, bigint>;
  totalBaseUnits: bigint;
}

const NONE: BuyerUnfunded = { orders: new Map<string, bigint>(), totalBaseUnits: 0n };

/**
 * Matched, unfunded orders by buyer. Invariant: after the feed applied seq s, it holds exactly the
 * orders the store holds as Matched at s, with their match's total cost, and each buyer's sum.
 */
export class UnfundedMatches {
  private readonly byBuyer = new Map<string, MutableBuyerUnfunded>();
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

  /** The buyer's matched, unfunded orders and their sum (committed ones; a batch adds its own). */
  of(buyerId: string): BuyerUnfunded {
    return this.byBuyer.get(buyerId) ?? NONE;
  }

  private async load(): Promise<void> {
    const rows = await this.store.ordersWithStatus(["Matched"], UNFUNDED_MATCHES_LOADED_MAX);
    this.byBuyer.clear();
    this.buyerOf.clear();
    for (const row of rows) if (row.match !== null) this.add(row.buyerId, row.id, matchTotalCostBaseUnits(row.match));
  }

  private apply(event: EventRow): void {
    if (event.type === "OrderMatched") {
      const facts = matchedFacts(event);
      this.add(facts.buyerId, event.entityId, facts.totalCostBaseUnits);
    } else if (LEAVES_MATCHED.has(event.type)) this.remove(event.entityId);
  }

  private add(buyerId: string, orderId: string, baseUnits: bigint): void {
    let buyer = this.byBuyer.get(buyerId);
    if (buyer === undefined) this.byBuyer.set(buyerId, (buyer = { orders: new Map<string, bigint>(), totalBaseUnits: 0n }));
    buyer.totalBaseUnits += baseUnits - (buyer.orders.get(orderId) ?? 0n);
    buyer.orders.set(orderId, baseUnits);
    this.buyerOf.set(orderId, buyerId);
  }

  private remove(orderId: string): void {
    const buyerId = this.buyerOf.get(orderId);
    if (buyerId === undefined) return;
    this.buyerOf.delete(orderId);
    const buyer = this.byBuyer.get(buyerId);
    if (buyer === undefined) return;
    buyer.totalBaseUnits -= buyer.orders.get(orderId) ?? 0n;
    buyer.orders.delete(orderId);
    if (buyer.orders.size === 0) this.byBuyer.delete(buyerId);
  }
}
