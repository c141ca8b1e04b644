// Transaction: what molt-market records about a transaction it sent: status, type, amount, parties,
// time, fee, memo. Types only.
import type { Amount } from "../core/amount.js";
import type { Address } from "../core/address.js";
import type { TransactionId } from "../core/transaction-id.js";

/** Where a transaction stands. */
export type TransactionStatus =
  | { readonly kind: "Pending" }
  | { readonly kind: "Confirmed"; readonly slot: bigint }
  | { readonly kind: "Failed"; readonly error: string };

/** What a transaction did. */
export type TransactionType =
  "Transfer" | "Airdrop" | "EscrowCreate" | "EscrowDeposit" | "EscrowRelease" | "EscrowRefund" | "EscrowSettle" | "Setup" | "External";

/** One transaction as molt-market knows it. */
export interface Transaction {
  readonly id: TransactionId;
  readonly status: TransactionStatus;
  readonly type: TransactionType;
  /** MOLT moved (zero for setup). */
  readonly amount: Amount;
  readonly from?: Address;
  readonly to?: Address;
  /** Milliseconds since the epoch. */
  readonly timeMs: number;
  /** Network fee in lamports. */
  readonly feeLamports: bigint;
  readonly memo?: string;
}
