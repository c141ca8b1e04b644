// RestingOrders: pending orders that found no offer, bucketed by (GPUs, VRAM, required features,
// region) and sorted by price cap within a bucket, so an offer that gains capacity only looks at
// orders it could satisfy. Served by priority, then age, then id. In memory only.
import { priorityRank } from "../core/enums.js";
import type { Amount } from "../core/amount.js";
import type { OrderId } from "../core/ids.js";
import type { JobOrder } from "../core/types.js";
import { capacityFits } from "./matching.js";
import type { CompiledQuery } from "./query.js";
import { RestingExpiry } from "./resting-expiry.js";

/** A resting order with its requirements resolved for fast checks. */
export interface RestingOrder {
  readonly order: JobOrder;
  readonly query: CompiledQuery;
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
}

/** What an offer brings to resting orders. */
export interface CapacityProbe {
  readonly freeGpus: number;
  readonly vramGb: number;
  readonly mask: number;
  /** The offer's region name ("" when it has no location). */
  readonly region: string;
  readonly price: bigint;
}

interface Bucket {
  readonly key: string;
  readonly minGpu: number;
  readonly minVram: number;
  readonly requiredMask: number;
  /** "" for orders that name no region. */
  readonly region: string;
  /** Sorted by priceCap, highest first. */
  readonly entries: RestingOrder[];
}

/** Serve order as a sort comparator: higher priority first, then older, then lower id. */
export function compareServeOrder(a: RestingOrder, b: RestingOrder): number {
  const byRank = priorityRank(b.order.priority) - priorityRank(a.order.priority);
  if (byRank !== 0) return byRank;
  if (a.createdAtMs !== b.createdAtMs) return a.createdAtMs - b.createdAtMs;
  return a.order.id < b.order.id ? -1 : a.order.id > b.order.id ? 1 : 0;
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
  private readonly buckets = new Map<string, Bucket>();
  private readonly byId = new Map<OrderId, RestingOrder>();
  private readonly expiry = new RestingExpiry();
  /** Add sequence of the next order: byId's insertion order, which expiredAt keeps. */
  private addSeq = 0;
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

  private bucketOf(entry: RestingOrder): Bucket {
    const region = entry.order.requirements.location?.region ?? "";
    const { minGpu, minVram, requiredMask } = entry.query;
    const key = `${minGpu}|${minVram}|${requiredMask}|${region}`;
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = { key, minGpu, minVram, requiredMask, region, entries: [] };
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  /** Adds an order. */
  add(entry: RestingOrder): void {
    this.loadOf(entry.order.buyerId, 1, worstCaseCost(entry.order).baseUnits);
    const entries = this.bucketOf(entry).entries;
    const cap = entry.query.priceCap;
    let lo = 0;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((entries[mid] as RestingOrder).query.priceCap >= cap) lo = mid + 1;
      else hi = mid;
    }
    entries.splice(lo, 0, entry);
    this.byId.set(entry.order.id, entry);
    this.expiry.push(entry, this.addSeq++);
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
    const bucket = this.bucketOf(entry);
    const entries = bucket.entries;
    const cap = entry.query.priceCap;
    let lo = 0;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((entries[mid] as RestingOrder).query.priceCap > cap) lo = mid + 1;
      else hi = mid;
    }
    while (entries[lo] !== entry) lo++;
    entries.splice(lo, 1);
    if (entries.length === 0) this.buckets.delete(bucket.key);
    this.byId.delete(id);
    this.loadOf(entry.order.buyerId, -1, -worstCaseCost(entry.order).baseUnits);
    this.expiry.compactIf(this.byId.size, this.isLive);
    return entry;
  }

  /**
   * Orders an offer could serve, judged on GPUs, features, region and price only, in serve order.
   * The caller checks the remaining rules.
   */
  candidatesFor(probe: CapacityProbe): RestingOrder[] {
    const found: RestingOrder[] = [];
    for (const bucket of this.buckets.values()) {
      if (!capacityFits(probe.freeGpus, probe.vramGb, probe.mask, bucket.minGpu, bucket.minVram, bucket.requiredMask)) continue;
      if (bucket.region !== "" && bucket.region !== probe.region) continue;
      for (const entry of bucket.entries) {
        if (entry.query.priceCap < probe.price) break;
        found.push(entry);
      }
    }
    return found.sort(compareServeOrder);
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
