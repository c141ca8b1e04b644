// RestingOrders: pending orders that found no offer, kept in serve order (priority, then age, then
// id) until an offer that satisfies them gains capacity, or they are cancelled or expire. In memory.
import { priorityRank, PRIORITIES } from "../core/enums.js";
import type { OrderId } from "../core/ids.js";
import type { JobOrder } from "../core/types.js";
import type { CompiledQuery } from "./shape-index.js";

/** A resting order with its requirements resolved for fast checks. */
export interface RestingOrder {
  readonly order: JobOrder;
  readonly query: CompiledQuery;
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
}

function before(a: RestingOrder, b: RestingOrder): boolean {
  return a.createdAtMs < b.createdAtMs || (a.createdAtMs === b.createdAtMs && a.order.id < b.order.id);
}

/** Pending orders by priority and age. Invariant: every entry of `byId` is in exactly one queue. */
export class RestingOrders {
  private readonly queues: RestingOrder[][] = PRIORITIES.map(() => []);
  private readonly byId = new Map<OrderId, RestingOrder>();

  /** Number of resting orders. */
  get size(): number {
    return this.byId.size;
  }

  /** The resting order with this id. */
  get(id: OrderId): RestingOrder | undefined {
    return this.byId.get(id);
  }

  /** Adds an order at its place in serve order. */
  add(entry: RestingOrder): void {
    const queue = this.queues[priorityRank(entry.order.priority)] ?? [];
    let lo = 0;
    let hi = queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(queue[mid] as RestingOrder, entry)) lo = mid + 1;
      else hi = mid;
    }
    if (lo === queue.length) queue.push(entry);
    else queue.splice(lo, 0, entry);
    this.byId.set(entry.order.id, entry);
  }

  /** Removes an order; returns it, or undefined when it is not resting. */
  remove(id: OrderId): RestingOrder | undefined {
    const entry = this.byId.get(id);
    if (entry === undefined) return undefined;
    const queue = this.queues[priorityRank(entry.order.priority)] ?? [];
    const index = queue.indexOf(entry);
    queue.splice(index, 1);
    this.byId.delete(id);
    return entry;
  }

  /** Orders in serve order: highest priority first, then oldest, then lowest id. */
  *inServeOrder(): Generator<RestingOrder> {
    for (let rank = this.queues.length - 1; rank >= 0; rank--) {
      // Copy: the caller may remove entries while iterating.
      yield* [...(this.queues[rank] ?? [])];
    }
  }

  /** Orders whose expiry is at or before `nowMs`. */
  expiredAt(nowMs: number): RestingOrder[] {
    const expired: RestingOrder[] = [];
    for (const entry of this.byId.values()) if (entry.expiresAtMs <= nowMs) expired.push(entry);
    return expired;
  }
}
