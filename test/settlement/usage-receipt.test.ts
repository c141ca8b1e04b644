// Usage receipts: a receipt verifies only for its provider over exactly its fields and never as
// another kind of statement; the market's check refuses receipts out of order, from another key,
// outside the escrow's window, or counting more seconds than have passed; and an honest provider's
// receipts, at any intervals, are all accepted (property).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Wallet } from "../../src/chain/wallet.js";
import { isMarketError } from "../../src/core/errors.js";
import { escrowIdOf } from "../../src/core/ids.js";
import type { MarketErrorCode } from "../../src/core/errors.js";
import { verifySigned } from "../../src/core/signer.js";
import { attestationMessage, DOMAIN_TAGS } from "../../src/settlement/statements.js";
import {
  RECEIPT_CLOCK_SKEW_MS,
  checkUsageReceipt,
  signUsageReceipt,
  usageReceiptMessage,
  verifyUsageReceipt,
} from "../../src/settlement/usage-receipt.js";
import type { UsageReceipt, UsageReceiptCheck } from "../../src/settlement/usage-receipt.js";

const provider = Wallet.fromSeed(Buffer.alloc(32, 7));
const stranger = Wallet.fromSeed(Buffer.alloc(32, 9));
const T0 = Date.parse("2026-12-01T00:00:00Z");
const ALLOCATED_S = 2 * 3600;
const escrow: UsageReceiptCheck["escrow"] = {
  id: escrowIdOf("ord_01JD3Q0000000000000000000A"),
  provider: provider.address,
  allocatedSeconds: ALLOCATED_S,
  lockedUntil: new Date(T0 + (ALLOCATED_S + 3600) * 1000),
};

function receipt(sequence: number, secondsRun: number, atMs: number, signer: Wallet = provider): UsageReceipt {
  return signUsageReceipt({ escrowId: escrow.id, provider: signer, sequence, secondsRun, atMs });
}

/** The code `check` throws, or "accepted". */
function verdict(
  check: Omit<UsageReceiptCheck, "escrow" | "startedAtMs"> & { readonly startedAtMs?: number },
): MarketErrorCode | "accepted" {
  try {
    checkUsageReceipt({ escrow, startedAtMs: T0, ...check });
    return "accepted";
  } catch (e) {
    if (isMarketError(e)) return e.code;
    throw e;
  }
}

describe("usage receipt signatures", () => {
  it("verify for the provider over exactly the fields signed", () => {
    const signed = receipt(3, 120, T0 + 125_000);
    expect(verifyUsageReceipt(signed)).toBe(true);
    for (const tampered of [
      { ...signed, sequence: 4 },
      { ...signed, secondsRun: 121 },
      { ...signed, atMs: signed.atMs + 1 },
      { ...signed, escrowId: "esc_01JD3Q0000000000000000000B" },
      { ...signed, telemetryDigest: "0".repeat(64) },
      { ...signed, provider: stranger.address },
      { ...signed, signature: signed.signature.replace(/^./, (c) => (c === "0" ? "1" : "0")) },
      { ...signed, signature: "zz" },
    ]) {
      expect(verifyUsageReceipt(tampered)).toBe(false);
    }
  });

  it("carry their own domain tag: a receipt's signature is no attestation's, and its bytes start with the tag", () => {
    const signed = receipt(1, 60, T0 + 61_000);
    const message = usageReceiptMessage(signed);
    expect(Buffer.from(message.subarray(2, 2 + DOMAIN_TAGS.usageReceipt.length)).toString("utf8")).toBe(DOMAIN_TAGS.usageReceipt);
    const otherTags = Object.entries(DOMAIN_TAGS).filter(([kind]) => kind !== "usageReceipt");
    for (const [, tag] of otherTags) expect(tag).not.toBe(DOMAIN_TAGS.usageReceipt);
    const proof = {
      escrowId: escrow.id,
      orderId: "ord_01JD3Q0000000000000000000A",
      offerId: "ofr_01JD3Q0000000000000000000A",
      provider: provider.address,
      gpuModel: "H100",
      gpuCount: 1,
      startedAtMs: T0,
      endedAtMs: T0 + 60_000,
      exitStatus: 0,
      outputDigest: "a".repeat(64),
      usageDigest: "b".repeat(64),
    };
    expect(verifySigned(provider.address, attestationMessage(proof), Buffer.from(signed.signature, "hex"))).toBe(false);
  });
});

describe("the market's check of a new receipt", () => {
  const first = receipt(1, 60, T0 + 60_000);

  it("accepts the first receipt and a later one that counts no more than the time that passed", () => {
    expect(verdict({ receipt: first, nowMs: T0 + 60_000 })).toBe("accepted");
    expect(verdict({ latest: first, receipt: receipt(2, 120, T0 + 120_000), nowMs: T0 + 120_000 })).toBe("accepted");
    expect(verdict({ latest: first, receipt: receipt(5, 60, T0 + 180_000), nowMs: T0 + 180_000 })).toBe("accepted"); // a gap, no progress
  });

  it("refuses receipts out of order: an old sequence, a replay, an earlier time, fewer seconds", () => {
    const second = receipt(2, 120, T0 + 120_000);
    expect(verdict({ latest: second, receipt: first, nowMs: T0 + 130_000 })).toBe("PROOF_MISMATCH");
    expect(verdict({ latest: second, receipt: second, nowMs: T0 + 130_000 })).toBe("PROOF_MISMATCH");
    expect(verdict({ latest: second, receipt: receipt(3, 120, T0 + 119_000), nowMs: T0 + 130_000 })).toBe("PROOF_MISMATCH");
    expect(verdict({ latest: second, receipt: receipt(3, 119, T0 + 125_000), nowMs: T0 + 130_000 })).toBe("PROOF_MISMATCH");
    expect(verdict({ receipt: receipt(0, 0, T0 + 1_000), nowMs: T0 + 1_000 })).toBe("PROOF_MISMATCH");
  });

  it("refuses a receipt from another key, even one that names the provider, and one for another escrow", () => {
    expect(verdict({ receipt: receipt(1, 60, T0 + 60_000, stranger), nowMs: T0 + 60_000 })).toBe("INVALID_SIGNATURE");
    const forged = { ...receipt(1, 60, T0 + 60_000, stranger), provider: provider.address };
    expect(verdict({ receipt: forged, nowMs: T0 + 60_000 })).toBe("INVALID_SIGNATURE");
    const elsewhere = signUsageReceipt({
      escrowId: "esc_01JD3Q0000000000000000000B",
      provider,
      sequence: 1,
      secondsRun: 1,
      atMs: T0 + 1_000,
    });
    expect(verdict({ receipt: elsewhere, nowMs: T0 + 1_000 })).toBe("PROOF_MISMATCH");
  });

  it("refuses more seconds than have passed since the start, to the second, and more than since the latest receipt", () => {
    expect(verdict({ receipt: receipt(1, 60, T0 + 60_000), nowMs: T0 + 60_000 })).toBe("accepted");
    expect(verdict({ receipt: receipt(1, 61, T0 + 60_000), nowMs: T0 + 60_000 })).toBe("PROOF_MISMATCH");
    expect(verdict({ receipt: receipt(1, 60, T0 + 59_999), nowMs: T0 + 60_000 })).toBe("PROOF_MISMATCH");
    // A provider that sent nothing for a while cannot claim more than the wall time since its latest receipt.
    const late = receipt(1, 10, T0 + 600_000);
    expect(verdict({ latest: late, receipt: receipt(2, 70, T0 + 660_000), nowMs: T0 + 660_000 })).toBe("accepted");
    expect(verdict({ latest: late, receipt: receipt(2, 71, T0 + 660_000), nowMs: T0 + 660_000 })).toBe("PROOF_MISMATCH");
  });

  it("refuses receipts outside the escrow's window or ahead of the market's clock, and seconds beyond the allocation", () => {
    const end = escrow.lockedUntil.getTime();
    expect(verdict({ receipt: receipt(1, 60, end + 1), nowMs: end + 1 })).toBe("PROOF_MISMATCH");
    expect(verdict({ receipt: receipt(1, 0, T0 - RECEIPT_CLOCK_SKEW_MS - 1), nowMs: T0 })).toBe("PROOF_MISMATCH");
    expect(verdict({ receipt: receipt(1, 0, T0 - RECEIPT_CLOCK_SKEW_MS), nowMs: T0 })).toBe("accepted");
    expect(verdict({ receipt: receipt(1, 60, T0 + 60_000 + RECEIPT_CLOCK_SKEW_MS + 1), nowMs: T0 + 60_000 })).toBe("PROOF_MISMATCH");
    expect(verdict({ receipt: receipt(1, 60, T0 + 60_000 + RECEIPT_CLOCK_SKEW_MS), nowMs: T0 + 60_000 })).toBe("accepted");
    expect(verdict({ receipt: receipt(1, ALLOCATED_S + 1, T0 + (ALLOCATED_S + 10) * 1000), nowMs: T0 + (ALLOCATED_S + 10) * 1000 })).toBe(
      "PROOF_MISMATCH",
    );
  });

  it("accepts every receipt of an honest provider, at any intervals, and refuses any that claims a second more than passed (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 600_000 }), { minLength: 1, maxLength: 12 }),
        fc.nat({ max: 999 }),
        (gapsMs, lagMs) => {
          let latest: UsageReceipt | undefined;
          let atMs = T0;
          for (const [index, gapMs] of gapsMs.entries()) {
            atMs += gapMs;
            if (atMs > escrow.lockedUntil.getTime()) break;
            const honestSeconds = Math.min(Math.floor((atMs - T0) / 1000), ALLOCATED_S);
            const sinceLatest = latest === undefined ? honestSeconds : latest.secondsRun + Math.ceil((atMs - latest.atMs) / 1000);
            const next = receipt(index + 1, Math.min(honestSeconds, sinceLatest), atMs);
            const nowMs = atMs + lagMs;
            expect(verdict({ ...(latest === undefined ? {} : { latest }), receipt: next, nowMs })).toBe("accepted");
            const greedy = receipt(index + 1, Math.min(honestSeconds, sinceLatest) + 1, atMs);
            if (greedy.secondsRun > Math.min(honestSeconds, sinceLatest)) {
              expect(verdict({ ...(latest === undefined ? {} : { latest }), receipt: greedy, nowMs })).toBe("PROOF_MISMATCH");
            }
            latest = next;
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
