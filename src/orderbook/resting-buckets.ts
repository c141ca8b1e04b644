// RestingBuckets: resting orders grouped by (GPUs, VRAM, required features, region), each bucket
// sorted by price cap; the buckets' shapes and highest price caps sit in typed arrays, so an offer
// that gains capacity scans them without touching a bucket it cannot serve. In memory only.
import type { RestingOrder } from "./resting-orders.js";

/** Int32 columns per bucket in `shapes`: minGpu, minVram, requiredMask, region id (0: any region). */
const SHAPE_COLUMNS = 4;

/** Orders of one shape. */
interface Bucket {
  readonly key: string;
  /** Position in `list` (and in `shapes` / SHAPE_COLUMNS); moves when another bucket is dropped. */
  index: number;
  /** Sorted by priceCap, highest first. */
  readonly entries: RestingOrder[];
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

/**
 * The buckets of the resting orders. Invariant: `list[i].index === i`; `shapes` holds the shape of
 * `list[i]` at i x SHAPE_COLUMNS and `topCaps[i]` Number() of its first entry's price cap; no
 * bucket is empty.
 */
export class RestingBuckets {
  private readonly byKey = new Map<string, Bucket>();
  private readonly list: Bucket[] = [];
  private shapes = new Int32Array(64 * SHAPE_COLUMNS);
  /**
   * Highest price cap of each bucket as a double. Number() rounds monotonically, so a bucket whose
   * double is below the offer's price as a double has no order that accepts the price.
   */
  private topCaps = new Float64Array(64);
  /** Region names to ids; 0 is "" (any region). Ids are never reused (few regions exist). */
  private readonly regionIds = new Map<string, number>([["", 0]]);

  /** Adds an order at its place by price cap (highest first; after orders of the same cap, which were added before it). */
  add(entry: RestingOrder): void {
    const bucket = this.bucketOf(entry, true);
    const entries = bucket.entries;
    const cap = entry.query.priceCap;
    let lo = 0;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((entries[mid] as RestingOrder).query.priceCap >= cap) lo = mid + 1;
      else hi = mid;
    }
    entries.splice(lo, 0, entry);
    if (lo === 0) this.topCaps[bucket.index] = Number(cap);
  }

  /**
   * Removes an order that is in a bucket; drops the bucket when it empties. A bucket is sorted by
   * (price cap, highest first; add sequence), so the order is found by binary search even among
   * many of the same cap.
   */
  remove(entry: RestingOrder): void {
    const bucket = this.bucketOf(entry, false);
    const entries = bucket.entries;
    const cap = entry.query.priceCap;
    const seq = entry.seq;
    let lo = 0;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const other = entries[mid] as RestingOrder;
      if (other.query.priceCap > cap || (other.query.priceCap === cap && other.seq < seq)) lo = mid + 1;
      else hi = mid;
    }
    if (entries[lo] !== entry) throw new Error("resting bucket out of order: the entry is not where its cap and seq place it");
    entries.splice(lo, 1);
    if (entries.length === 0) this.drop(bucket);
    else if (lo === 0) this.topCaps[bucket.index] = Number((entries[0] as RestingOrder).query.priceCap);
  }

  /**
   * Orders an offer could serve, judged on GPUs, VRAM, features, region and price only, in no
   * particular order (the caller sorts). Touches only the buckets whose shape the offer fits.
   */
  candidatesFor(probe: CapacityProbe, found: RestingOrder[]): void {
    const { shapes, topCaps } = this;
    const { freeGpus, vramGb, mask, price } = probe;
    const priceApprox = Number(price);
    const region = probe.region === "" ? -1 : (this.regionIds.get(probe.region) ?? -1);
    const count = this.list.length;
    for (let b = 0, at = 0; b < count; b++, at += SHAPE_COLUMNS) {
      if ((topCaps[b] ?? 0) < priceApprox) continue;
      const requiredMask = shapes[at + 2] ?? 0;
      if ((shapes[at] ?? 0) > freeGpus || (shapes[at + 1] ?? 0) > vramGb || (mask & requiredMask) !== requiredMask) continue;
      const bucketRegion = shapes[at + 3] ?? 0;
      if (bucketRegion !== 0 && bucketRegion !== region) continue;
      for (const entry of (this.list[b] as Bucket).entries) {
        if (entry.query.priceCap < price) break;
        found.push(entry);
      }
    }
  }

  /** Number of buckets. */
  get size(): number {
    return this.list.length;
  }

  private bucketOf(entry: RestingOrder, create: boolean): Bucket {
    const regionName = entry.order.requirements.location?.region ?? "";
    const { minGpu, minVram, requiredMask } = entry.query;
    const key = `${minGpu}|${minVram}|${requiredMask}|${regionName}`;
    const found = this.byKey.get(key);
    if (found !== undefined || !create) return found as Bucket;
    let region = this.regionIds.get(regionName);
    if (region === undefined) {
      region = this.regionIds.size;
      this.regionIds.set(regionName, region);
    }
    const bucket: Bucket = { key, index: this.list.length, entries: [] };
    if (bucket.index === this.topCaps.length) {
      const shapes = new Int32Array(this.shapes.length * 2);
      shapes.set(this.shapes);
      this.shapes = shapes;
      const topCaps = new Float64Array(this.topCaps.length * 2);
      topCaps.set(this.topCaps);
      this.topCaps = topCaps;
    }
    this.shapes.set([minGpu, minVram, requiredMask, region], bucket.index * SHAPE_COLUMNS);
    this.list.push(bucket);
    this.byKey.set(key, bucket);
    return bucket;
  }

  /** Drops an empty bucket: the last bucket takes its place in `list` and `shapes`. */
  private drop(bucket: Bucket): void {
    const last = this.list.pop() as Bucket;
    if (last !== bucket) {
      this.list[bucket.index] = last;
      const from = last.index * SHAPE_COLUMNS;
      this.shapes.copyWithin(bucket.index * SHAPE_COLUMNS, from, from + SHAPE_COLUMNS);
      this.topCaps[bucket.index] = this.topCaps[last.index] ?? 0;
      last.index = bucket.index;
    }
    this.byKey.delete(bucket.key);
  }
}
