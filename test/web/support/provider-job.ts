// The provider's side of a browser test's order, in Node with its own client and key: it starts the
// funded order's job, lets it run, and ends it with a signed attestation.
import type { MarketClient } from "../../../src/client/client.js";
import type { Signer } from "../../../src/core/signer.js";
import { attest } from "../../../src/settlement/statements.js";
import type { ExecutionProof } from "../../../src/settlement/statements.js";

/** The job a provider runs: which escrow and order, on what GPUs, for how long, and how it exits. */
export interface ProviderJob {
  readonly escrow: { readonly escrowId: string; readonly offerId: string };
  readonly orderId: string;
  readonly gpuModel: string;
  readonly gpuCount: number;
  readonly runMs: number;
  readonly exitStatus: number;
  /** The output's and usage samples' digest (hex, 64 characters). */
  readonly digest: string;
}

/**
 * Starts the job, waits until it has run `runMs`, and completes it (exit status 0) or fails it
 * (any other) with the provider's attestation of exactly that run.
 * @throws MarketError FORBIDDEN, INVALID_STATE_TRANSITION (startJob), INVALID_SIGNATURE, PROOF_MISMATCH (endJob)
 */
export async function runProviderJob(provider: MarketClient, signer: Signer, job: ProviderJob): Promise<void> {
  await provider.startJob(job.orderId);
  const startedAtMs = (await provider.getOrder(job.orderId)).job.startedAtMs ?? 0;
  const proof: ExecutionProof = {
    escrowId: job.escrow.escrowId,
    orderId: job.orderId,
    offerId: job.escrow.offerId,
    provider: signer.address,
    gpuModel: job.gpuModel,
    gpuCount: job.gpuCount,
    startedAtMs,
    endedAtMs: startedAtMs + job.runMs,
    exitStatus: job.exitStatus,
    outputDigest: job.digest,
    usageDigest: job.digest,
  };
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, proof.endedAtMs - Date.now() + 5)));
  await provider.endJob(job.orderId, job.exitStatus === 0 ? "complete" : "fail", attest(proof, signer));
}
