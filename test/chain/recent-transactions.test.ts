// The embedded chain's window of recent transactions: bounded (the oldest go first), listed by
// address newest first, paged with before / until.
import {
  appendTransactionMessageInstructions,
  createTransactionMessage,
  generateKeyPairSigner,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
} from "@solana/kit";
import type { Blockhash, KeyPairSigner } from "@solana/kit";
import { getTransferSolInstruction } from "@solana-program/system";
import { describe, expect, it } from "vitest";
import { RecentTransactions } from "../../src/chain/embedded/recent-transactions.js";
import type { RecentTransaction } from "../../src/chain/embedded/recent-transactions.js";

async function transfer(from: KeyPairSigner, to: KeyPairSigner, amount: bigint): Promise<RecentTransaction> {
  const signed = await pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(from, m),
    (m) =>
      setTransactionMessageLifetimeUsingBlockhash(
        { blockhash: "CmpNeggWJ4JaWJeJ8YKN1Zypmk7uvQq3PECGUCAEMbky" as Blockhash, lastValidBlockHeight: 150n },
        m,
      ),
    (m) => appendTransactionMessageInstructions([getTransferSolInstruction({ source: from, destination: to.address, amount })], m),
    (m) => signTransactionMessageWithSigners(m),
  );
  return { signature: getSignatureFromTransaction(signed), slot: amount, wire: getBase64EncodedWireTransaction(signed) };
}

describe("RecentTransactions", () => {
  it("keeps the last `capacity` transactions and lists an address's newest first, paged", async () => {
    const [alice, bob, carol] = await Promise.all([generateKeyPairSigner(), generateKeyPairSigner(), generateKeyPairSigner()]);
    const recent = new RecentTransactions(3);
    const sent = [
      await transfer(alice, bob, 1n),
      await transfer(alice, carol, 2n),
      await transfer(bob, carol, 3n),
      await transfer(alice, bob, 4n),
    ];
    for (const entry of sent) recent.add(entry);
    const [first, second, third, fourth] = sent.map((entry) => entry.signature) as [string, string, string, string];
    expect(recent.get(first)).toBeUndefined(); // pushed out of the window
    expect(recent.get(fourth)?.slot).toBe(4n);
    expect(recent.forAddress(alice.address, { limit: 10 }).map((entry) => entry.signature)).toEqual([fourth, second]);
    expect(recent.forAddress(carol.address, { limit: 1 }).map((entry) => entry.signature)).toEqual([third]);
    expect(recent.forAddress(carol.address, { limit: 10, before: third }).map((entry) => entry.signature)).toEqual([second]);
    expect(recent.forAddress(bob.address, { limit: 10, until: third }).map((entry) => entry.signature)).toEqual([fourth]);
    recent.add(sent[3] as RecentTransaction); // a repeat changes nothing
    expect(recent.forAddress(bob.address, { limit: 10 })).toHaveLength(2);
  });
});
