// Listings of the offer table as plain objects: active offers, filtered pages, the states a
// snapshot compares. Slow paths (a scan of every slot); read-only, no I/O.
import { OfferStatus } from "../core/enums.js";
import { normalizeGpuModel } from "../core/gpu-model.js";
import type { OfferId } from "../core/ids.js";
import type { BookOffer } from "../core/types.js";
import { SLOT_ACTIVE, SLOT_FREE, SLOT_PAUSED } from "./offer-table.js";
import type { OfferTable } from "./offer-table.js";
import { materializeOffer } from "./offer-materialize.js";

/** Which offers listOffers returns: of one provider, of one GPU model (normalized), after an id. */
export interface OfferFilter {
  readonly providerId?: string;
  readonly gpuModel?: string;
  readonly after?: string;
}

/** An offer's state as a snapshot compares it. */
export interface OfferState {
  readonly id: OfferId;
  readonly status: OfferStatus;
  readonly freeGpuCount: number;
}

function byOfferId(a: { readonly id: string }, b: { readonly id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** All active offers, ordered by id (creation time). */
export function activeOffers(table: OfferTable): BookOffer[] {
  const offers: BookOffer[] = [];
  for (let slot = 0; slot < table.highWater; slot++) {
    if (table.status[slot] === SLOT_ACTIVE) offers.push(materializeOffer(table, slot));
  }
  return offers.sort(byOfferId);
}

/**
 * Offers held (active and paused), oldest first, filtered; at most `limit` (the caller checked
 * it), after the offer id `filter.after`. A provider or model the table never saw lists nothing.
 */
export function listOffers(table: OfferTable, filter: OfferFilter, limit: number): BookOffer[] {
  const provider = filter.providerId === undefined ? undefined : table.providers.lookup(filter.providerId);
  const model = filter.gpuModel === undefined ? undefined : table.models.lookup(normalizeGpuModel(filter.gpuModel));
  if (provider === -1 || model === -1) return [];
  const offers: BookOffer[] = [];
  for (let slot = 0; slot < table.highWater; slot++) {
    if (table.status[slot] === SLOT_FREE) continue;
    if ((provider !== undefined && table.provider[slot] !== provider) || (model !== undefined && table.model[slot] !== model)) continue;
    const offer = materializeOffer(table, slot);
    if (filter.after === undefined || offer.id > filter.after) offers.push(offer);
  }
  return offers.sort(byOfferId).slice(0, limit);
}

/** Every held offer's id, status and free GPUs, ordered by id. */
export function offerStates(table: OfferTable): OfferState[] {
  const offers: OfferState[] = [];
  for (let slot = 0; slot < table.highWater; slot++) {
    if (table.status[slot] === SLOT_FREE) continue;
    const status = table.status[slot] === SLOT_PAUSED ? OfferStatus.Paused : OfferStatus.Active;
    offers.push({ id: table.ids[slot] as OfferId, status, freeGpuCount: table.freeGpus[slot] ?? 0 });
  }
  return offers.sort(byOfferId);
}
