// The read-only questions the book answers: best offers for requirements, quotes for an order,
// why an order finds nothing, and the orders and matches it holds. Nothing here changes the book.
import type { Amount } from "../core/amount.js";
import { MarketError } from "../core/errors.js";
import { OrderStatus } from "../core/enums.js";
import type { OrderId } from "../core/ids.js";
import { parseOrder, parseRequirements } from "../core/order.js";
import type { BookOffer, JobOrder, JobRequirements, OrderMatch } from "../core/types.js";
import { checkResultLimit } from "./book-limits.js";
import type { BookState } from "./book-state.js";
import { diagnoseMiss } from "./miss-diagnosis.js";
import { explanationOf } from "./miss-explanation.js";
import type { MissExplanation } from "./miss-explanation.js";
import { materializeOffer } from "./offer-materialize.js";

/** OrderBook.bestOffers: at most `limit` offers, best first. @throws INVALID_FIELD, OUT_OF_RANGE, INVALID_AMOUNT */
export function bestOffers(state: BookState, requirements: JobRequirements, limit: number): BookOffer[] {
  checkResultLimit(limit, state.limits);
  const valid = parseRequirements(requirements);
  const slots = state.offers.bestSlots(state.compile(valid, undefined, state.clock.now()), limit);
  const table = state.offers.table;
  return slots.map((slot) => materializeOffer(table, slot));
}

/** OrderBook.matchOrder: the matches the order would get now. @throws validation codes, EXPIRED, OUT_OF_RANGE */
export function matchOrder(state: BookState, order: JobOrder, limit: number): OrderMatch[] {
  checkResultLimit(limit, state.limits);
  const valid = parseOrder(order);
  const nowMs = state.clock.now();
  state.assertNotExpired(valid, nowMs);
  const query = state.compile(valid.requirements, valid.maxBudget, nowMs);
  const slots = state.offers.bestSlots(query, limit);
  return slots.map((slot) => state.matchOf(valid, query, slot));
}

/** OrderBook.explainMiss: why requirements find no offer now, or undefined. @throws INVALID_FIELD, OUT_OF_RANGE, INVALID_AMOUNT */
export function explainMiss(state: BookState, requirements: JobRequirements, maxBudget: Amount | undefined): MissExplanation | undefined {
  const valid = parseRequirements(requirements);
  const nowMs = state.clock.now();
  const finding = diagnoseMiss(state.offers, state.compile(valid, maxBudget, nowMs), valid, nowMs);
  return finding === undefined ? undefined : explanationOf(state.offers, finding, valid, maxBudget);
}

/** OrderBook.getOrder: a resting order as submitted, or a matched one with status Matched. @throws ORDER_NOT_FOUND */
export function orderOf(state: BookState, orderId: OrderId): JobOrder {
  const resting = state.resting.get(orderId);
  if (resting !== undefined) return resting.order;
  const allocation = state.allocations.get(orderId);
  if (allocation === undefined) throw new MarketError("ORDER_NOT_FOUND", { orderId });
  return { ...allocation.order, status: OrderStatus.Matched };
}

/** OrderBook.getMatch: the match a matched order holds. @throws ORDER_NOT_FOUND */
export function matchHeldBy(state: BookState, orderId: OrderId): OrderMatch {
  const allocation = state.allocations.get(orderId);
  if (allocation === undefined) throw new MarketError("ORDER_NOT_FOUND", { orderId });
  return allocation.match;
}
