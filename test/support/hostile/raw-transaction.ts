// Raw transactions as an attacker builds them: its own instructions, its own key as fee payer and
// signer, sent through its own chain access. Builds and signs only; the chain decides.
import {
  appendTransactionMessageInstructions,
  createTransactionMessage,
  getTransactionEncoder,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
} from "@solana/kit";
import type { Instruction, TransactionSigner } from "@solana/kit";
import { walletSigner } from "../../../src/chain/signer.js";
import type { Wallet } from "../../../src/chain/wallet.js";
import type { ChainAccess, SendOutcome } from "./chains.js";

/** A wallet as a kit signer (the same one each call, so kit sees one signer per address). */
export function signerOf(wallet: Wallet): TransactionSigner {
  const cached = signers.get(wallet);
  if (cached !== undefined) return cached;
  const signer = walletSigner(wallet);
  signers.set(wallet, signer);
  return signer;
}
const signers = new WeakMap<Wallet, TransactionSigner>();

/** Signs `instructions` with every signer they name, `payer` paying the fee, and sends them. */
export async function sendRaw(access: ChainAccess, payer: Wallet, instructions: readonly Instruction[]): Promise<SendOutcome> {
  const lifetime = await access.latestBlockhash();
  const signed = await pipe(
    createTransactionMessage({ version: 0 }),
    (message) => setTransactionMessageFeePayerSigner(signerOf(payer), message),
    (message) => setTransactionMessageLifetimeUsingBlockhash(lifetime, message),
    (message) => appendTransactionMessageInstructions(instructions, message),
    (message) => signTransactionMessageWithSigners(message),
  );
  return access.send(Uint8Array.from(getTransactionEncoder().encode(signed)));
}
