// TransactionId: a Solana transaction signature (64 bytes) in base58, and its explorer URL.
// Pure, no I/O.
import { getBase58Decoder, getBase58Encoder } from "@solana/codecs-strings";
import { MarketError } from "./errors.js";
import type { Brand } from "./ids.js";

/** A transaction's first signature, base58. */
export type TransactionId = Brand<string, "TransactionId">;

const SIGNATURE_TEXT_MAX = 90;

/** Is `value` base58 of exactly 64 bytes. */
export function isTransactionId(value: unknown): value is TransactionId {
  if (typeof value !== "string" || value.length < 64 || value.length > SIGNATURE_TEXT_MAX || /[^1-9A-HJ-NP-Za-km-z]/.test(value))
    return false;
  return getBase58Encoder().encode(value).length === 64;
}

/** Checks and converts a string to a TransactionId. @throws INVALID_ID */
export function parseTransactionId(value: unknown): TransactionId {
  if (!isTransactionId(value)) {
    throw new MarketError("INVALID_ID", {
      kind: "transaction",
      value: typeof value === "string" ? value.slice(0, 64) : typeof value,
      expected: "a base58 transaction signature of 64 bytes",
    });
  }
  return value;
}

/** The TransactionId of 64 signature bytes. @throws INVALID_ID */
export function transactionIdFromBytes(signature: Uint8Array): TransactionId {
  if (signature.length !== 64)
    throw new MarketError("INVALID_ID", { kind: "transaction", value: `${signature.length} bytes`, expected: "64 signature bytes" });
  return getBase58Decoder().decode(signature) as TransactionId;
}
