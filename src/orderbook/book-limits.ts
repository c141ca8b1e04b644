// The named bounds of one order book and the check of a result limit. Pure, no I/O.
import { MarketError } from "../core/errors.js";

/** Bounds of one book; each can be lowered in the constructor. */
export interface OrderBookLimits {
  /** Offers held at once (active and paused). */
  readonly offersMax: number;
  /** Orders resting at once. */
  readonly restingOrdersMax: number;
  /** Matched orders whose GPUs are still allocated. */
  readonly allocationsMax: number;
  /** Largest `limit` of bestOffers / matchOrder. */
  readonly resultLimitMax: number;
  /**
   * Shapes a query's pool may hold before the query walks offers by price first (price-buckets.ts)
   * instead of shapes: a book of mostly distinct shapes would make the shape walk visit them all.
   */
  readonly shapeWalkShapesMax: number;
}

/** Default bounds. */
export const ORDER_BOOK_LIMITS: OrderBookLimits = {
  offersMax: 10_000_000,
  restingOrdersMax: 1_000_000,
  allocationsMax: 10_000_000,
  resultLimitMax: 1000,
  shapeWalkShapesMax: 4096,
};

/** Results returned by bestOffers / matchOrder when no limit is given. */
export const RESULT_LIMIT_DEFAULT = 10;

/** A result limit is a whole number in 1..resultLimitMax. @throws OUT_OF_RANGE */
export function checkResultLimit(limit: number, limits: OrderBookLimits): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > limits.resultLimitMax) {
    throw new MarketError("OUT_OF_RANGE", { field: "limit", value: String(limit), min: "1", max: String(limits.resultLimitMax) });
  }
}
