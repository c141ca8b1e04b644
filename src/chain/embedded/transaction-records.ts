// How the embedded chain writes a confirmed transaction's record into its log and reads it back,
// and the wire-level helpers around it (decode, fee). Pure: no I/O.
import { getTransactionDecoder } from "@solana/kit";
import { Amount } from "../../core/amount.js";
import { MarketError } from "../../core/errors.js";
import { parseAddress } from "../../core/address.js";
import type { TransactionId } from "../../core/transaction-id.js";
import type { Transaction, TransactionType } from "../transaction.js";

/** Fee per signature on the embedded runtime, in lamports. */
export const SIGNATURE_FEE_LAMPORTS = 5000n;

/** A confirmed transaction as its log entry holds it: amounts and slots as decimal strings. */
export interface StoredRecord {
  readonly id: string;
  readonly slot: string;
  readonly type: TransactionType;
  readonly amount: string;
  readonly from?: string;
  readonly to?: string;
  readonly timeMs: number;
  readonly feeLamports: string;
  readonly memo?: string;
}

/** The log form of a transaction. */
export function toRecord(transaction: Transaction): StoredRecord {
  return {
    id: transaction.id,
    slot: transaction.status.kind === "Confirmed" ? transaction.status.slot.toString() : "0",
    type: transaction.type,
    amount: transaction.amount.toString(),
    ...(transaction.from === undefined ? {} : { from: transaction.from }),
    ...(transaction.to === undefined ? {} : { to: transaction.to }),
    timeMs: transaction.timeMs,
    feeLamports: transaction.feeLamports.toString(),
    ...(transaction.memo === undefined ? {} : { memo: transaction.memo }),
  };
}

/** The transaction a log record holds (always confirmed: only confirmed ones are recorded). @throws INVALID_AMOUNT, INVALID_ADDRESS (a damaged record) */
export function fromRecord(record: StoredRecord): Transaction {
  return {
    id: record.id as TransactionId,
    status: { kind: "Confirmed", slot: BigInt(record.slot) },
    type: record.type,
    amount: Amount.parse(record.amount),
    ...(record.from === undefined ? {} : { from: parseAddress(record.from) }),
    ...(record.to === undefined ? {} : { to: parseAddress(record.to) }),
    timeMs: record.timeMs,
    feeLamports: BigInt(record.feeLamports),
    ...(record.memo === undefined ? {} : { memo: record.memo }),
  };
}

/** A transaction decoded from its wire bytes. */
export type WireTransaction = ReturnType<ReturnType<typeof getTransactionDecoder>["decode"]>;

/** The network fee of a transaction: one fee per signature. */
export function feeOf(transaction: { readonly signatures: Readonly<Record<string, unknown>> }): bigint {
  return SIGNATURE_FEE_LAMPORTS * BigInt(Object.keys(transaction.signatures).length);
}

/** Decodes wire bytes into a transaction. @throws CHAIN_ERROR (bytes that are no transaction) */
export function decodeWire(wire: Uint8Array): WireTransaction {
  try {
    return getTransactionDecoder().decode(wire);
  } catch (e) {
    throw new MarketError("CHAIN_ERROR", { reason: "the bytes are not a serialized transaction" }, { cause: e });
  }
}
