// The offer steps of the book that emit events: add (one or many), withdraw, pause, resume. An
// offer that gains capacity serves resting orders at once. In memory only, no I/O.
import { MarketError } from "../core/errors.js";
import { OfferStatus } from "../core/enums.js";
import type { OfferId } from "../core/ids.js";
import { parseOffer } from "../core/offer.js";
import type { CapacityOffer } from "../core/types.js";
import type { BookState } from "./book-state.js";
import { SLOT_PAUSED } from "./offer-table.js";
import { serveResting } from "./serve-resting.js";
import { materializeOffer } from "./offer-materialize.js";

function assertOfferNotExpired(offer: CapacityOffer, nowMs: number): void {
  if (offer.expiresAt.getTime() <= nowMs) {
    throw new MarketError("EXPIRED", { entity: "offer", id: offer.id, expiresAt: offer.expiresAt.toISOString() });
  }
}

/** OrderBook.addOffer. @throws validation codes, DUPLICATE_ID, EXPIRED, LIMIT_EXCEEDED */
export function addOffer(state: BookState, offer: CapacityOffer): OfferId {
  const { offers, events } = state;
  const valid = parseOffer(offer);
  offers.checkNew(valid.id);
  assertOfferNotExpired(valid, state.clock.now());
  const slot = offers.store(valid, valid.gpuCapacity.gpuCount, false);
  if (events.listening) events.record({ type: "OfferAdded", offer: materializeOffer(offers.table, slot) });
  serveResting(state, slot);
  offers.compactExpiries();
  events.flush();
  return valid.id;
}

/** OrderBook.addOffers: all or none. @throws the codes of addOffer, for the first offer that breaks a rule */
export function addOffers(state: BookState, offers: Iterable<CapacityOffer>): OfferId[] {
  const { offers: set, events } = state;
  const valid: CapacityOffer[] = [];
  const nowMs = state.clock.now();
  for (const offer of offers) {
    const parsed = parseOffer(offer);
    if (set.table.slotById.has(parsed.id)) throw new MarketError("DUPLICATE_ID", { kind: "offer", id: parsed.id });
    assertOfferNotExpired(parsed, nowMs);
    valid.push(parsed);
  }
  set.checkRoom(valid.length);
  const slots = set.storeMany(valid);
  set.indexMany(slots);
  for (const slot of slots) {
    if (events.listening) events.record({ type: "OfferAdded", offer: materializeOffer(set.table, slot) });
    serveResting(state, slot);
  }
  set.compactExpiries();
  events.flush();
  return valid.map((offer) => offer.id);
}

/** OrderBook.removeOffer: Active or Paused -> Withdrawn. @throws OFFER_NOT_FOUND */
export function withdrawOffer(state: BookState, offerId: OfferId): void {
  const { offers, events } = state;
  offers.drop(offers.slotOf(offerId));
  if (events.listening) events.record({ type: "OfferWithdrawn", offerId });
  events.flush();
}

/** OrderBook.pauseOffer: Active -> Paused. @throws OFFER_NOT_FOUND, INVALID_STATE_TRANSITION */
export function pauseOffer(state: BookState, offerId: OfferId): void {
  const { offers, events } = state;
  offers.pause(offers.slotOf(offerId));
  if (events.listening) events.record({ type: "OfferPaused", offerId });
  events.flush();
}

/**
 * OrderBook.resumeOffer: Paused -> Active, then serves resting orders; an offer found expired is
 * expired instead. @throws OFFER_NOT_FOUND, INVALID_STATE_TRANSITION, EXPIRED
 */
export function resumeOffer(state: BookState, offerId: OfferId): void {
  const { offers, events } = state;
  const slot = offers.slotOf(offerId);
  offers.assertStatus(slot, SLOT_PAUSED, OfferStatus.Active);
  const expiresAtMs = offers.table.expiresAt[slot] ?? 0;
  if (expiresAtMs <= state.clock.now()) {
    state.expireOfferSlot(slot);
    events.flush();
    throw new MarketError("EXPIRED", { entity: "offer", id: offerId, expiresAt: new Date(expiresAtMs).toISOString() });
  }
  offers.activate(slot);
  if (events.listening) events.record({ type: "OfferResumed", offerId });
  serveResting(state, slot);
  events.flush();
}
