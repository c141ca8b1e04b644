// What the embedded chain remembers of its transactions for callers who ask later (the market's
// getTransaction, RPC's getSignatureStatuses / getTransaction): records, outcomes, wire bytes and
// logs by signature, who waits for an outcome, and the window of recent transactions RPC lists by
// address. A bounded window, as a pruned validator keeps: the last RECENT_TRANSACTIONS_MAX
// signatures; an older one is not found. In memory; rebuilt from the chain log on start.
import type { FailedTransactionMetadata } from "litesvm";
import { transactionIdFromBytes } from "../../core/transaction-id.js";
import type { Transaction } from "../transaction.js";
import { RECENT_TRANSACTIONS_MAX, RecentTransactions } from "./recent-transactions.js";
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

/** What is known of one signature. */
interface Known {
  record?: Transaction;
  status?: SignatureStatus;
  details?: TransactionDetails;
}

/** What callers outside the runtime may ask of the history: reads and status subscriptions, never a change. */
export type TransactionHistoryReads = Pick<
  TransactionHistory,
  "size" | "transaction" | "detailsOf" | "recentTransaction" | "recentFor" | "statusOf" | "onStatus"
>;

/**
 * The embedded chain's memory of transactions. Invariants: a listener hears of every status set
 * after it subscribed; at most `capacity` signatures are known, the oldest forgotten first.
 */
export class TransactionHistory {
  /** By signature, in the order they became known (a Map iterates in insertion order). */
  private readonly known = new Map<string, Known>();
  private readonly listeners = new Set<(signature: string) => void>();
  private readonly recent: RecentTransactions;

  constructor(private readonly capacity = RECENT_TRANSACTIONS_MAX) {
    this.recent = new RecentTransactions(capacity);
  }

  /** Signatures known (at most the capacity). */
  get size(): number {
    return this.known.size;
  }

  /** The entry of `signature`, made (and the oldest forgotten beyond the capacity) when new. */
  private entry(signature: string): Known {
    let found = this.known.get(signature);
    if (found === undefined) {
      found = {};
      this.known.set(signature, found);
      if (this.known.size > this.capacity) {
        const oldest = this.known.keys().next();
        if (oldest.done !== true) this.known.delete(oldest.value);
      }
    }
    return found;
  }

  /** Remembers a confirmed transaction's record. */
  record(transaction: Transaction): void {
    this.entry(transaction.id).record = transaction;
  }

  /** A confirmed transaction's record, or undefined (unknown, or older than the window). */
  transaction(id: string): Transaction | undefined {
    return this.known.get(id)?.record;
  }

  /** Remembers a transaction's wire bytes, fee and logs. */
  noteDetails(signature: string, details: TransactionDetails): void {
    this.entry(signature).details = details;
  }

  /** A transaction's wire bytes, fee and logs, when known (and not older than the window). */
  detailsOf(signature: string): TransactionDetails | undefined {
    return this.known.get(signature)?.details;
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
    const known = this.entry(signature);
    known.status = status;
    const wire = known.details?.wire;
    if (wire === undefined) return;
    const timeMs = known.record?.timeMs;
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

  /** A transaction's outcome, when known (and not older than the window). */
  statusOf(signature: string): SignatureStatus | undefined {
    return this.known.get(signature)?.status;
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
