// Writes test/settlement/statement-vectors.json: fixed keys (RFC 8032 test seeds 1 and 2) and fixed
// statements -> their canonical bytes and signatures. Ed25519 is deterministic, so the file pins
// the encoding: run it again only when the encoding changes on purpose (and bump the domain tags).
import { writeFileSync } from "node:fs";
import { Wallet } from "../src/chain/wallet.js";
import {
  attest,
  attestationMessage,
  confirm,
  confirmationMessage,
  disputeMessage,
  encodeExecutionProof,
  openDisputeStatement,
  proofDigest,
} from "../src/settlement/statements.js";
import type { ExecutionProof } from "../src/settlement/statements.js";

const providerSeed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const buyerSeed = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
const provider = Wallet.fromSeed(Buffer.from(providerSeed, "hex"));
const buyer = Wallet.fromSeed(Buffer.from(buyerSeed, "hex"));
const proof: ExecutionProof = {
  escrowId: "esc_01JD3Q0000000000000000000A",
  orderId: "ord_01JD3Q0000000000000000000A",
  offerId: "ofr_01JD3Q0000000000000000000A",
  provider: provider.address,
  gpuModel: "NVIDIA H100 80GB HBM3",
  gpuCount: 4,
  startedAtMs: Date.parse("2026-11-23T08:00:00Z"),
  endedAtMs: Date.parse("2026-11-23T13:30:00Z"),
  exitStatus: 0,
  outputDigest: "a".repeat(64),
  usageDigest: "b".repeat(64),
};
const attestation = attest(proof, provider);
const confirmation = confirm({ proof, buyer, accepted: true, billedSeconds: 19_800 });
const rejection = confirm({ proof, buyer, accepted: false, billedSeconds: 0, reason: "job never produced output" });
const dispute = openDisputeStatement({
  id: "dsp_01JD3Q0000000000000000000A",
  escrowId: proof.escrowId,
  party: buyer,
  reason: "half the GPUs were throttled",
  evidence: ["c".repeat(64), "d".repeat(64)],
  openedAtMs: Date.parse("2026-11-23T14:00:00Z"),
});
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
const vectors = {
  description: "molt-market signed statements: fixed keys and statements -> canonical bytes (hex) and ed25519 signatures (hex).",
  keys: { providerSeed, providerAddress: provider.address, buyerSeed, buyerAddress: buyer.address },
  proof,
  proofBytes: hex(encodeExecutionProof(proof)),
  proofDigest: proofDigest(proof),
  attestationMessage: hex(attestationMessage(proof)),
  attestation,
  confirmations: [confirmation, rejection].map((c) => ({ confirmation: c, message: hex(confirmationMessage(c)) })),
  dispute: { dispute, message: hex(disputeMessage(dispute)) },
};
writeFileSync(new URL("../test/settlement/statement-vectors.json", import.meta.url), `${JSON.stringify(vectors, null, 2)}\n`);
console.log("wrote statement vectors");
