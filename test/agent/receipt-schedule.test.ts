// The agent's receipt schedule against the market's rules: on a manual clock, at any tick
// intervals and any receipt interval, every receipt the schedule plans is accepted by
// checkUsageReceipt (the market's check, used as the oracle), one more second is refused, a due
// receipt is never held back, and none is planned after the escrow's window.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Wallet } from "../../src/chain/wallet.js";
import { ManualClock } from "../../src/core/clock.js";
import { escrowIdOf } from "../../src/core/ids.js";
import { isMarketError } from "../../src/core/errors.js";
import { planReceipt, receiptDueAtMs } from "../../src/agent/receipt-schedule.js";
import type { ReceiptBasis } from "../../src/agent/receipt-schedule.js";
import { RECEIPT_CLOCK_SKEW_MS, checkUsageReceipt, signUsageReceipt } from "../../src/settlement/usage-receipt.js";
import type { UsageReceipt, UsageReceiptCheck } from "../../src/settlement/usage-receipt.js";

const provider = Wallet.fromSeed(Buffer.alloc(32, 3));
const T0 = Date.parse("2026-12-01T00:00:00Z");

function escrowOf(allocatedSeconds: number, windowS: number): UsageReceiptCheck["escrow"] {
  return {
    id: escrowIdOf("ord_01JD3Q0000000000000000000A"),
    provider: provider.address,
    allocatedSeconds,
    lockedUntil: new Date(T0 + windowS * 1000),
  };
}

function accepted(check: UsageReceiptCheck): string {
  try {
    checkUsageReceipt(check);
    return "accepted";
  } catch (e) {
    if (isMarketError(e)) return `${e.code} ${e.message}`;
    throw e;
  }
}

describe("the receipt schedule", () => {
  it("plans only receipts the market accepts, and one greedy second more is refused (property)", () => {
    fc.assert(
      fc.property(
        fc.record({
          allocatedSeconds: fc.integer({ min: 1, max: 4 * 3600 }),
          extraWindowS: fc.integer({ min: 0, max: 3600 }),
          intervalS: fc.integer({ min: 1, max: 120 }),
          // The market's clock against the agent's, within the skew it tolerates.
          marketOffsetMs: fc.integer({ min: -RECEIPT_CLOCK_SKEW_MS, max: RECEIPT_CLOCK_SKEW_MS }),
          ticksMs: fc.array(fc.integer({ min: 1, max: 90_000 }), { minLength: 1, maxLength: 40 }),
        }),
        ({ allocatedSeconds, extraWindowS, intervalS, marketOffsetMs, ticksMs }) => {
          const clock = new ManualClock(T0);
          const escrow = escrowOf(allocatedSeconds, allocatedSeconds + extraWindowS);
          let latest: UsageReceipt | undefined;
          let sent = 0;
          for (const tickMs of ticksMs) {
            clock.advance(tickMs);
            const basis: ReceiptBasis = {
              startedAtMs: T0,
              allocatedSeconds,
              lockedUntilMs: escrow.lockedUntil.getTime(),
              latest,
              intervalS,
            };
            const plan = planReceipt(basis, clock.now());
            const inWindow = clock.now() <= escrow.lockedUntil.getTime();
            // Never held back: due and inside the window means a receipt now.
            expect(plan.send).toBe(inWindow && clock.now() >= receiptDueAtMs(basis));
            if (!plan.send) continue;
            const receipt = signUsageReceipt({ escrowId: escrow.id, provider, ...plan });
            const check = { escrow, startedAtMs: T0, receipt, nowMs: clock.now() + marketOffsetMs, ...(latest ? { latest } : {}) };
            expect(accepted(check)).toBe("accepted");
            const greedy = signUsageReceipt({ escrowId: escrow.id, provider, ...plan, secondsRun: plan.secondsRun + 1 });
            expect(accepted({ ...check, receipt: greedy })).toMatch(/^PROOF_MISMATCH/);
            expect(plan.sequence).toBe(sent + 1);
            latest = receipt;
            sent++;
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it("waits an interval after the start, then after each receipt; counts whole seconds since the start", () => {
    const basis = { startedAtMs: T0, allocatedSeconds: 3600, lockedUntilMs: T0 + 7200_000, intervalS: 60 };
    expect(planReceipt(basis, T0 + 59_999)).toEqual({ send: false, reason: "not-due", dueAtMs: T0 + 60_000 });
    expect(planReceipt(basis, T0 + 60_500)).toEqual({ send: true, sequence: 1, secondsRun: 60, atMs: T0 + 60_500 });
    const latest = { sequence: 1, secondsRun: 60, atMs: T0 + 60_500 };
    expect(planReceipt({ ...basis, latest }, T0 + 120_000)).toMatchObject({ send: false, dueAtMs: T0 + 120_500 });
    expect(planReceipt({ ...basis, latest }, T0 + 121_000)).toEqual({ send: true, sequence: 2, secondsRun: 121, atMs: T0 + 121_000 });
  });

  it("continues a sequence the market kept (a restart), never past the allocation, and stops after the window", () => {
    const basis = { startedAtMs: T0, allocatedSeconds: 100, lockedUntilMs: T0 + 200_000, intervalS: 10 };
    const latest = { sequence: 41, secondsRun: 95, atMs: T0 + 96_000 };
    expect(planReceipt({ ...basis, latest }, T0 + 150_000)).toEqual({ send: true, sequence: 42, secondsRun: 100, atMs: T0 + 150_000 });
    expect(planReceipt({ ...basis, latest }, T0 + 200_001)).toEqual({ send: false, reason: "window-ended" });
  });
});
