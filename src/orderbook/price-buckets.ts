// PriceBuckets: the indexed offers in cells (fit class of free GPUs and VRAM, fit-classes.ts, x band
// of the order-independent score part, score.ts) and, in each cell, in buckets of price (64 per
// power of two, cut by the bits of the price's float, so about 1 % wide: price-bucket-of.ts), and by model. The price
// walk (price-walk.ts) reads them cheapest first. In memory only, no I/O.
import type { OfferTable } from "./offer-table.js";
import {
  CHILD_BIT,
  CHILD_OF,
  COARSE_CHILDREN,
  COARSE_CLASSES,
  COARSE_OF,
  ClassMasks,
  FINE_CLASSES,
  fitClassOf,
  maskBitOf,
} from "./fit-classes.js";
import { ProviderSlots as SlotLists } from "./provider-slots.js";
import { insertAt, removeAt, searchBuckets } from "./bucket-arrays.js";
import { PRICE_BUCKETS, priceBucketOf } from "./price-bucket-of.js";
import type { Reputations } from "./reputations.js";
import { STATIC_BANDS, STATIC_BAND_UPPER, staticBandOf, utilizationUnits } from "./score.js";

/**
 * Score.ts's static bands merged in one band of a cell: 2^BAND_SHIFT, so a band is 12.5 % of the
 * part wide. Finer bands bound tighter but split sparse books into cells of one offer each, and a
 * query then pays a heap entry per offer.
 */
const BAND_SHIFT = 2;
/** Bands of the order-independent part (reputation + utilization) a fine class splits into. */
export const WALK_BANDS = STATIC_BANDS >> BAND_SHIFT;
/** Highest order-independent part in each band, in units (exact). */
export const WALK_BAND_UPPER: readonly number[] = Array.from(
  { length: WALK_BANDS },
  (_, band) => STATIC_BAND_UPPER[((band + 1) << BAND_SHIFT) - 1] ?? 0,
);
/** Cells: fine fit class x WALK_BANDS + band. */
const CELLS = FINE_CLASSES * WALK_BANDS;

const NO_BUCKETS: readonly number[] = [];
const NO_LISTS: readonly (readonly number[])[] = [];

/**
 * The indexed offers by cell and bucket of price, and by model. A cell is a fine fit class x band;
 * fine classes group into coarse ones (fit-classes.ts). Invariants: a slot is in exactly one bucket
 * list, that of slotCell[slot] and its price (neither changes while it is in; its cell is kept,
 * since a reputation may change before the slot is taken out), and in its model's list, iff
 * inserted and not removed; slotPos[slot] is its place in the first, -1 when out; a cell's buckets
 * are its non-empty buckets in ascending order, its lists theirs, element for element, and its mask sets at least their slots' masks, cellFirst
 * its first bucket (PRICE_BUCKETS when none); the first
 * bucket of a fine or coarse class is the lowest of its cells' (PRICE_BUCKETS when none); bit b
 * of fineBands[fine] is set iff cell (fine, b) holds a slot, and bit c of coarseChildren[coarse]
 * iff its child c holds one.
 */
export class PriceBuckets {
  /** Non-empty buckets of each cell, ascending, made when the cell first holds a slot. */
  private readonly cellBuckets: (number[] | undefined)[] = [];
  /** The slots of each of those buckets. */
  private readonly cellLists: (number[][] | undefined)[] = [];
  /** The feature masks of each of those buckets' slots: bit m is set if the bucket holds a slot of mask m (and may stay set after). */
  private readonly bucketMaskSets: (number[] | undefined)[] = [];
  /** The first of each cell's buckets (PRICE_BUCKETS when empty), packed: a query reads it for every cell it weighs. */
  private readonly cellFirst = new Uint16Array(CELLS).fill(PRICE_BUCKETS);
  private readonly cellSize = new Int32Array(CELLS);
  private readonly fineFirst = new Uint16Array(FINE_CLASSES).fill(PRICE_BUCKETS);
  private readonly fineBands = new Uint32Array(FINE_CLASSES);
  private readonly coarseFirst = new Uint16Array(COARSE_CLASSES).fill(PRICE_BUCKETS);
  private readonly coarseChildren = new Uint16Array(COARSE_CLASSES);
  /** Feature masks held by each fine and each coarse class. */
  readonly fineMasks = new ClassMasks(FINE_CLASSES);
  readonly coarseMasks = new ClassMasks(COARSE_CLASSES);
  /**
   * Feature masks of each cell's slots (bit m: mask m), at least those it holds, cleared when it
   * empties: a query skips cells none of whose offers has its required features.
   */
  private readonly cellMaskSets = new Uint32Array(CELLS);
  private slotPos = new Int32Array(1024).fill(-1);
  private slotCell = new Uint16Array(1024);
  /** The same slots by normalized model: a query walks its preferred (or allowed) models' offers. */
  readonly modelSlots = new SlotLists();

  constructor(
    private readonly table: OfferTable,
    private readonly reputations: Reputations,
  ) {}

  /** The cell a slot goes in now: its fine fit class and the band of its reputation + utilization. */
  private cellOf(slot: number): number {
    const t = this.table;
    const staticUnits = this.reputations.unitsOf(t.provider[slot] ?? 0) + utilizationUnits(t.utilizationPct(slot));
    return fitClassOf(t.freeGpus[slot] ?? 0, t.vram[slot] ?? 0) * WALK_BANDS + (staticBandOf(staticUnits) >> BAND_SHIFT);
  }

  /** Adds a slot. Invariant: not already in; its price and VRAM do not change while in, its free GPUs only before a move(). */
  insert(slot: number): void {
    if (slot >= this.slotPos.length) this.grow(slot);
    this.addToCell(slot, this.cellOf(slot));
    this.modelSlots.add(slot, this.table.model[slot] ?? 0);
  }

  /** Removes a slot (no-op when it is not in). */
  remove(slot: number): void {
    if (!this.removeFromCell(slot)) return;
    this.modelSlots.remove(slot, this.table.model[slot] ?? 0);
  }

  /**
   * Puts a slot that is in into the cell its free GPUs make now (they changed; its model did not,
   * so its model list stays as it is). Same state as remove() then insert(), but for the order of
   * slots inside their lists, which no answer depends on (the walk ranks by ranking.ts and counts visits by list size).
   */
  move(slot: number): void {
    if (slot >= this.slotPos.length || (this.slotPos[slot] ?? -1) < 0) return;
    // Its band (reputation + utilization) stays: only the fit class of its free GPUs may change.
    const was = this.slotCell[slot] ?? 0;
    const t = this.table;
    const cell = fitClassOf(t.freeGpus[slot] ?? 0, t.vram[slot] ?? 0) * WALK_BANDS + (was % WALK_BANDS);
    if (cell === was) return;
    this.removeFromCell(slot);
    this.addToCell(slot, cell);
  }

  /** Puts a slot in `cell`, in its price's bucket. */
  private addToCell(slot: number, cell: number): void {
    const bucket = priceBucketOf(this.table.priceF[slot] ?? 0);
    let buckets = this.cellBuckets[cell];
    let lists = this.cellLists[cell];
    let maskSets = this.bucketMaskSets[cell];
    if (buckets === undefined || lists === undefined || maskSets === undefined) {
      buckets = [];
      lists = [];
      maskSets = [];
      this.cellBuckets[cell] = buckets;
      this.cellLists[cell] = lists;
      this.bucketMaskSets[cell] = maskSets;
    }
    const at = searchBuckets(buckets, bucket);
    let list = lists[at];
    if (buckets[at] !== bucket || list === undefined) {
      list = [];
      insertAt(buckets, at, bucket);
      insertAt(lists, at, list);
      insertAt(maskSets, at, 0);
      if (at === 0) this.cellFirst[cell] = bucket;
    }
    maskSets[at] = (maskSets[at] ?? 0) | maskBitOf(this.table.mask[slot] ?? 0);
    this.slotPos[slot] = list.length;
    this.slotCell[slot] = cell;
    list.push(slot);
    const fine = Math.floor(cell / WALK_BANDS);
    const coarse = COARSE_OF[fine] ?? 0;
    if (bucket < (this.fineFirst[fine] ?? PRICE_BUCKETS)) this.fineFirst[fine] = bucket;
    if (bucket < (this.coarseFirst[coarse] ?? PRICE_BUCKETS)) this.coarseFirst[coarse] = bucket;
    if ((this.cellSize[cell] = (this.cellSize[cell] ?? 0) + 1) === 1) {
      this.fineBands[fine] = (this.fineBands[fine] ?? 0) | (1 << (cell % WALK_BANDS));
      this.coarseChildren[coarse] = (this.coarseChildren[coarse] ?? 0) | (1 << (CHILD_BIT[fine] ?? 0));
    }
    const mask = this.table.mask[slot] ?? 0;
    this.fineMasks.add(fine, mask);
    this.coarseMasks.add(coarse, mask);
    this.cellMaskSets[cell] = (this.cellMaskSets[cell] ?? 0) | maskBitOf(mask);
  }

  private grow(slot: number): void {
    const length = Math.max(slot + 1, this.slotPos.length * 2);
    const positions = new Int32Array(length).fill(-1);
    positions.set(this.slotPos);
    this.slotPos = positions;
    const cells = new Uint16Array(length);
    cells.set(this.slotCell);
    this.slotCell = cells;
  }

  /** Takes a slot out of its cell; returns false (and does nothing) when it is not in. */
  private removeFromCell(slot: number): boolean {
    const pos = slot < this.slotPos.length ? (this.slotPos[slot] ?? -1) : -1;
    if (pos < 0) return false;
    const cell = this.slotCell[slot] ?? 0;
    const bucket = priceBucketOf(this.table.priceF[slot] ?? 0);
    const buckets = this.cellBuckets[cell] ?? [];
    const lists = this.cellLists[cell] ?? [];
    const maskSets = this.bucketMaskSets[cell] ?? [];
    const at = searchBuckets(buckets, bucket);
    const list = lists[at] ?? [];
    const last = list.pop() ?? slot;
    if (last !== slot) {
      list[pos] = last;
      this.slotPos[last] = pos;
    }
    this.slotPos[slot] = -1;
    const fine = Math.floor(cell / WALK_BANDS);
    const coarse = COARSE_OF[fine] ?? 0;
    if ((this.cellSize[cell] = (this.cellSize[cell] ?? 1) - 1) === 0) {
      this.cellMaskSets[cell] = 0;
      this.fineBands[fine] = (this.fineBands[fine] ?? 0) & ~(1 << (cell % WALK_BANDS));
      if (this.fineBands[fine] === 0) this.coarseChildren[coarse] = (this.coarseChildren[coarse] ?? 0) & ~(1 << (CHILD_BIT[fine] ?? 0));
    }
    if (list.length === 0) {
      removeAt(buckets, at);
      removeAt(lists, at);
      removeAt(maskSets, at);
      if (at === 0) {
        this.cellFirst[cell] = buckets[0] ?? PRICE_BUCKETS;
        this.raiseFirst(fine, coarse, bucket);
      }
    }
    const mask = this.table.mask[slot] ?? 0;
    this.fineMasks.remove(fine, mask);
    this.coarseMasks.remove(coarse, mask);
    return true;
  }

  /** A cell's first bucket `emptied` is empty now: its classes' first buckets move up when it was theirs. */
  private raiseFirst(fine: number, coarse: number, emptied: number): void {
    if (emptied !== this.fineFirst[fine]) return;
    let fineFirst = PRICE_BUCKETS;
    for (let bands = this.fineBands[fine] ?? 0; bands !== 0; bands &= bands - 1) {
      fineFirst = Math.min(fineFirst, this.firstBucket(fine * WALK_BANDS + 31 - Math.clz32(bands & -bands)));
    }
    this.fineFirst[fine] = fineFirst;
    if (emptied !== this.coarseFirst[coarse]) return;
    let coarseFirst = PRICE_BUCKETS;
    for (let children = this.coarseChildren[coarse] ?? 0; children !== 0; children &= children - 1) {
      const child = CHILD_OF[coarse * COARSE_CHILDREN + 31 - Math.clz32(children & -children)] ?? 0;
      coarseFirst = Math.min(coarseFirst, this.fineFirst[child] ?? PRICE_BUCKETS);
    }
    this.coarseFirst[coarse] = coarseFirst;
  }

  /** Fine classes of the coarse class that hold slots (bit c: CHILD_OF[coarse x COARSE_CHILDREN + c]). */
  childrenOf(coarse: number): number {
    return this.coarseChildren[coarse] ?? 0;
  }

  /** Bands of the fine class that hold slots (bit b: cell fine x WALK_BANDS + b). */
  bandsOf(fine: number): number {
    return this.fineBands[fine] ?? 0;
  }

  /** The coarse class's lowest non-empty bucket, PRICE_BUCKETS when it is empty. */
  coarseFirstBucket(coarse: number): number {
    return this.coarseFirst[coarse] ?? PRICE_BUCKETS;
  }

  /** The fine class's lowest non-empty bucket, PRICE_BUCKETS when it is empty. */
  fineFirstBucket(fine: number): number {
    return this.fineFirst[fine] ?? PRICE_BUCKETS;
  }

  /** The feature masks of the cell's slots (bit m: mask m), perhaps with masks it held before. */
  maskSetOf(cell: number): number {
    return this.cellMaskSets[cell] ?? 0;
  }

  /** Slots in the cell. */
  sizeOf(cell: number): number {
    return this.cellSize[cell] ?? 0;
  }

  /** The cell's lowest non-empty bucket, PRICE_BUCKETS when it is empty. */
  firstBucket(cell: number): number {
    return this.cellFirst[cell] ?? PRICE_BUCKETS;
  }

  /** The cell's non-empty buckets, ascending (read only: the index's own array). */
  bucketsOf(cell: number): readonly number[] {
    return this.cellBuckets[cell] ?? NO_BUCKETS;
  }

  /** The feature masks of each of the cell's non-empty buckets (bit m: a slot of mask m), element for element with bucketsOf (read only). */
  maskSetsOf(cell: number): readonly number[] {
    return this.bucketMaskSets[cell] ?? NO_BUCKETS;
  }

  /** The slots of each of the cell's non-empty buckets, element for element with bucketsOf (read only). */
  listsOf(cell: number): readonly (readonly number[])[] {
    return this.cellLists[cell] ?? NO_LISTS;
  }
}
