// Signed statements: the committed test vectors reproduce exactly (fixed keys -> fixed bytes and
// signatures), and forged, tampered, replayed or malleated statements never verify.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Wallet } from "../../src/chain/wallet.js";
import { isMarketError } from "../../src/core/errors.js";
import {
  DISPUTE_EVIDENCE_MAX,
  DOMAIN_TAGS,
  attest,
  attestationMessage,
  confirm,
  confirmationMessage,
  disputeMessage,
  encodeExecutionProof,
  openDisputeStatement,
  proofDigest,
  verifyAttestation,
  verifyConfirmation,
  verifyDispute,
} from "../../src/settlement/statements.js";
import type { Attestation, Confirmation, Dispute, ExecutionProof } from "../../src/settlement/statements.js";

interface Vectors {
  keys: { providerSeed: string; providerAddress: string; buyerSeed: string; buyerAddress: string };
  proof: ExecutionProof;
  proofBytes: string;
  proofDigest: string;
  attestationMessage: string;
  attestation: Attestation;
  confirmations: { confirmation: Confirmation; message: string }[];
  dispute: { dispute: Dispute; message: string };
}
const vectors = JSON.parse(readFileSync(new URL("./statement-vectors.json", import.meta.url), "utf8")) as Vectors;
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
const provider = Wallet.fromSeed(Buffer.from(vectors.keys.providerSeed, "hex"));
const buyer = Wallet.fromSeed(Buffer.from(vectors.keys.buyerSeed, "hex"));
const proof = vectors.proof;

/** The order of Ed25519's base point group, L: adding it to S gives a malleated signature. */
const GROUP_ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;

describe("statement test vectors", () => {
  it("reproduce byte for byte from the fixed keys", () => {
    expect(provider.address).toBe(vectors.keys.providerAddress);
    expect(buyer.address).toBe(vectors.keys.buyerAddress); // RFC 8032 test 2's public key, base58 (checked independently)
    expect(hex(encodeExecutionProof(proof))).toBe(vectors.proofBytes);
    expect(proofDigest(proof)).toBe(vectors.proofDigest);
    expect(hex(attestationMessage(proof))).toBe(vectors.attestationMessage);
    expect(attest(proof, provider)).toEqual(vectors.attestation);
    const [accepted, rejected] = vectors.confirmations;
    expect(confirm({ proof, buyer, accepted: true, billedSeconds: 19_800 })).toEqual(accepted?.confirmation);
    expect(confirm({ proof, buyer, accepted: false, billedSeconds: 0, reason: "job never produced output" })).toEqual(
      rejected?.confirmation,
    );
    for (const { confirmation, message } of vectors.confirmations) {
      expect(hex(confirmationMessage(confirmation))).toBe(message);
      expect(verifyConfirmation(confirmation)).toBe(true);
    }
    expect(verifyAttestation(vectors.attestation)).toBe(true);
    const { dispute, message } = vectors.dispute;
    expect(
      openDisputeStatement({
        id: dispute.id,
        escrowId: dispute.escrowId,
        party: buyer,
        reason: dispute.reason,
        evidence: dispute.evidence,
        openedAtMs: dispute.openedAtMs,
      }),
    ).toEqual(dispute);
    expect(hex(disputeMessage(dispute))).toBe(message);
    expect(verifyDispute(dispute)).toBe(true);
    expect(verifyDispute({ ...dispute, evidence: [...dispute.evidence].reverse() })).toBe(false);
    expect(verifyDispute({ ...dispute, openedBy: provider.address })).toBe(false);
    expect(() => disputeMessage({ ...dispute, evidence: Array.from({ length: DISPUTE_EVIDENCE_MAX + 1 }, () => "c".repeat(64)) })).toThrow(
      /disputeEvidence/,
    );
    // Each encoding starts with its own domain tag (a u16 length, then the tag).
    expect(
      Buffer.from(vectors.proofBytes, "hex")
        .subarray(2, 2 + DOMAIN_TAGS.executionProof.length)
        .toString(),
    ).toBe(DOMAIN_TAGS.executionProof);
  });
});

describe("forgeries never verify", () => {
  const attestation = attest(proof, provider);
  const confirmation = confirm({ proof, buyer, accepted: true, billedSeconds: 19_800 });

  it("a wrong key: another wallet's signature, or a proof naming another provider", () => {
    const mallory = Wallet.generate();
    expect(verifyAttestation({ proof, signature: hex(mallory.sign(attestationMessage(proof))) })).toBe(false);
    expect(verifyConfirmation({ ...confirmation, signature: hex(mallory.sign(confirmationMessage(confirmation))) })).toBe(false);
    expect(() => attest(proof, mallory)).toThrow(/the proof's provider/);
    // Mallory's own proof under her key verifies, but names her, not the provider: a settlement checks that.
    const hers = attest({ ...proof, provider: mallory.address }, mallory);
    expect(verifyAttestation(hers)).toBe(true);
    expect(hers.proof.provider).not.toBe(proof.provider);
  });

  it("tampered fields: hours, GPU count, escrow, output, billed seconds, acceptance", () => {
    const tampered: ExecutionProof[] = [
      { ...proof, endedAtMs: proof.endedAtMs + 3_600_000 },
      { ...proof, startedAtMs: proof.startedAtMs - 1 },
      { ...proof, gpuCount: proof.gpuCount + 4 },
      { ...proof, escrowId: "esc_01JD3Q0000000000000000000B" },
      { ...proof, outputDigest: "c".repeat(64) },
    ];
    for (const changed of tampered) expect(verifyAttestation({ proof: changed, signature: attestation.signature })).toBe(false);
    expect(verifyConfirmation({ ...confirmation, billedSeconds: confirmation.billedSeconds + 1 })).toBe(false);
    expect(verifyConfirmation({ ...confirmation, accepted: false })).toBe(false);
    expect(verifyConfirmation({ ...confirmation, escrowId: "esc_01JD3Q0000000000000000000B" })).toBe(false);
  });

  it("a signature made for another statement type, or for the untagged bytes", () => {
    expect(verifyConfirmation({ ...confirmation, signature: attestation.signature })).toBe(false);
    expect(verifyAttestation({ proof, signature: hex(provider.sign(encodeExecutionProof(proof))) })).toBe(false);
    // The buyer's confirmation signature can't stand in as an attestation, even with buyer as "provider".
    expect(verifyAttestation({ proof: { ...proof, provider: buyer.address }, signature: confirmation.signature })).toBe(false);
  });

  it("truncated, padded, bit-flipped and S-malleated signatures", () => {
    const signature = attestation.signature;
    const s = Buffer.from(signature.slice(64), "hex").reverse(); // little-endian scalar
    const malleatedS = (BigInt(`0x${s.toString("hex")}`) + GROUP_ORDER).toString(16).padStart(64, "0");
    const malleated = signature.slice(0, 64) + Buffer.from(malleatedS, "hex").reverse().toString("hex");
    for (const forged of [
      signature.slice(0, 126),
      `${signature}00`,
      "",
      "zz".repeat(64),
      malleated.length === 128 ? malleated : signature.replace(/.$/, "0"),
    ]) {
      expect(verifyAttestation({ proof, signature: forged })).toBe(false);
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 511 }), (bit) => {
        const bytes = Buffer.from(signature, "hex");
        bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) ^ (1 << (bit & 7));
        expect(verifyAttestation({ proof, signature: bytes.toString("hex") })).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it("refuses statements it cannot encode: bad digests, addresses, an end before the start, oversized text", () => {
    const codeOf = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (e) {
        return isMarketError(e) ? e.code : undefined;
      }
      return undefined;
    };
    expect(codeOf(() => encodeExecutionProof({ ...proof, outputDigest: "XYZ" }))).toBe("INVALID_FIELD");
    expect(codeOf(() => encodeExecutionProof({ ...proof, provider: "nope" as never }))).toBe("INVALID_ADDRESS");
    expect(codeOf(() => encodeExecutionProof({ ...proof, endedAtMs: proof.startedAtMs - 1 }))).toBe("INVALID_FIELD");
    expect(codeOf(() => encodeExecutionProof({ ...proof, gpuModel: "x".repeat(257) }))).toBe("INVALID_FIELD");
    expect(codeOf(() => encodeExecutionProof({ ...proof, gpuCount: -1 }))).toBe("OUT_OF_RANGE");
    expect(verifyAttestation({ proof: { ...proof, outputDigest: "XYZ" }, signature: attestation.signature })).toBe(false);
  });
});
