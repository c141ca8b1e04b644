// Restored rows into the offer table: stored, all or none, with their expiries scheduled; a batch
// that repeats an id is taken out again. In memory only, no I/O.
import { MarketError } from "../core/errors.js";
import type { ExpiryHeap } from "./expiry-heap.js";
import type { InternedShape, OfferTable } from "./offer-table.js";
import type { RestoreRows } from "./restore-rows.js";

/**
 * Stores validated restored rows, all or none, each with its stored free GPUs and status, and
 * schedules their expiries; returns the slots of the active rows with free GPUs, for the caller to
 * index. `shapes` holds the interned strings of each of the rows' shapes, `providers` each row's
 * interned provider. @throws DUPLICATE_ID (an id held already or twice in the rows), then nothing is stored
 */
export function storeRows(
  table: OfferTable,
  expiries: ExpiryHeap,
  rows: RestoreRows,
  shapes: readonly InternedShape[],
  providers: Int32Array,
): number[] {
  const held = table.slotById.size;
  const slots = new Array<number>(rows.count);
  const indexed: number[] = [];
  for (let row = 0; row < rows.count; row++) {
    const slot = table.insertRow(rows, row, shapes[rows.shape[row] ?? 0] as InternedShape, providers[row] ?? 0);
    slots[row] = slot;
    if (rows.paused[row] === 0 && (rows.freeGpus[row] ?? 0) > 0) indexed.push(slot);
  }
  // Every id new, none twice: the map grew by one per row. Else undo (rarely: a corrupt store).
  if (table.slotById.size !== held + rows.count) throw undoRows(table, rows, slots);
  const expiresAt = table.expiresAt;
  for (const slot of slots) expiries.push(expiresAt[slot] ?? 0, slot);
  return indexed;
}

/** Takes a batch of rows' slots out again and puts back the ids they displaced; returns the DUPLICATE_ID to throw. */
function undoRows(table: OfferTable, rows: RestoreRows, slots: readonly number[]): MarketError {
  const batch = new Set(slots);
  const ids = new Set(rows.ids);
  for (const slot of slots) table.release(slot);
  for (const id of ids) table.slotById.delete(id);
  for (let slot = 0; slot < table.highWater; slot++) {
    const id = table.ids[slot];
    if (id !== undefined && !batch.has(slot) && ids.has(id)) table.slotById.set(id, slot);
  }
  const seen = new Set<string>();
  const id = rows.ids.find((id) => table.slotById.has(id) || seen.size === seen.add(id).size) ?? "";
  return new MarketError("DUPLICATE_ID", { kind: "offer", id });
}
