// Balances of a transaction's static accounts as Solana's transaction meta reports them
// (preBalances / postBalances, preTokenBalances / postTokenBalances), read from the runtime before
// and after the transaction runs. Reads accounts only; changes nothing.
import type { LiteSVM } from "litesvm";
import { getAddressDecoder } from "@solana/kit";
import type { Address } from "@solana/kit";
import { TOKEN_PROGRAM_ADDRESS, getMintDecoder } from "@solana-program/token";
import type { BalanceChanges, TokenBalance } from "./recent-transactions.js";

/** Size of an SPL Token account (a mint is smaller, a multisig is 355). */
const TOKEN_ACCOUNT_SIZE = 165;
/** Size of an SPL Token mint. */
const MINT_SIZE = 82;
/** Where a token account's amount (u64, little endian) starts: after its mint and owner. */
const TOKEN_AMOUNT_OFFSET = 64;
/** Mints whose decimals are remembered at most (then the memory starts over). */
const MINT_DECIMALS_REMEMBERED_MAX = 1000;

// Codecs are built once: building one costs more than decoding with it.
const addressDecoder = getAddressDecoder();
const mintDecoder = getMintDecoder();
/** A mint's decimals never change once it is initialized (SPL Token mints cannot be closed). */
const mintDecimals = new Map<string, number>();

/** Balances of some accounts at one moment. */
interface Balances {
  readonly lamports: readonly bigint[];
  readonly tokens: readonly TokenBalance[];
}

function decimalsOf(svm: LiteSVM, mint: Address): number | undefined {
  const known = mintDecimals.get(mint);
  if (known !== undefined) return known;
  const account = svm.getAccount(mint);
  if (!account.exists || account.programAddress !== TOKEN_PROGRAM_ADDRESS || account.data.length !== MINT_SIZE) return undefined;
  const mintState = mintDecoder.decode(account.data);
  if (!mintState.isInitialized) return undefined;
  if (mintDecimals.size >= MINT_DECIMALS_REMEMBERED_MAX) mintDecimals.clear();
  mintDecimals.set(mint, mintState.decimals);
  return mintState.decimals;
}

/** The accounts of a compiled message: its static keys, which are read-only, and which of them its instructions invoke as programs. */
interface MessageAccounts {
  readonly staticAccounts: readonly Address[];
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
export function balancesOf(svm: LiteSVM, message: MessageAccounts, before?: Balances): Balances {
  const tokens: TokenBalance[] = [];
  const programs = new Set((message.instructions ?? []).map((instruction) => instruction.programAddressIndex));
  const lamports = message.staticAccounts.map((key, accountIndex) => {
    const unchanged = before === undefined || !isReadonly(message, accountIndex) ? undefined : before.lamports[accountIndex];
    if (before !== undefined && unchanged !== undefined) {
      const token = before.tokens.find((balance) => balance.accountIndex === accountIndex);
      if (token !== undefined) tokens.push(token);
      return unchanged;
    }
    if (programs.has(accountIndex)) return svm.getBalance(key) ?? 0n;
    const account = svm.getAccount(key);
    if (!account.exists) return 0n;
    if (account.programAddress === TOKEN_PROGRAM_ADDRESS && account.data.length === TOKEN_ACCOUNT_SIZE) {
      // Only mint, owner and amount are read (the SPL Token account layout), not the whole account.
      const data = account.data;
      const mint = addressDecoder.decode(data.subarray(0, 32));
      const decimals = decimalsOf(svm, mint);
      if (decimals !== undefined) {
        tokens.push({
          accountIndex,
          mint,
          owner: addressDecoder.decode(data.subarray(32, 64)),
          programId: TOKEN_PROGRAM_ADDRESS,
          amount: new DataView(data.buffer, data.byteOffset + TOKEN_AMOUNT_OFFSET, 8).getBigUint64(0, true),
          decimals,
        });
      }
    }
    return account.lamports;
  });
  return { lamports, tokens };
}

/** The meta balances of a transaction from its accounts' balances before and after it ran. */
export function balanceChanges(before: Balances, after: Balances): BalanceChanges {
  return { pre: before.lamports, post: after.lamports, preToken: before.tokens, postToken: after.tokens };
}
