// OfferTable: the book's offers stored column-wise in typed arrays (struct of arrays), with
// interned strings, so a million offers cost a couple of hundred bytes each (offer-materialize.ts
// turns a slot back into an offer). In memory only.
import { featureMask } from "../core/enums.js";
import type { OfferId } from "../core/ids.js";
import { normalizeGpuModel } from "../core/gpu-model.js";
import type { CapacityOffer, GpuCapacity } from "../core/types.js";
import { InternTable } from "./intern-table.js";
import type { RestoreRows, RestoreShape } from "./restore-rows.js";

/** Slot status codes; 0 means the slot is free. */
export const SLOT_FREE = 0;
export const SLOT_ACTIVE = 1;
export const SLOT_PAUSED = 2;

/** The utilization column of an offer that states none. */
export const NO_UTILIZATION = 255;
const INITIAL_CAPACITY = 1024;
const WORD = 2 ** 32;
/** Index of the low 32-bit word of a 64-bit element in a Uint32Array view (0 on little-endian). */
const LOW_WORD = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 0 : 1;

/** Intern-table indexes of one offer's strings. */
export interface InternedStrings {
  readonly model: number;
  readonly modelName: number;
  readonly provider: number;
  readonly region: number;
  readonly country: number;
  readonly computeCapability: number;
}

/** Intern-table indexes and feature mask of a restored shape (RestoreShape): all of an offer's but its provider's. */
export interface InternedShape {
  readonly model: number;
  readonly modelName: number;
  readonly region: number;
  readonly country: number;
  readonly computeCapability: number;
  readonly mask: number;
}

/** Distinct values the book keeps tables for: named limits. */
export const INTERN_LIMITS = {
  gpuModels: 4095,
  regions: 8191,
  countries: 300,
  providers: 4_000_000,
  modelNames: 65_535,
  computeCapabilities: 1023,
} as const;

function grow<T extends Float64Array | Uint32Array | Int32Array | Uint16Array | Uint8Array | BigUint64Array>(
  array: T,
  capacity: number,
): T {
  const next = new (array.constructor as new (length: number) => T)(capacity);
  next.set(array as never);
  return next;
}

/**
 * Column storage of offers by slot. Invariants: a slot is free iff status[slot] === SLOT_FREE;
 * freeGpus[slot] <= gpuCount[slot]; every live slot has its id in `slotById`.
 */
export class OfferTable {
  capacity = INITIAL_CAPACITY;
  /** One past the highest slot ever used. */
  highWater = 0;
  liveCount = 0;
  private readonly freeSlots: number[] = [];
  readonly slotById = new Map<string, number>();
  ids: (OfferId | undefined)[] = [];

  priceF = new Float64Array(INITIAL_CAPACITY);
  price = new BigUint64Array(INITIAL_CAPACITY);
  /** `price` as 32-bit words, so a price below 2^53 is written without making a bigint. */
  private priceWords = new Uint32Array(this.price.buffer);
  gpuCount = new Uint16Array(INITIAL_CAPACITY);
  freeGpus = new Uint16Array(INITIAL_CAPACITY);
  vram = new Uint16Array(INITIAL_CAPACITY);
  availableHours = new Uint16Array(INITIAL_CAPACITY);
  minCommitment = new Uint16Array(INITIAL_CAPACITY);
  createdAt = new Float64Array(INITIAL_CAPACITY);
  expiresAt = new Float64Array(INITIAL_CAPACITY);
  status = new Uint8Array(INITIAL_CAPACITY);
  mask = new Uint8Array(INITIAL_CAPACITY);
  utilization = new Uint8Array(INITIAL_CAPACITY);
  region = new Uint16Array(INITIAL_CAPACITY);
  country = new Uint16Array(INITIAL_CAPACITY);
  model = new Uint16Array(INITIAL_CAPACITY);
  computeCapability = new Uint16Array(INITIAL_CAPACITY);
  modelName = new Uint16Array(INITIAL_CAPACITY);
  memoryBandwidth = new Uint32Array(INITIAL_CAPACITY);
  provider = new Uint32Array(INITIAL_CAPACITY);
  /** Incarnation number, so an allocation never returns GPUs to a later offer in the same slot. */
  epoch = new Float64Array(INITIAL_CAPACITY);

  readonly models = new InternTable("gpuModels", INTERN_LIMITS.gpuModels);
  readonly regions = new InternTable("regions", INTERN_LIMITS.regions);
  readonly countries = new InternTable("countries", INTERN_LIMITS.countries);
  readonly providers = new InternTable("providers", INTERN_LIMITS.providers);
  /** Live offers per interned provider. */
  private readonly liveByProvider = new Map<number, number>();
  readonly modelNames = new InternTable("modelNames", INTERN_LIMITS.modelNames);
  readonly computeCapabilities = new InternTable("computeCapabilities", INTERN_LIMITS.computeCapabilities);
  private nextEpoch = 1;

  private ensureCapacity(): void {
    if (this.highWater < this.capacity) return;
    const capacity = this.capacity * 2;
    this.priceF = grow(this.priceF, capacity);
    this.price = grow(this.price, capacity);
    this.priceWords = new Uint32Array(this.price.buffer);
    this.gpuCount = grow(this.gpuCount, capacity);
    this.freeGpus = grow(this.freeGpus, capacity);
    this.vram = grow(this.vram, capacity);
    this.availableHours = grow(this.availableHours, capacity);
    this.minCommitment = grow(this.minCommitment, capacity);
    this.createdAt = grow(this.createdAt, capacity);
    this.expiresAt = grow(this.expiresAt, capacity);
    this.status = grow(this.status, capacity);
    this.mask = grow(this.mask, capacity);
    this.utilization = grow(this.utilization, capacity);
    this.region = grow(this.region, capacity);
    this.country = grow(this.country, capacity);
    this.model = grow(this.model, capacity);
    this.computeCapability = grow(this.computeCapability, capacity);
    this.modelName = grow(this.modelName, capacity);
    this.memoryBandwidth = grow(this.memoryBandwidth, capacity);
    this.provider = grow(this.provider, capacity);
    this.epoch = grow(this.epoch, capacity);
    this.capacity = capacity;
  }

  /** The interned strings of an offer. @throws LIMIT_EXCEEDED (intern tables) */
  private internStrings(offer: CapacityOffer): InternedStrings {
    const capacity = offer.gpuCapacity;
    return {
      model: this.models.intern(normalizeGpuModel(capacity.gpuModel)),
      modelName: this.modelNames.intern(capacity.gpuModel),
      provider: this.providers.intern(offer.providerId),
      region: offer.location === undefined ? 0 : this.regions.intern(offer.location.region),
      country: offer.location === undefined ? 0 : this.countries.intern(offer.location.country),
      computeCapability: capacity.computeCapability === undefined ? 0 : this.computeCapabilities.intern(capacity.computeCapability),
    };
  }

  /** Stores a validated offer in a free slot and returns the slot. @throws LIMIT_EXCEEDED (intern tables), before storing */
  insert(offer: CapacityOffer, interned: InternedStrings = this.internStrings(offer)): number {
    const capacity: GpuCapacity = offer.gpuCapacity;
    const { model, modelName, provider, region, country, computeCapability } = interned;
    const slot = this.claimSlot(offer.id, provider);
    this.priceF[slot] = Number(offer.pricePerHour.baseUnits);
    this.price[slot] = offer.pricePerHour.baseUnits;
    this.gpuCount[slot] = capacity.gpuCount;
    this.freeGpus[slot] = capacity.gpuCount;
    this.vram[slot] = capacity.vramGb;
    this.availableHours[slot] = offer.availableHours;
    this.minCommitment[slot] = offer.minCommitmentHours;
    this.createdAt[slot] = offer.createdAt.getTime();
    this.expiresAt[slot] = offer.expiresAt.getTime();
    this.status[slot] = SLOT_ACTIVE;
    this.mask[slot] = featureMask(offer.features);
    this.utilization[slot] = capacity.currentUtilization ?? NO_UTILIZATION;
    this.region[slot] = region;
    this.country[slot] = country;
    this.model[slot] = model;
    this.computeCapability[slot] = computeCapability;
    this.modelName[slot] = modelName;
    this.memoryBandwidth[slot] = capacity.memoryBandwidth ?? 0;
    return slot;
  }

  /** The interned strings of a restored shape with feature mask `mask` (validated). @throws LIMIT_EXCEEDED (intern tables) */
  internShape(shape: RestoreShape, mask: number): InternedShape {
    const location = shape.location;
    return {
      model: this.models.intern(normalizeGpuModel(shape.gpuModel)),
      modelName: this.modelNames.intern(shape.gpuModel),
      region: location === undefined ? 0 : this.regions.intern(location.region),
      country: location === undefined ? 0 : this.countries.intern(location.country),
      computeCapability: shape.computeCapability === undefined ? 0 : this.computeCapabilities.intern(shape.computeCapability),
      mask,
    };
  }

  /** A free slot for offer `id` of interned `provider`, counted live, with a new epoch (the caller writes its columns). */
  private claimSlot(id: OfferId, provider: number): number {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      this.ensureCapacity();
      slot = this.highWater++;
    }
    this.ids[slot] = id;
    this.slotById.set(id, slot);
    this.provider[slot] = provider;
    this.epoch[slot] = this.nextEpoch++;
    this.liveCount++;
    this.liveByProvider.set(provider, (this.liveByProvider.get(provider) ?? 0) + 1);
    return slot;
  }

  /**
   * Stores row `row` of restored rows (validated) in a free slot, with its stored free GPUs and
   * status, and returns the slot: the columns insert() writes for the offer the row holds.
   */
  insertRow(rows: RestoreRows, row: number, shape: InternedShape, provider: number): number {
    const slot = this.claimSlot(rows.ids[row] as OfferId, provider);
    const priceF = rows.priceF[row] ?? 0;
    this.priceF[slot] = priceF;
    const exact = rows.exactPrices.size === 0 ? undefined : rows.exactPrices.get(row);
    if (exact === undefined) {
      // Below 2^53: the double's two 32-bit halves, low word first in memory on little-endian.
      const low = priceF % WORD;
      this.priceWords[2 * slot + LOW_WORD] = low;
      this.priceWords[2 * slot + 1 - LOW_WORD] = (priceF - low) / WORD;
    } else this.price[slot] = exact;
    this.gpuCount[slot] = rows.gpuCount[row] ?? 0;
    this.freeGpus[slot] = rows.freeGpus[row] ?? 0;
    this.vram[slot] = rows.vramGb[row] ?? 0;
    this.availableHours[slot] = rows.availableHours[row] ?? 0;
    this.minCommitment[slot] = rows.minCommitmentHours[row] ?? 0;
    this.createdAt[slot] = rows.createdAtMs[row] ?? 0;
    this.expiresAt[slot] = rows.expiresAtMs[row] ?? 0;
    this.status[slot] = rows.paused[row] === 1 ? SLOT_PAUSED : SLOT_ACTIVE;
    this.mask[slot] = shape.mask;
    const utilization = rows.utilization[row] ?? -1;
    this.utilization[slot] = utilization < 0 ? NO_UTILIZATION : utilization;
    this.region[slot] = shape.region;
    this.country[slot] = shape.country;
    this.model[slot] = shape.model;
    this.computeCapability[slot] = shape.computeCapability;
    this.modelName[slot] = shape.modelName;
    const bandwidth = rows.memoryBandwidth[row] ?? -1;
    this.memoryBandwidth[slot] = bandwidth < 0 ? 0 : bandwidth;
    return slot;
  }

  /**
   * Stores many validated offers; all or none (the intern tables are checked first).
   * @throws LIMIT_EXCEEDED (intern tables), before anything is stored
   */
  insertMany(offers: readonly CapacityOffer[]): number[] {
    // Intern every string first, so a LIMIT_EXCEEDED leaves the offers out.
    const interned = offers.map((offer) => this.internStrings(offer));
    return offers.map((offer, i) => this.insert(offer, interned[i]));
  }

  /** Frees a slot. */
  release(slot: number): void {
    const provider = this.provider[slot] ?? 0;
    const live = (this.liveByProvider.get(provider) ?? 1) - 1;
    if (live === 0) this.liveByProvider.delete(provider);
    else this.liveByProvider.set(provider, live);
    const id = this.ids[slot];
    if (id !== undefined) this.slotById.delete(id);
    this.ids[slot] = undefined;
    this.status[slot] = SLOT_FREE;
    this.freeSlots.push(slot);
    this.liveCount--;
  }

  /** Offers (active or paused) `providerId` holds in the table now. */
  liveOffersOf(providerId: string): number {
    const provider = this.providers.lookup(providerId);
    return provider < 0 ? 0 : (this.liveByProvider.get(provider) ?? 0);
  }

  /** Utilization in percent used for scoring (unknown counts as 0). */
  utilizationPct(slot: number): number {
    const value = this.utilization[slot] ?? 0;
    return value === NO_UTILIZATION ? 0 : value;
  }
}
