// Allocations: the GPUs each matched order holds on its offer until its job ends, keyed by order,
// in the order they were made. In memory only, no I/O.
import { MarketError } from "../core/errors.js";
import type { Amount } from "../core/amount.js";
import type { OfferId, OrderId } from "../core/ids.js";
import type { JobOrder, OrderMatch } from "../core/types.js";
import type { OfferSet } from "./offer-set.js";

/** GPUs a matched order holds until its job ends. */
export interface Allocation {
  readonly order: JobOrder;
  readonly match: OrderMatch;
  /** The offer's slot and incarnation: a later offer in the same slot has another epoch (-1: the offer was gone when restored). */
  readonly offerSlot: number;
  readonly offerEpoch: number;
}

/** An allocation as a snapshot compares it. */
export interface AllocationState {
  readonly orderId: OrderId;
  readonly offerId: OfferId;
  readonly gpuCount: number;
}

/**
 * The live allocations of one book. Invariant: for every offer still held, its free GPUs + the
 * GPUs of the allocations on it = its GPU count; at most `max` allocations.
 */
export class Allocations {
  private readonly byOrder = new Map<OrderId, Allocation>();

  constructor(
    private readonly offers: OfferSet,
    private readonly max: number,
  ) {}

  /** Number of matched orders still holding GPUs. */
  get size(): number {
    return this.byOrder.size;
  }

  /** Does the order hold GPUs. */
  has(orderId: OrderId): boolean {
    return this.byOrder.has(orderId);
  }

  /** The allocation of a matched order, if it holds GPUs. */
  get(orderId: OrderId): Allocation | undefined {
    return this.byOrder.get(orderId);
  }

  /** Is there room for one more. */
  get full(): boolean {
    return this.byOrder.size >= this.max;
  }

  /** @throws LIMIT_EXCEEDED when `count` more allocations would pass the bound (allocationsMax) */
  checkRoom(count = 1): void {
    if (this.byOrder.size + count > this.max) throw new MarketError("LIMIT_EXCEEDED", { limit: "allocationsMax", max: this.max });
  }

  /** Takes the match's GPUs off the offer in `slot` (the caller checked they are free) and records the allocation. */
  hold(order: JobOrder, match: OrderMatch, slot: number): void {
    this.offers.takeGpus(slot, match.gpuCount);
    this.byOrder.set(order.id, { order, match, offerSlot: slot, offerEpoch: this.offers.table.epoch[slot] ?? 0 });
  }

  /**
   * Records stored allocations without taking GPUs (the stored free counts already exclude them);
   * one whose offer is gone is kept too, so the job's end can still be released.
   * Invariant: the caller checked ids and room.
   */
  restore(entries: readonly { readonly order: JobOrder; readonly match: OrderMatch }[]): void {
    const table = this.offers.table;
    for (const { order, match } of entries) {
      const slot = table.slotById.get(match.offerId);
      this.byOrder.set(order.id, { order, match, offerSlot: slot ?? -1, offerEpoch: slot === undefined ? -1 : (table.epoch[slot] ?? 0) });
    }
  }

  /**
   * Ends an allocation: its GPUs return to its offer if that offer is still held. Returns the
   * allocation and whether they returned. @throws ORDER_NOT_FOUND
   */
  release(orderId: OrderId): { readonly allocation: Allocation; readonly returned: boolean } {
    const allocation = this.byOrder.get(orderId);
    if (allocation === undefined) throw new MarketError("ORDER_NOT_FOUND", { orderId });
    this.byOrder.delete(orderId);
    return { allocation, returned: this.offers.returnGpus(allocation.offerSlot, allocation.offerEpoch, allocation.match.gpuCount) };
  }

  /** Grows an allocation's match to `hours` for `totalCost` in all (an extension; same GPUs). @throws ORDER_NOT_FOUND */
  extend(orderId: OrderId, hours: number, totalCost: Amount): void {
    const allocation = this.byOrder.get(orderId);
    if (allocation === undefined) throw new MarketError("ORDER_NOT_FOUND", { orderId });
    this.byOrder.set(orderId, { ...allocation, match: Object.freeze({ ...allocation.match, hours, totalCost }) });
  }

  /** Matches whose GPUs are still allocated, in the order they were made. */
  matches(): OrderMatch[] {
    return [...this.byOrder.values()].map((a) => a.match);
  }

  /** Matches of one provider and/or one buyer, in the order they were made; at most `limit`. */
  matchesOf(filter: { readonly providerId?: string; readonly buyerId?: string }, limit: number): OrderMatch[] {
    const found: OrderMatch[] = [];
    for (const { order, match } of this.byOrder.values()) {
      if (
        (filter.providerId !== undefined && match.providerId !== filter.providerId) ||
        (filter.buyerId !== undefined && order.buyerId !== filter.buyerId)
      )
        continue;
      found.push(match);
      if (found.length >= limit) break;
    }
    return found;
  }

  /** Every allocation's order, offer and GPUs, ordered by order id. */
  states(): AllocationState[] {
    const states = [...this.byOrder.values()].map(({ match }) => ({
      orderId: match.orderId,
      offerId: match.offerId,
      gpuCount: match.gpuCount,
    }));
    return states.sort((a, b) => (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0));
  }
}
