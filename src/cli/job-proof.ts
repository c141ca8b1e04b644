// The provider's execution proof for `job complete|fail`, built from the order, its escrow and the
// flags, and the SHA-256 digests of the files named (outputs, usage, evidence). Reads those files;
// never signs and never sends anything.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { MarketClient } from "../client/client.js";
import type { Wallet } from "../chain/wallet.js";
import { MarketError } from "../core/errors.js";
import type { ExecutionProof } from "../settlement/statements.js";
import { requiredFlag } from "./process.js";

/** What a proof is built from: a client to read the order, the provider's wallet, and the flags. */
export interface ProofSource {
  readonly client: (signed: boolean) => MarketClient;
  readonly wallet: () => Wallet;
  readonly options: {
    readonly model?: string | undefined;
    readonly output?: string | undefined;
    readonly usage?: string | undefined;
    readonly started?: string | undefined;
    readonly ended?: string | undefined;
  };
}

/** SHA-256 (hex) of a file, or of nothing when no file is named. @throws INVALID_FIELD (unreadable) */
export function digestOf(path: string | undefined, flag: string): string {
  if (path === undefined) return createHash("sha256").digest("hex");
  try {
    return createHash("sha256").update(readFileSync(path)).digest("hex");
  } catch (e) {
    throw new MarketError("INVALID_FIELD", {
      field: flag,
      value: JSON.stringify(path),
      allowed: `a readable file (${e instanceof Error ? e.message : String(e)})`,
    });
  }
}

function timeOf(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms))
    throw new MarketError("INVALID_FIELD", {
      field: flag,
      value: JSON.stringify(value),
      allowed: "an ISO 8601 time, e.g. 2026-11-24T10:00:00Z",
    });
  return ms;
}

/**
 * The job's proof, as the provider states it: the order's escrow and match, the times and digests given.
 * @throws INVALID_FIELD (bad --started/--ended, unreadable file, --model missing when needed), the server's MarketError
 */
export async function proofOf(source: ProofSource, orderId: string, exitStatus: number): Promise<ExecutionProof> {
  const client = source.client(false);
  const [order, escrow] = await Promise.all([client.getOrder(orderId), client.getEscrow(orderId)]);
  // The order keeps its offer's model, so a withdrawn or expired offer does not matter; orders
  // matched before it did ask the offer, and then --model if the offer is gone too.
  const gpuModel =
    order.job.gpuModel ??
    (await client.getOffer(escrow.offerId).then(
      (offer) => offer.gpuModel,
      () => requiredFlag(source.options.model, "--model (the order does not record its GPU model and its offer is gone)"),
    ));
  return {
    escrowId: escrow.escrowId,
    orderId,
    offerId: escrow.offerId,
    provider: source.wallet().address,
    gpuModel,
    gpuCount: escrow.gpuCount,
    startedAtMs: timeOf(source.options.started, order.job.startedAtMs ?? Date.parse(escrow.createdAt), "--started"),
    endedAtMs: timeOf(source.options.ended, Date.now(), "--ended"),
    exitStatus,
    outputDigest: digestOf(source.options.output, "--output"),
    usageDigest: digestOf(source.options.usage, "--usage"),
  };
}
