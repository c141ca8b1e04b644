// nextStepOf for every order status: who acts, what, by when, and the command in the text only for
// the viewer who acts; durationText and deadlineText in words.
import { describe, expect, it } from "vitest";
import { OrderStatus } from "../../src/core/enums.js";
import { deadlineText, durationText, nextStepOf } from "../../src/contract/next-step.js";
import type { OrderDetails } from "../../src/contract/orders.js";

const NOW = Date.parse("2026-03-01T12:00:00Z");
const at = (minutes: number): string => new Date(NOW + minutes * 60_000).toISOString();
const BUYER = "Buyer1111111111111111111111111111";
const PROVIDER = "Prov11111111111111111111111111111";
const NO_DEADLINES = { fundBy: null, lockedUntil: null, disputeUntil: null, receiptDueBy: null };

function order(status: string, changes: Partial<OrderDetails> = {}): OrderDetails {
  return {
    orderId: "ord_1",
    status,
    buyerId: BUYER,
    offerId: status === "Pending" ? null : "ofr_1",
    escrowId: null,
    match:
      status === "Pending"
        ? null
        : {
            orderId: "ord_1",
            offerId: "ofr_1",
            providerId: PROVIDER,
            gpuCount: 2,
            pricePerHour: "3",
            hours: 1,
            totalCost: "6",
            feeBps: 250,
            platformFee: "0.15",
            score: 0.5,
            scoreBreakdown: {
              priceHeadroom: 0,
              gpuFit: 0,
              vramFit: 0,
              preferredModel: 0,
              extraFeatures: 0,
              reputation: 0,
              utilization: 0,
              total: 0.5,
            },
          },
    job: {},
    rematch: false,
    successorOf: null,
    deadlines: NO_DEADLINES,
    ...changes,
  };
}

describe("nextStepOf", () => {
  it("Matched: the buyer funds within the funding window; the command only in the buyer's text", () => {
    const matched = order("Matched", { deadlines: { ...NO_DEADLINES, fundBy: at(12) } });
    const mine = nextStepOf(matched, BUYER, NOW);
    expect(mine).toEqual({
      actor: "buyer",
      action: "fund",
      deadline: at(12),
      text: "fund the escrow within 12 min: molt-market escrow fund ord_1",
    });
    expect(nextStepOf(matched, PROVIDER, NOW).text).toBe("the buyer funds the escrow within 12 min");
    expect(nextStepOf(matched, undefined, NOW).text).not.toContain("molt-market");
    const late = nextStepOf(matched, BUYER, NOW + 13 * 60_000);
    expect(late).toMatchObject({ actor: "nobody", action: "wait" });
    expect(late.text).toContain("funding window closed");
  });

  it("every status has a step with an actor and an action, and no text says null, undefined or NaN", () => {
    for (const status of Object.values(OrderStatus)) {
      for (const viewer of [BUYER, PROVIDER, undefined]) {
        const step = nextStepOf(order(status), viewer, NOW);
        expect(["buyer", "provider", "anyone", "nobody"]).toContain(step.actor);
        expect(step.action).not.toBe("");
        expect(step.text).not.toBe("");
        expect(step.text).not.toMatch(/null|undefined|NaN/);
      }
    }
  });

  it("the lifecycle: start, complete, settle or dispute, refund or pay out, resolve, done", () => {
    expect(nextStepOf(order("Pending"), BUYER, NOW)).toMatchObject({ actor: "nobody", action: "wait" });
    expect(nextStepOf(order("Pending"), BUYER, NOW).text).toContain("molt-market order cancel ord_1");
    const escrowed = order("Escrowed", { deadlines: { ...NO_DEADLINES, receiptDueBy: at(5), lockedUntil: at(120) } });
    expect(nextStepOf(escrowed, PROVIDER, NOW)).toMatchObject({ actor: "provider", action: "start", deadline: at(5) });
    expect(nextStepOf(escrowed, PROVIDER, NOW).text).toContain("within 5 min: molt-market job start ord_1");
    const running = order("Running", { deadlines: { ...NO_DEADLINES, receiptDueBy: at(3), lockedUntil: at(125) } });
    expect(nextStepOf(running, PROVIDER, NOW)).toMatchObject({ actor: "provider", action: "complete", deadline: at(125) });
    expect(nextStepOf(running, BUYER, NOW).text).toBe(
      "the job runs; the provider completes it within 2 h 5 min and sends its next usage receipt within 3 min",
    );
    const completed = order("Completed", { deadlines: { ...NO_DEADLINES, disputeUntil: at(24 * 60) } });
    expect(nextStepOf(completed, BUYER, NOW)).toMatchObject({ actor: "buyer", action: "settle", deadline: at(24 * 60) });
    expect(nextStepOf(completed, BUYER, NOW).text).toContain("molt-market settle ord_1; or dispute within 1 d");
    expect(nextStepOf(completed, PROVIDER, NOW).text).toContain("after that you settle it: molt-market settle ord_1");
    expect(nextStepOf(completed, PROVIDER, NOW + 25 * 3_600_000)).toMatchObject({ actor: "anyone", action: "settle", deadline: null });
    expect(nextStepOf(order("Failed"), BUYER, NOW)).toMatchObject({ actor: "buyer", action: "refund" });
    expect(nextStepOf(order("Failed"), BUYER, NOW).text).toContain("molt-market escrow refund ord_1");
    const lost = order("Failed", { job: { failure: { reason: "ProviderLost", secondsRun: 60 } } });
    expect(nextStepOf(lost, PROVIDER, NOW)).toMatchObject({ actor: "anyone", action: "settle" });
    expect(nextStepOf(order("Disputed"), BUYER, NOW)).toMatchObject({ actor: "nobody", action: "wait" });
    const decided = order("Disputed", { job: { decision: { providerShare: "4", reason: "half ran", decidedAtMs: NOW } } });
    expect(nextStepOf(decided, PROVIDER, NOW)).toMatchObject({ actor: "anyone", action: "resolve" });
    expect(nextStepOf(decided, PROVIDER, NOW).text).toContain("4 MOLT to the provider): molt-market dispute resolve ord_1");
    for (const status of ["Settled", "Refunded", "Resolved", "Cancelled", "Expired"])
      expect(nextStepOf(order(status), BUYER, NOW)).toEqual({
        actor: "nobody",
        action: "done",
        deadline: null,
        text: `none: the order is ${status.toLowerCase()}`,
      });
  });
});

describe("durations and deadlines in words", () => {
  it("rounds up to the unit shown", () => {
    expect(durationText(0)).toBe("0 s");
    expect(durationText(40_500)).toBe("41 s");
    expect(durationText(12 * 60_000)).toBe("12 min");
    expect(durationText(11 * 60_000 + 1)).toBe("12 min");
    expect(durationText(3 * 3_600_000 + 5 * 60_000)).toBe("3 h 5 min");
    expect(durationText(2 * 3_600_000)).toBe("2 h");
    expect(durationText(2 * 86_400_000 + 4 * 3_600_000)).toBe("2 d 4 h");
    expect(durationText(-5)).toBe("0 s");
  });

  it("says within or ago, and nothing without a deadline", () => {
    expect(deadlineText(at(12), NOW)).toBe("within 12 min");
    expect(deadlineText(at(-3), NOW)).toBe("passed 3 min ago");
    expect(deadlineText(null, NOW)).toBe("");
  });
});
