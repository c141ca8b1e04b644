// Balances of a transaction's static accounts as Solana's transaction meta reports them
// (preBalances / postBalances, preTokenBalances / postTokenBalances), read from the runtime before
// and after the transaction runs, straight from the native runtime by address bytes. Reads
// accounts only; changes nothing.
import type { Address } from "@solana/kit";
import { TOKEN_PROGRAM_ADDRESS, getMintDecoder } from "@solana-program/token";
import { addressBytes, addressOfBytes } from "../address-bytes.js";
import type { NativeSvm } from "./native-svm.js";
import type { BalanceChanges, TokenBalance } from "./recent-transactions.js";

/** Size of an SPL Token account (a mint is smaller, a multisig is 355). */
const TOKEN_ACCOUNT_SIZE = 165;
/** Size of an SPL Token mint. */
const MINT_SIZE = 82;
/** Where a token account's amount (u64, little endian) starts: after its mint and owner. */
const TOKEN_AMOUNT_OFFSET = 64;
/** Mints whose decimals are remembered at most (then the memory starts over). */
const MINT_DECIMALS_REMEMBERED_MAX = 1000;

// Built once: building a codec costs more than decoding with it.
const mintDecoder = getMintDecoder();
const TOKEN_PROGRAM_BYTES = addressBytes(TOKEN_PROGRAM_ADDRESS);
/** A mint's decimals never change once it is initialized (SPL Token mints cannot be closed). */
const mintDecimals = new Map<string, number>();

/** Balances of some accounts at one moment. */
interface Balances {
  readonly lamports: readonly bigint[];
  readonly tokens: readonly TokenBalance[];
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

function decimalsOf(svm: NativeSvm, mint: Address, mintBytes: Uint8Array): number | undefined {
  const known = mintDecimals.get(mint);
  if (known !== undefined) return known;
  const account = svm.getAccount(mintBytes);
  if (account === null || !sameBytes(account.owner(), TOKEN_PROGRAM_BYTES)) return undefined;
  const data = account.data();
  if (data.length !== MINT_SIZE) return undefined;
  const mintState = mintDecoder.decode(data);
  if (!mintState.isInitialized) return undefined;
  if (mintDecimals.size >= MINT_DECIMALS_REMEMBERED_MAX) mintDecimals.clear();
  mintDecimals.set(mint, mintState.decimals);
  return mintState.decimals;
}

/** The accounts of a compiled message: its static keys, which are read-only, and which of them its instructions invoke as programs. */
interface MessageAccounts {
  readonly staticAccounts: readonly Address[];
  /** The static accounts' bytes, when the caller has them (else they are converted here). */
  readonly staticAccountBytes?: readonly Uint8Array[];
  readonly header?: {
    readonly numSignerAccounts: number;
    readonly numReadonlySignerAccounts: number;
    readonly numReadonlyNonSignerAccounts: number;
  };
  readonly instructions?: readonly { readonly programAddressIndex: number }[];
}

/** Is the static account at `index` read-only in `message` (the transaction cannot change it). */
function isReadonly(message: MessageAccounts, index: number): boolean {
  const header = message.header;
  if (header === undefined) return false;
  if (index < header.numSignerAccounts) return index >= header.numSignerAccounts - header.numReadonlySignerAccounts;
  return index >= message.staticAccounts.length - header.numReadonlyNonSignerAccounts;
}

/**
 * Lamports of every static account of `message` (0 where no account is) and the balance of each SPL
 * Token account among them, in key order. The programs it invokes are read for lamports only (their
 * data is their code, and no token account). Given the balances `before` the transaction ran, its
 * read-only accounts are taken from them (it could not change them), not read again.
 */
export function balancesOf(svm: NativeSvm, message: MessageAccounts, before?: Balances): Balances {
  const tokens: TokenBalance[] = [];
  const programs = new Set((message.instructions ?? []).map((instruction) => instruction.programAddressIndex));
  const lamports = message.staticAccounts.map((key, accountIndex) => {
    const unchanged = before === undefined || !isReadonly(message, accountIndex) ? undefined : before.lamports[accountIndex];
    if (before !== undefined && unchanged !== undefined) {
      const token = before.tokens.find((balance) => balance.accountIndex === accountIndex);
      if (token !== undefined) tokens.push(token);
      return unchanged;
    }
    const keyBytes = message.staticAccountBytes?.[accountIndex] ?? addressBytes(key);
    if (programs.has(accountIndex)) return svm.getBalance(keyBytes) ?? 0n;
    const account = svm.getAccount(keyBytes);
    if (account === null) return 0n;
    if (sameBytes(account.owner(), TOKEN_PROGRAM_BYTES)) {
      const data = account.data();
      if (data.length === TOKEN_ACCOUNT_SIZE) {
        // Only mint, owner and amount are read (the SPL Token account layout), not the whole account.
        const mintBytes = data.subarray(0, 32);
        const mint = addressOfBytes(mintBytes);
        const decimals = decimalsOf(svm, mint, mintBytes);
        if (decimals !== undefined) {
          tokens.push({
            accountIndex,
            mint,
            owner: addressOfBytes(data.subarray(32, 64)),
            programId: TOKEN_PROGRAM_ADDRESS,
            amount: new DataView(data.buffer, data.byteOffset + TOKEN_AMOUNT_OFFSET, 8).getBigUint64(0, true),
            decimals,
          });
        }
      }
    }
    return account.lamports();
  });
  return { lamports, tokens };
}

/** The meta balances of a transaction from its accounts' balances before and after it ran. */
export function balanceChanges(before: Balances, after: Balances): BalanceChanges {
  return { pre: before.lamports, post: after.lamports, preToken: before.tokens, postToken: after.tokens };
}
