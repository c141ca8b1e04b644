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

/** Lamports of every one of `keys` (0 where no account is) and the balance of each SPL Token account among them, in key order. */
export function balancesOf(svm: LiteSVM, keys: readonly Address[]): Balances {
  const tokens: TokenBalance[] = [];
  const lamports = keys.map((key, accountIndex) => {
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
