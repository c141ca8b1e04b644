// The embedded chain's memory of transactions is a bounded window, as a pruned validator keeps:
// the newest signatures answer, older ones are not found, and the memory never exceeds the window.
import { describe, expect, it } from "vitest";
import { TransactionHistory } from "../../src/chain/embedded/transaction-history.js";
import { Amount } from "../../src/core/amount.js";
import type { TransactionId } from "../../src/core/transaction-id.js";
import type { Transaction } from "../../src/chain/transaction.js";

function transaction(index: number): Transaction {
  return {
    id: `signature-${index}` as TransactionId,
    status: { kind: "Confirmed", slot: BigInt(index) },
    type: "Transfer",
    amount: Amount.fromMolt(index),
    timeMs: 1_700_000_000_000 + index,
    feeLamports: 5000n,
  };
}

describe("TransactionHistory", () => {
  it("keeps the last `capacity` signatures (records, details, statuses); older ones answer undefined", () => {
    const history = new TransactionHistory(3);
    const heard: string[] = [];
    history.onStatus((signature) => heard.push(signature));
    for (let i = 1; i <= 5; i++) {
      const sent = transaction(i);
      history.record(sent);
      history.noteDetails(sent.id, { wire: "AA==", feeLamports: 5000n, logs: [`log ${i}`] });
      history.setStatus(sent.id, { slot: BigInt(i) });
    }
    expect(history.size).toBe(3);
    expect(heard).toEqual(["signature-1", "signature-2", "signature-3", "signature-4", "signature-5"]);
    for (const old of ["signature-1", "signature-2"]) {
      expect(history.transaction(old)).toBeUndefined();
      expect(history.statusOf(old)).toBeUndefined();
      expect(history.detailsOf(old)).toBeUndefined();
      expect(history.recentTransaction(old)).toBeUndefined();
    }
    for (let i = 3; i <= 5; i++) {
      const id = `signature-${i}`;
      expect(history.transaction(id)?.amount.toString()).toBe(String(i));
      expect(history.statusOf(id)?.slot).toBe(BigInt(i));
      expect(history.detailsOf(id)?.logs).toEqual([`log ${i}`]);
      expect(history.recentTransaction(id)?.timeMs).toBe(1_700_000_000_000 + i);
    }
  });

  it("a status without a record (an airdrop) takes a place in the window too", () => {
    const history = new TransactionHistory(2);
    history.setStatus("airdrop-1", { slot: 1n });
    history.setStatus("airdrop-2", { slot: 2n });
    history.setStatus("airdrop-3", { slot: 3n });
    expect(history.size).toBe(2);
    expect(history.statusOf("airdrop-1")).toBeUndefined();
    expect(history.statusOf("airdrop-3")?.slot).toBe(3n);
  });
});
