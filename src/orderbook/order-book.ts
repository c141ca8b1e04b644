// OrderBook: the matching engine of the spec. Offers live in a column table and a shape index;
// orders match continuously (best offer at once, else rest until an offer satisfies them); every
// change emits an event. In memory only: no I/O, no chain, no store; time from the injected clock.
import { Amount, AMOUNT_MAX_BASE_UNITS } from "../core/amount.js";
import { systemClock } from "../core/clock.js";
import type { Clock } from "../core/clock.js";
import { MarketError, assertIntInRange, describeValue } from "../core/errors.js";
import { featureMask, OfferStatus, OrderStatus } from "../core/enums.js";
import { normalizeGpuModel } from "../core/gpu-model.js";
import type { OfferId, OrderId } from "../core/ids.js";
import { GPU_COUNT_MAX } from "../core/limits.js";
import { parseOffer } from "../core/offer.js";
import { parseOrder, parseRequirements } from "../core/order.js";
import type { BookOffer, CapacityOffer, JobOrder, JobRequirements, OrderMatch } from "../core/types.js";
import type { BookEvent, BookEventBody, BookListener } from "./events.js";
import { ExpiryHeap } from "./expiry-heap.js";
import { OfferTable, SLOT_ACTIVE, SLOT_FREE, SLOT_PAUSED } from "./offer-table.js";
import { RestingOrders } from "./resting-orders.js";
import type { RestingOrder } from "./resting-orders.js";
import {
  REPUTATION_DEFAULT,
  extraFeaturesUnits,
  gpuFitUnits,
  preferredModelUnits,
  priceHeadroomUnits,
  reputationUnits,
  scoreBreakdown,
  utilizationUnits,
  vramFitUnits,
} from "./score.js";
import { ShapeIndex } from "./shape-index.js";
import type { CompiledQuery } from "./shape-index.js";

/** Bounds of one book; each can be lowered in the constructor. */
export interface OrderBookLimits {
  /** Offers held at once (active and paused). */
  readonly offersMax: number;
  /** Orders resting at once. */
  readonly restingOrdersMax: number;
  /** Matched orders whose GPUs are still allocated. */
  readonly allocationsMax: number;
  /** Largest `limit` of bestOffers / matchOrder. */
  readonly resultLimitMax: number;
}

/** Default bounds. */
export const ORDER_BOOK_LIMITS: OrderBookLimits = {
  offersMax: 10_000_000,
  restingOrdersMax: 1_000_000,
  allocationsMax: 10_000_000,
  resultLimitMax: 1000,
};

const REPUTATION_DEFAULT_UNITS = reputationUnits(REPUTATION_DEFAULT);

/** Results returned by bestOffers / matchOrder when no limit is given. */
export const RESULT_LIMIT_DEFAULT = 10;

/** Options of an OrderBook. */
export interface OrderBookOptions {
  readonly clock?: Clock;
  readonly limits?: Partial<OrderBookLimits>;
}

/** What submitOrder did: matched at once, or left the order resting. */
export type SubmitOrderResult =
  | { readonly orderId: OrderId; readonly status: typeof OrderStatus.Matched; readonly match: OrderMatch }
  | { readonly orderId: OrderId; readonly status: typeof OrderStatus.Pending };

/** GPUs a matched order holds until its job ends. */
interface Allocation {
  readonly order: JobOrder;
  readonly match: OrderMatch;
  /** The offer's slot and incarnation: a later offer in the same slot has another epoch. */
  readonly offerSlot: number;
  readonly offerEpoch: number;
}

/** What one expire() call removed. */
export interface ExpiryResult {
  readonly offers: OfferId[];
  readonly orders: OrderId[];
}

/** A book's state as plain data, for comparing two books: offers and allocations by id, resting orders in serve order. */
export interface BookSnapshot {
  readonly offers: readonly { readonly id: OfferId; readonly status: OfferStatus; readonly freeGpuCount: number }[];
  readonly restingOrders: readonly OrderId[];
  readonly allocations: readonly { readonly orderId: OrderId; readonly offerId: OfferId; readonly gpuCount: number }[];
}

function byId<T>(id: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0);
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
export class OrderBook {
  private readonly clock: Clock;
  private readonly limits: OrderBookLimits;
  private readonly table = new OfferTable();
  /** Shapes keyed by region too: for queries that name a region or a country. */
  private readonly regionIndex: ShapeIndex;
  /** Shapes without region: for all other queries. Both always hold the same slots. */
  private readonly anyRegionIndex: ShapeIndex;
  private readonly resting = new RestingOrders();
  private readonly allocations = new Map<OrderId, Allocation>();
  private readonly expiries = new ExpiryHeap();
  private reputations = new Float64Array(64).fill(REPUTATION_DEFAULT);
  /** The reputation part of each provider in score units, computed once when the reputation is set. */
  private reputationParts = new Int32Array(64).fill(REPUTATION_DEFAULT_UNITS);
  private readonly listeners = new Set<BookListener>();
  private readonly pendingEvents: BookEvent[] = [];
  private seq = 0;
  /**
   * Does slot a rank before slot b: higher score (whole units, exact), then lower price, older, lower id.
   * The price floats decide only when they differ: Number() of a bigint is monotone, so then the
   * exact prices differ the same way; equal floats fall through to the exact prices.
   */
  private readonly better = (a: number, b: number, scoreA: number, scoreB: number): boolean => {
    if (scoreA !== scoreB) return scoreA > scoreB;
    const t = this.table;
    const priceA = t.priceF[a] ?? 0;
    const priceB = t.priceF[b] ?? 0;
    if (priceA !== priceB) return priceA < priceB;
    const exactA = t.price[a] ?? 0n;
    const exactB = t.price[b] ?? 0n;
    if (exactA !== exactB) return exactA < exactB;
    const createdA = t.createdAt[a] ?? 0;
    const createdB = t.createdAt[b] ?? 0;
    if (createdA !== createdB) return createdA < createdB;
    return (t.ids[a] ?? "") < (t.ids[b] ?? "");
  };

  /** Slots restored with `defer`, waiting for finishRestore. */
  private readonly restoredSlots: number[] = [];

  constructor(options: OrderBookOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.limits = { ...ORDER_BOOK_LIMITS, ...options.limits };
    const reputationUnitsOf = (provider: number): number => this.reputationParts[provider] ?? REPUTATION_DEFAULT_UNITS;
    this.regionIndex = new ShapeIndex(this.table, reputationUnitsOf, true);
    this.anyRegionIndex = new ShapeIndex(this.table, reputationUnitsOf, false);
  }

  private indexInsert(slot: number): void {
    this.regionIndex.insert(slot);
    this.anyRegionIndex.insert(slot);
  }

  private indexRemove(slot: number): void {
    this.regionIndex.remove(slot);
    this.anyRegionIndex.remove(slot);
  }

  private isIndexed(slot: number): boolean {
    return this.anyRegionIndex.has(slot);
  }

  private bestSlots(query: CompiledQuery, limit: number): number[] {
    // Queries naming a region or a country use the region index's pools of shapes.
    const index = query.region >= 0 || query.country >= 0 ? this.regionIndex : this.anyRegionIndex;
    return index.best(query, limit, this.better).slots;
  }

  /** Subscribes to book events; returns the unsubscribe function. */
  on(listener: BookListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Is anyone listening: events are built only then. */
  private get listening(): boolean {
    return this.listeners.size > 0;
  }

  private record(body: BookEventBody): void {
    this.pendingEvents.push({ ...body, seq: ++this.seq, atMs: this.clock.now() });
  }

  private flush(): void {
    if (this.pendingEvents.length === 0) return;
    const events = this.pendingEvents.splice(0);
    for (const event of events) for (const listener of this.listeners) listener(event);
  }

  // ---------------------------------------------------------------- offers

  /**
   * Adds a capacity offer; resting orders it satisfies are matched to it at once, by priority then age.
   * @throws INVALID_ID, INVALID_FIELD, OUT_OF_RANGE, INVALID_AMOUNT (validation), DUPLICATE_ID, EXPIRED, LIMIT_EXCEEDED
   */
  addOffer(offer: CapacityOffer): OfferId {
    const valid = parseOffer(offer);
    this.checkNewOffer(valid.id);
    const nowMs = this.clock.now();
    if (valid.expiresAt.getTime() <= nowMs) {
      throw new MarketError("EXPIRED", { entity: "offer", id: valid.id, expiresAt: valid.expiresAt.toISOString() });
    }
    const slot = this.storeOffer(valid, valid.gpuCapacity.gpuCount, false);
    if (this.listening) this.record({ type: "OfferAdded", offer: this.table.materialize(slot) });
    this.serveResting(slot);
    this.maybeCompactExpiries();
    this.flush();
    return valid.id;
  }

  /**
   * Adds many offers at once, all or none (rebuilding a book from a store, loading a market):
   * the same rules and events as addOffer, with one sort per touched index list instead of one
   * sorted insert per offer.
   * @throws the codes of addOffer, for the first offer that breaks a rule; then nothing is added
   */
  addOffers(offers: Iterable<CapacityOffer>): OfferId[] {
    const valid: CapacityOffer[] = [];
    const nowMs = this.clock.now();
    for (const offer of offers) {
      const parsed = parseOffer(offer);
      if (this.table.slotById.has(parsed.id)) throw new MarketError("DUPLICATE_ID", { kind: "offer", id: parsed.id });
      if (parsed.expiresAt.getTime() <= nowMs) {
        throw new MarketError("EXPIRED", { entity: "offer", id: parsed.id, expiresAt: parsed.expiresAt.toISOString() });
      }
      valid.push(parsed);
    }
    if (this.table.liveCount + valid.length > this.limits.offersMax) {
      throw new MarketError("LIMIT_EXCEEDED", { limit: "offersMax", max: this.limits.offersMax });
    }
    const slots = this.table.insertMany(valid);
    // A repeat inside the batch shows as a slot whose id maps elsewhere: undo the batch.
    const repeated = slots.findIndex((slot, i) => this.table.slotById.get(valid[i]?.id ?? "") !== slot);
    if (repeated >= 0) {
      const id = valid[repeated]?.id ?? "";
      for (const slot of slots) if (this.table.status[slot] !== SLOT_FREE) this.table.release(slot);
      for (const offer of valid) this.table.slotById.delete(offer.id);
      throw new MarketError("DUPLICATE_ID", { kind: "offer", id });
    }
    for (const slot of slots) this.expiries.push(this.table.expiresAt[slot] ?? 0, slot);
    this.regionIndex.insertMany(slots);
    this.anyRegionIndex.insertMany(slots);
    for (const slot of slots) {
      if (this.listening) this.record({ type: "OfferAdded", offer: this.table.materialize(slot) });
      this.serveResting(slot);
    }
    this.maybeCompactExpiries();
    this.flush();
    return valid.map((offer) => offer.id);
  }

  /** @throws DUPLICATE_ID (the book holds this offer), LIMIT_EXCEEDED (offersMax) */
  /**
   * Loads stored offers with their free GPUs into a book being rebuilt, all or none: no events, no
   * matching, one sort per touched index list (the bulk form of apply's OfferAdded). With `defer`,
   * the offers are stored but indexed only by finishRestore(), so a rebuild can load page by page
   * and still sort each index list once.
   * @throws validation codes, OUT_OF_RANGE (free GPUs), DUPLICATE_ID, LIMIT_EXCEEDED; then nothing is added
   */
  restoreOffers(entries: readonly { readonly offer: CapacityOffer; readonly freeGpuCount: number }[], options: { readonly defer?: boolean } = {}): void {
    const valid = entries.map(({ offer, freeGpuCount }) => {
      // A paused offer is validated as the Active offer it was listed as.
      const parsed = parseOffer(offer.status === OfferStatus.Paused ? { ...offer, status: OfferStatus.Active } : offer);
      if (!Number.isInteger(freeGpuCount) || freeGpuCount < 0 || freeGpuCount > parsed.gpuCapacity.gpuCount) {
        throw new MarketError("OUT_OF_RANGE", { field: "freeGpuCount", value: String(freeGpuCount), min: "0", max: String(parsed.gpuCapacity.gpuCount) });
      }
      if (this.table.slotById.has(parsed.id)) throw new MarketError("DUPLICATE_ID", { kind: "offer", id: parsed.id });
      return parsed;
    });
    if (this.table.liveCount + valid.length > this.limits.offersMax) throw new MarketError("LIMIT_EXCEEDED", { limit: "offersMax", max: this.limits.offersMax });
    const slots = this.table.insertMany(valid);
    const repeated = slots.findIndex((slot, i) => this.table.slotById.get(valid[i]?.id ?? "") !== slot);
    if (repeated >= 0) {
      for (const slot of slots) if (this.table.status[slot] !== SLOT_FREE) this.table.release(slot);
      for (const offer of valid) this.table.slotById.delete(offer.id);
      throw new MarketError("DUPLICATE_ID", { kind: "offer", id: valid[repeated]?.id ?? "" });
    }
    const indexed: number[] = [];
    slots.forEach((slot, i) => {
      const entry = entries[i];
      if (entry === undefined) return;
      this.table.freeGpus[slot] = entry.freeGpuCount;
      if (entry.offer.status === OfferStatus.Paused) this.table.status[slot] = SLOT_PAUSED;
      else if (entry.freeGpuCount > 0) indexed.push(slot);
      this.expiries.push(this.table.expiresAt[slot] ?? 0, slot);
    });
    if (options.defer === true) {
      for (const slot of indexed) this.restoredSlots.push(slot);
      return;
    }
    this.regionIndex.insertMany(indexed);
    this.anyRegionIndex.insertMany(indexed);
    this.maybeCompactExpiries();
  }

  /**
   * Records stored allocations in a book being rebuilt, without taking GPUs: the stored free counts
   * already exclude them. An allocation whose offer is gone (withdrawn, expired) is kept too, so the
   * job's end can still be released. No events, no matching.
   * @throws DUPLICATE_ID, LIMIT_EXCEEDED; then nothing is recorded
   */
  restoreAllocations(entries: readonly { readonly order: JobOrder; readonly match: OrderMatch }[]): void {
    for (const { order } of entries) {
      if (this.allocations.has(order.id) || this.resting.get(order.id) !== undefined) throw new MarketError("DUPLICATE_ID", { kind: "order", id: order.id });
    }
    if (this.allocations.size + entries.length > this.limits.allocationsMax) throw new MarketError("LIMIT_EXCEEDED", { limit: "allocationsMax", max: this.limits.allocationsMax });
    for (const { order, match } of entries) {
      const slot = this.table.slotById.get(match.offerId);
      this.allocations.set(order.id, { order, match, offerSlot: slot ?? -1, offerEpoch: slot === undefined ? -1 : (this.table.epoch[slot] ?? 0) });
    }
  }

  /** Indexes the offers restoreOffers stored with `defer` (those still active with free GPUs). */
  finishRestore(): void {
    const slots = this.restoredSlots.splice(0).filter((slot) => this.table.status[slot] === SLOT_ACTIVE && (this.table.freeGpus[slot] ?? 0) > 0 && !this.isIndexed(slot));
    this.regionIndex.insertMany(slots);
    this.anyRegionIndex.insertMany(slots);
    this.maybeCompactExpiries();
  }

  private checkNewOffer(offerId: OfferId): void {
    if (this.table.slotById.has(offerId)) throw new MarketError("DUPLICATE_ID", { kind: "offer", id: offerId });
    if (this.table.liveCount >= this.limits.offersMax) throw new MarketError("LIMIT_EXCEEDED", { limit: "offersMax", max: this.limits.offersMax });
  }

  /**
   * Stores a validated offer with `freeGpus` free, active or paused, and schedules its expiry; it is
   * indexed iff active with free GPUs. Returns the slot. @throws LIMIT_EXCEEDED (intern tables), before storing
   */
  private storeOffer(offer: CapacityOffer, freeGpus: number, paused: boolean): number {
    const slot = this.table.insert(offer);
    this.table.freeGpus[slot] = freeGpus;
    if (paused) this.table.status[slot] = SLOT_PAUSED;
    this.expiries.push(offer.expiresAt.getTime(), slot);
    if (!paused && freeGpus > 0) this.indexInsert(slot);
    return slot;
  }

  /** Takes an offer out of the book (withdrawn or expired); allocations on it keep their GPUs. */
  private dropSlot(slot: number): void {
    this.indexRemove(slot);
    this.table.release(slot);
  }

  /** @throws INVALID_STATE_TRANSITION unless the offer in `slot` has status `from` */
  private assertSlotStatus(slot: number, from: number, to: OfferStatus): void {
    if (this.table.status[slot] !== from) {
      throw new MarketError("INVALID_STATE_TRANSITION", { entity: "offer", from: this.offerStatusOf(slot), to });
    }
  }

  /** Active -> Paused: out of the indexes. @throws INVALID_STATE_TRANSITION */
  private pauseSlot(slot: number): void {
    this.assertSlotStatus(slot, SLOT_ACTIVE, OfferStatus.Paused);
    this.indexRemove(slot);
    this.table.status[slot] = SLOT_PAUSED;
  }

  /** Paused -> Active (the caller checked the status): back in the indexes if it has free GPUs. */
  private activateSlot(slot: number): void {
    this.table.status[slot] = SLOT_ACTIVE;
    if ((this.table.freeGpus[slot] ?? 0) > 0) this.indexInsert(slot);
  }

  private slotOf(offerId: OfferId): number {
    const slot = this.table.slotById.get(offerId);
    if (slot === undefined) throw new MarketError("OFFER_NOT_FOUND", { offerId });
    return slot;
  }

  private offerStatusOf(slot: number): OfferStatus {
    return this.table.status[slot] === SLOT_PAUSED ? OfferStatus.Paused : OfferStatus.Active;
  }

  /** Withdraws an offer (Active or Paused -> Withdrawn); running jobs keep their GPUs. @throws OFFER_NOT_FOUND */
  removeOffer(offerId: OfferId): void {
    this.dropSlot(this.slotOf(offerId));
    if (this.listening) this.record({ type: "OfferWithdrawn", offerId });
    this.flush();
  }

  /** Active -> Paused: the offer stops matching. @throws OFFER_NOT_FOUND, INVALID_STATE_TRANSITION */
  pauseOffer(offerId: OfferId): void {
    this.pauseSlot(this.slotOf(offerId));
    if (this.listening) this.record({ type: "OfferPaused", offerId });
    this.flush();
  }

  /** Paused -> Active: the offer matches again and serves resting orders. @throws OFFER_NOT_FOUND, INVALID_STATE_TRANSITION, EXPIRED */
  resumeOffer(offerId: OfferId): void {
    const slot = this.slotOf(offerId);
    this.assertSlotStatus(slot, SLOT_PAUSED, OfferStatus.Active);
    const expiresAtMs = this.table.expiresAt[slot] ?? 0;
    if (expiresAtMs <= this.clock.now()) {
      this.expireOfferSlot(slot);
      this.flush();
      throw new MarketError("EXPIRED", { entity: "offer", id: offerId, expiresAt: new Date(expiresAtMs).toISOString() });
    }
    this.activateSlot(slot);
    if (this.listening) this.record({ type: "OfferResumed", offerId });
    this.serveResting(slot);
    this.flush();
  }

  /** The offer with its free GPUs. @throws OFFER_NOT_FOUND */
  getOffer(offerId: OfferId): BookOffer {
    return this.table.materialize(this.slotOf(offerId));
  }

  /** Does the book hold this offer (active or paused). */
  hasOffer(offerId: OfferId): boolean {
    return this.table.slotById.has(offerId);
  }

  /** Number of offers held (active and paused). */
  get offerCount(): number {
    return this.table.liveCount;
  }

  /** Offers (active and paused) `providerId` holds in the book: what a per-provider cap counts. */
  liveOffersOf(providerId: string): number {
    return this.table.liveOffersOf(providerId);
  }

  /** Orders `buyerId` has resting, and their worst-case cost: what a per-buyer cap and the backing of orders count. */
  restingLoadOf(buyerId: string): { readonly count: number; readonly worstCaseBaseUnits: bigint } {
    return this.resting.buyerLoad(buyerId);
  }

  /** All active offers, ordered by id (creation time). */
  activeOffers(): BookOffer[] {
    const offers: BookOffer[] = [];
    for (let slot = 0; slot < this.table.highWater; slot++) {
      if (this.table.status[slot] === SLOT_ACTIVE) offers.push(this.table.materialize(slot));
    }
    return offers.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * Offers held (active and paused), oldest first, optionally of one provider and one GPU model
   * (normalized); at most `limit`, after the offer id `after`. @throws OUT_OF_RANGE (limit)
   */
  listOffers(filter: { readonly providerId?: string; readonly gpuModel?: string; readonly after?: string }, limit: number): BookOffer[] {
    this.checkLimit(limit);
    const t = this.table;
    const provider = filter.providerId === undefined ? undefined : t.providers.lookup(filter.providerId);
    const model = filter.gpuModel === undefined ? undefined : t.models.lookup(normalizeGpuModel(filter.gpuModel));
    if (provider === -1 || model === -1) return [];
    const offers: BookOffer[] = [];
    for (let slot = 0; slot < t.highWater; slot++) {
      if (t.status[slot] === SLOT_FREE) continue;
      if ((provider !== undefined && t.provider[slot] !== provider) || (model !== undefined && t.model[slot] !== model)) continue;
      const offer = t.materialize(slot);
      if (filter.after === undefined || offer.id > filter.after) offers.push(offer);
    }
    return offers.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(0, limit);
  }

  /** Sets a provider's reputation in [0, 1] (default 0.5); it weighs in every later score. @throws OUT_OF_RANGE */
  setProviderReputation(providerId: string, reputation: number): void {
    this.storeReputation(providerId, reputation);
    if (this.listening) this.record({ type: "ReputationChanged", providerId, reputation });
    this.flush();
  }

  /** Sets a reputation and re-bands the provider's indexed offers. @throws OUT_OF_RANGE, LIMIT_EXCEEDED (providers) */
  private storeReputation(providerId: string, reputation: number): void {
    if (typeof reputation !== "number" || !Number.isFinite(reputation) || reputation < 0 || reputation > 1) {
      throw new MarketError("OUT_OF_RANGE", { field: "reputation", value: String(reputation), min: "0", max: "1" });
    }
    const provider = this.table.providers.intern(providerId);
    if (provider >= this.reputations.length) {
      const length = Math.max(provider + 1, this.reputations.length * 2);
      const next = new Float64Array(length).fill(REPUTATION_DEFAULT);
      next.set(this.reputations);
      this.reputations = next;
      const nextParts = new Int32Array(length).fill(REPUTATION_DEFAULT_UNITS);
      nextParts.set(this.reputationParts);
      this.reputationParts = nextParts;
    }
    this.reputations[provider] = reputation;
    this.reputationParts[provider] = reputationUnits(reputation);
    // Re-band this provider's offers: rare, so a scan beats a per-provider list on every offer.
    for (let slot = 0; slot < this.table.highWater; slot++) {
      if (this.table.provider[slot] === provider && this.isIndexed(slot)) {
        this.indexRemove(slot);
        this.indexInsert(slot);
      }
    }
  }

  /** A provider's reputation (0.5 when never set). */
  providerReputation(providerId: string): number {
    const provider = this.table.providers.lookup(providerId);
    return provider < 0 ? REPUTATION_DEFAULT : (this.reputations[provider] ?? REPUTATION_DEFAULT);
  }

  // ---------------------------------------------------------------- queries

  private compile(requirements: JobRequirements, maxBudget: Amount | undefined, nowMs: number): CompiledQuery {
    const t = this.table;
    const wantedRegion = requirements.location?.region;
    const wantedCountry = requirements.location?.country;
    // -1: any. A region or country the book never saw matches nothing.
    const region = wantedRegion === undefined ? -1 : t.regions.lookup(wantedRegion);
    const country = wantedCountry === undefined ? -1 : t.countries.lookup(wantedCountry);
    const preferredModels: number[] = [];
    for (const model of requirements.preferredModels) {
      const index = t.models.lookup(normalizeGpuModel(model));
      if (index >= 0 && !preferredModels.includes(index)) preferredModels.push(index);
    }
    const gpuHours = BigInt(requirements.minGpuCount * requirements.estimatedHours);
    let priceCap = requirements.maxPricePerHour.baseUnits;
    const rangeCap = AMOUNT_MAX_BASE_UNITS / gpuHours; // total cost must fit in a u64
    if (rangeCap < priceCap) priceCap = rangeCap;
    if (maxBudget !== undefined) {
      const budgetCap = maxBudget.baseUnits / gpuHours; // floor: price x gpus x hours <= budget
      if (budgetCap < priceCap) priceCap = budgetCap;
    }
    return {
      minGpu: requirements.minGpuCount,
      minVram: requirements.minVramGb,
      requiredMask: featureMask(requirements.requiredFeatures),
      region,
      country,
      estimatedHours: requirements.estimatedHours,
      maxPrice: requirements.maxPricePerHour.baseUnits,
      maxPriceF: Number(requirements.maxPricePerHour.baseUnits),
      priceCap,
      priceCapF: Number(priceCap),
      preferredModels,
      nowMs,
      impossible: (wantedRegion !== undefined && region < 0) || (wantedCountry !== undefined && country < 0),
    };
  }

  private checkLimit(limit: number): void {
    if (!Number.isInteger(limit) || limit < 1 || limit > this.limits.resultLimitMax) {
      throw new MarketError("OUT_OF_RANGE", { field: "limit", value: String(limit), min: "1", max: String(this.limits.resultLimitMax) });
    }
  }

  /**
   * The best active offers for requirements, best first (score, then price, age, id).
   * @throws INVALID_FIELD, OUT_OF_RANGE, INVALID_AMOUNT (validation)
   */
  bestOffers(requirements: JobRequirements, limit = Math.min(RESULT_LIMIT_DEFAULT, this.limits.resultLimitMax)): BookOffer[] {
    this.checkLimit(limit);
    const valid = parseRequirements(requirements);
    const slots = this.bestSlots(this.compile(valid, undefined, this.clock.now()), limit);
    return slots.map((slot) => this.table.materialize(slot));
  }

  /**
   * A pure quote: the matches the order would get now, best first, with score breakdowns.
   * Changes nothing. @throws validation codes, EXPIRED (order past its expiry), OUT_OF_RANGE (limit)
   */
  matchOrder(order: JobOrder, limit = Math.min(RESULT_LIMIT_DEFAULT, this.limits.resultLimitMax)): OrderMatch[] {
    this.checkLimit(limit);
    const valid = parseOrder(order);
    const nowMs = this.clock.now();
    this.assertNotExpired(valid, nowMs);
    const query = this.compile(valid.requirements, valid.maxBudget, nowMs);
    const slots = this.bestSlots(query, limit);
    return slots.map((slot) => this.matchFor(valid, query, slot));
  }

  private assertNotExpired(order: JobOrder, nowMs: number): void {
    if (order.expiresAt.getTime() <= nowMs) {
      throw new MarketError("EXPIRED", { entity: "order", id: order.id, expiresAt: order.expiresAt.toISOString() });
    }
  }

  private matchFor(order: JobOrder, query: CompiledQuery, slot: number): OrderMatch {
    const t = this.table;
    const requirements = order.requirements;
    const price = Amount.fromLamports(t.price[slot] ?? 0n);
    const mask = t.mask[slot] ?? 0;
    // The same integer parts the index ranked by (shape-index.ts), so the shown score is the ranked one.
    const breakdown = scoreBreakdown({
      priceHeadroom: priceHeadroomUnits(t.price[slot] ?? 0n, query.maxPrice),
      gpuFit: gpuFitUnits(query.minGpu, t.freeGpus[slot] ?? 0),
      vramFit: vramFitUnits(query.minVram, t.vram[slot] ?? 0),
      preferredModel: preferredModelUnits(query.preferredModels.includes(t.model[slot] ?? 0)),
      extraFeatures: extraFeaturesUnits(mask, query.requiredMask),
      reputation: this.reputationParts[t.provider[slot] ?? 0] ?? REPUTATION_DEFAULT_UNITS,
      utilization: utilizationUnits(t.utilizationPct(slot)),
    });
    return {
      orderId: order.id,
      offerId: t.ids[slot] as OfferId,
      providerId: t.providers.valueOf(t.provider[slot] ?? 0),
      gpuCount: requirements.minGpuCount,
      pricePerHour: price,
      hours: requirements.estimatedHours,
      totalCost: price.mul(requirements.minGpuCount * requirements.estimatedHours),
      score: breakdown.total,
      scoreBreakdown: breakdown,
    };
  }

  // ---------------------------------------------------------------- orders

  /**
   * Submits an order: it takes the best matching offer at once (allocating minGpuCount GPUs), or
   * rests until an offer that satisfies it gains capacity, or it expires.
   * @throws validation codes, DUPLICATE_ID, EXPIRED, LIMIT_EXCEEDED
   */
  submitOrder(order: JobOrder): SubmitOrderResult {
    const valid = parseOrder(order);
    this.checkNewOrder(valid.id);
    const nowMs = this.clock.now();
    this.assertNotExpired(valid, nowMs);
    const query = this.compile(valid.requirements, valid.maxBudget, nowMs);
    const slots = this.bestSlots(query, 1);
    const slot = slots[0];
    let result: SubmitOrderResult;
    if (slot !== undefined) {
      this.checkAllocationRoom();
      result = { orderId: valid.id, status: OrderStatus.Matched, match: this.allocate(valid, query, slot) };
    } else {
      this.rest(valid, query);
      if (this.listening) this.record({ type: "OrderRested", order: valid });
      result = { orderId: valid.id, status: OrderStatus.Pending };
    }
    this.flush();
    return result;
  }

  /** @throws DUPLICATE_ID (the order rests or holds GPUs) */
  private checkNewOrder(orderId: OrderId): void {
    if (this.resting.get(orderId) !== undefined || this.allocations.has(orderId)) {
      throw new MarketError("DUPLICATE_ID", { kind: "order", id: orderId });
    }
  }

  /** @throws LIMIT_EXCEEDED (allocationsMax) */
  private checkAllocationRoom(): void {
    if (this.allocations.size >= this.limits.allocationsMax) {
      throw new MarketError("LIMIT_EXCEEDED", { limit: "allocationsMax", max: this.limits.allocationsMax });
    }
  }

  /** Rests a validated order with its compiled query. @throws LIMIT_EXCEEDED (restingOrdersMax) */
  private rest(order: JobOrder, query: CompiledQuery): void {
    if (this.resting.size >= this.limits.restingOrdersMax) {
      throw new MarketError("LIMIT_EXCEEDED", { limit: "restingOrdersMax", max: this.limits.restingOrdersMax });
    }
    this.resting.add({ order, query, createdAtMs: order.createdAt.getTime(), expiresAtMs: order.expiresAt.getTime() });
  }

  /** Takes the match's GPUs off the offer in `slot` (the caller checked they are free) and records the allocation. */
  private hold(order: JobOrder, match: OrderMatch, slot: number): void {
    const t = this.table;
    this.indexRemove(slot);
    t.freeGpus[slot] = (t.freeGpus[slot] ?? 0) - match.gpuCount;
    if ((t.freeGpus[slot] ?? 0) > 0 && t.status[slot] === SLOT_ACTIVE) this.indexInsert(slot);
    this.allocations.set(order.id, { order, match, offerSlot: slot, offerEpoch: t.epoch[slot] ?? 0 });
  }

  /** Gives an allocation's GPUs back to its offer if that offer is still held; returns whether it is. */
  private unhold(allocation: Allocation): boolean {
    const t = this.table;
    const slot = allocation.offerSlot;
    // The offer may be gone (withdrawn, expired), and its slot reused by another offer.
    const held = t.status[slot] !== SLOT_FREE && t.epoch[slot] === allocation.offerEpoch;
    if (held) {
      this.indexRemove(slot);
      t.freeGpus[slot] = (t.freeGpus[slot] ?? 0) + allocation.match.gpuCount;
      if (t.status[slot] === SLOT_ACTIVE) this.indexInsert(slot);
    }
    return held;
  }

  private allocate(order: JobOrder, query: CompiledQuery, slot: number): OrderMatch {
    const match = this.matchFor(order, query, slot);
    this.hold(order, match, slot);
    if (this.listening) this.record({ type: "OrderMatched", order: { ...order, status: OrderStatus.Matched }, match });
    return match;
  }

  /** Matches resting orders to an offer that just gained capacity: priority first, then age. */
  private serveResting(slot: number): void {
    if (this.resting.size === 0 || !this.isIndexed(slot)) return;
    const t = this.table;
    const nowMs = this.clock.now();
    const candidates = this.resting.candidatesFor({
      freeGpus: t.freeGpus[slot] ?? 0,
      vramGb: t.vram[slot] ?? 0,
      mask: t.mask[slot] ?? 0,
      region: t.regions.valueOf(t.region[slot] ?? 0),
      price: t.price[slot] ?? 0n,
    });
    for (const entry of candidates) {
      if (!this.isIndexed(slot)) return; // no free GPUs left
      if (entry.expiresAtMs <= nowMs || !this.satisfies(slot, entry, nowMs)) continue;
      if (this.allocations.size >= this.limits.allocationsMax) return;
      this.resting.remove(entry.order.id);
      // Resolve the query again: tables may have learned the order's region or preferred models.
      this.allocate(entry.order, this.compile(entry.order.requirements, entry.order.maxBudget, nowMs), slot);
    }
  }

  /** Does the offer in `slot` satisfy a resting order (the DESIGN.md matching rules). */
  private satisfies(slot: number, entry: RestingOrder, nowMs: number): boolean {
    const t = this.table;
    const q = entry.query;
    const requirements = entry.order.requirements;
    const location = requirements.location;
    const mask = t.mask[slot] ?? 0;
    if ((t.freeGpus[slot] ?? 0) < q.minGpu || (t.vram[slot] ?? 0) < q.minVram || (mask & q.requiredMask) !== q.requiredMask) return false;
    if ((t.expiresAt[slot] ?? 0) <= nowMs) return false;
    if ((t.availableHours[slot] ?? 0) < q.estimatedHours || (t.minCommitment[slot] ?? 0) > q.estimatedHours) return false;
    if ((t.price[slot] ?? 0n) > q.priceCap) return false;
    if (location?.region !== undefined && t.regions.valueOf(t.region[slot] ?? 0) !== location.region) return false;
    if (location?.country !== undefined && ((t.region[slot] ?? 0) === 0 || t.countries.valueOf(t.country[slot] ?? 0) !== location.country)) return false;
    return true;
  }

  /** Cancels a resting order (Pending -> Cancelled). @throws ORDER_NOT_FOUND, INVALID_STATE_TRANSITION (already matched) */
  cancelOrder(orderId: OrderId): void {
    const entry = this.resting.remove(orderId);
    if (entry === undefined) {
      if (this.allocations.has(orderId)) {
        throw new MarketError("INVALID_STATE_TRANSITION", { entity: "order", from: OrderStatus.Matched, to: OrderStatus.Cancelled });
      }
      throw new MarketError("ORDER_NOT_FOUND", { orderId });
    }
    if (this.listening) this.record({ type: "OrderCancelled", orderId });
    this.flush();
  }

  /** The order as the book holds it, with its current status (Pending or Matched). @throws ORDER_NOT_FOUND */
  getOrder(orderId: OrderId): JobOrder {
    const resting = this.resting.get(orderId);
    if (resting !== undefined) return resting.order;
    const allocation = this.allocations.get(orderId);
    if (allocation === undefined) throw new MarketError("ORDER_NOT_FOUND", { orderId });
    return { ...allocation.order, status: OrderStatus.Matched };
  }

  /** The match a matched order holds. @throws ORDER_NOT_FOUND */
  getMatch(orderId: OrderId): OrderMatch {
    const allocation = this.allocations.get(orderId);
    if (allocation === undefined) throw new MarketError("ORDER_NOT_FOUND", { orderId });
    return allocation.match;
  }

  /** Resting orders in serve order (priority, then age). */
  pendingOrders(): JobOrder[] {
    return this.resting.inServeOrder().map((entry) => entry.order);
  }

  /** Number of matched orders still holding GPUs. */
  get allocationCount(): number {
    return this.allocations.size;
  }

  /** Matches whose GPUs are still allocated. */
  activeMatches(): OrderMatch[] {
    return [...this.allocations.values()].map((a) => a.match);
  }

  /**
   * Matches holding GPUs (matched, funded or running jobs) of one provider and/or one buyer, in the
   * order they were made; at most `limit`. @throws OUT_OF_RANGE (limit)
   */
  matchesOf(filter: { readonly providerId?: string; readonly buyerId?: string }, limit: number): OrderMatch[] {
    this.checkLimit(limit);
    const found: OrderMatch[] = [];
    for (const { order, match } of this.allocations.values()) {
      if ((filter.providerId !== undefined && match.providerId !== filter.providerId) || (filter.buyerId !== undefined && order.buyerId !== filter.buyerId)) continue;
      found.push(match);
      if (found.length >= limit) break;
    }
    return found;
  }

  /**
   * The job of a matched order ended: its GPUs return to the offer (if the offer is still held)
   * and resting orders that now fit are served. @throws ORDER_NOT_FOUND
   */
  releaseAllocation(orderId: OrderId): void {
    const allocation = this.allocations.get(orderId);
    if (allocation === undefined) throw new MarketError("ORDER_NOT_FOUND", { orderId });
    this.allocations.delete(orderId);
    const { offerId, gpuCount } = allocation.match;
    const slot = allocation.offerSlot;
    const held = this.unhold(allocation);
    if (this.listening) this.record({ type: "AllocationReleased", orderId, offerId, gpuCount });
    if (held && this.table.status[slot] === SLOT_ACTIVE) this.serveResting(slot);
    this.flush();
  }

  // ---------------------------------------------------------------- replication

  /**
   * Applies an event another book emitted (or one rebuilt from a store), with no matching of its own:
   * OfferAdded inserts the offer with the event's freeGpuCount (Active or Paused, even when already past
   * its expiry: expire() removes it); OrderRested rests the order (even when expired); OrderMatched
   * removes the order from the resting set if it rests there and allocates match.gpuCount GPUs of
   * match.offerId to it, with the event's match as is; OrderCancelled / OrderExpired remove a resting
   * order; OfferPaused / OfferResumed / OfferWithdrawn / OfferExpired change the offer's state;
   * AllocationReleased returns the GPUs (if the offer is still held); ReputationChanged sets the
   * reputation. It never serves resting orders. Nothing changes when it throws.
   * The book's own listeners are told of the applied event (re-stamped with this book's seq and time).
   * Invariant: a book that applies, in order, every event another book emitted holds the same offers (with
   * the same free GPUs and status), the same resting orders and the same allocations.
   * @throws DUPLICATE_ID, OFFER_NOT_FOUND, ORDER_NOT_FOUND, INSUFFICIENT_CAPACITY (a match that does not fit),
   * LIMIT_EXCEEDED, INVALID_STATE_TRANSITION (pause / resume of an offer not in the state to leave),
   * INVALID_FIELD, OUT_OF_RANGE, INVALID_AMOUNT (validation of offers, orders, freeGpuCount, match.gpuCount)
   */
  apply(event: BookEventBody): void {
    switch (event.type) {
      case "OfferAdded":
        this.applyOfferAdded(event.offer);
        break;
      case "OfferPaused":
        this.pauseSlot(this.slotOf(event.offerId));
        break;
      case "OfferResumed": {
        const slot = this.slotOf(event.offerId);
        this.assertSlotStatus(slot, SLOT_PAUSED, OfferStatus.Active);
        this.activateSlot(slot);
        break;
      }
      case "OfferWithdrawn":
      case "OfferExpired":
        this.dropSlot(this.slotOf(event.offerId));
        break;
      case "OrderRested": {
        const valid = parseOrder(event.order);
        this.checkNewOrder(valid.id);
        this.rest(valid, this.compile(valid.requirements, valid.maxBudget, this.clock.now()));
        break;
      }
      case "OrderMatched":
        this.applyMatch(event.order, event.match);
        break;
      case "OrderCancelled":
      case "OrderExpired":
        if (this.resting.remove(event.orderId) === undefined) throw new MarketError("ORDER_NOT_FOUND", { orderId: event.orderId });
        break;
      case "AllocationReleased": {
        const allocation = this.allocations.get(event.orderId);
        if (allocation === undefined) throw new MarketError("ORDER_NOT_FOUND", { orderId: event.orderId });
        this.allocations.delete(event.orderId);
        this.unhold(allocation);
        break;
      }
      case "ReputationChanged":
        this.storeReputation(event.providerId, event.reputation);
        break;
      default: {
        const type: unknown = (event as { readonly type?: unknown }).type;
        throw new MarketError("INVALID_FIELD", { field: "event.type", value: describeValue(type), allowed: "a BookEvent type" });
      }
    }
    // record() stamps a copy with this book's seq and time, over any the event carries.
    if (this.listening) this.record(event);
    this.flush();
  }

  private applyOfferAdded(offer: BookOffer): void {
    const status: unknown = offer.status;
    if (status !== OfferStatus.Active && status !== OfferStatus.Paused) {
      throw new MarketError("INVALID_FIELD", { field: "offer.status", value: describeValue(status), allowed: "Active, Paused" });
    }
    const valid = parseOffer({ ...offer, status: OfferStatus.Active });
    this.checkNewOffer(valid.id);
    const freeGpus: unknown = offer.freeGpuCount;
    assertIntInRange("offer.freeGpuCount", freeGpus, 0, valid.gpuCapacity.gpuCount);
    this.storeOffer(valid, freeGpus, status === OfferStatus.Paused);
    this.maybeCompactExpiries();
  }

  private applyMatch(order: JobOrder, match: OrderMatch): void {
    const entry = this.resting.get(order.id);
    // The event's order says Matched; the book holds orders as they were submitted (Pending).
    const pending = entry?.order ?? parseOrder({ ...order, status: OrderStatus.Pending });
    if (entry === undefined) this.checkNewOrder(pending.id);
    if (match.orderId !== pending.id) {
      throw new MarketError("INVALID_FIELD", { field: "match.orderId", value: describeValue(match.orderId), allowed: `the order's id ${pending.id}` });
    }
    const slot = this.slotOf(match.offerId);
    assertIntInRange("match.gpuCount", match.gpuCount, 1, GPU_COUNT_MAX);
    const free = this.table.freeGpus[slot] ?? 0;
    if (free < match.gpuCount) throw new MarketError("INSUFFICIENT_CAPACITY", { required: match.gpuCount, available: free });
    this.checkAllocationRoom();
    if (entry !== undefined) this.resting.remove(pending.id);
    this.hold(pending, match, slot);
  }

  /** The book's offers (id, status, free GPUs) and allocations by id, and its resting orders in serve order. */
  snapshot(): BookSnapshot {
    const offers: { id: OfferId; status: OfferStatus; freeGpuCount: number }[] = [];
    for (let slot = 0; slot < this.table.highWater; slot++) {
      if (this.table.status[slot] === SLOT_FREE) continue;
      offers.push({ id: this.table.ids[slot] as OfferId, status: this.offerStatusOf(slot), freeGpuCount: this.table.freeGpus[slot] ?? 0 });
    }
    const allocations = [...this.allocations.values()].map(({ match }) => ({ orderId: match.orderId, offerId: match.offerId, gpuCount: match.gpuCount }));
    return {
      offers: offers.sort(byId((o) => o.id)),
      restingOrders: this.resting.inServeOrder().map((entry) => entry.order.id),
      allocations: allocations.sort(byId((a) => a.orderId)),
    };
  }

  // ---------------------------------------------------------------- expiry

  private expireOfferSlot(slot: number): void {
    const offerId = this.table.ids[slot] as OfferId;
    this.dropSlot(slot);
    if (this.listening) this.record({ type: "OfferExpired", offerId });
  }

  /** Expires every offer and resting order whose expiry is at or before the clock's now. */
  expire(): ExpiryResult {
    const nowMs = this.clock.now();
    const offers: OfferId[] = [];
    while (this.expiries.peekTime() <= nowMs) {
      const slot = this.expiries.pop();
      if (this.table.status[slot] === SLOT_FREE || (this.table.expiresAt[slot] ?? 0) > nowMs) continue;
      offers.push(this.table.ids[slot] as OfferId);
      this.expireOfferSlot(slot);
    }
    const orders: OrderId[] = [];
    for (const entry of this.resting.expiredAt(nowMs)) {
      this.resting.remove(entry.order.id);
      orders.push(entry.order.id);
      if (this.listening) this.record({ type: "OrderExpired", orderId: entry.order.id });
    }
    this.flush();
    return { offers, orders };
  }

  /** Rebuilds the expiry heap when stale entries outnumber live offers. */
  private maybeCompactExpiries(): void {
    if (this.expiries.size <= 2 * this.table.liveCount + 1024) return;
    this.expiries.clear();
    for (let slot = 0; slot < this.table.highWater; slot++) {
      if (this.table.status[slot] !== SLOT_FREE) this.expiries.push(this.table.expiresAt[slot] ?? 0, slot);
    }
  }
}
