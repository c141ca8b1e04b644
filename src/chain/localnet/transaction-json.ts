// A landed transaction as Solana's getTransaction answers it: the transaction in the asked encoding
// (json, jsonParsed, base64 or base58) and its meta (status, fee, balances, logs). Pure: formats what the chain
// recorded.
import {
  getBase58Decoder,
  getBase64Encoder,
  getCompiledTransactionMessageDecoder,
  getTransactionDecoder,
  getUtf8Decoder,
} from "@solana/kit";
import type { LegacyCompiledTransactionMessage, V0CompiledTransactionMessage } from "@solana/kit";
import type { RecentTransaction, TokenBalance } from "../embedded/recent-transactions.js";
import type { TransactionDetails } from "../embedded/transaction-history.js";
import { MEMO_PROGRAMS, parsedInstruction } from "./parsed-instructions.js";
import { uiTokenAmount } from "./rpc-params.js";

/** Encodings getTransaction serves. */
export const TRANSACTION_ENCODINGS = ["json", "jsonParsed", "base64", "base58"] as const;
/** One of TRANSACTION_ENCODINGS. */
export type TransactionEncoding = (typeof TRANSACTION_ENCODINGS)[number];

/** A transaction's wire bytes decoded, its message legacy or v0 (the versions the runtime executes). */
function decoded(wire: string): {
  readonly transaction: ReturnType<ReturnType<typeof getTransactionDecoder>["decode"]>;
  readonly message: (LegacyCompiledTransactionMessage | V0CompiledTransactionMessage) & { readonly lifetimeToken: string };
} {
  const transaction = getTransactionDecoder().decode(getBase64Encoder().encode(wire));
  const message = getCompiledTransactionMessageDecoder().decode(transaction.messageBytes);
  if (message.version !== "legacy" && message.version !== 0) throw new Error(`transaction version ${message.version} is not served`);
  return { transaction, message };
}

/** The message version of a transaction's wire bytes: "legacy" or a number. */
export function versionOf(wire: string): "legacy" | number {
  return decoded(wire).message.version;
}

/** Solana's `memo` of a transaction: its Memo instructions' texts as "[length] text", joined by "; ", or null. */
export function memoOf(wire: string): string | null {
  const { message } = decoded(wire);
  const memos = message.instructions
    .filter((instruction) => MEMO_PROGRAMS.has(message.staticAccounts[instruction.programAddressIndex] ?? ""))
    .map((instruction) => {
      const text = getUtf8Decoder().decode(instruction.data ?? new Uint8Array());
      return `[${text.length}] ${text}`;
    });
  return memos.length === 0 ? null : memos.join("; ");
}

/** jsonParsed account keys: each with whether it signs and is writable, by the message header. */
function parsedAccountKeys(message: ReturnType<typeof decoded>["message"]): unknown[] {
  const { numSignerAccounts, numReadonlySignerAccounts, numReadonlyNonSignerAccounts } = message.header;
  const count = message.staticAccounts.length;
  return message.staticAccounts.map((pubkey, index) => ({
    pubkey,
    writable:
      index < numSignerAccounts ? index < numSignerAccounts - numReadonlySignerAccounts : index < count - numReadonlyNonSignerAccounts,
    signer: index < numSignerAccounts,
    source: "transaction",
  }));
}

function jsonTransaction(wire: string, parsed: boolean): unknown {
  const { transaction, message } = decoded(wire);
  const base58 = getBase58Decoder();
  const keyAt = (index: number): string => message.staticAccounts[index] ?? "";
  return {
    signatures: Object.values(transaction.signatures).map((signature) =>
      signature === null ? "1111111111111111111111111111111111111111111111111111111111111111" : base58.decode(signature),
    ),
    message: {
      ...(parsed
        ? { accountKeys: parsedAccountKeys(message) }
        : {
            accountKeys: message.staticAccounts,
            header: {
              numRequiredSignatures: message.header.numSignerAccounts,
              numReadonlySignedAccounts: message.header.numReadonlySignerAccounts,
              numReadonlyUnsignedAccounts: message.header.numReadonlyNonSignerAccounts,
            },
          }),
      recentBlockhash: message.lifetimeToken,
      instructions: message.instructions.map((instruction) =>
        parsed
          ? parsedInstruction(
              keyAt(instruction.programAddressIndex),
              (instruction.accountIndices ?? []).map(keyAt),
              Uint8Array.from(instruction.data ?? []),
            )
          : {
              programIdIndex: instruction.programAddressIndex,
              accounts: instruction.accountIndices ?? [],
              data: base58.decode(instruction.data ?? new Uint8Array()),
              stackHeight: null,
            },
      ),
      ...(message.version === "legacy"
        ? {}
        : {
            addressTableLookups: (("addressTableLookups" in message ? message.addressTableLookups : undefined) ?? []).map((lookup) => ({
              accountKey: lookup.lookupTableAddress,
              writableIndexes: lookup.writableIndexes,
              readonlyIndexes: lookup.readonlyIndexes,
            })),
          }),
    },
  };
}

function tokenBalancesJson(balances: readonly TokenBalance[]): unknown[] {
  return balances.map((balance) => ({
    accountIndex: balance.accountIndex,
    mint: balance.mint,
    owner: balance.owner,
    programId: balance.programId,
    uiTokenAmount: uiTokenAmount(balance.amount, balance.decimals),
  }));
}

/**
 * getTransaction's answer for a transaction of the recent window. Balances are empty lists when the
 * chain restored the transaction from a snapshot rather than running it in this process.
 */
export function transactionJson(
  entry: RecentTransaction,
  details: TransactionDetails,
  encoding: TransactionEncoding,
  blockTime: bigint | null,
): unknown {
  const version = versionOf(entry.wire);
  const err = entry.error ?? null;
  const transaction =
    encoding === "json" || encoding === "jsonParsed"
      ? jsonTransaction(entry.wire, encoding === "jsonParsed")
      : encoding === "base64"
        ? [entry.wire, "base64"]
        : [getBase58Decoder().decode(getBase64Encoder().encode(entry.wire)), "base58"];
  return {
    slot: entry.slot,
    blockTime,
    version,
    transaction,
    meta: {
      err,
      status: err === null ? { Ok: null } : { Err: err },
      fee: details.feeLamports,
      preBalances: entry.balances?.pre ?? [],
      postBalances: entry.balances?.post ?? [],
      preTokenBalances: tokenBalancesJson(entry.balances?.preToken ?? []),
      postTokenBalances: tokenBalancesJson(entry.balances?.postToken ?? []),
      innerInstructions: null,
      logMessages: details.logs,
      rewards: [],
      ...(version === "legacy" ? {} : { loadedAddresses: { writable: [], readonly: [] } }),
    },
  };
}
