// The words of a refused lifecycle step: the entity, its id and status, and what to do next.
import { describe, expect, it } from "vitest";
import { MarketError } from "../../src/core/errors.js";
import { OrderStatus } from "../../src/core/enums.js";
import { transitionText } from "../../src/core/transition-text.js";

describe("transitionText", () => {
  it("says what to do next instead of naming the two states", () => {
    expect(new MarketError("INVALID_STATE_TRANSITION", { entity: "order", from: "Running", to: "Settled", id: "ord_1" }).message).toBe(
      "order ord_1 is Running: settle it after the provider completes it",
    );
    expect(transitionText({ entity: "order", from: "Cancelled", to: "Cancelled", id: "ord_1" })).toBe(
      "order ord_1 is Cancelled: it is cancelled already",
    );
    expect(transitionText({ entity: "order", from: "Matched", to: "Running" })).toBe(
      "order is Matched: the buyer has not funded its escrow yet: the job starts after the funding",
    );
    expect(transitionText({ entity: "order", from: "Escrowed", to: "Completed" })).toContain("the provider starts it first");
    expect(transitionText({ entity: "order", from: "Settled", to: "Refunded" })).toContain("over and paid out");
    expect(transitionText({ entity: "offer", from: "Paused", to: "Paused", id: "ofr_1" })).toBe(
      "offer ofr_1 is Paused: it is paused already",
    );
    expect(transitionText({ entity: "offer", from: "Withdrawn", to: "Active" })).toContain("list a new offer");
  });

  it("keeps the refused step's own words where no rule says more", () => {
    const to = "a longer job (only an Escrowed or Running job is extended: fund the escrow first)";
    expect(transitionText({ entity: "order", from: "Matched", to })).toBe(`order is Matched: it cannot go to ${to}`);
    expect(transitionText({ entity: "escrow", from: "Released", to: "Locked" })).toBe("escrow is Released: it cannot go to Locked");
  });

  it("never says null, undefined or NaN, nor 'cannot go from', for any pair of order statuses", () => {
    const statuses = Object.values(OrderStatus);
    for (const from of statuses)
      for (const to of statuses) {
        const text = transitionText({ entity: "order", from, to, id: "ord_1" });
        expect(text.startsWith(`order ord_1 is ${from}: `)).toBe(true);
        expect(text).not.toMatch(/null|undefined|NaN|cannot go from/);
      }
  });
});
