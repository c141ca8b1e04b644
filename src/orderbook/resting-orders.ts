// RestingOrders: pending orders that found no offer, bucketed by (GPUs, VRAM, required features,
// region) and sorted by price cap within a bucket (resting-buckets.ts), so an offer that gains
// capacity only looks at orders it could satisfy, and indexed by expiry (resting-expiry.ts).
// Served by priority, then age, then id. In memory only.
import { priorityRank } from "../core/enums.js";
import type { Amount } from "../core/amount.js";
import type { OrderId } from "../core/ids.js";
import type { JobOrder } from "../core/types.js";
import type { CompiledQuery } from "./query.js";
import { RestingBuckets } from "./resting-buckets.js";
import type { CapacityProbe } from "./resting-buckets.js";
import { RestingExpiry } from "./resting-expiry.js";
import { ServeQueue, compareServeOrder } from "./serve-queue.js";

export type { CapacityProbe };

/** A resting order with its requirements resolved for fast checks. */
export interface RestingOrder {
  readonly order: JobOrder;
  readonly query: CompiledQuery;
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
  /** Rank of the order's priority (higher is served first). */
  readonly rank: number;
  /** Add sequence, increasing per add: orders equal on price cap (buckets) or expiry keep this order. */
  readonly seq: number;
}

/**
 * What an order could cost its buyer at worst: max price x GPUs x hours, or its budget when lower.
 * Invariant: never less than what any match of the order costs.
 */
export function worstCaseCost(order: JobOrder): Amount {
  const requirements = order.requirements;
  const atMaxPrice = requirements.maxPricePerHour.mul(requirements.minGpuCount * requirements.estimatedHours);
  return order.maxBudget !== undefined && order.maxBudget.lt(atMaxPrice) ? order.maxBudget : atMaxPrice;
}

/**
 * Pending orders. Invariant: every entry of `byId` is in exactly one bucket, at its place by
 * price cap, and once in the expiry heap (which may also hold removed entries, fewer than the
 * live ones plus a constant).
 */
export class RestingOrders {
  private readonly buckets = new RestingBuckets();
  private readonly byId = new Map<OrderId, RestingOrder>();
  private readonly expiry = new RestingExpiry();
  /** Add sequence of the next order: byId's insertion order, which expiredAt keeps. */
  private nextSeq = 0;
  private readonly isLive = (entry: RestingOrder): boolean => this.byId.get(entry.order.id) === entry;
  /** Resting orders and their worst-case cost per buyer. */
  private readonly byBuyer = new Map<string, { readonly count: number; readonly worstCaseBaseUnits: bigint }>();

  /** Number of resting orders. */
  get size(): number {
    return this.byId.size;
  }

  /** The resting order with this id. */
  get(id: OrderId): RestingOrder | undefined {
    return this.byId.get(id);
  }

  /** Rests a validated order with its compiled query; returns its entry. */
  add(order: JobOrder, query: CompiledQuery): RestingOrder {
    const entry: RestingOrder = {
      order,
      query,
      createdAtMs: order.createdAt.getTime(),
      expiresAtMs: order.expiresAt.getTime(),
      rank: priorityRank(order.priority),
      seq: this.nextSeq++,
    };
    this.loadOf(entry.order.buyerId, 1, worstCaseCost(entry.order).baseUnits);
    this.buckets.add(entry);
    this.byId.set(entry.order.id, entry);
    this.expiry.push(entry);
    return entry;
  }

  /** Orders `buyerId` has resting, and what they could cost it at worst (base units). */
  buyerLoad(buyerId: string): { readonly count: number; readonly worstCaseBaseUnits: bigint } {
    return this.byBuyer.get(buyerId) ?? { count: 0, worstCaseBaseUnits: 0n };
  }

  private loadOf(buyerId: string, count: number, baseUnits: bigint): void {
    const load = this.byBuyer.get(buyerId) ?? { count: 0, worstCaseBaseUnits: 0n };
    const next = { count: load.count + count, worstCaseBaseUnits: load.worstCaseBaseUnits + baseUnits };
    if (next.count === 0) this.byBuyer.delete(buyerId);
    else this.byBuyer.set(buyerId, next);
  }

  /** Removes an order; returns it, or undefined when it is not resting. */
  remove(id: OrderId): RestingOrder | undefined {
    const entry = this.byId.get(id);
    if (entry === undefined) return undefined;
    this.buckets.remove(entry);
    this.byId.delete(id);
    this.loadOf(entry.order.buyerId, -1, -worstCaseCost(entry.order).baseUnits);
    this.expiry.compactIf(this.byId.size, this.isLive);
    return entry;
  }

  /**
   * Orders an offer could serve, judged on GPUs, features, region and price only, handed out in
   * serve order as they are taken (an offer that fills after a few sorts none of the rest). The
   * caller checks the remaining rules.
   */
  servingQueue(probe: CapacityProbe): ServeQueue {
    const found: RestingOrder[] = [];
    this.buckets.candidatesFor(probe, found);
    return new ServeQueue(found);
  }

  /** All of servingQueue's candidates at once, in serve order. */
  candidatesFor(probe: CapacityProbe): RestingOrder[] {
    const queue = this.servingQueue(probe);
    const all: RestingOrder[] = [];
    for (let entry = queue.next(); entry !== undefined; entry = queue.next()) all.push(entry);
    return all;
  }

  /** All resting orders in serve order. */
  inServeOrder(): RestingOrder[] {
    return [...this.byId.values()].sort(compareServeOrder);
  }

  /**
   * Orders whose expiry is at or before `nowMs`, in the order they were added; they leave the
   * expiry heap (the caller removes them). Costs what is due, not what rests.
   */
  expiredAt(nowMs: number): RestingOrder[] {
    return this.expiry.popDue(nowMs, this.isLive);
  }

  /** Expiry heap entries the last expiredAt examined, and the heap's size (stale entries included). */
  get expiryStats(): { readonly examinedLast: number; readonly heapSize: number } {
    return { examinedLast: this.expiry.examinedLast, heapSize: this.expiry.size };
  }
}
