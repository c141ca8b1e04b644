// settleJob as a pure function: for random escrows, prices, GPU counts, fees and run times, the
// result always adds up to the escrow, bills min(actual, allocated) seconds, and its status agrees
// with its amounts. Signed statements are real (ed25519), only the chain is absent.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Wallet } from "../../src/chain/wallet.js";
import { Amount } from "../../src/core/amount.js";
import { newEscrowId, newOfferId, newOrderId } from "../../src/core/ids.js";
import { ImmutableDate } from "../../src/core/validate.js";
import { matchJson } from "../../src/contract/orders.js";
import { FEE_BPS_MAX, billingRate, fullRunSplit } from "../../src/settlement/billing.js";
import type { EscrowAccount } from "../../src/settlement/escrow-account.js";
import { settleJob } from "../../src/settlement/settle-job.js";
import { attest, confirm } from "../../src/settlement/statements.js";
import type { ExecutionProof } from "../../src/settlement/statements.js";
import { rejectionCode } from "../support/error-code.js";
import { T0 } from "../support/arbitraries.js";

const buyer = Wallet.generate();
const provider = Wallet.generate();
const arbiter = Wallet.generate();
const WINDOW_MS = 3_600_000;

function escrowOf(price: Amount, gpuCount: number, hours: number, feeBps: number): EscrowAccount {
  const allocatedSeconds = hours * 3600;
  return Object.freeze({
    id: newEscrowId(T0),
    state: "Locked",
    orderId: newOrderId(T0),
    offerId: newOfferId(T0),
    buyer: buyer.address,
    provider: provider.address,
    arbiter: arbiter.address,
    feeRecipient: arbiter.address,
    amount: price.mul(gpuCount * hours),
    pricePerHour: price,
    gpuCount,
    allocatedSeconds,
    feeBps,
    rate: billingRate(price, gpuCount, feeBps),
    createdAt: new ImmutableDate(T0),
    lockedUntil: new ImmutableDate(T0 + allocatedSeconds * 1000 + WINDOW_MS),
  });
}

function proofOf(escrow: EscrowAccount, ranMs: number): ExecutionProof {
  return {
    escrowId: escrow.id,
    orderId: escrow.orderId,
    offerId: escrow.offerId,
    provider: provider.address,
    gpuModel: "H100",
    gpuCount: escrow.gpuCount,
    startedAtMs: T0,
    endedAtMs: T0 + ranMs,
    exitStatus: 0,
    outputDigest: "a".repeat(64),
    usageDigest: "b".repeat(64),
  };
}

const cases = fc.record({
  price: fc.bigInt({ min: 1n, max: 10n ** 11n }).map((u) => Amount.fromLamports(u)),
  gpuCount: fc.integer({ min: 1, max: 64 }),
  hours: fc.integer({ min: 1, max: 48 }),
  feeBps: fc.integer({ min: 0, max: FEE_BPS_MAX }),
  ranFraction: fc.double({ min: 0, max: 1, noNaN: true }),
  confirmed: fc.boolean(),
  billedBy: fc.constantFrom("buyer" as const, "provider" as const),
});

describe("the fee a buyer sees before paying", () => {
  it("matchJson's platformFee is exactly what settleJob takes when the job runs all its hours (property)", () => {
    fc.assert(
      fc.property(cases, ({ price, gpuCount, hours, feeBps }) => {
        const escrow = escrowOf(price, gpuCount, hours, feeBps);
        const match = {
          orderId: escrow.orderId,
          offerId: escrow.offerId,
          providerId: provider.address,
          gpuCount,
          pricePerHour: price,
          hours,
          totalCost: escrow.amount,
          score: 1,
          scoreBreakdown: {
            priceHeadroom: 0,
            gpuFit: 0,
            vramFit: 0,
            preferredModel: 0,
            extraFeatures: 0,
            reputation: 0,
            utilization: 0,
            total: 1,
          },
        };
        const shown = matchJson(match, feeBps);
        const proof = proofOf(escrow, escrow.allocatedSeconds * 1000);
        const settled = settleJob(
          { escrowId: escrow.id, proof, providerAttestation: attest(proof, provider) },
          { escrow, nowMs: proof.endedAtMs + WINDOW_MS, disputeWindowMs: WINDOW_MS, billedBy: "provider" },
        );
        expect(shown.feeBps).toBe(feeBps);
        expect(shown.platformFee).toBe(settled.platformFee.toString());
        expect(fullRunSplit(match, feeBps).providerPayment.equals(settled.providerPayment)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe("settleJob (pure)", () => {
  it("payment + fee + refund = escrowed, billed = min(actual, allocated), status agrees with the amounts", () => {
    fc.assert(
      fc.property(cases, ({ price, gpuCount, hours, feeBps, ranFraction, confirmed, billedBy }) => {
        const escrow = escrowOf(price, gpuCount, hours, feeBps);
        const ranMs = Math.floor((ranFraction * (escrow.lockedUntil.getTime() - T0)) / 1000) * 1000;
        const proof = proofOf(escrow, ranMs);
        const ranSeconds = ranMs / 1000;
        const billed = Math.min(ranSeconds, escrow.allocatedSeconds);
        const result = settleJob(
          {
            escrowId: escrow.id,
            actualHours: String(ranSeconds / 3600),
            proof,
            providerAttestation: attest(proof, provider),
            ...(confirmed ? { buyerConfirmation: confirm({ proof, buyer, accepted: true, billedSeconds: billed }) } : {}),
          },
          { escrow, nowMs: proof.endedAtMs + (confirmed ? 0 : WINDOW_MS), disputeWindowMs: WINDOW_MS, billedBy },
        );
        expect(result.providerPayment.add(result.platformFee).add(result.buyerRefund).add(result.heldInEscrow).equals(escrow.amount)).toBe(
          true,
        );
        expect(result.heldInEscrow.isZero()).toBe(true);
        expect(result.billedSeconds).toBe(billed);
        expect(result.charge.equals(result.providerPayment.add(result.platformFee))).toBe(true);
        const expectedKind = result.charge.isZero() ? "FullRefund" : result.buyerRefund.isZero() ? "Success" : "PartialRefund";
        expect(result.status.kind).toBe(expectedKind);
        if (billed === escrow.allocatedSeconds) expect(result.status.kind).toBe("Success");
      }),
      { numRuns: 300 },
    );
  });

  it("a rejection holds everything in the escrow under a new dispute id", () => {
    const escrow = escrowOf(Amount.parse("2"), 2, 4, 100);
    const proof = proofOf(escrow, 3_600_000);
    const result = settleJob(
      {
        escrowId: escrow.id,
        actualHours: 1,
        proof,
        providerAttestation: attest(proof, provider),
        buyerConfirmation: confirm({ proof, buyer, accepted: false, billedSeconds: 0 }),
      },
      { escrow, nowMs: proof.endedAtMs, disputeWindowMs: WINDOW_MS, billedBy: "buyer" },
    );
    expect(result.status.kind).toBe("Disputed");
    expect(result.status.kind === "Disputed" && result.status.disputeId.startsWith("dsp_")).toBe(true);
    expect(result.status.kind === "Disputed" && result.status.reason).toBe("the buyer rejected the proof");
    expect(result.heldInEscrow.equals(escrow.amount) && result.charge.isZero()).toBe(true);
  });

  it("refuses an escrow that is not Locked, and bad hours, with codes", async () => {
    const escrow = escrowOf(Amount.parse("2"), 2, 4, 100);
    const proof = proofOf(escrow, 3_600_000);
    const input = { escrowId: escrow.id, actualHours: 1, proof, providerAttestation: attest(proof, provider) };
    const terms = { escrow, nowMs: proof.endedAtMs + WINDOW_MS, disputeWindowMs: WINDOW_MS, billedBy: "provider" as const };
    const run = (f: () => unknown): Promise<unknown> => Promise.resolve().then(f);
    expect(await rejectionCode(run(() => settleJob(input, { ...terms, escrow: { ...escrow, state: "Created" } })))).toBe(
      "INVALID_STATE_TRANSITION",
    );
    expect(await rejectionCode(run(() => settleJob({ ...input, actualHours: -1 }, terms)))).toBe("OUT_OF_RANGE");
    expect(await rejectionCode(run(() => settleJob({ ...input, actualHours: "one" }, terms)))).toBe("INVALID_FIELD");
    expect(await rejectionCode(run(() => settleJob({ ...input, proof: { ...proof, outputDigest: "xyz" } }, terms)))).toBe("INVALID_FIELD");
    expect(await rejectionCode(run(() => settleJob(input, { ...terms, nowMs: proof.endedAtMs + WINDOW_MS - 1 })))).toBe(
      "DISPUTE_WINDOW_OPEN",
    );
  });

  it("bills the attested time: a buyer cannot bill less (it rejects and the arbiter decides), the provider can", async () => {
    const escrow = escrowOf(Amount.parse("2"), 2, 4, 100);
    const proof = proofOf(escrow, 3_000); // a proof of 3 s
    const attestation = attest(proof, provider);
    const atEnd = { escrow, nowMs: proof.endedAtMs, disputeWindowMs: WINDOW_MS };
    // The hole: the buyer settles with actualHours 0 and its own confirmation of 0 s.
    const zero = {
      escrowId: escrow.id,
      actualHours: "0",
      proof,
      providerAttestation: attestation,
      buyerConfirmation: confirm({ proof, buyer, accepted: true, billedSeconds: 0 }),
    };
    expect(await rejectionCode(Promise.resolve().then(() => settleJob(zero, { ...atEnd, billedBy: "buyer" })))).toBe("PROOF_MISMATCH");
    // Without actualHours the attested 3 s are billed, whoever settles.
    const attested = {
      escrowId: escrow.id,
      proof,
      providerAttestation: attestation,
      buyerConfirmation: confirm({ proof, buyer, accepted: true, billedSeconds: 3 }),
    };
    const paid = settleJob(attested, { ...atEnd, billedBy: "buyer" });
    expect(paid.billedSeconds).toBe(3);
    expect(paid.charge.baseUnits).toBe(escrow.rate.ratePerSecond * 3n);
    // A confirmation of fewer seconds than attested does not settle either.
    expect(
      await rejectionCode(
        Promise.resolve().then(() =>
          settleJob(
            { ...attested, buyerConfirmation: confirm({ proof, buyer, accepted: true, billedSeconds: 2 }) },
            { ...atEnd, billedBy: "buyer" },
          ),
        ),
      ),
    ).toBe("PROOF_MISMATCH");
    // The provider may bill less than it attested.
    const less = settleJob(
      { escrowId: escrow.id, actualHours: "0", proof, providerAttestation: attestation },
      { ...atEnd, nowMs: proof.endedAtMs + WINDOW_MS, billedBy: "provider" },
    );
    expect(less.billedSeconds).toBe(0);
    expect(less.status.kind).toBe("FullRefund");
  });

  it("a proof that ran into the grace period of the longest job settles, billed at its allocation", () => {
    const escrow = escrowOf(Amount.fromLamports(3600n), 1, 8784, 0);
    const ranMs = 8784 * 3_600_000 + 1_800_000; // half an hour into the grace period
    const proof = proofOf(escrow, ranMs);
    const result = settleJob(
      { escrowId: escrow.id, actualHours: String(ranMs / 3_600_000), proof, providerAttestation: attest(proof, provider) },
      { escrow, nowMs: proof.endedAtMs + WINDOW_MS, disputeWindowMs: WINDOW_MS, billedBy: "provider" },
    );
    expect(result.billedSeconds).toBe(8784 * 3600);
    expect(result.status.kind).toBe("Success");
  });
});
