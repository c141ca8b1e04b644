// The window of recent transactions the localnet serves over RPC (getSignaturesForAddress, and the
// balances of getTransaction's meta): the last RECENT_TRANSACTIONS_MAX, the oldest forgotten first.
// In memory; rebuilt from the chain log on start. Pure: no I/O.
import { getBase64Encoder, getCompiledTransactionMessageDecoder, getTransactionDecoder } from "@solana/kit";
import type { TransactionErrorJson } from "./transaction-error.js";

/** Transactions kept in the window; older ones are no longer listed by address. */
export const RECENT_TRANSACTIONS_MAX = 10_000;

/** A token account's balance as a transaction's meta reports it. */
export interface TokenBalance {
  readonly accountIndex: number;
  readonly mint: string;
  readonly owner: string;
  readonly programId: string;
  readonly amount: bigint;
  readonly decimals: number;
}

/** Lamports and token balances of a transaction's static accounts, before and after it ran. */
export interface BalanceChanges {
  readonly pre: readonly bigint[];
  readonly post: readonly bigint[];
  readonly preToken: readonly TokenBalance[];
  readonly postToken: readonly TokenBalance[];
}

/** One landed transaction of the window. */
export interface RecentTransaction {
  readonly signature: string;
  readonly slot: bigint;
  /** Its wire bytes, base64. */
  readonly wire: string;
  readonly error?: TransactionErrorJson;
  /** When it landed (ms since the epoch), when the chain recorded it. */
  readonly timeMs?: number;
  /** Known when it executed in this process (sent, or replayed after the last snapshot). */
  readonly balances?: BalanceChanges;
}

/** Which part of an address's history to list, newest first. */
export interface SignaturePage {
  readonly limit: number;
  /** Start after this signature (exclusive). */
  readonly before?: string;
  /** Stop at this signature (exclusive). */
  readonly until?: string;
}

/** Built once: a first forAddress decodes every transaction of the window. */
const base64 = getBase64Encoder();
const transactionDecoder = getTransactionDecoder();
const messageDecoder = getCompiledTransactionMessageDecoder();

/** The static account keys of a transaction's message, in message order. */
export function staticAccountsOf(wire: string): readonly string[] {
  const transaction = transactionDecoder.decode(base64.encode(wire));
  return messageDecoder.decode(transaction.messageBytes).staticAccounts;
}

/** A ring of the last RECENT_TRANSACTIONS_MAX transactions. Invariant: `bySignature` holds exactly the ring's entries. */
export class RecentTransactions {
  private readonly ring: (RecentTransaction | undefined)[] = [];
  private next = 0;
  private readonly bySignature = new Map<string, RecentTransaction>();
  private readonly accounts = new WeakMap<RecentTransaction, ReadonlySet<string>>();

  constructor(private readonly capacity = RECENT_TRANSACTIONS_MAX) {}

  /** Adds a landed transaction (a repeat of a known signature replaces nothing). */
  add(entry: RecentTransaction): void {
    if (this.bySignature.has(entry.signature)) return;
    const evicted = this.ring[this.next];
    if (evicted !== undefined) this.bySignature.delete(evicted.signature);
    this.ring[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
    this.bySignature.set(entry.signature, entry);
  }

  /** A transaction of the window, or undefined. */
  get(signature: string): RecentTransaction | undefined {
    return this.bySignature.get(signature);
  }

  /** Transactions of the window that name `address` among their static accounts, newest first. */
  forAddress(address: string, page: SignaturePage): RecentTransaction[] {
    const found: RecentTransaction[] = [];
    let started = page.before === undefined;
    for (let step = 1; step <= this.ring.length && found.length < page.limit; step++) {
      const entry = this.ring[(this.next - step + this.capacity) % this.capacity];
      if (entry === undefined) break;
      if (!started) {
        started = entry.signature === page.before;
        continue;
      }
      if (entry.signature === page.until) break;
      if (this.accountsOf(entry).has(address)) found.push(entry);
    }
    return found;
  }

  private accountsOf(entry: RecentTransaction): ReadonlySet<string> {
    let keys = this.accounts.get(entry);
    if (keys === undefined) {
      keys = new Set(staticAccountsOf(entry.wire));
      this.accounts.set(entry, keys);
    }
    return keys;
  }
}
