// What the embedded chain remembers of its transactions for callers who ask later (the market's
// getTransaction, RPC's getSignatureStatuses / getTransaction): records, outcomes, wire bytes and
// logs by signature, and who waits for an outcome. In memory; rebuilt from the chain log on start.
import type { FailedTransactionMetadata } from "litesvm";
import { transactionIdFromBytes } from "../../core/transaction-id.js";
import type { Transaction } from "../transaction.js";
import { feeOf } from "./transaction-records.js";
import type { WireTransaction } from "./transaction-records.js";

/** Where a transaction ended: its slot, and its error when it failed. */
export interface SignatureStatus {
  readonly slot: bigint;
  readonly error?: string;
}

/** A transaction's wire bytes (base64), fee and logs. */
export interface TransactionDetails {
  readonly wire: string;
  readonly feeLamports: bigint;
  readonly logs: readonly string[];
}

/** The embedded chain's memory of transactions. Invariant: a listener hears of every status set after it subscribed. */
export class TransactionHistory {
  private readonly transactions = new Map<string, Transaction>();
  private readonly statuses = new Map<string, SignatureStatus>();
  private readonly details = new Map<string, TransactionDetails>();
  private readonly listeners = new Set<(signature: string) => void>();

  /** Remembers a confirmed transaction's record. */
  record(transaction: Transaction): void {
    this.transactions.set(transaction.id, transaction);
  }

  /** A confirmed transaction's record, or undefined. */
  transaction(id: string): Transaction | undefined {
    return this.transactions.get(id);
  }

  /** Remembers a transaction's wire bytes, fee and logs. */
  noteDetails(signature: string, details: TransactionDetails): void {
    this.details.set(signature, details);
  }

  /** A transaction's wire bytes, fee and logs, when known. */
  detailsOf(signature: string): TransactionDetails | undefined {
    return this.details.get(signature);
  }

  /** Sets a transaction's outcome and tells the listeners. */
  setStatus(signature: string, status: SignatureStatus): void {
    this.statuses.set(signature, status);
    for (const listener of this.listeners) listener(signature);
  }

  /** Sets an outcome known before anyone could listen (restored on start), without telling anyone. */
  restoreStatus(signature: string, status: SignatureStatus): void {
    this.statuses.set(signature, status);
  }

  /** A transaction's outcome, when known. */
  statusOf(signature: string): SignatureStatus | undefined {
    return this.statuses.get(signature);
  }

  /** Records a failed transaction's outcome at `slot`; returns its signature ("" when unsigned). */
  noteFailed(transaction: WireTransaction, wire: string, result: FailedTransactionMetadata, slot: bigint): string {
    const first = Object.values(transaction.signatures)[0];
    if (first === null || first === undefined) return "";
    const signature = transactionIdFromBytes(first);
    this.noteDetails(signature, { wire, feeLamports: feeOf(transaction), logs: result.meta().logs() });
    this.setStatus(signature, { slot, error: result.err().toString() });
    return signature;
  }

  /** Calls `listener` with each signature whose outcome becomes known; returns the unsubscribe function. */
  onStatus(listener: (signature: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
