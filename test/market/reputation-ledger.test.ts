// Unit tests of the reputation ledger and its estimate: the prior for a new provider, recency,
// monotonicity in successes, the outcome rules per event, and determinism of the fold.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { REPUTATION_MODEL, ReputationLedger, outcomeFields, outcomeOf, reputationEstimate } from "../../src/market/reputation-ledger.js";
import type { EventRow } from "../../src/store/store.js";

const DAY_MS = 86_400_000;
const PROVIDER = "Prov1111111111111111111111111111111111111111";
let seq = 0;

function event(type: string, body: Record<string, unknown>, atMs: number, entityId = `ord_${++seq}`): EventRow {
  return { seq: ++seq, type, entityId, atMs, node: "n", payload: JSON.stringify({ type, entityId, ...body }) };
}
const settled = (atMs: number, providerId = PROVIDER): EventRow => event("OrderSettled", { from: "Completed", providerId }, atMs);
const failed = (kind: string, atMs: number, extra: Record<string, unknown> = {}): EventRow =>
  event("OrderFailed", { from: "Running", providerId: PROVIDER, failureKind: kind, ...extra }, atMs);

describe("reputation estimate", () => {
  it("a provider without outcomes has the prior mean, 0.5 (the book's default)", () => {
    const ledger = new ReputationLedger();
    expect(ledger.estimateOf(PROVIDER)).toBe(0.5);
    expect(ledger.reportOf(PROVIDER)).toMatchObject({ estimate: 0.5, uptime: null, recent: [], latestAtMs: null });
    expect(reputationEstimate(0, 0)).toBe(
      REPUTATION_MODEL.priorSuccesses / (REPUTATION_MODEL.priorSuccesses + REPUTATION_MODEL.priorFailures),
    );
  });

  it("stays in [0, 1] and rises with successes, falls with failures", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0.001, max: 10, noNaN: true }),
        (s, f, more) => {
          const estimate = reputationEstimate(s, f);
          expect(estimate).toBeGreaterThanOrEqual(0);
          expect(estimate).toBeLessThanOrEqual(1);
          expect(reputationEstimate(s + more, f)).toBeGreaterThan(estimate);
          expect(reputationEstimate(s, f + more)).toBeLessThan(estimate);
        },
      ),
    );
  });

  it("recency: a failure a half-life before a success weighs half; the same outcomes in the other order rank the other way", () => {
    const t0 = Date.UTC(2026, 0, 1);
    const oldFailure = new ReputationLedger();
    oldFailure.apply(failed("ProviderLost", t0));
    oldFailure.apply(settled(t0 + REPUTATION_MODEL.halfLifeMs));
    expect(oldFailure.reportOf(PROVIDER)).toMatchObject({ successWeight: 1, failureWeight: 0.5 });
    expect(oldFailure.estimateOf(PROVIDER)).toBe(2 / 3.5);
    const oldSuccess = new ReputationLedger();
    oldSuccess.apply(settled(t0));
    oldSuccess.apply(failed("ProviderLost", t0 + REPUTATION_MODEL.halfLifeMs));
    expect(oldSuccess.estimateOf(PROVIDER)).toBe(1.5 / 3.5);
    // An event stamped before the latest (another node's clock) decays by its own age.
    const late = new ReputationLedger();
    late.apply(settled(t0 + 30 * DAY_MS));
    late.apply(failed("ProviderLost", t0));
    expect(late.reportOf(PROVIDER).failureWeight).toBe(0.5);
    expect(late.reportOf(PROVIDER).latestAtMs).toBe(t0 + 30 * DAY_MS);
  });

  it("outcome rules: exit status weighs a quarter, lost and timeout a whole failure, a lost job's receipted payout is no success", () => {
    const t = Date.UTC(2026, 0, 1);
    const ledger = new ReputationLedger();
    ledger.apply(failed("ExitStatus", t));
    expect(ledger.reportOf(PROVIDER).failureWeight).toBe(0.25);
    ledger.apply(failed("Timeout", t));
    ledger.apply(failed("ProviderLost", t, { secondsReceipted: 900, secondsAllocated: 3600 }));
    ledger.apply(event("OrderSettled", { from: "Failed", providerId: PROVIDER }, t));
    const report = ledger.reportOf(PROVIDER);
    expect(report.counts).toEqual({ settled: 0, disputeWon: 0, disputeLost: 0, failedExitStatus: 1, lost: 1, timedOut: 1 });
    expect(report.failureWeight).toBe(2.25);
    expect(report.uptime).toBe(0.25);
    expect(report.recent.map((r) => r.outcome)).toEqual(["lost", "timedOut", "failedExitStatus"]);
  });

  it("a dispute is won with at least half the escrow (2 x share >= escrow), lost below; events without a provider count for nobody", () => {
    const resolved = (share: string, escrow: string): EventRow =>
      event("OrderResolved", { from: "Disputed", providerId: PROVIDER, providerShare: share, escrowAmount: escrow }, 0);
    expect(outcomeOf(resolved("50", "100"))?.outcome).toBe("disputeWon");
    expect(outcomeOf(resolved("49", "100"))?.outcome).toBe("disputeLost");
    expect(outcomeOf(resolved("-1", "100"))).toBeUndefined();
    expect(outcomeOf(event("OrderSettled", { from: "Completed" }, 0))).toBeUndefined();
    expect(outcomeOf(event("OrderRunning", { from: "Escrowed", providerId: PROVIDER }, 0))).toBeUndefined();
  });

  it("outcomeFields: the provider always, the failure kind, receipted and allocated seconds, and a resolution's split in base units", () => {
    expect(outcomeFields(undefined, 2, "Failed", {})).toEqual({});
    expect(outcomeFields(PROVIDER, 2, "Running", {})).toEqual({ providerId: PROVIDER });
    const receipt = { secondsRun: 600 } as never;
    expect(outcomeFields(PROVIDER, 2, "Failed", { failure: { reason: "x", kind: "ProviderLost" }, receipt })).toEqual({
      providerId: PROVIDER,
      failureKind: "ProviderLost",
      secondsReceipted: 600,
      secondsAllocated: 7200,
    });
    const settlement = { status: "PartialRefund", providerPayment: "1.5", platformFee: "0.5", buyerRefund: "3", transactions: [] };
    expect(outcomeFields(PROVIDER, 2, "Resolved", { settlement })).toEqual({
      providerId: PROVIDER,
      providerShare: "2000000000",
      escrowAmount: "5000000000",
    });
  });

  it("the fold is deterministic: the same events give the same report, and a fork tries events without changing the ledger", () => {
    const events = [settled(1000), failed("ExitStatus", 5 * DAY_MS), settled(40 * DAY_MS), failed("ProviderLost", 41 * DAY_MS)];
    const a = new ReputationLedger();
    const b = new ReputationLedger();
    for (const e of events) a.apply(e);
    for (const e of events) b.apply(e);
    expect(a.reportOf(PROVIDER)).toEqual(b.reportOf(PROVIDER));
    expect(a.apply(events[0] as EventRow)).toBeUndefined(); // already folded
    const fork = a.forkFor(PROVIDER);
    fork.apply(settled(42 * DAY_MS));
    expect(fork.estimateOf(PROVIDER)).toBeGreaterThan(a.estimateOf(PROVIDER));
    expect(a.reportOf(PROVIDER)).toEqual(b.reportOf(PROVIDER));
  });

  it("keeps at most recentMax outcomes, newest first", () => {
    const ledger = new ReputationLedger();
    for (let i = 0; i < REPUTATION_MODEL.recentMax + 5; i++) ledger.apply(settled(i * 1000));
    const recent = ledger.reportOf(PROVIDER).recent;
    expect(recent).toHaveLength(REPUTATION_MODEL.recentMax);
    expect(recent[0]?.atMs).toBe((REPUTATION_MODEL.recentMax + 4) * 1000);
    expect(ledger.reportOf(PROVIDER).counts.settled).toBe(REPUTATION_MODEL.recentMax + 5);
  });
});
