// Replay of the embedded chain's log on start: entries up to the snapshot are already in the state
// and only restore what RPC callers may ask about; later ones execute again, and each must end as
// it ended the first time (a divergence is a damaged log, refused), in the slot it was recorded in.
// Reads the log it is given only.
import { FailedTransactionMetadata } from "litesvm";
import type { LiteSVM } from "litesvm";
import { getBase64Encoder, getCompiledTransactionMessageDecoder, getTransactionDecoder, lamports } from "@solana/kit";
import { MarketError } from "../../core/errors.js";
import { parseAddress } from "../../core/address.js";
import { transactionIdFromBytes } from "../../core/transaction-id.js";
import { balanceChanges, balancesOf } from "./balance-changes.js";
import type { LogEntry } from "./chain-log.js";
import { nativeOf } from "./native-svm.js";
import type { TransactionHistory } from "./transaction-history.js";
import { feeOf, fromRecord } from "./transaction-records.js";
import type { StoredRecord } from "./transaction-records.js";

/**
 * Brings `svm` (restored from the snapshot at `snapshotSeq`, or new) up to the end of the log and
 * fills `history`. Invariant: every entry after the snapshot ends as logged, and none is missing
 * between the snapshot and the first entry kept (older segments may have been removed).
 * @throws CHAIN_ERROR (entries missing, a logged transaction fails, or a failed one succeeds)
 */
export function replayLog(input: {
  readonly svm: LiteSVM;
  readonly entries: readonly LogEntry[];
  readonly snapshotSeq: number;
  readonly history: TransactionHistory;
}): void {
  const { svm, history, snapshotSeq } = input;
  const first = input.entries[0]?.seq ?? 1;
  if (first - 1 > snapshotSeq) {
    throw new MarketError("CHAIN_ERROR", {
      reason: `the chain log starts at entry ${first}, after its newest snapshot (${snapshotSeq}): entries are missing`,
    });
  }
  const decoder = getTransactionDecoder();
  const messageDecoder = getCompiledTransactionMessageDecoder();
  const base64 = getBase64Encoder();
  const native = nativeOf(svm);
  svm.withBlockhashCheck(false); // logged transactions carry blockhashes long gone; signatures are still checked
  for (const entry of input.entries) {
    const recorded = entry.kind === "transaction" ? fromRecord(JSON.parse(entry.record) as StoredRecord) : undefined;
    if (recorded !== undefined) history.record(recorded);
    if (entry.kind === "lamports") {
      if (entry.seq > snapshotSeq) svm.airdrop(parseAddress(entry.to), lamports(BigInt(entry.lamports)));
      continue;
    }
    if (entry.seq <= snapshotSeq) {
      // In the snapshot already: restore what RPC callers may ask about it, without executing it.
      if (recorded !== undefined) {
        history.noteDetails(recorded.id, { wire: entry.wire, feeLamports: recorded.feeLamports, logs: [] });
        history.restoreStatus(recorded.id, { slot: recorded.status.kind === "Confirmed" ? recorded.status.slot : 0n });
      } else {
        const transaction = decoder.decode(base64.encode(entry.wire));
        const first = Object.values(transaction.signatures)[0];
        if (first !== null && first !== undefined) {
          const signature = transactionIdFromBytes(first);
          history.noteDetails(signature, { wire: entry.wire, feeLamports: feeOf(transaction), logs: [] });
          history.restoreStatus(signature, { slot: 0n, error: "failed (before the last snapshot)" });
        }
      }
      continue;
    }
    const transaction = decoder.decode(base64.encode(entry.wire));
    if (recorded?.status.kind === "Confirmed" && recorded.status.slot > svm.getClock().slot) svm.warpToSlot(recorded.status.slot);
    const message = messageDecoder.decode(transaction.messageBytes);
    const before = balancesOf(native, message);
    const result = svm.sendTransaction(transaction);
    const balances = balanceChanges(before, balancesOf(native, message, before));
    if (entry.kind === "failed") {
      if (!(result instanceof FailedTransactionMetadata)) {
        throw new MarketError("CHAIN_ERROR", { reason: `replay of log entry ${entry.seq} succeeded where it had failed` });
      }
      history.noteFailed(transaction, entry.wire, result, svm.getClock().slot, balances);
      continue;
    }
    if (result instanceof FailedTransactionMetadata) {
      throw new MarketError("CHAIN_ERROR", { reason: `replay of log entry ${entry.seq} failed: ${result.err().toString()}` });
    }
    const signature = transactionIdFromBytes(result.signature());
    history.noteDetails(signature, { wire: entry.wire, feeLamports: recorded?.feeLamports ?? feeOf(transaction), logs: result.logs() });
    history.setStatus(signature, { slot: svm.getClock().slot }, balances);
  }
  svm.withBlockhashCheck(true);
}
