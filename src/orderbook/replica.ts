// Replication and restore: a book applies the events another book emitted (with no matching of
// its own), loads stored offers and allocations when rebuilt, and shows its state as plain data
// so two books can be compared. In memory only, no I/O.
import { MarketError, assertIntInRange, describeValue } from "../core/errors.js";
import { OfferStatus, OrderStatus } from "../core/enums.js";
import type { OrderId } from "../core/ids.js";
import { GPU_COUNT_MAX } from "../core/limits.js";
import { parseOffer } from "../core/offer.js";
import { parseOrder } from "../core/order.js";
import type { BookOffer, CapacityOffer, JobOrder, OrderMatch } from "../core/types.js";
import type { AllocationState } from "./allocations.js";
import type { BookState } from "./book-state.js";
import type { BookEventBody } from "./events.js";
import { offerStates } from "./offer-listing.js";
import type { OfferState } from "./offer-listing.js";
import { SLOT_PAUSED } from "./offer-table.js";

/** A book's state as plain data, for comparing two books: offers and allocations by id, resting orders in serve order. */
export interface BookSnapshot {
  readonly offers: readonly OfferState[];
  readonly restingOrders: readonly OrderId[];
  readonly allocations: readonly AllocationState[];
}

/** Applies one event to the state (OrderBook.apply has the rules). @throws the codes of OrderBook.apply */
export function applyEvent(state: BookState, event: BookEventBody): void {
  const offers = state.offers;
  switch (event.type) {
    case "OfferAdded":
      applyOfferAdded(state, event.offer);
      break;
    case "OfferPaused":
      offers.pause(offers.slotOf(event.offerId));
      break;
    case "OfferResumed": {
      const slot = offers.slotOf(event.offerId);
      offers.assertStatus(slot, SLOT_PAUSED, OfferStatus.Active);
      offers.activate(slot);
      break;
    }
    case "OfferWithdrawn":
    case "OfferExpired":
      offers.drop(offers.slotOf(event.offerId));
      break;
    case "OrderRested": {
      const valid = parseOrder(event.order);
      state.checkNewOrder(valid.id);
      state.rest(valid, state.compile(valid.requirements, valid.maxBudget, state.clock.now()));
      break;
    }
    case "OrderMatched":
      applyMatch(state, event.order, event.match);
      break;
    case "OrderCancelled":
    case "OrderExpired":
      if (state.resting.remove(event.orderId) === undefined) throw new MarketError("ORDER_NOT_FOUND", { orderId: event.orderId });
      break;
    case "AllocationReleased":
      state.allocations.release(event.orderId);
      break;
    case "AllocationExtended":
      state.allocations.extend(event.orderId, event.hours, event.totalCost);
      break;
    case "ReputationChanged":
      offers.setReputation(event.providerId, event.reputation);
      break;
    default: {
      const type: unknown = (event as { readonly type?: unknown }).type;
      throw new MarketError("INVALID_FIELD", { field: "event.type", value: describeValue(type), allowed: "a BookEvent type" });
    }
  }
}

function applyOfferAdded(state: BookState, offer: BookOffer): void {
  const status: unknown = offer.status;
  if (status !== OfferStatus.Active && status !== OfferStatus.Paused) {
    throw new MarketError("INVALID_FIELD", { field: "offer.status", value: describeValue(status), allowed: "Active, Paused" });
  }
  const valid = parseOffer({ ...offer, status: OfferStatus.Active });
  state.offers.checkNew(valid.id);
  const freeGpus: unknown = offer.freeGpuCount;
  assertIntInRange("offer.freeGpuCount", freeGpus, 0, valid.gpuCapacity.gpuCount);
  state.offers.store(valid, freeGpus, status === OfferStatus.Paused);
  state.offers.compactExpiries();
}

function applyMatch(state: BookState, order: JobOrder, match: OrderMatch): void {
  const entry = state.resting.get(order.id);
  // The event's order says Matched; the book holds orders as they were submitted (Pending).
  const pending = entry?.order ?? parseOrder({ ...order, status: OrderStatus.Pending });
  if (entry === undefined) state.checkNewOrder(pending.id);
  if (match.orderId !== pending.id) {
    throw new MarketError("INVALID_FIELD", {
      field: "match.orderId",
      value: describeValue(match.orderId),
      allowed: `the order's id ${pending.id}`,
    });
  }
  const slot = state.offers.slotOf(match.offerId);
  assertIntInRange("match.gpuCount", match.gpuCount, 1, GPU_COUNT_MAX);
  const free = state.offers.table.freeGpus[slot] ?? 0;
  if (free < match.gpuCount) throw new MarketError("INSUFFICIENT_CAPACITY", { required: match.gpuCount, available: free });
  state.allocations.checkRoom();
  if (entry !== undefined) state.resting.remove(pending.id);
  state.allocations.hold(pending, match, slot);
}

/** Loads stored offers with their free GPUs, all or none (OrderBook.restoreOffers has the rules). @throws its codes */
export function restoreOffers(
  state: BookState,
  entries: readonly { readonly offer: CapacityOffer; readonly freeGpuCount: number }[],
  defer: boolean,
): void {
  const offers = state.offers;
  const table = offers.table;
  const valid = entries.map(({ offer, freeGpuCount }) => {
    // A paused offer is validated as the Active offer it was listed as.
    const parsed = parseOffer(offer.status === OfferStatus.Paused ? { ...offer, status: OfferStatus.Active } : offer);
    if (!Number.isInteger(freeGpuCount) || freeGpuCount < 0 || freeGpuCount > parsed.gpuCapacity.gpuCount) {
      throw new MarketError("OUT_OF_RANGE", {
        field: "freeGpuCount",
        value: String(freeGpuCount),
        min: "0",
        max: String(parsed.gpuCapacity.gpuCount),
      });
    }
    if (table.slotById.has(parsed.id)) throw new MarketError("DUPLICATE_ID", { kind: "offer", id: parsed.id });
    return parsed;
  });
  offers.checkRoom(valid.length);
  const slots = offers.storeMany(valid);
  const indexed: number[] = [];
  slots.forEach((slot, i) => {
    const entry = entries[i];
    if (entry === undefined) return;
    table.freeGpus[slot] = entry.freeGpuCount;
    if (entry.offer.status === OfferStatus.Paused) table.status[slot] = SLOT_PAUSED;
    else if (entry.freeGpuCount > 0) indexed.push(slot);
  });
  if (defer) {
    offers.deferIndex(indexed);
    return;
  }
  offers.indexMany(indexed);
  offers.compactExpiries();
}

/** Records stored allocations, all or none (OrderBook.restoreAllocations has the rules). @throws DUPLICATE_ID, LIMIT_EXCEEDED */
export function restoreAllocations(state: BookState, entries: readonly { readonly order: JobOrder; readonly match: OrderMatch }[]): void {
  for (const { order } of entries) state.checkNewOrder(order.id);
  state.allocations.checkRoom(entries.length);
  state.allocations.restore(entries);
}

/** The state's offers and allocations by id, and its resting orders in serve order. */
export function snapshotOf(state: BookState): BookSnapshot {
  return {
    offers: offerStates(state.offers.table),
    restingOrders: state.resting.inServeOrder().map((entry) => entry.order.id),
    allocations: state.allocations.states(),
  };
}
