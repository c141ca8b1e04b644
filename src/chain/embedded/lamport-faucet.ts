// The embedded runtime's faucet: lamports it grants, to the operator (fees and rent, topped up when
// it runs low) and to any address (RPC's requestAirdrop). Executes the grant only: the caller logs it.
import { FailedTransactionMetadata } from "litesvm";
import type { LiteSVM, TransactionMetadata } from "litesvm";
import { lamports } from "@solana/kit";
import type { Address } from "../../core/address.js";
import { MarketError } from "../../core/errors.js";

/** Lamports the operator starts with, to pay fees and rent. */
export const OPERATOR_LAMPORTS = 1000n * 1_000_000_000n;
/** Below this the operator is topped up again (the runtime faucet grants at most about 10^14). */
export const OPERATOR_LAMPORTS_LOW = 10n * 1_000_000_000n;

/**
 * Grants `amount` lamports to `to` in `svm`; returns the grant's metadata. A refusal changes nothing.
 * @throws CHAIN_ERROR (the runtime refused: `refusal`, then its error when it gave one)
 */
export function grantLamports(svm: LiteSVM, to: Address, amount: bigint, refusal: string): TransactionMetadata {
  const granted = svm.airdrop(to, lamports(amount));
  if (granted === null || granted instanceof FailedTransactionMetadata) {
    throw new MarketError("CHAIN_ERROR", { reason: `${refusal}${granted === null ? "" : `: ${granted.err().toString()}`}` });
  }
  return granted;
}
