// UnfundedMatches keeps each buyer's matched, unfunded orders and their sum from the events it is
// told: the sum always equals the orders' costs added up, whether an OrderMatched row is one this
// process built (remembered, never parsed) or one read back as JSON, and whatever order matches,
// re-matches and status changes come in.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Amount } from "../../src/core/amount.js";
import type { FeedListener, MarketFeed } from "../../src/market/feed.js";
import { matchedFacts, rememberMatched } from "../../src/market/matched-events.js";
import { UnfundedMatches } from "../../src/market/unfunded-matches.js";
import type { EventRow, Store } from "../../src/store/store.js";

/** The two hooks UnfundedMatches registers, captured so the test tells it events itself. */
function listening(): { feed: MarketFeed; tell: (event: EventRow) => void } {
  const listeners: FeedListener[] = [];
  const feed = {
    onRebuild: (): undefined => undefined,
    onEvent: (listener: FeedListener) => {
      listeners.push(listener);
      return () => undefined;
    },
  } as unknown as MarketFeed;
  return {
    feed,
    tell: (event) => {
      for (const listener of listeners) listener(event);
    },
  };
}

const matchedRow = (seq: number, orderId: string, buyerId: string, cost: Amount): EventRow => ({
  seq,
  type: "OrderMatched",
  entityId: orderId,
  atMs: 0,
  node: "n",
  payload: JSON.stringify({ type: "OrderMatched", order: { id: orderId, buyerId }, match: { orderId, totalCost: cost.toString() } }),
});

describe("UnfundedMatches", () => {
  it("reads a foreign OrderMatched row's payload, and takes a remembered one's facts without it", () => {
    const foreign = matchedRow(1, "o1", "b1", Amount.parse("1.5"));
    expect(matchedFacts(foreign)).toEqual({ buyerId: "b1", totalCostBaseUnits: Amount.parse("1.5").baseUnits });
    const own = { ...matchedRow(2, "o2", "b2", Amount.parse("2")), payload: "not JSON: never parsed" };
    rememberMatched(own, { buyerId: "b2", totalCostBaseUnits: 7n });
    expect(matchedFacts(own)).toEqual({ buyerId: "b2", totalCostBaseUnits: 7n });
  });

  it("each buyer's sum is its orders' costs added up, through matches, re-matches and status changes", () => {
    const step = fc.record({
      order: fc.integer({ min: 0, max: 7 }),
      buyer: fc.integer({ min: 0, max: 2 }),
      cost: fc.bigInt({ min: 1n, max: 10n ** 12n }),
      type: fc.constantFrom("OrderMatched", "OrderMatched", "OrderEscrowed", "OrderCancelled", "OrderExpired", "OfferPaused"),
      own: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const { feed, tell } = listening();
        const unfunded = new UnfundedMatches(feed, {} as Store);
        // The model: order -> [buyer, cost] while Matched.
        const model = new Map<string, [string, bigint]>();
        steps.forEach((s, i) => {
          const orderId = `o${s.order}`;
          // An order keeps its first buyer, as in the market.
          const buyerId = model.get(orderId)?.[0] ?? `b${s.buyer}`;
          if (s.type === "OrderMatched") {
            const row = matchedRow(i + 1, orderId, buyerId, Amount.fromLamports(s.cost));
            if (s.own) rememberMatched(row, { buyerId, totalCostBaseUnits: s.cost });
            tell(row);
            model.set(orderId, [buyerId, s.cost]);
          } else {
            tell({ seq: i + 1, type: s.type, entityId: orderId, atMs: 0, node: "n", payload: "{}" });
            if (s.type !== "OfferPaused") model.delete(orderId);
          }
        });
        for (const buyer of ["b0", "b1", "b2"]) {
          const expected = [...model].filter(([, [b]]) => b === buyer);
          const got = unfunded.of(buyer);
          expect(new Map(got.orders)).toEqual(new Map(expected.map(([id, [, cost]]) => [id, cost])));
          expect(got.totalBaseUnits).toBe(expected.reduce((sum, [, [, cost]]) => sum + cost, 0n));
        }
      }),
    );
  });
});
