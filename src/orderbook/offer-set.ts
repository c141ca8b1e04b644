// OfferSet: the book's offers: the column table, the two shape indexes (with and without region)
// and the price buckets that hold exactly the active offers with free GPUs, the expiry heap, and
// the providers' reputations the indexes score with. In memory only, no I/O.
import { MarketError } from "../core/errors.js";
import { OfferStatus } from "../core/enums.js";
import type { OfferId } from "../core/ids.js";
import type { CapacityOffer } from "../core/types.js";
import { ExpiryHeap } from "./expiry-heap.js";
import { OfferTable, SLOT_ACTIVE, SLOT_FREE, SLOT_PAUSED } from "./offer-table.js";
import type { InternedShape } from "./offer-table.js";
import { PriceBuckets } from "./price-buckets.js";
import { PriceWalk } from "./price-walk.js";
import { ALLOW_WALK_MAX, ProviderSlots } from "./provider-slots.js";
import type { CompiledQuery } from "./query.js";
import { Reputations, assertReputation } from "./reputations.js";
import type { RestoreRows } from "./restore-rows.js";
import { storeRows } from "./offer-rows.js";
import { ShapeIndex } from "./shape-index.js";

/**
 * Offers a price walk may look at per shape of the pool it stands in for, before the query turns
 * to the shape walk after all: the price walk never costs more than a few times the shape walk's
 * first step (one heap entry per candidate shape).
 */
const PRICE_WALK_VISITS_PER_SHAPE = 4;

/**
 * Live offers per shape under which a query of no region or country walks by price even when its
 * pool is within shapeWalkShapesMax: a small book of mostly distinct shapes (fewer than two offers
 * a shape) would make the shape walk put nearly every offer in its heap. A realistic book holds
 * about 8 offers a shape at 10^3 offers and hundreds at 10^5; the shape-mix books hold 1.
 */
const PRICE_WALK_OFFERS_PER_SHAPE = 2;
/** Live offers under which that rule stays out: either walk of so small a book costs a few µs. */
const SPARSE_BOOK_OFFERS_MIN = 256;

/**
 * The offers of one book. Invariants: a slot is in the three indexes iff it is active with free GPUs,
 * and in neither otherwise; every live slot has an entry in the expiry heap (stale entries of
 * freed slots are skipped when popped and dropped when the heap is compacted).
 */
export class OfferSet {
  readonly table = new OfferTable();
  readonly reputations = new Reputations();
  /** Shapes keyed by region too: for queries that name a region or a country. */
  private readonly regionIndex: ShapeIndex;
  /** Shapes without region: for all other queries. Both always hold the same slots. */
  private readonly anyRegionIndex: ShapeIndex;
  /** The indexed slots of each provider: an allow list walks only its providers' offers. */
  private readonly providerSlots = new ProviderSlots();
  /** Offers by price: for queries whose pool of shapes is larger than shapeWalkShapesMax. */
  private readonly priceBuckets: PriceBuckets;
  private readonly priceWalk: PriceWalk;
  private readonly expiries = new ExpiryHeap();
  /** Slots restored with `defer`, waiting for indexDeferred(). */
  private readonly deferredSlots: number[] = [];

  constructor(
    private readonly offersMax: number,
    /** OrderBookLimits.shapeWalkShapesMax. */
    private readonly shapeWalkShapesMax: number,
  ) {
    this.regionIndex = new ShapeIndex(this.table, this.reputations, true);
    this.anyRegionIndex = new ShapeIndex(this.table, this.reputations, false);
    this.priceBuckets = new PriceBuckets(this.table, this.reputations);
    this.priceWalk = new PriceWalk(this.priceBuckets, this.table, this.reputations);
  }

  /** The best `limit` indexed slots for a query, best first (ShapeIndex.best). */
  bestSlots(query: CompiledQuery, limit: number): number[] {
    // An allow list of providers holding few offers: walk theirs only, same ranking.
    const allowed = query.allowedProviders;
    if (allowed !== undefined && this.providerSlots.countOf(allowed) <= ALLOW_WALK_MAX) {
      return this.providerSlots.best(this.table, this.reputations, allowed, query, limit);
    }
    // Queries naming a region or a country use the region index's pools of shapes.
    const index = query.region >= 0 || query.country >= 0 ? this.regionIndex : this.anyRegionIndex;
    // Mostly distinct shapes: walk offers cheapest first, within a budget of the shape walk's cost.
    // (A region's or country's pool is compared with the bound only: the book does not count a region's offers.)
    const pool = index.shapes.poolSizeOf(query);
    const live = this.table.liveCount;
    const sparse = index === this.anyRegionIndex && live >= SPARSE_BOOK_OFFERS_MIN && pool * PRICE_WALK_OFFERS_PER_SHAPE > live;
    if (pool > this.shapeWalkShapesMax || sparse) {
      const slots = this.priceWalk.best(query, limit, pool * PRICE_WALK_VISITS_PER_SHAPE);
      if (slots !== undefined) return slots;
    }
    return index.best(query, limit).slots;
  }

  /** Is the slot in the indexes (active with free GPUs). */
  isIndexed(slot: number): boolean {
    return this.anyRegionIndex.has(slot);
  }

  private indexInsert(slot: number): void {
    this.regionIndex.insert(slot);
    this.anyRegionIndex.insert(slot);
    this.priceBuckets.insert(slot);
    this.providerSlots.add(slot, this.table.provider[slot] ?? 0);
  }

  private indexRemove(slot: number): void {
    if (!this.anyRegionIndex.has(slot)) return;
    this.regionIndex.remove(slot);
    this.anyRegionIndex.remove(slot);
    this.priceBuckets.remove(slot);
    this.providerSlots.remove(slot, this.table.provider[slot] ?? 0);
  }

  /** The slot of a held offer. @throws OFFER_NOT_FOUND */
  slotOf(offerId: OfferId): number {
    const slot = this.table.slotById.get(offerId);
    if (slot === undefined) throw new MarketError("OFFER_NOT_FOUND", { offerId });
    return slot;
  }

  /** Status of a held offer's slot. */
  statusOf(slot: number): OfferStatus {
    return this.table.status[slot] === SLOT_PAUSED ? OfferStatus.Paused : OfferStatus.Active;
  }

  /** @throws INVALID_STATE_TRANSITION unless the offer in `slot` has status `from` (a slot code) */
  assertStatus(slot: number, from: number, to: OfferStatus): void {
    if (this.table.status[slot] !== from) {
      throw new MarketError("INVALID_STATE_TRANSITION", { entity: "offer", from: this.statusOf(slot), to });
    }
  }

  /** @throws DUPLICATE_ID (the set holds this offer), LIMIT_EXCEEDED (offersMax) */
  checkNew(offerId: OfferId): void {
    if (this.table.slotById.has(offerId)) throw new MarketError("DUPLICATE_ID", { kind: "offer", id: offerId });
    this.checkRoom(1);
  }

  /** @throws LIMIT_EXCEEDED when `count` more offers would pass offersMax */
  checkRoom(count: number): void {
    if (this.table.liveCount + count > this.offersMax) throw new MarketError("LIMIT_EXCEEDED", { limit: "offersMax", max: this.offersMax });
  }

  /**
   * Stores a validated offer with `freeGpus` free, active or paused, and schedules its expiry; it is
   * indexed iff active with free GPUs. Returns the slot. @throws LIMIT_EXCEEDED (intern tables), before storing
   */
  store(offer: CapacityOffer, freeGpus: number, paused: boolean): number {
    const slot = this.table.insert(offer);
    this.table.freeGpus[slot] = freeGpus;
    if (paused) this.table.status[slot] = SLOT_PAUSED;
    this.expiries.push(offer.expiresAt.getTime(), slot);
    if (!paused && freeGpus > 0) this.indexInsert(slot);
    return slot;
  }

  /**
   * Stores validated offers, all or none, active with all GPUs free, and schedules their expiries;
   * the caller indexes them (indexMany). @throws LIMIT_EXCEEDED (intern tables), DUPLICATE_ID (an id twice in the batch)
   */
  storeMany(offers: readonly CapacityOffer[]): number[] {
    const table = this.table;
    const slots = table.insertMany(offers);
    // A repeat inside the batch shows as a slot whose id maps elsewhere: undo the batch.
    const repeated = slots.findIndex((slot, i) => table.slotById.get(offers[i]?.id ?? "") !== slot);
    if (repeated >= 0) {
      const id = offers[repeated]?.id ?? "";
      for (const slot of slots) if (table.status[slot] !== SLOT_FREE) table.release(slot);
      for (const offer of offers) table.slotById.delete(offer.id);
      throw new MarketError("DUPLICATE_ID", { kind: "offer", id });
    }
    for (const slot of slots) this.expiries.push(table.expiresAt[slot] ?? 0, slot);
    return slots;
  }

  /**
   * Stores validated restored rows, all or none, each with its stored free GPUs and status, and
   * schedules their expiries; returns the slots of the active rows with free GPUs, for the caller to
   * index (offer-rows.ts). @throws DUPLICATE_ID (an id held already or twice in the rows), then nothing is stored
   */
  storeRows(rows: RestoreRows, shapes: readonly InternedShape[], providers: Int32Array): number[] {
    return storeRows(this.table, this.expiries, rows, shapes, providers);
  }

  /** Indexes stored active slots with free GPUs at once (one sort per touched index list). */
  indexMany(slots: readonly number[]): void {
    this.regionIndex.insertMany(slots);
    this.anyRegionIndex.insertMany(slots);
    for (const slot of slots) {
      this.priceBuckets.insert(slot);
      this.providerSlots.add(slot, this.table.provider[slot] ?? 0);
    }
  }

  /** Keeps slots to index later, by indexDeferred(). */
  deferIndex(slots: readonly number[]): void {
    for (const slot of slots) this.deferredSlots.push(slot);
  }

  /** Indexes the deferred slots that are still active with free GPUs and not indexed yet. */
  indexDeferred(): void {
    const t = this.table;
    this.indexMany(
      this.deferredSlots.splice(0).filter((slot) => t.status[slot] === SLOT_ACTIVE && (t.freeGpus[slot] ?? 0) > 0 && !this.isIndexed(slot)),
    );
  }

  /** Takes an offer out of the set (withdrawn or expired); allocations on it keep their GPUs. */
  drop(slot: number): void {
    this.indexRemove(slot);
    this.table.release(slot);
  }

  /** Active -> Paused: out of the indexes. @throws INVALID_STATE_TRANSITION */
  pause(slot: number): void {
    this.assertStatus(slot, SLOT_ACTIVE, OfferStatus.Paused);
    this.indexRemove(slot);
    this.table.status[slot] = SLOT_PAUSED;
  }

  /** Paused -> Active (the caller checked the status): back in the indexes if it has free GPUs. */
  activate(slot: number): void {
    this.table.status[slot] = SLOT_ACTIVE;
    if ((this.table.freeGpus[slot] ?? 0) > 0) this.indexInsert(slot);
  }

  /** Takes `gpuCount` free GPUs of the offer in `slot` (the caller checked they are free). */
  takeGpus(slot: number, gpuCount: number): void {
    this.setFreeGpus(slot, (this.table.freeGpus[slot] ?? 0) - gpuCount);
  }

  /**
   * Sets a held offer's free GPUs and keeps the indexes: an indexed offer that keeps free GPUs moves
   * to its new shapes and cell only (its provider and model lists do not key on free GPUs).
   */
  private setFreeGpus(slot: number, freeGpus: number): void {
    const t = this.table;
    if (!this.anyRegionIndex.has(slot) || freeGpus <= 0) {
      this.indexRemove(slot);
      t.freeGpus[slot] = freeGpus;
      if (freeGpus > 0 && t.status[slot] === SLOT_ACTIVE) this.indexInsert(slot);
      return;
    }
    t.freeGpus[slot] = freeGpus;
    this.regionIndex.move(slot);
    this.anyRegionIndex.move(slot);
    this.priceBuckets.move(slot);
  }

  /**
   * Gives `gpuCount` GPUs back to the offer in `slot` if it is still the offer of incarnation
   * `epoch` (not withdrawn, expired, or replaced in a reused slot); returns whether it is.
   */
  returnGpus(slot: number, epoch: number, gpuCount: number): boolean {
    const t = this.table;
    const held = t.status[slot] !== SLOT_FREE && t.epoch[slot] === epoch;
    if (held) this.setFreeGpus(slot, (t.freeGpus[slot] ?? 0) + gpuCount);
    return held;
  }

  /**
   * Sets a reputation and re-bands the provider's indexed offers; returns their slots (resting
   * orders with a minReputation may now take them). @throws OUT_OF_RANGE, LIMIT_EXCEEDED (providers)
   */
  setReputation(providerId: string, reputation: number): number[] {
    assertReputation(reputation);
    const provider = this.table.providers.intern(providerId);
    this.reputations.set(provider, reputation);
    const slots = this.providerSlots.slotsOf(provider);
    for (const slot of slots) {
      this.indexRemove(slot);
      this.indexInsert(slot);
    }
    return slots;
  }

  /** A provider's reputation (REPUTATION_DEFAULT when never set). */
  reputationOf(providerId: string): number {
    return this.reputations.valueOf(this.table.providers.lookup(providerId));
  }

  /** Pops the next offer slot expired at `nowMs` (still live, expiry <= nowMs), or -1 when none; the caller drops it. */
  nextExpired(nowMs: number): number {
    while (this.expiries.peekTime() <= nowMs) {
      const slot = this.expiries.pop();
      if (this.table.status[slot] === SLOT_FREE || (this.table.expiresAt[slot] ?? 0) > nowMs) continue;
      return slot;
    }
    return -1;
  }

  /** Rebuilds the expiry heap when stale entries outnumber live offers. */
  compactExpiries(): void {
    if (this.expiries.size <= 2 * this.table.liveCount + 1024) return;
    this.expiries.clear();
    for (let slot = 0; slot < this.table.highWater; slot++) {
      if (this.table.status[slot] !== SLOT_FREE) this.expiries.push(this.table.expiresAt[slot] ?? 0, slot);
    }
  }
}
