// What the embedded chain remembers of its transactions for callers who ask later (the market's
// getTransaction, RPC's getSignatureStatuses / getTransaction): records, outcomes, wire bytes and
// logs by signature, who waits for an outcome, and the window of recent transactions RPC lists by
// address. In memory; rebuilt from the chain log on start.
import type { FailedTransactionMetadata } from "litesvm";
import { transactionIdFromBytes } from "../../core/transaction-id.js";
import type { Transaction } from "../transaction.js";
import { RecentTransactions } from "./recent-transactions.js";
import type { BalanceChanges, RecentTransaction, SignaturePage } from "./recent-transactions.js";
import { transactionErrorJson } from "./transaction-error.js";
import type { TransactionErrorJson } from "./transaction-error.js";
import { feeOf } from "./transaction-records.js";
import type { WireTransaction } from "./transaction-records.js";

/** Where a transaction ended: its slot, and its error when it failed (as text, and as Solana's JSON when known). */
export interface SignatureStatus {
  readonly slot: bigint;
  readonly error?: string;
  readonly errorJson?: TransactionErrorJson;
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
  private readonly recent = new RecentTransactions();

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
  setStatus(signature: string, status: SignatureStatus, balances?: BalanceChanges): void {
    this.restoreStatus(signature, status, balances);
    for (const listener of this.listeners) listener(signature);
  }

  /**
   * Sets an outcome known before anyone could listen (restored on start), without telling anyone.
   * A transaction whose wire bytes are known joins the recent window.
   */
  restoreStatus(signature: string, status: SignatureStatus, balances?: BalanceChanges): void {
    this.statuses.set(signature, status);
    const wire = this.details.get(signature)?.wire;
    if (wire === undefined) return;
    const timeMs = this.transactions.get(signature)?.timeMs;
    this.recent.add({
      signature,
      slot: status.slot,
      wire,
      ...(status.error === undefined ? {} : { error: status.errorJson ?? status.error }),
      ...(timeMs === undefined ? {} : { timeMs }),
      ...(balances === undefined ? {} : { balances }),
    });
  }

  /** A transaction of the recent window, or undefined (unknown, or older than the window). */
  recentTransaction(signature: string): RecentTransaction | undefined {
    return this.recent.get(signature);
  }

  /** Transactions of the recent window naming `address` among their accounts, newest first. */
  recentFor(address: string, page: SignaturePage): RecentTransaction[] {
    return this.recent.forAddress(address, page);
  }

  /** A transaction's outcome, when known. */
  statusOf(signature: string): SignatureStatus | undefined {
    return this.statuses.get(signature);
  }

  /** Records a failed transaction's outcome at `slot`; returns its signature ("" when unsigned). */
  noteFailed(
    transaction: WireTransaction,
    wire: string,
    result: FailedTransactionMetadata,
    slot: bigint,
    balances?: BalanceChanges,
  ): string {
    const first = Object.values(transaction.signatures)[0];
    if (first === null || first === undefined) return "";
    const signature = transactionIdFromBytes(first);
    this.noteDetails(signature, { wire, feeLamports: feeOf(transaction), logs: result.meta().logs() });
    this.setStatus(signature, { slot, error: result.err().toString(), errorJson: transactionErrorJson(result.err()) }, balances);
    return signature;
  }

  /** Calls `listener` with each signature whose outcome becomes known; returns the unsubscribe function. */
  onStatus(listener: (signature: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
