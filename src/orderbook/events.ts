// Events the order book emits for every change, so later layers can persist and stream them.
// Types only.
import type { Amount } from "../core/amount.js";
import type { OfferId, OrderId } from "../core/ids.js";
import type { BookOffer, JobOrder, OrderMatch } from "../core/types.js";

interface EventBase {
  /** Book-local sequence number, increasing by one per event. */
  readonly seq: number;
  /** Clock time of the change, ms since the epoch. */
  readonly atMs: number;
}

/** Every change of the book. */
export type BookEvent = EventBase &
  (
    | { readonly type: "OfferAdded"; readonly offer: BookOffer }
    | { readonly type: "OfferPaused"; readonly offerId: OfferId }
    | { readonly type: "OfferResumed"; readonly offerId: OfferId }
    | { readonly type: "OfferWithdrawn"; readonly offerId: OfferId }
    | { readonly type: "OfferExpired"; readonly offerId: OfferId }
    | { readonly type: "OrderRested"; readonly order: JobOrder }
    | { readonly type: "OrderMatched"; readonly order: JobOrder; readonly match: OrderMatch }
    | { readonly type: "OrderCancelled"; readonly orderId: OrderId }
    | { readonly type: "OrderExpired"; readonly orderId: OrderId }
    | { readonly type: "AllocationReleased"; readonly orderId: OrderId; readonly offerId: OfferId; readonly gpuCount: number }
    /** A buyer extended a funded job: its match now runs `hours` in all, for `totalCost` in all (same GPUs). */
    | { readonly type: "AllocationExtended"; readonly orderId: OrderId; readonly hours: number; readonly totalCost: Amount }
    | { readonly type: "ReputationChanged"; readonly providerId: string; readonly reputation: number }
  );

/** The type names of book events. */
export type BookEventType = BookEvent["type"];

/** A function told of each event, in order, after the change is complete. */
export type BookListener = (event: BookEvent) => void;

/** An event before the book stamps it with seq and time. */
export type BookEventBody = BookEvent extends infer E ? (E extends BookEvent ? Omit<E, "seq" | "atMs"> : never) : never;
