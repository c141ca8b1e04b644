// The bulk restore of stored offers from columns (RestoreRows): each row's numbers checked against
// the offer rules, each distinct shape checked and interned once per page, then written straight
// into the offer table. In memory only, no I/O.
import { AMOUNT_MAX_BASE_UNITS } from "../core/amount.js";
import { MarketError, assertIntInRange, describeValue } from "../core/errors.js";
import { isFeature } from "../core/enums.js";
import {
  COMPUTE_CAPABILITY_LENGTH_MAX,
  GPU_COUNT_MAX,
  GPU_COUNT_MIN,
  HOURS_MAX,
  HOURS_MIN,
  MEMORY_BANDWIDTH_MAX,
  UTILIZATION_MAX,
  VRAM_GB_MAX,
  VRAM_GB_MIN,
} from "../core/limits.js";
import { parseLocation } from "../core/location.js";
import { parsePartyId } from "../core/validate.js";
import type { BookState } from "./book-state.js";
import type { InternedShape, OfferTable } from "./offer-table.js";
import { ROW_ABSENT } from "./restore-rows.js";
import type { RestoreRows, RestoreShape } from "./restore-rows.js";

const COMPUTE_CAPABILITY_PATTERN = /^\d{1,2}\.\d{1,2}$/;
/** Dates a JavaScript Date can hold, in ms from the epoch, either side. */
const DATE_MS_MAX = 8.64e15;

/** @throws OUT_OF_RANGE naming the field, when `value` is not an integer in min..max */
function checkInt(field: string, value: number, min: number, max: number): void {
  if (!(value >= min && value <= max && Number.isInteger(value))) assertIntInRange(field, value, min, max);
}

/** @throws OUT_OF_RANGE, INVALID_AMOUNT when a row's numbers break the offer rules (parseOffer's) or its free GPUs its GPUs */
function checkRow(rows: RestoreRows, row: number): void {
  const gpuCount = rows.gpuCount[row] ?? 0;
  checkInt("gpuCapacity.gpuCount", gpuCount, GPU_COUNT_MIN, GPU_COUNT_MAX);
  checkInt("freeGpuCount", rows.freeGpus[row] ?? -1, 0, gpuCount);
  checkInt("gpuCapacity.vramGb", rows.vramGb[row] ?? 0, VRAM_GB_MIN, VRAM_GB_MAX);
  const hours = rows.availableHours[row] ?? 0;
  checkInt("availableHours", hours, HOURS_MIN, HOURS_MAX);
  checkInt("minCommitmentHours", rows.minCommitmentHours[row] ?? -1, 0, hours);
  const utilization = rows.utilization[row] ?? ROW_ABSENT;
  if (utilization !== ROW_ABSENT) checkInt("gpuCapacity.currentUtilization", utilization, 0, UTILIZATION_MAX);
  const bandwidth = rows.memoryBandwidth[row] ?? ROW_ABSENT;
  if (bandwidth !== ROW_ABSENT) checkInt("gpuCapacity.memoryBandwidth", bandwidth, 1, MEMORY_BANDWIDTH_MAX);
  checkInt("createdAt", rows.createdAtMs[row] ?? NaN, -DATE_MS_MAX, DATE_MS_MAX);
  checkInt("expiresAt", rows.expiresAtMs[row] ?? NaN, -DATE_MS_MAX, DATE_MS_MAX);
  const priceF = rows.priceF[row] ?? 0;
  const exact = rows.exactPrices.get(row);
  if (!(priceF >= 1 && Number.isInteger(priceF)) || (exact !== undefined && (exact < 1n || exact > AMOUNT_MAX_BASE_UNITS))) {
    throw new MarketError("INVALID_AMOUNT", {
      field: "pricePerHour",
      input: String(exact ?? priceF),
      reason: "not a positive number of base units below 2^64",
    });
  }
}

/** @throws INVALID_FIELD when a shape breaks the offer rules (model name, compute capability, location, features) */
function checkShape(shape: RestoreShape): void {
  const cc = shape.computeCapability;
  if (cc !== undefined && (cc.length > COMPUTE_CAPABILITY_LENGTH_MAX || !COMPUTE_CAPABILITY_PATTERN.test(cc))) {
    throw new MarketError("INVALID_FIELD", {
      field: "gpuCapacity.computeCapability",
      value: describeValue(cc),
      allowed: 'major.minor, like "9.0"',
    });
  }
  if (shape.location !== undefined) parseLocation(shape.location);
  for (const feature of shape.features) {
    if (!isFeature(feature))
      throw new MarketError("INVALID_FIELD", { field: "features", value: describeValue(feature), allowed: "a Feature" });
  }
}

/** The interned strings of every shape the rows use (each checked and interned once). @throws INVALID_FIELD, LIMIT_EXCEEDED */
function internShapes(table: OfferTable, rows: RestoreRows): InternedShape[] {
  const interned = new Array<InternedShape>(rows.shapes.length);
  for (let row = 0; row < rows.count; row++) {
    const number = rows.shape[row] ?? 0;
    if (interned[number] !== undefined) continue;
    const shape = rows.shapes[number];
    if (shape === undefined) throw new MarketError("STORE_ERROR", { reason: `offer ${rows.ids[row] ?? ""}: shape ${number} unknown` });
    checkShape(shape);
    // normalizeGpuModel (in internShape) checks the model name.
    interned[number] = table.internShape(shape, rows.shapeMasks[number] ?? 0);
  }
  return interned;
}

/**
 * Loads stored offers given as columns, all or none (OrderBook.restoreRows has the rules): the same
 * table and indexes restoreOffers makes of the offers the rows hold. Ids are not checked (a store's
 * primary keys, written from checked offers); every other field is.
 * @throws OUT_OF_RANGE, INVALID_AMOUNT, INVALID_FIELD (a row or shape that breaks the offer rules), DUPLICATE_ID, LIMIT_EXCEEDED
 */
export function restoreRows(state: BookState, rows: RestoreRows, defer: boolean): void {
  const offers = state.offers;
  const table = offers.table;
  for (let row = 0; row < rows.count; row++) checkRow(rows, row);
  offers.checkRoom(rows.count);
  const shapes = internShapes(table, rows);
  const providers = new Int32Array(rows.count);
  for (let row = 0; row < rows.count; row++) {
    const providerId = rows.providerIds[row] ?? "";
    let provider = table.providers.lookup(providerId);
    // A provider is checked when the table first meets it.
    if (provider < 0) provider = table.providers.intern(parsePartyId(providerId, "providerId"));
    providers[row] = provider;
  }
  const indexed = offers.storeRows(rows, shapes, providers);
  if (defer) {
    offers.deferIndex(indexed);
    return;
  }
  offers.indexMany(indexed);
  offers.compactExpiries();
}
