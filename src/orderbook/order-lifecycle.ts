// The order steps of the book that emit events: submit (match at once or rest), cancel, release
// an allocation when its job ends. In memory only, no I/O.
import type { Amount } from "../core/amount.js";
import { MarketError } from "../core/errors.js";
import { OrderStatus } from "../core/enums.js";
import type { OrderId } from "../core/ids.js";
import { parseOrder } from "../core/order.js";
import type { JobOrder, OrderMatch } from "../core/types.js";
import type { BookState } from "./book-state.js";
import { SLOT_ACTIVE } from "./offer-table.js";
import { serveResting } from "./serve-resting.js";

/** What submitOrder did: matched at once, or left the order resting. */
export type SubmitOrderResult =
  | { readonly orderId: OrderId; readonly status: typeof OrderStatus.Matched; readonly match: OrderMatch }
  | { readonly orderId: OrderId; readonly status: typeof OrderStatus.Pending };

/** OrderBook.submitOrder. @throws validation codes, DUPLICATE_ID, EXPIRED, LIMIT_EXCEEDED */
export function submitOrder(state: BookState, order: JobOrder): SubmitOrderResult {
  const valid = parseOrder(order);
  state.checkNewOrder(valid.id);
  const nowMs = state.clock.now();
  state.assertNotExpired(valid, nowMs);
  const query = state.compile(valid.requirements, valid.maxBudget, nowMs);
  const slot = state.offers.bestSlots(query, 1)[0];
  let result: SubmitOrderResult;
  if (slot !== undefined) {
    state.allocations.checkRoom();
    result = { orderId: valid.id, status: OrderStatus.Matched, match: state.allocate(valid, query, slot) };
  } else {
    state.rest(valid, query);
    if (state.events.listening) state.events.record({ type: "OrderRested", order: valid });
    result = { orderId: valid.id, status: OrderStatus.Pending };
  }
  state.events.flush();
  return result;
}

/** OrderBook.cancelOrder: Pending -> Cancelled. @throws ORDER_NOT_FOUND, INVALID_STATE_TRANSITION (already matched) */
export function cancelOrder(state: BookState, orderId: OrderId): void {
  const { resting, allocations, events } = state;
  if (resting.remove(orderId) === undefined) {
    if (allocations.has(orderId)) {
      throw new MarketError("INVALID_STATE_TRANSITION", { entity: "order", from: OrderStatus.Matched, to: OrderStatus.Cancelled });
    }
    throw new MarketError("ORDER_NOT_FOUND", { orderId });
  }
  if (events.listening) events.record({ type: "OrderCancelled", orderId });
  events.flush();
}

/** OrderBook.extendAllocation: the match of a funded job grows to `hours` for `totalCost` in all. @throws ORDER_NOT_FOUND */
export function extendAllocation(state: BookState, orderId: OrderId, hours: number, totalCost: Amount): void {
  state.allocations.extend(orderId, hours, totalCost);
  if (state.events.listening) state.events.record({ type: "AllocationExtended", orderId, hours, totalCost });
  state.events.flush();
}

/** OrderBook.releaseAllocation: GPUs back to a still-held offer, which then serves resting orders. @throws ORDER_NOT_FOUND */
export function releaseAllocation(state: BookState, orderId: OrderId): void {
  const { offers, allocations, events } = state;
  const { allocation, returned } = allocations.release(orderId);
  const { offerId, gpuCount } = allocation.match;
  if (events.listening) events.record({ type: "AllocationReleased", orderId, offerId, gpuCount });
  if (returned && offers.table.status[allocation.offerSlot] === SLOT_ACTIVE) serveResting(state, allocation.offerSlot);
  events.flush();
}
