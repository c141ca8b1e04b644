// The provider's execution proof for `job complete|fail`, built (by the agent's executionProofOf)
// from the order, its escrow and the flags, and the SHA-256 digests of the files named (outputs,
// usage). Reads those files; never signs and never sends anything.
import { digestOf, executionProofOf } from "../agent/execution-proof.js";
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
  return executionProofOf(source.client(false), orderId, {
    provider: source.wallet().address,
    exitStatus,
    startedAtMs: source.options.started === undefined ? undefined : timeOf(source.options.started, 0, "--started"),
    endedAtMs: timeOf(source.options.ended, Date.now(), "--ended"),
    outputDigest: digestOf(source.options.output, "--output"),
    usageDigest: digestOf(source.options.usage, "--usage"),
    gpuModelFallback: () => requiredFlag(source.options.model, "--model (the order does not record its GPU model and its offer is gone)"),
  });
}
