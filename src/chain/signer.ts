// The bridge from a Wallet to @solana/kit's signer interface, so kit builds and signs transactions
// with keys held by Node's crypto. Pure apart from signing.
import type { SignatureBytes, TransactionPartialSigner } from "@solana/kit";
import type { Wallet } from "./wallet.js";

/** A kit TransactionPartialSigner that signs with `wallet`. */
export function walletSigner(wallet: Wallet): TransactionPartialSigner {
  return {
    address: wallet.address,
    signTransactions: (transactions) =>
      Promise.resolve(transactions.map((transaction) => ({ [wallet.address]: wallet.sign(Uint8Array.from(transaction.messageBytes)) as SignatureBytes }))),
  };
}
