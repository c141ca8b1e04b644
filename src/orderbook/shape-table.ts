// ShapeTable: the distinct shapes of offers (normalized model, VRAM, feature mask, free GPUs and,
// for the region index, region), their pools by region and country, and the shapes each class of
// query may use. Shapes are never deleted. In memory only, no I/O.
import { capacityFits } from "./matching.js";
import type { OfferTable } from "./offer-table.js";
import type { CompiledQuery } from "./query.js";
import { extraFeaturesUnits, gpuFitUnits, vramFitUnits } from "./score.js";

/** Region indexes < 2^13, country indexes < 2^10: the pools of the candidate cache key. */
const REGION_KEYS = 8192;
const POOL_KEYS = REGION_KEYS + 1 + 1024;
/** Query classes whose candidate shapes are remembered (grown as shapes appear); the cache starts over when full. */
export const CANDIDATE_CACHE_MAX = 4096;

/** The shapes a class of query may use, with the score terms each shape fixes. */
export interface CandidateShapes {
  /** Shapes (of the pool) checked so far. */
  scanned: number;
  count: number;
  readonly shapes: number[];
  /** GPU fit + VRAM fit parts of each shape, in score units. */
  readonly fitTerms: number[];
  /** Extra-features part of each shape, in score units. */
  readonly featureTerms: number[];
}

function grown<T extends Uint16Array | Uint8Array>(array: T, length: number): T {
  const next = new (array.constructor as new (length: number) => T)(length);
  next.set(array);
  return next;
}

/**
 * The shapes of one index. Invariants: shapes are numbered 0..count-1 in order of creation; two
 * slots with equal shape keys get the same shape; every shape is in the pool of its region.
 */
export class ShapeTable {
  /** Number of shapes ever created. */
  count = 0;
  private readonly shapeByKey = new Map<number, Map<number, number>>();
  /** Normalized model of each shape. */
  model = new Uint16Array(64);
  private vram = new Uint16Array(64);
  private mask = new Uint8Array(64);
  private free = new Uint16Array(64);
  private readonly regionShapes: number[][] = [];
  /** Shapes holding offers of each country (region index only): pools for country-only queries. */
  private readonly countryShapes: number[][] = [];
  private readonly countryShapeSeen = new Set<number>();
  private readonly candidateCache = new Map<number, CandidateShapes>();

  /** @param withRegion key shapes by region too (for queries that name a region or a country). */
  constructor(
    private readonly table: OfferTable,
    private readonly withRegion: boolean,
  ) {}

  /** The shape of the offer in `slot`, created when new (then its number is the old count). */
  shapeOf(slot: number): number {
    const t = this.table;
    const model = t.model[slot] ?? 0;
    const vram = t.vram[slot] ?? 0;
    const mask = t.mask[slot] ?? 0;
    const free = t.freeGpus[slot] ?? 0;
    const region = this.withRegion ? (t.region[slot] ?? 0) : 0;
    // Two small-integer keys (no heap-number keys): model < 2^12 and vram < 2^12 make 24 bits;
    // mask < 2^5, free < 2^11 and region < 2^13 make 29 bits.
    const outerKey = model * 4096 + vram;
    const innerKey = (mask * 2048 + free) * 8192 + region;
    let byInner = this.shapeByKey.get(outerKey);
    if (byInner === undefined) {
      byInner = new Map<number, number>();
      this.shapeByKey.set(outerKey, byInner);
    }
    let shape = byInner.get(innerKey);
    if (shape === undefined) {
      shape = this.count++;
      if (shape >= this.model.length) {
        const length = this.model.length * 2;
        this.model = grown(this.model, length);
        this.vram = grown(this.vram, length);
        this.mask = grown(this.mask, length);
        this.free = grown(this.free, length);
      }
      this.model[shape] = model;
      this.vram[shape] = vram;
      this.mask[shape] = mask;
      this.free[shape] = free;
      (this.regionShapes[region] ??= []).push(shape);
      byInner.set(innerKey, shape);
    }
    this.noteCountry(shape, slot);
    return shape;
  }

  /** Records that `shape` holds an offer of the slot's country (once per shape and country). */
  private noteCountry(shape: number, slot: number): void {
    if (!this.withRegion) return;
    const country = this.table.country[slot] ?? 0;
    if (country === 0) return;
    const key = shape * 1024 + country;
    if (this.countryShapeSeen.has(key)) return;
    this.countryShapeSeen.add(key);
    (this.countryShapes[country] ??= []).push(shape);
  }

  /** Shapes ever created in the pool a query would walk: its region's, else its country's, else all. */
  poolSizeOf(query: CompiledQuery): number {
    const region = this.withRegion ? query.region : -1;
    const country = this.withRegion && region < 0 ? query.country : -1;
    if (region >= 0) return this.regionShapes[region]?.length ?? 0;
    if (country >= 0) return this.countryShapes[country]?.length ?? 0;
    return this.count;
  }

  /**
   * Shapes that pass a query's fixed filters (free GPUs, VRAM, features: capacityFits; region),
   * with the GPU/VRAM fit and extra-feature terms, cached per query class until a new shape appears.
   * Invariant: holds every shape of the query's pool that passes, in creation order.
   */
  candidatesFor(query: CompiledQuery): CandidateShapes {
    const region = this.withRegion ? query.region : -1;
    const country = this.withRegion && region < 0 ? query.country : -1;
    const { minGpu, minVram, requiredMask } = query;
    // Pool: the region's shapes, else the country's shapes, else all shapes.
    const poolKey = region >= 0 ? region + 1 : country >= 0 ? REGION_KEYS + 1 + country : 0;
    const key = ((minGpu * 4096 + minVram) * 32 + requiredMask) * POOL_KEYS + poolKey;
    let entry = this.candidateCache.get(key);
    if (entry === undefined) {
      if (this.candidateCache.size >= CANDIDATE_CACHE_MAX) this.candidateCache.clear();
      entry = { scanned: 0, count: 0, shapes: [], fitTerms: [], featureTerms: [] };
      this.candidateCache.set(key, entry);
    }
    // Shapes are never deleted, so only shapes created since the last look need checking.
    const pool = region >= 0 ? (this.regionShapes[region] ?? []) : country >= 0 ? (this.countryShapes[country] ?? []) : undefined;
    const end = pool === undefined ? this.count : pool.length;
    for (let i = entry.scanned; i < end; i++) {
      const shape = pool === undefined ? i : (pool[i] ?? 0);
      const free = this.free[shape] ?? 0;
      const vram = this.vram[shape] ?? 0;
      const mask = this.mask[shape] ?? 0;
      if (!capacityFits(free, vram, mask, minGpu, minVram, requiredMask)) continue;
      entry.shapes.push(shape);
      entry.fitTerms.push(gpuFitUnits(minGpu, free) + vramFitUnits(minVram, vram));
      entry.featureTerms.push(extraFeaturesUnits(mask, requiredMask));
      entry.count++;
    }
    entry.scanned = end;
    return entry;
  }
}
