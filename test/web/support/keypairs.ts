// Keypairs for the wallet tests, as the CLI writes them: a Wallet saved to a Solana CLI keypair
// file (src/chain/wallet.ts), read back as its text and its 64 bytes; and a transaction message
// that a wallet must co-sign (another key pays the fees), compiled by @solana/kit.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  address,
  appendTransactionMessageInstruction,
  compileTransaction,
  createNoopSigner,
  createTransactionMessage,
  lamports,
  pipe,
  setTransactionMessageFeePayer,
  setTransactionMessageLifetimeUsingBlockhash,
} from "@solana/kit";
import type { Blockhash } from "@solana/kit";
import { getTransferSolInstruction } from "@solana-program/system";
import { Wallet } from "../../../src/chain/wallet.js";

/** A fresh wallet saved like `molt-market wallet new` saves it: its file's text and 64 bytes. */
export function savedKeypair(): { readonly wallet: Wallet; readonly fileText: string; readonly secretKey: Uint8Array } {
  const wallet = Wallet.generate();
  const path = join(mkdtempSync(join(tmpdir(), "molt-wallet-test-")), "wallet.json");
  wallet.save(path);
  const fileText = readFileSync(path, "utf8");
  return { wallet, fileText, secretKey: Uint8Array.from(JSON.parse(fileText) as number[]) };
}

/** The bytes of a transaction message in which `signer` moves 1 lamport to `to`, and `feePayer` pays the fee (signer index 1). */
export function transferMessage(feePayer: string, signer: string, to: string): Uint8Array {
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayer(address(feePayer), m),
    (m) =>
      setTransactionMessageLifetimeUsingBlockhash(
        { blockhash: "11111111111111111111111111111111" as Blockhash, lastValidBlockHeight: 1n },
        m,
      ),
    (m) =>
      appendTransactionMessageInstruction(
        getTransferSolInstruction({ source: createNoopSigner(address(signer)), destination: address(to), amount: lamports(1n) }),
        m,
      ),
  );
  return Uint8Array.from(compileTransaction(message).messageBytes);
}
