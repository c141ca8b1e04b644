// Balances of a transaction's static accounts as Solana's transaction meta reports them
// (preBalances / postBalances, preTokenBalances / postTokenBalances), read from the runtime before
// and after the transaction runs. Reads accounts only; changes nothing.
import type { LiteSVM } from "litesvm";
import type { Address } from "@solana/kit";
import { TOKEN_PROGRAM_ADDRESS, getMintDecoder, getTokenDecoder } from "@solana-program/token";
import type { BalanceChanges, TokenBalance } from "./recent-transactions.js";

/** Size of an SPL Token account (a mint is smaller, a multisig is 355). */
const TOKEN_ACCOUNT_SIZE = 165;

/** Balances of some accounts at one moment. */
interface Balances {
  readonly lamports: readonly bigint[];
  readonly tokens: readonly TokenBalance[];
}

function decimalsOf(svm: LiteSVM, mint: Address): number | undefined {
  const account = svm.getAccount(mint);
  if (!account.exists || account.programAddress !== TOKEN_PROGRAM_ADDRESS || account.data.length !== 82) return undefined;
  return getMintDecoder().decode(account.data).decimals;
}

/** The accounts of a compiled message: its static keys, and which of them its instructions invoke as programs. */
interface MessageAccounts {
  readonly staticAccounts: readonly Address[];
  readonly instructions?: readonly { readonly programAddressIndex: number }[];
}

/**
 * Lamports of every static account of `message` (0 where no account is) and the balance of each SPL
 * Token account among them, in key order. The programs it invokes are read for lamports only (their
 * data is their code, and no token account).
 */
export function balancesOf(svm: LiteSVM, message: MessageAccounts): Balances {
  const tokens: TokenBalance[] = [];
  const programs = new Set((message.instructions ?? []).map((instruction) => instruction.programAddressIndex));
  const lamports = message.staticAccounts.map((key, accountIndex) => {
    if (programs.has(accountIndex)) return svm.getBalance(key) ?? 0n;
    const account = svm.getAccount(key);
    if (!account.exists) return 0n;
    if (account.programAddress === TOKEN_PROGRAM_ADDRESS && account.data.length === TOKEN_ACCOUNT_SIZE) {
      const token = getTokenDecoder().decode(account.data);
      const decimals = decimalsOf(svm, token.mint);
      if (decimals !== undefined) {
        tokens.push({
          accountIndex,
          mint: token.mint,
          owner: token.owner,
          programId: TOKEN_PROGRAM_ADDRESS,
          amount: token.amount,
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
