// Signed statements of a job: the provider's ExecutionProof and Attestation, the buyer's
// Confirmation, and a party's Dispute. Each has a canonical binary encoding that starts with a domain tag of its own, so a
// signature made for one kind of statement never verifies as another. Pure apart from signing.
import { createHash } from "node:crypto";
import { MarketError } from "../core/errors.js";
import type { Address } from "../core/address.js";
import type { Signer } from "../core/signer.js";
import { tagged, verifyStatementHex } from "./statement-writer.js";

/** Domain tags: the first bytes of every encoding, one per statement kind and version. */
export const DOMAIN_TAGS = {
  executionProof: "molt-market/v1/execution-proof",
  attestation: "molt-market/v1/attestation",
  confirmation: "molt-market/v1/confirmation",
  dispute: "molt-market/v1/dispute",
  usageReceipt: "molt-market/v1/usage-receipt",
  receiptCountersign: "molt-market/v1/usage-receipt-countersign",
} as const;

/** Most evidence digests one dispute names. */
export const DISPUTE_EVIDENCE_MAX = 16;

/** What a provider states about a finished job. */
export interface ExecutionProof {
  readonly escrowId: string;
  readonly orderId: string;
  readonly offerId: string;
  readonly provider: Address;
  readonly gpuModel: string;
  readonly gpuCount: number;
  /** Milliseconds since the epoch. */
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  /** The job's exit status (0: success). */
  readonly exitStatus: number;
  /** SHA-256 of the job's output, hex. */
  readonly outputDigest: string;
  /** SHA-256 of the usage samples (GPU utilization over time), hex. */
  readonly usageDigest: string;
}

/** The provider's ed25519 signature over a proof. */
export interface Attestation {
  readonly proof: ExecutionProof;
  /** Hex, 64 bytes. */
  readonly signature: string;
}

/** The buyer's signed acceptance, or rejection, of a proof and the seconds it bills. */
export interface Confirmation {
  readonly escrowId: string;
  /** SHA-256 of the proof's canonical encoding, hex. */
  readonly proofDigest: string;
  readonly buyer: Address;
  readonly accepted: boolean;
  readonly billedSeconds: number;
  readonly reason: string;
  /** Hex, 64 bytes. */
  readonly signature: string;
}

/** A buyer or provider contests an escrow's job, signed by whoever opens it. */
export interface Dispute {
  readonly id: string;
  readonly escrowId: string;
  readonly openedBy: Address;
  readonly reason: string;
  /** SHA-256 digests (hex) of the evidence: logs, outputs, usage samples. */
  readonly evidence: readonly string[];
  readonly openedAtMs: number;
  /** Hex, 64 bytes. */
  readonly signature: string;
}

/** The canonical bytes of a proof. @throws INVALID_FIELD, OUT_OF_RANGE, INVALID_ADDRESS */
export function encodeExecutionProof(proof: ExecutionProof): Uint8Array {
  if (proof.endedAtMs < proof.startedAtMs) {
    throw new MarketError("INVALID_FIELD", {
      field: "endedAtMs",
      value: String(proof.endedAtMs),
      allowed: `a time at or after startedAtMs (${proof.startedAtMs})`,
    });
  }
  return tagged(DOMAIN_TAGS.executionProof)
    .text("escrowId", proof.escrowId)
    .text("orderId", proof.orderId)
    .text("offerId", proof.offerId)
    .address("provider", proof.provider)
    .text("gpuModel", proof.gpuModel)
    .u32("gpuCount", proof.gpuCount)
    .u64("startedAtMs", proof.startedAtMs)
    .u64("endedAtMs", proof.endedAtMs)
    .i32("exitStatus", proof.exitStatus)
    .digest("outputDigest", proof.outputDigest)
    .digest("usageDigest", proof.usageDigest)
    .bytes();
}

/** SHA-256 of a proof's canonical bytes, hex: what a confirmation names. */
export function proofDigest(proof: ExecutionProof): string {
  return createHash("sha256").update(encodeExecutionProof(proof)).digest("hex");
}

/** The bytes a provider signs to attest a proof. */
export function attestationMessage(proof: ExecutionProof): Uint8Array {
  return Uint8Array.from(Buffer.concat([tagged(DOMAIN_TAGS.attestation).bytes(), encodeExecutionProof(proof)]));
}

/** The bytes a buyer signs to confirm (or reject) a proof. */
export function confirmationMessage(confirmation: Omit<Confirmation, "signature">): Uint8Array {
  return tagged(DOMAIN_TAGS.confirmation)
    .text("escrowId", confirmation.escrowId)
    .digest("proofDigest", confirmation.proofDigest)
    .address("buyer", confirmation.buyer)
    .bool(confirmation.accepted)
    .u64("billedSeconds", confirmation.billedSeconds)
    .text("reason", confirmation.reason)
    .bytes();
}

/** The bytes a party signs to open a dispute. @throws INVALID_FIELD, OUT_OF_RANGE, INVALID_ADDRESS, LIMIT_EXCEEDED */
export function disputeMessage(dispute: Omit<Dispute, "signature">): Uint8Array {
  if (dispute.evidence.length > DISPUTE_EVIDENCE_MAX)
    throw new MarketError("LIMIT_EXCEEDED", { limit: "disputeEvidence", max: DISPUTE_EVIDENCE_MAX });
  const writer = tagged(DOMAIN_TAGS.dispute)
    .text("id", dispute.id)
    .text("escrowId", dispute.escrowId)
    .address("openedBy", dispute.openedBy)
    .text("reason", dispute.reason)
    .u32("evidenceCount", dispute.evidence.length);
  dispute.evidence.forEach((digest, index) => writer.digest(`evidence[${index}]`, digest));
  return writer.u64("openedAtMs", dispute.openedAtMs).bytes();
}

/**
 * The provider attests a proof. @throws INVALID_FIELD (the signer is not the proof's provider), encoding codes
 * @example const attestation = attest(proof, providerWallet); verifyAttestation(attestation) // true
 */
export function attest(proof: ExecutionProof, provider: Signer): Attestation {
  if (provider.address !== proof.provider) {
    throw new MarketError("INVALID_FIELD", {
      field: "provider",
      value: provider.address,
      allowed: `the proof's provider ${proof.provider}`,
    });
  }
  return { proof, signature: Buffer.from(provider.sign(attestationMessage(proof))).toString("hex") };
}

/**
 * The buyer accepts or rejects a proof for `billedSeconds`. @throws encoding codes
 * @example confirm({ proof, buyer: buyerWallet, accepted: true, billedSeconds: 3600 })
 */
export function confirm(input: {
  readonly proof: ExecutionProof;
  readonly buyer: Signer;
  readonly accepted: boolean;
  readonly billedSeconds: number;
  readonly reason?: string;
}): Confirmation {
  const unsigned = {
    escrowId: input.proof.escrowId,
    proofDigest: proofDigest(input.proof),
    buyer: input.buyer.address,
    accepted: input.accepted,
    billedSeconds: input.billedSeconds,
    reason: input.reason ?? "",
  };
  return { ...unsigned, signature: Buffer.from(input.buyer.sign(confirmationMessage(unsigned))).toString("hex") };
}

/** A party opens a dispute over an escrow. @throws encoding codes */
export function openDisputeStatement(input: {
  readonly id: string;
  readonly escrowId: string;
  readonly party: Signer;
  readonly reason: string;
  readonly evidence?: readonly string[];
  readonly openedAtMs: number;
}): Dispute {
  const unsigned = {
    id: input.id,
    escrowId: input.escrowId,
    openedBy: input.party.address,
    reason: input.reason,
    evidence: input.evidence ?? [],
    openedAtMs: input.openedAtMs,
  };
  return { ...unsigned, signature: Buffer.from(input.party.sign(disputeMessage(unsigned))).toString("hex") };
}

/**
 * Is the attestation signed by the proof's provider over exactly this proof. Never throws: false.
 * @example verifyAttestation({ ...attestation, proof: { ...attestation.proof, gpuCount: 8 } }) // false: not what was signed
 */
export function verifyAttestation(attestation: Attestation): boolean {
  return verifyStatementHex(attestation.proof.provider, () => attestationMessage(attestation.proof), attestation.signature);
}

/** Is the confirmation signed by its buyer over exactly these fields. Never throws: false. */
export function verifyConfirmation(confirmation: Confirmation): boolean {
  return verifyStatementHex(confirmation.buyer, () => confirmationMessage(confirmation), confirmation.signature);
}

/** Is the dispute signed by its opener over exactly these fields. Never throws: false. */
export function verifyDispute(dispute: Dispute): boolean {
  return verifyStatementHex(dispute.openedBy, () => disputeMessage(dispute), dispute.signature);
}
