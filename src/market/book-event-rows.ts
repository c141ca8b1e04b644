// The rows a book event stands for in a batch (offers, orders, capacity moves, trades) and the
// event row itself, each part serialized once. In memory only.
import type { BookEvent } from "../orderbook/events.js";
import { encodeOfferBook } from "../store/offer-book.js";
import type { BatchBuilder } from "./batch.js";
import { encodeBookEvent } from "./codec.js";
import { rememberMatched } from "./matched-events.js";
import { tradeOfMatch } from "./trades.js";

/**
 * Adds to `batch` the rows `event` stands for, and the event. `gpuModel`, of an OrderMatched
 * event's offer, goes into the job record: proofs of the job need it after the offer is withdrawn
 * or expired. Invariant: an event payload is the JSON encodeBookEvent writes.
 */
export function addBookEventRows(batch: BatchBuilder, event: BookEvent, gpuModel?: string): void {
  switch (event.type) {
    case "OfferAdded": {
      const offer = event.offer;
      const doc = JSON.stringify({ ...offer, freeGpuCount: undefined });
      batch.offers.push({
        id: offer.id,
        providerId: offer.providerId,
        status: offer.status,
        gpuCount: offer.gpuCapacity.gpuCount,
        freeGpus: offer.gpuCapacity.gpuCount,
        expiresAtMs: offer.expiresAt.getTime(),
        doc,
        book: encodeOfferBook({ ...offer, createdAtMs: offer.createdAt.getTime() }),
      });
      if (event.offer.freeGpuCount !== offer.gpuCapacity.gpuCount)
        batch.capacity.push({ offerId: offer.id, delta: event.offer.freeGpuCount - offer.gpuCapacity.gpuCount });
      batch.event(event.type, offer.id, encodeBookEvent(event), event.atMs);
      return;
    }
    case "OfferPaused":
    case "OfferResumed":
    case "OfferWithdrawn":
    case "OfferExpired": {
      const status = { OfferPaused: "Paused", OfferResumed: "Active", OfferWithdrawn: "Withdrawn", OfferExpired: "Expired" }[event.type];
      batch.offerStatuses.push({ id: event.offerId, status });
      batch.event(event.type, event.offerId, encodeBookEvent(event), event.atMs);
      return;
    }
    case "OrderRested": {
      const doc = JSON.stringify(event.order);
      batch.putOrder({
        id: event.order.id,
        buyerId: event.order.buyerId,
        status: "Pending",
        offerId: null,
        expiresAtMs: event.order.expiresAt.getTime(),
        doc,
        match: null,
        escrowId: null,
        job: null,
      });
      batch.event(event.type, event.order.id, `{"type":"OrderRested","order":${doc}}`, event.atMs);
      return;
    }
    case "OrderMatched": {
      // Each part is serialized once; the event payload is the same JSON encodeBookEvent would write.
      const doc = JSON.stringify(event.order);
      const match = JSON.stringify(event.match);
      batch.putOrder({
        id: event.order.id,
        buyerId: event.order.buyerId,
        status: "Matched",
        offerId: event.match.offerId,
        expiresAtMs: event.order.expiresAt.getTime(),
        doc,
        match,
        escrowId: null,
        job: `{"matchedAtMs":${event.atMs}${gpuModel === undefined ? "" : `,"gpuModel":${JSON.stringify(gpuModel)}`}}`,
      });
      batch.capacity.push({ offerId: event.match.offerId, delta: -event.match.gpuCount });
      const row = batch.event(event.type, event.order.id, `{"type":"OrderMatched","order":${doc},"match":${match}}`, event.atMs);
      rememberMatched(row, { buyerId: event.order.buyerId, totalCostBaseUnits: event.match.totalCost.baseUnits });
      batch.trades.push(tradeOfMatch(row, event.match, gpuModel));
      return;
    }
    case "OrderCancelled":
    case "OrderExpired":
      batch.setOrderStatus(event.orderId, event.type === "OrderCancelled" ? "Cancelled" : "Expired");
      batch.event(event.type, event.orderId, encodeBookEvent(event), event.atMs);
      return;
    case "AllocationReleased":
      batch.capacity.push({ offerId: event.offerId, delta: event.gpuCount });
      batch.event(event.type, event.orderId, encodeBookEvent(event), event.atMs);
      return;
    case "ReputationChanged":
      batch.event(event.type, event.providerId, encodeBookEvent(event), event.atMs);
      return;
    case "AllocationExtended":
      // The order row's match is written by the extension itself.
      batch.event(event.type, event.orderId, encodeBookEvent(event), event.atMs);
      return;
  }
}
