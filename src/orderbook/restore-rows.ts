// RestoreRows: a page of stored offers as columns, for a rebuild that loads them into a book without
// an offer object per row; the strings of an offer's shape (model, compute capability, location,
// features) are one RestoreShape shared by every offer of that shape. In memory only, no I/O.
import { featureMask } from "../core/enums.js";
import type { Feature } from "../core/enums.js";

/** The shape part of stored offers: made once per distinct shape, shared by the rows that have it. */
export interface RestoreShape {
  readonly gpuModel: string;
  readonly computeCapability: string | undefined;
  /** The offer's location, when it has one. */
  readonly location: { readonly region: string; readonly country: string } | undefined;
  readonly features: readonly Feature[];
}

/** A row's number field that is absent (utilization, memory bandwidth). */
export const ROW_ABSENT = -1;

const INITIAL_ROWS = 1024;

function grown<T extends Float64Array | Uint8Array | Int32Array>(array: T, length: number): T {
  const next = new (array.constructor as new (length: number) => T)(length);
  next.set(array);
  return next;
}

/**
 * Rows of stored offers, column by column, filled by a decoder (next() then its columns) and
 * read by OrderBook.restoreRows. Invariants: rows 0..count-1 are filled; shape[row] indexes
 * `shapes`, which only grows (clear() keeps it, so a decoder numbers each shape once per rebuild);
 * a price is priceF[row] when exact as a double (below 2^53), else exactPrices.get(row).
 */
export class RestoreRows {
  count = 0;
  private capacity = INITIAL_ROWS;
  /** The distinct shapes met so far (addShape), by number. */
  readonly shapes: RestoreShape[] = [];
  /** Feature mask of each shape, by number. */
  readonly shapeMasks: number[] = [];
  readonly ids: string[] = [];
  readonly providerIds: string[] = [];
  shape = new Int32Array(INITIAL_ROWS);
  /** 1 when the stored offer is Paused, 0 when Active. */
  paused = new Uint8Array(INITIAL_ROWS);
  gpuCount = new Float64Array(INITIAL_ROWS);
  freeGpus = new Float64Array(INITIAL_ROWS);
  vramGb = new Float64Array(INITIAL_ROWS);
  availableHours = new Float64Array(INITIAL_ROWS);
  minCommitmentHours = new Float64Array(INITIAL_ROWS);
  /** ROW_ABSENT when the offer has none. */
  utilization = new Float64Array(INITIAL_ROWS);
  /** ROW_ABSENT when the offer has none. */
  memoryBandwidth = new Float64Array(INITIAL_ROWS);
  createdAtMs = new Float64Array(INITIAL_ROWS);
  expiresAtMs = new Float64Array(INITIAL_ROWS);
  /** Price in base units as a double; exact below 2^53. */
  priceF = new Float64Array(INITIAL_ROWS);
  /** Prices of 2^53 base units and more, exactly, by row. */
  readonly exactPrices = new Map<number, bigint>();

  /** Numbers `shape` (the caller keeps one number per distinct shape; shapes are never removed). */
  addShape(shape: RestoreShape): number {
    this.shapes.push(shape);
    this.shapeMasks.push(featureMask(shape.features));
    return this.shapes.length - 1;
  }

  /** Starts a row with its id and provider and returns its index; the caller fills its other columns. */
  next(id: string, providerId: string): number {
    const row = this.count++;
    if (row === this.capacity) this.grow();
    this.ids[row] = id;
    this.providerIds[row] = providerId;
    return row;
  }

  /** The exact price of `row` in base units. */
  priceOf(row: number): bigint {
    return this.exactPrices.get(row) ?? BigInt(this.priceF[row] ?? 0);
  }

  /** Empties the rows for the next page; the shapes stay numbered. */
  clear(): void {
    this.count = 0;
    this.ids.length = 0;
    this.providerIds.length = 0;
    this.exactPrices.clear();
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    this.shape = grown(this.shape, capacity);
    this.paused = grown(this.paused, capacity);
    this.gpuCount = grown(this.gpuCount, capacity);
    this.freeGpus = grown(this.freeGpus, capacity);
    this.vramGb = grown(this.vramGb, capacity);
    this.availableHours = grown(this.availableHours, capacity);
    this.minCommitmentHours = grown(this.minCommitmentHours, capacity);
    this.utilization = grown(this.utilization, capacity);
    this.memoryBandwidth = grown(this.memoryBandwidth, capacity);
    this.createdAtMs = grown(this.createdAtMs, capacity);
    this.expiresAtMs = grown(this.expiresAtMs, capacity);
    this.priceF = grown(this.priceF, capacity);
    this.capacity = capacity;
  }
}
