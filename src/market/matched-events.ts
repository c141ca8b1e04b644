// What an OrderMatched event row says about its buyer's commitment (the buyer and the match's
// total cost), remembered for the rows this process built itself, so the listeners of its own
// batches do not parse back the JSON it has just written. In memory only.
import { Amount } from "../core/amount.js";
import type { EventRow } from "../store/store.js";

/** The buyer of an OrderMatched event's order and its match's total cost in base units. */
export interface MatchedFacts {
  readonly buyerId: string;
  readonly totalCostBaseUnits: bigint;
}

/** Facts of the OrderMatched rows built in this process; rows are immutable, and a dropped row drops its entry. */
const remembered = new WeakMap<EventRow, MatchedFacts>();

/** Remembers what `row` (an OrderMatched event row this process built, not yet published) says. Invariant: the facts are those of its payload. */
export function rememberMatched(row: EventRow, facts: MatchedFacts): void {
  remembered.set(row, facts);
}

/**
 * The buyer and total cost an OrderMatched event row carries: remembered for this process's own
 * rows, else read from its payload (another process's, or a row read from the store).
 * @throws INVALID_AMOUNT (a payload whose total cost is no amount), SyntaxError (no JSON)
 */
export function matchedFacts(row: EventRow): MatchedFacts {
  const known = remembered.get(row);
  if (known !== undefined) return known;
  const payload = JSON.parse(row.payload) as { order: { buyerId: string }; match: { totalCost: string } };
  return { buyerId: payload.order.buyerId, totalCostBaseUnits: Amount.parse(payload.match.totalCost).baseUnits };
}
