// ShapeBands: active offers bucketed by shape (shape-table.ts), each shape split into bands of its
// order-independent score part, each band sorted by price, with the cheapest price of each band
// and shape: the storage the shape walk (shape-index.ts) reads. A band list is kept from its dearest
// offer to its cheapest: taking the cheapest offer, and putting it back cheap in its next shape (a
// take moves it there), edits the end of a list, so a shape of many equal offers costs a take little
// instead of a shift of the whole list. In memory only, no I/O.
import { insertAt, removeAt } from "./bucket-arrays.js";
import type { OfferTable } from "./offer-table.js";
import type { Reputations } from "./reputations.js";
import { STATIC_BANDS, staticBandOf, utilizationUnits } from "./score.js";
import { ShapeTable } from "./shape-table.js";

/**
 * The offers by shape and band. Invariants: an offer slot is in exactly one band list iff it is
 * active with free GPUs; shapeSize[s] is the number of slots in shape s; lists are sorted by priceF
 * descending (Number of the exact price, so never out of the exact order: Number() is monotone),
 * equal prices latest arrival first, so read from the end a list is in price and arrival order; a band's bit
 * in shapeBands is set iff its list is not empty; bandHeadPrice and shapeMinPrice are the cheapest
 * prices of a band and a shape (Infinity when empty).
 */
export class ShapeBands {
  /** The shapes (read by OfferSet for the size of a query's pool). */
  readonly shapes: ShapeTable;
  /** Shapes whose band state below exists. */
  private knownShapes = 0;
  protected shapeSize = new Int32Array(64);
  protected shapeMinPrice = new Float64Array(64);
  protected shapeBands = new Uint32Array(64);
  protected readonly bandLists: number[][] = [];
  /** Prices of bandLists, element for element, so searches and walks read memory in order. */
  protected readonly bandPrices: number[][] = [];
  /** Price of each band's cheapest offer (Infinity when empty), by shape * STATIC_BANDS + band. */
  protected bandHeadPrice = new Float64Array(64 * STATIC_BANDS).fill(Infinity);
  /** Shape and band of each indexed slot; -1 when not indexed. */
  private slotShape = new Int32Array(1024).fill(-1);
  private slotBand = new Uint8Array(1024);

  /**
   * @param withRegion key shapes by region too (for queries that name a region); without it,
   *   a query that names no region visits ten times fewer shapes.
   */
  constructor(
    protected readonly table: OfferTable,
    /** Providers' reputation parts, in score units. */
    protected readonly reputations: Reputations,
    withRegion: boolean,
  ) {
    this.shapes = new ShapeTable(table, withRegion);
  }

  /** Is the slot in the index. */
  has(slot: number): boolean {
    return slot < this.slotShape.length && (this.slotShape[slot] ?? -1) >= 0;
  }

  /** The order-independent score part of an offer (reputation + utilization), in score units. */
  staticUnitsOf(slot: number): number {
    return this.reputations.unitsOf(this.table.provider[slot] ?? 0) + utilizationUnits(this.table.utilizationPct(slot));
  }

  /** The slot's shape, with band state made for it when it is new. */
  private shapeOf(slot: number): number {
    const shape = this.shapes.shapeOf(slot);
    if (shape === this.knownShapes) this.addShape(shape);
    return shape;
  }

  private addShape(shape: number): void {
    this.knownShapes++;
    if (shape >= this.shapeSize.length) {
      const n = this.shapeSize.length * 2;
      const size = new Int32Array(n);
      size.set(this.shapeSize);
      this.shapeSize = size;
      const min = new Float64Array(n);
      min.set(this.shapeMinPrice);
      this.shapeMinPrice = min;
      const bands = new Uint32Array(n);
      bands.set(this.shapeBands);
      this.shapeBands = bands;
      const heads = new Float64Array(n * STATIC_BANDS).fill(Infinity);
      heads.set(this.bandHeadPrice);
      this.bandHeadPrice = heads;
    }
    this.shapeMinPrice[shape] = Infinity;
    for (let band = 0; band < STATIC_BANDS; band++) {
      this.bandLists.push([]);
      this.bandPrices.push([]);
    }
  }

  /** Adds an active slot with free GPUs. Invariant: the slot is not already indexed. */
  insert(slot: number): void {
    this.ensureSlot(slot);
    this.insertInto(slot, this.shapeOf(slot), staticBandOf(this.staticUnitsOf(slot)), this.table.priceF[slot] ?? 0);
  }

  /**
   * Moves an indexed slot whose free GPUs changed (and nothing else: its band and price stay) to the
   * list of its new shape: remove() then insert() without reading its score parts again.
   */
  move(slot: number): void {
    if (!this.has(slot)) return;
    const band = this.slotBand[slot] ?? 0;
    const price = this.removeFrom(slot);
    this.insertInto(slot, this.shapeOf(slot), band, price);
  }

  /** Puts a slot in its shape's band list at its price, read after equal prices (arrival order among ties). */
  private insertInto(slot: number, shape: number, band: number, price: number): void {
    const list = this.bandLists[shape * STATIC_BANDS + band] ?? [];
    const prices = this.bandPrices[shape * STATIC_BANDS + band] ?? [];
    const at = searchPrices(prices, price, false);
    insertAt(list, at, slot);
    insertAt(prices, at, price);
    if (at === list.length - 1) this.bandHeadPrice[shape * STATIC_BANDS + band] = price;
    this.slotShape[slot] = shape;
    this.slotBand[slot] = band;
    this.shapeSize[shape] = (this.shapeSize[shape] ?? 0) + 1;
    this.shapeBands[shape] = (this.shapeBands[shape] ?? 0) | (1 << band);
    if (price < (this.shapeMinPrice[shape] ?? Infinity)) this.shapeMinPrice[shape] = price;
  }

  /**
   * Adds many active slots at once: appends, then sorts each touched band list once.
   * Same result as inserting one by one. Invariant: no slot is already indexed.
   */
  insertMany(slots: readonly number[]): void {
    /** Each touched list, with its length before this call. */
    const touched = new Map<number, number>();
    const priceF = this.table.priceF;
    for (const slot of slots) {
      this.ensureSlot(slot);
      const shape = this.shapeOf(slot);
      const band = staticBandOf(this.staticUnitsOf(slot));
      const list = shape * STATIC_BANDS + band;
      const price = priceF[slot] ?? 0;
      if (!touched.has(list)) touched.set(list, this.bandLists[list]?.length ?? 0);
      this.bandLists[list]?.push(slot);
      this.bandPrices[list]?.push(price);
      this.slotShape[slot] = shape;
      this.slotBand[slot] = band;
      this.shapeSize[shape] = (this.shapeSize[shape] ?? 0) + 1;
      this.shapeBands[shape] = (this.shapeBands[shape] ?? 0) | (1 << band);
    }
    const shapes = new Set<number>();
    for (const [index, before] of touched) {
      const list = this.bandLists[index] ?? [];
      const prices = this.bandPrices[index] ?? [];
      // prices[i] is priceF[list[i]]: with the slots already there put back in arrival order, sort
      // them by it in place, cheapest first (stable: ties keep their order), then reverse, so that
      // read from the end the list is in price and arrival order.
      for (let i = 0, j = before - 1; i < j; i++, j--) [list[i], list[j]] = [list[j] ?? 0, list[i] ?? 0];
      list.sort((a, b) => (priceF[a] ?? 0) - (priceF[b] ?? 0));
      list.reverse();
      for (let i = 0; i < list.length; i++) prices[i] = priceF[list[i] ?? 0] ?? 0;
      this.bandHeadPrice[index] = prices[prices.length - 1] ?? Infinity;
      shapes.add(Math.floor(index / STATIC_BANDS));
    }
    for (const shape of shapes) this.refreshMinPrice(shape);
  }

  private ensureSlot(slot: number): void {
    if (slot < this.slotShape.length) return;
    const n = Math.max(this.slotShape.length * 2, slot + 1);
    const shapes = new Int32Array(n).fill(-1);
    shapes.set(this.slotShape);
    this.slotShape = shapes;
    const bands = new Uint8Array(n);
    bands.set(this.slotBand);
    this.slotBand = bands;
  }

  /** Removes an indexed slot (no-op when not indexed). */
  remove(slot: number): void {
    if (this.has(slot)) this.removeFrom(slot);
  }

  /** Takes an indexed slot out of its band list; returns its price. */
  private removeFrom(slot: number): number {
    const shape = this.slotShape[slot] ?? 0;
    const band = this.slotBand[slot] ?? 0;
    const list = this.bandLists[shape * STATIC_BANDS + band] ?? [];
    const prices = this.bandPrices[shape * STATIC_BANDS + band] ?? [];
    const price = this.table.priceF[slot] ?? 0;
    // From the cheap end: the last of the equal prices, then towards the dearer ones.
    let at = searchPrices(prices, price, true) - 1;
    while (list[at] !== slot) at--;
    removeAt(list, at);
    removeAt(prices, at);
    this.slotShape[slot] = -1;
    this.shapeSize[shape] = (this.shapeSize[shape] ?? 0) - 1;
    if (list.length === 0) this.shapeBands[shape] = (this.shapeBands[shape] ?? 0) & ~(1 << band);
    if (at === list.length) {
      this.bandHeadPrice[shape * STATIC_BANDS + band] = prices[prices.length - 1] ?? Infinity;
      this.refreshMinPrice(shape);
    }
    return price;
  }

  private refreshMinPrice(shape: number): void {
    let min = Infinity;
    const first = shape * STATIC_BANDS;
    for (let i = first; i < first + STATIC_BANDS; i++) min = Math.min(min, this.bandHeadPrice[i] ?? Infinity);
    this.shapeMinPrice[shape] = min;
  }
}

/** First index of descending `prices` whose price is below `price` (`pastEqual`) or at most `price`. */
function searchPrices(prices: readonly number[], price: number, pastEqual: boolean): number {
  let lo = 0;
  let hi = prices.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const value = prices[mid] ?? 0;
    if (value > price || (pastEqual && value === price)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
