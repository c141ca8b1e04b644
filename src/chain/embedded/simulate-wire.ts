// A transaction run on the embedded runtime without keeping its effects, with a validator's
// simulateTransaction options. Leaves the runtime's checks as it found them.
import { FailedTransactionMetadata } from "litesvm";
import type { LiteSVM } from "litesvm";
import { getCompiledTransactionMessageDecoder } from "@solana/kit";
import { transactionErrorJson } from "./transaction-error.js";
import type { TransactionErrorJson } from "./transaction-error.js";
import type { WireTransaction } from "./transaction-records.js";

/** simulateTransaction's options that change what is checked. */
export interface SimulateOptions {
  /** false skips signature checks. */
  readonly sigVerify?: boolean;
  /** Runs it as if built on the latest blockhash (so its signatures are not checked either). */
  readonly replaceRecentBlockhash?: boolean;
}

/** How a simulation ended: its error (text, and Solana's JSON), logs and compute units. */
export interface SimulationResult {
  readonly error?: string;
  readonly errorJson?: TransactionErrorJson;
  readonly logs: readonly string[];
  readonly unitsConsumed: bigint;
}

/**
 * Simulates `transaction` on `svm`; a blockhash `acceptsBlockhash` accepts passes like the latest
 * one, as on send. Invariant: the runtime's blockhash and signature checks are back on afterwards.
 */
export function simulateWire(
  svm: LiteSVM,
  transaction: WireTransaction,
  acceptsBlockhash: (blockhash: string) => boolean,
  options: SimulateOptions,
): SimulationResult {
  const lifetime = getCompiledTransactionMessageDecoder().decode(transaction.messageBytes).lifetimeToken;
  const skipBlockhash = options.replaceRecentBlockhash === true || (lifetime !== svm.latestBlockhash() && acceptsBlockhash(lifetime));
  const skipSignatures = options.sigVerify === false || options.replaceRecentBlockhash === true;
  if (skipBlockhash) svm.withBlockhashCheck(false);
  if (skipSignatures) svm.withSigverify(false);
  let result: ReturnType<LiteSVM["simulateTransaction"]>;
  try {
    result = svm.simulateTransaction(transaction);
  } finally {
    if (skipBlockhash) svm.withBlockhashCheck(true);
    if (skipSignatures) svm.withSigverify(true);
  }
  if (result instanceof FailedTransactionMetadata) {
    const meta = result.meta();
    return {
      error: result.err().toString(),
      errorJson: transactionErrorJson(result.err()),
      logs: meta.logs(),
      unitsConsumed: meta.computeUnitsConsumed(),
    };
  }
  return { logs: result.meta().logs(), unitsConsumed: result.meta().computeUnitsConsumed() };
}
