// The provider's execution proof of a finished job, built from the market's view of the order and
// its escrow and what the provider measured (times, exit status, digests of output and usage), and
// the SHA-256 of a file. Reads the market and files; never signs and never sends anything.
import { createHash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";
import type { MarketClient } from "../client/client.js";
import type { Address } from "../core/address.js";
import { MarketError } from "../core/errors.js";
import type { ExecutionProof } from "../settlement/statements.js";

/** Bytes read at a time while digesting a file, so a large output never sits in memory whole. */
const DIGEST_CHUNK_BYTES = 1024 * 1024;

/**
 * SHA-256 (hex) of a file, read in chunks, or of nothing when no file is named.
 * @throws INVALID_FIELD (unreadable; `field` names what pointed at the file)
 */
export function digestOf(path: string | undefined, field: string): string {
  const hash = createHash("sha256");
  if (path === undefined) return hash.digest("hex");
  try {
    const fd = openSync(path, "r");
    try {
      const chunk = Buffer.alloc(DIGEST_CHUNK_BYTES);
      for (let read = readSync(fd, chunk); read > 0; read = readSync(fd, chunk)) hash.update(chunk.subarray(0, read));
    } finally {
      closeSync(fd);
    }
    return hash.digest("hex");
  } catch (e) {
    throw new MarketError("INVALID_FIELD", {
      field,
      value: JSON.stringify(path),
      allowed: `a readable file (${e instanceof Error ? e.message : String(e)})`,
    });
  }
}

/** What the provider measured of a run; absent start: the market's record of the job's start. */
export interface RunMeasurement {
  readonly provider: Address;
  readonly exitStatus: number;
  readonly endedAtMs: number;
  readonly startedAtMs?: number | undefined;
  readonly outputDigest: string;
  readonly usageDigest: string;
  /** The GPU model when neither the order nor its offer tells it any more. @throws what the caller throws */
  readonly gpuModelFallback?: () => string;
}

/**
 * The job's proof, as the provider states it: the order's escrow and match, the measured times and
 * digests. Invariant: every field the market checks (escrow, offer, GPU count) comes from the market's view.
 * @throws the server's MarketError, what `gpuModelFallback` throws (the order and its offer name no model)
 */
export async function executionProofOf(
  client: Pick<MarketClient, "getOrder" | "getEscrow" | "getOffer">,
  orderId: string,
  run: RunMeasurement,
): Promise<ExecutionProof> {
  const [order, escrow] = await Promise.all([client.getOrder(orderId), client.getEscrow(orderId)]);
  // The order keeps its offer's model, so a withdrawn or expired offer does not matter; orders
  // matched before it did ask the offer, and then the fallback if the offer is gone too.
  const gpuModel =
    order.job.gpuModel ??
    (await client.getOffer(escrow.offerId).then(
      (offer) => offer.gpuModel,
      (e: unknown) => {
        if (run.gpuModelFallback === undefined) throw e;
        return run.gpuModelFallback();
      },
    ));
  return {
    escrowId: escrow.escrowId,
    orderId,
    offerId: escrow.offerId,
    provider: run.provider,
    gpuModel,
    gpuCount: escrow.gpuCount,
    startedAtMs: run.startedAtMs ?? order.job.startedAtMs ?? Date.parse(escrow.createdAt),
    endedAtMs: run.endedAtMs,
    exitStatus: run.exitStatus,
    outputDigest: run.outputDigest,
    usageDigest: run.usageDigest,
  };
}
