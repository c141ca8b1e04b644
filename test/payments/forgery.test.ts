// The forgery battery: settlements built from wrong keys, other escrows' statements, windows
// outside the escrow, tampered hours or GPU counts, replayed confirmations, signatures made for
// another statement type, truncated or malleated signatures. Each is refused with its code and
// nothing moves on the embedded chain.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Wallet } from "../../src/chain/wallet.js";
import type { Amount } from "../../src/core/amount.js";
import type { MarketErrorCode } from "../../src/core/errors.js";
import { escrowHandle } from "../../src/payments/escrow-payout.js";
import type { EscrowAccount } from "../../src/settlement/escrow-account.js";
import type { JobSettlementInput } from "../../src/settlement/settle-job.js";
import { attest, confirm, encodeExecutionProof, openDisputeStatement } from "../../src/settlement/statements.js";
import type { Attestation, ExecutionProof } from "../../src/settlement/statements.js";
import { rejectionCode } from "../support/error-code.js";
import { openJobMarket } from "../support/job-market.js";
import type { JobMarket } from "../support/job-market.js";

/** The order of Ed25519's base point group, L: adding it to S gives a malleated signature. */
const GROUP_ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;

function malleate(signatureHex: string): string {
  const bytes = Buffer.from(signatureHex, "hex");
  const s = BigInt(`0x${Buffer.from(bytes.subarray(32)).reverse().toString("hex")}`) + GROUP_ORDER;
  const sBytes = Buffer.from(s.toString(16).padStart(64, "0"), "hex").reverse();
  return Buffer.concat([bytes.subarray(0, 32), sBytes]).toString("hex");
}

let market: JobMarket;
let escrowA: EscrowAccount;
let escrowB: EscrowAccount;
let proofA: ExecutionProof;
let honest: JobSettlementInput;

beforeAll(async () => {
  market = await openJobMarket();
  escrowA = await market.payments.createJobEscrow(market.match(4, 8), market.buyer);
  escrowB = await market.payments.createJobEscrow(market.match(4, 8), market.buyer);
  proofA = market.proof(escrowA, 2 * 3600);
  market.clock.set(proofA.endedAtMs + 60_000);
  honest = {
    escrowId: escrowA.id,
    actualHours: 2,
    proof: proofA,
    providerAttestation: market.attest(proofA),
    buyerConfirmation: market.confirm(proofA, 7200),
  };
});
afterAll(() => {
  market.chain.close();
});

async function snapshot(): Promise<string[]> {
  const held = await Promise.all([escrowA, escrowB].map((e) => market.chain.escrowBalance(escrowHandle(e))));
  const balances = await market.balances();
  return [
    ...held.map((a: Amount | undefined) => a?.toString() ?? "closed"),
    balances.buyer.toString(),
    balances.provider.toString(),
    balances.arbiter.toString(),
  ];
}

/** The input with the proof replaced everywhere it appears, attested by `signer`. */
function withProof(proof: ExecutionProof, signer: Wallet = market.provider): JobSettlementInput {
  return { ...honest, proof, providerAttestation: attest(proof, signer), buyerConfirmation: market.confirm(proof, 7200) };
}

function forgeries(): [string, () => JobSettlementInput, MarketErrorCode][] {
  const stranger = Wallet.generate();
  const proofB = market.proof(escrowB, 2 * 3600);
  const strangerProof = { ...proofA, provider: stranger.address };
  const sigA = honest.providerAttestation.signature;
  const confirmationB = market.confirm(proofB, 7200);
  return [
    ["attestation signed by a stranger who names himself provider", () => withProof(strangerProof, stranger), "INVALID_SIGNATURE"],
    [
      "attestation naming the provider, signed by a stranger",
      () => ({
        ...honest,
        providerAttestation: { proof: proofA, signature: Buffer.from(stranger.sign(encodeExecutionProof(proofA))).toString("hex") },
      }),
      "INVALID_SIGNATURE",
    ],
    [
      "confirmation signed by a stranger",
      () => ({ ...honest, buyerConfirmation: confirm({ proof: proofA, buyer: stranger, accepted: true, billedSeconds: 7200 }) }),
      "INVALID_SIGNATURE",
    ],
    ["another escrow's proof", () => ({ ...withProof(proofB), escrowId: escrowA.id }), "PROOF_MISMATCH"],
    [
      "another escrow's proof relabelled with this escrow's id and re-signed fields kept",
      () => ({
        ...honest,
        proof: { ...proofB, escrowId: escrowA.id },
        providerAttestation: { proof: { ...proofB, escrowId: escrowA.id }, signature: market.attest(proofB).signature },
      }),
      "INVALID_SIGNATURE",
    ],
    [
      "a proof that starts before the escrow existed",
      () => withProof({ ...proofA, startedAtMs: escrowA.createdAt.getTime() - 1 }),
      "PROOF_MISMATCH",
    ],
    ["a proof that ends after lockedUntil", () => withProof({ ...proofA, endedAtMs: escrowA.lockedUntil.getTime() + 1 }), "PROOF_MISMATCH"],
    ["a proof that ends in the future", () => withProof({ ...proofA, endedAtMs: market.clock.now() + 1000 }), "PROOF_MISMATCH"],
    [
      "hours tampered in the signed proof",
      () => ({
        ...honest,
        proof: { ...proofA, endedAtMs: proofA.endedAtMs + 3_600_000 },
        providerAttestation: { proof: { ...proofA, endedAtMs: proofA.endedAtMs + 3_600_000 }, signature: sigA },
      }),
      "INVALID_SIGNATURE",
    ],
    ["actual hours beyond the proof's window", () => ({ ...honest, actualHours: 2.5 }), "PROOF_MISMATCH"],
    [
      "billed seconds tampered in the confirmation",
      () => ({ ...honest, buyerConfirmation: { ...market.confirm(proofA, 7200), billedSeconds: 9000 } }),
      "INVALID_SIGNATURE",
    ],
    ["a confirmation of other billed seconds", () => ({ ...honest, buyerConfirmation: market.confirm(proofA, 3600) }), "PROOF_MISMATCH"],
    [
      "GPU count tampered in the signed proof",
      () => ({ ...honest, proof: { ...proofA, gpuCount: 8 }, providerAttestation: { proof: { ...proofA, gpuCount: 8 }, signature: sigA } }),
      "INVALID_SIGNATURE",
    ],
    ["a signed proof with another GPU count", () => withProof({ ...proofA, gpuCount: 8 }), "PROOF_MISMATCH"],
    ["a signed proof of another order", () => withProof({ ...proofA, orderId: escrowB.orderId }), "PROOF_MISMATCH"],
    ["a confirmation replayed from another escrow", () => ({ ...honest, buyerConfirmation: confirmationB }), "PROOF_MISMATCH"],
    [
      "a confirmation moved to another escrow id",
      () => ({ ...honest, buyerConfirmation: { ...confirmationB, escrowId: escrowA.id } }),
      "INVALID_SIGNATURE",
    ],
    [
      "the attestation's proof differs from the settled proof",
      () => ({ ...honest, providerAttestation: market.attest({ ...proofA, usageDigest: "f".repeat(64) }) }),
      "PROOF_MISMATCH",
    ],
    [
      "an attestation signature made over the untagged proof bytes",
      () => ({
        ...honest,
        providerAttestation: { proof: proofA, signature: Buffer.from(market.provider.sign(encodeExecutionProof(proofA))).toString("hex") },
      }),
      "INVALID_SIGNATURE",
    ],
    [
      "an attestation carrying a dispute statement's signature",
      () => {
        const dispute = openDisputeStatement({
          id: "dsp_01JD3Q0000000000000000000A",
          escrowId: escrowA.id,
          party: market.provider,
          reason: "",
          openedAtMs: 0,
        });
        return { ...honest, providerAttestation: { proof: proofA, signature: dispute.signature } };
      },
      "INVALID_SIGNATURE",
    ],
    [
      "a confirmation carrying the attestation's signature",
      () => ({ ...honest, buyerConfirmation: { ...market.confirm(proofA, 7200), signature: sigA } }),
      "INVALID_SIGNATURE",
    ],
    [
      "a truncated attestation signature",
      () => ({ ...honest, providerAttestation: { proof: proofA, signature: sigA.slice(0, 126) } }),
      "INVALID_SIGNATURE",
    ],
    [
      "an attestation signature with a trailing byte",
      () => ({ ...honest, providerAttestation: { proof: proofA, signature: `${sigA}00` } }),
      "INVALID_SIGNATURE",
    ],
    [
      "a malleated attestation signature (S + L)",
      () => ({ ...honest, providerAttestation: { proof: proofA, signature: malleate(sigA) } }),
      "INVALID_SIGNATURE",
    ],
    [
      "a malleated confirmation signature (S + L)",
      () => {
        const confirmation = market.confirm(proofA, 7200);
        return { ...honest, buyerConfirmation: { ...confirmation, signature: malleate(confirmation.signature) } };
      },
      "INVALID_SIGNATURE",
    ],
    [
      "an upper-case hex signature",
      () => ({ ...honest, providerAttestation: { proof: proofA, signature: sigA.toUpperCase() } }),
      "INVALID_SIGNATURE",
    ],
    ["the settlement names another escrow", () => ({ ...honest, escrowId: escrowB.id }), "PROOF_MISMATCH"],
  ];
}

describe("forged settlements are refused and move nothing", () => {
  it("every forgery gets its code; balances and escrows are unchanged", async () => {
    const before = await snapshot();
    const seen: string[] = [];
    for (const [name, build, code] of forgeries()) {
      const got = await rejectionCode(market.payments.releasePayment(escrowA, build(), market.provider));
      seen.push(`${name}: ${got ?? "accepted"}`);
      expect(got, name).toBe(code);
    }
    expect(seen).toHaveLength(forgeries().length);
    expect(await snapshot()).toEqual(before);
  });

  it("a party outside the escrow cannot co-sign, and the arbiter cannot co-sign with itself", async () => {
    const before = await snapshot();
    expect(await rejectionCode(market.payments.releasePayment(escrowA, honest, Wallet.generate()))).toBe("NOT_A_PARTY");
    expect(await rejectionCode(market.payments.releasePayment(escrowA, honest, market.arbiter))).toBe("NOT_A_PARTY");
    expect(await snapshot()).toEqual(before);
  });

  it("after all that, the honest settlement still goes through, once", async () => {
    const { result } = await market.payments.releasePayment(escrowA, honest, market.provider);
    expect(result.status.kind).toBe("PartialRefund");
    const balances = await market.balances();
    expect(balances.provider.equals(result.providerPayment)).toBe(true);
    expect(await rejectionCode(market.payments.releasePayment(escrowA, honest, market.provider))).toBe("ESCROW_ERROR"); // the stale Locked copy: closed on chain
  });

  it("a forged attestation cannot make a failure refund either", async () => {
    const before = await snapshot();
    const stranger = Wallet.generate();
    const failed = market.proof(escrowB, 600, { exitStatus: 1 });
    const forged: Attestation = { proof: failed, signature: Buffer.from(stranger.sign(encodeExecutionProof(failed))).toString("hex") };
    expect(await rejectionCode(market.payments.refundPayment(escrowB, { kind: "jobFailed", attestation: forged }, market.buyer))).toBe(
      "INVALID_SIGNATURE",
    );
    expect(
      await rejectionCode(
        market.payments.refundPayment(
          escrowB,
          { kind: "jobFailed", attestation: market.attest(market.proof(escrowA, 600, { exitStatus: 1 })) },
          market.buyer,
        ),
      ),
    ).toBe("PROOF_MISMATCH");
    expect(await snapshot()).toEqual(before);
  });
});
