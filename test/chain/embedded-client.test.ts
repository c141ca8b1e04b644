// The embedded chain: balances, transfers, airdrops and their records on LiteSVM with the real SPL
// Token program, kept in a data directory across restarts, snapshots and a kill -9.
import { spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EmbeddedMoltClient } from "../../src/chain/embedded/embedded-client.js";
import { BLOCKHASH_VALIDITY_MS } from "../../src/chain/embedded/recent-blockhashes.js";
import { PresentedSignature } from "../../src/chain/signer.js";
import { ManualClock } from "../../src/core/clock.js";
import { Wallet } from "../../src/chain/wallet.js";
import { Amount } from "../../src/core/amount.js";
import { isMarketError } from "../../src/core/errors.js";
import { rejectionCode } from "../support/error-code.js";
import type { TransactionId } from "../../src/core/transaction-id.js";
import type { Address } from "../../src/core/address.js";

const MOLT = (text: string): Amount => Amount.parse(text);

function dataDir(): string {
  return mkdtempSync(join(tmpdir(), "molt-chain-"));
}

/**
 * Kills a child that makes transfers `lanes` at a time with SIGKILL at random moments, `rounds`
 * times, then checks that every transaction it reported confirmed is on the reopened chain and
 * that no MOLT was made or lost.
 */
async function killTransferLoop(lanes: number): Promise<void> {
  const dir = dataDir();
  const script = new URL("../support/workers/transfer-loop.ts", import.meta.url).pathname;
  const confirmed: string[] = [];
  const payers: string[] = [];
  const rounds = 5;
  for (let round = 0; round < rounds; round++) {
    const killAfter = confirmed.length + 1 + Math.floor(Math.random() * 15); // somewhere in the next 1..15 confirmations
    const killDelayMs = Math.floor(Math.random() * 3); // and a little later still, mid-transaction
    const child = spawn(process.execPath, ["--import", "tsx", script, dir, String(lanes)], { stdio: ["ignore", "pipe", "inherit"] });
    let buffer = "";
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split("\n");
        buffer = lines.pop() ?? "";
        for (const line of lines) {
          if (line.startsWith("confirmed ")) confirmed.push(line.slice("confirmed ".length));
          if (line.startsWith("payer ")) payers.push(line.slice("payer ".length));
        }
        if (confirmed.length >= killAfter) setTimeout(() => child.kill("SIGKILL"), killDelayMs);
      });
      child.on("exit", () => {
        resolve();
      });
    });
  }
  expect(confirmed.length).toBeGreaterThanOrEqual(rounds);
  const chain = await EmbeddedMoltClient.open({ dataDir: dir });
  // Every transaction a child reported confirmed is there.
  for (const line of confirmed) {
    const [id, kind] = line.split(" ");
    expect((await chain.getTransaction(id as TransactionId))?.type, `${kind ?? ""} ${id ?? ""}`).toBe(kind);
  }
  // The balances match: no MOLT made or lost. Payers and sink together hold exactly what the
  // airdrops that landed created (1000 each; an airdrop may land unreported just before a kill).
  const sink = Wallet.fromFile(join(dir, "sink.json"));
  let total = await chain.balance(sink.address);
  for (const payer of payers) {
    const held = await chain.balance(payer as Address);
    total = total.add(held);
  }
  expect(total.baseUnits % Amount.fromMolt(1000).baseUnits).toBe(0n);
  const airdropsConfirmed = confirmed.filter((line) => line.endsWith(" Airdrop")).length;
  expect(total.asMolt() / 1000n).toBeGreaterThanOrEqual(BigInt(airdropsConfirmed));
  expect(total.asMolt() / 1000n).toBeLessThanOrEqual(BigInt(payers.length));
  // The sink got 1 MOLT per confirmed transfer, plus at most one unreported transfer per lane and kill.
  const transfers = confirmed.filter((line) => line.endsWith(" Transfer")).length;
  const sinkBalance = await chain.balance(sink.address);
  expect(sinkBalance.gte(Amount.fromMolt(transfers))).toBe(true);
  expect(sinkBalance.lte(Amount.fromMolt(transfers + rounds * lanes))).toBe(true);
  chain.close();
}

describe("EmbeddedMoltClient", () => {
  it("accepts a transaction signed elsewhere on a blockhash replaced less than 60 s ago, not later", async () => {
    const clock = new ManualClock(Date.parse("2026-11-24T00:00:00Z"));
    const chain = await EmbeddedMoltClient.open({ dataDir: dataDir(), clock });
    const alice = Wallet.generate();
    const bob = Wallet.generate();
    await chain.airdrop(alice.address, MOLT("10"));
    /** The message a transfer of `molt` asks alice to sign, and her signature over it. */
    const signedElsewhere = async (molt: string): Promise<{ message: string; signature: string }> => {
      const asked = await chain.transfer(new PresentedSignature(alice.address), bob.address, MOLT(molt)).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (!isMarketError(asked, "SIGNATURE_REQUIRED")) throw new Error(`expected SIGNATURE_REQUIRED, got ${String(asked)}`);
      return {
        message: asked.details.message,
        signature: Buffer.from(alice.sign(Buffer.from(asked.details.message, "base64"))).toString("base64"),
      };
    };
    const early = await signedElsewhere("1");
    await chain.airdrop(Wallet.generate().address, MOLT("1")); // the chain moves on to a new blockhash
    clock.advance(BLOCKHASH_VALIDITY_MS - 1);
    await chain.transfer(new PresentedSignature(alice.address, early), bob.address, MOLT("1"));
    expect((await chain.balance(bob.address)).toString()).toBe("1");

    const late = await signedElsewhere("2");
    await chain.airdrop(Wallet.generate().address, MOLT("1"));
    clock.advance(BLOCKHASH_VALIDITY_MS);
    // Its blockhash is too old now: the transaction is rebuilt on the latest one, which the signature does not cover.
    expect(await rejectionCode(chain.transfer(new PresentedSignature(alice.address, late), bob.address, MOLT("2")))).toBe(
      "SIGNATURE_REQUIRED",
    );
    expect((await chain.balance(bob.address)).toString()).toBe("1");
    chain.close();
  });

  it("airdrops, transfers and records, exact to the base unit", async () => {
    const chain = await EmbeddedMoltClient.open({ dataDir: dataDir() });
    const alice = Wallet.generate();
    const bob = Wallet.generate();
    expect((await chain.balance(alice.address)).isZero()).toBe(true);
    const drop = await chain.airdrop(alice.address, MOLT("100"));
    expect(drop).toMatchObject({ type: "Airdrop", to: alice.address, status: { kind: "Confirmed" } });
    const sent = await chain.transfer(alice, bob.address, MOLT("12.345678901"), "job ofr_1");
    expect((await chain.balance(alice.address)).toString()).toBe("87.654321099");
    expect((await chain.balance(bob.address)).toString()).toBe("12.345678901");
    expect(await chain.getTransaction(sent.id)).toEqual(sent);
    expect(sent).toMatchObject({ type: "Transfer", from: alice.address, to: bob.address, memo: "job ofr_1", feeLamports: 10_000n });
    expect(sent.amount.toString()).toBe("12.345678901");
    expect(await chain.getTransaction("1111111111111111111111111111111111111111111111111111111111111111" as TransactionId)).toBeUndefined();
    chain.close();
  });

  it("refuses bad transfers with what was wrong, and moves nothing", async () => {
    const chain = await EmbeddedMoltClient.open({ dataDir: dataDir() });
    const alice = Wallet.generate();
    await chain.airdrop(alice.address, MOLT("5"));
    try {
      await chain.transfer(alice, Wallet.generate().address, MOLT("5.000000001"));
      throw new Error("overdraft accepted");
    } catch (e) {
      expect(isMarketError(e, "INSUFFICIENT_BALANCE")).toBe(true);
      if (isMarketError(e, "INSUFFICIENT_BALANCE")) expect(e.details).toMatchObject({ required: "5.000000001", available: "5" });
    }
    expect(await rejectionCode(chain.transfer(alice, "not-an-address" as never, MOLT("1")))).toBe("INVALID_ADDRESS");
    expect(await rejectionCode(chain.transfer(alice, Wallet.generate().address, Amount.zero()))).toBe("INVALID_FIELD");
    expect(await rejectionCode(chain.transfer(alice, Wallet.generate().address, MOLT("1"), "x".repeat(257)))).toBe("OUT_OF_RANGE");
    expect(await rejectionCode(chain.airdrop(alice.address, MOLT("1000001")))).toBe("LIMIT_EXCEEDED");
    expect((await chain.balance(alice.address)).toString()).toBe("5");
    chain.close();
  });

  it("keeps mint, balances and records across restarts, with and without a snapshot", async () => {
    const dir = dataDir();
    const alice = Wallet.generate();
    const bob = Wallet.generate();
    const first = await EmbeddedMoltClient.open({ dataDir: dir, snapshotEvery: 3 });
    await first.airdrop(alice.address, MOLT("50"));
    const ids: TransactionId[] = [];
    for (let i = 1; i <= 5; i++) ids.push((await first.transfer(alice, bob.address, MOLT(String(i)))).id);
    const mint = first.mint;
    // No close(): the process "dies" here, after some snapshots and with log entries after them.
    expect(readdirSync(dir).filter((name) => name.startsWith("snapshot-")).length).toBe(1);
    const second = await EmbeddedMoltClient.open({ dataDir: dir, snapshotEvery: 3 });
    expect(second.mint).toBe(mint);
    expect((await second.balance(alice.address)).toString()).toBe("35");
    expect((await second.balance(bob.address)).toString()).toBe("15");
    for (const id of ids) expect((await second.getTransaction(id))?.type).toBe("Transfer");
    await second.transfer(bob, alice.address, MOLT("1"));
    second.close();
    const third = await EmbeddedMoltClient.open({ dataDir: dir });
    expect((await third.balance(alice.address)).toString()).toBe("36");
    // Transactions inside the snapshot keep their status and bytes for RPC callers.
    for (const id of ids) {
      expect(third.signatureStatus(id)?.error).toBeUndefined();
      expect(third.signatureStatus(id)).toBeDefined();
      expect(third.transactionDetails(id)?.wire.length).toBeGreaterThan(0);
    }
    third.close();
  });

  it("snapshots truncate the log: old segments are removed, a restart replays only what is kept, balances and the recent history exact", async () => {
    const dir = dataDir();
    const alice = Wallet.generate();
    const bob = Wallet.generate();
    const options = { dataDir: dir, snapshotEvery: 3, retainedLogEntries: 4 };
    const first = await EmbeddedMoltClient.open(options);
    await first.airdrop(alice.address, MOLT("100"));
    const ids: TransactionId[] = [];
    for (let i = 1; i <= 12; i++) ids.push((await first.transfer(alice, bob.address, MOLT("1"))).id);
    const count = first.transactionCount;
    // No close(): a kill. At most the segments of the last 4 entries before the snapshot, and the current log.
    const logFiles = readdirSync(dir).filter((name) => name.endsWith(".log"));
    expect(logFiles.length).toBeLessThanOrEqual(3);
    const second = await EmbeddedMoltClient.open(options);
    expect((await second.balance(alice.address)).toString()).toBe("88");
    expect((await second.balance(bob.address)).toString()).toBe("12");
    expect(second.transactionCount).toBe(count);
    expect((await second.getTransaction(ids[11] as TransactionId))?.type).toBe("Transfer");
    // The first transfers' entries are gone from disk: not found, as on a pruned validator.
    expect(await second.getTransaction(ids[0] as TransactionId)).toBeUndefined();
    expect(second.signatureStatus(ids[0] as TransactionId)).toBeUndefined();
    await second.transfer(bob, alice.address, MOLT("2"));
    second.close();
    const third = await EmbeddedMoltClient.open(options);
    expect((await third.balance(alice.address)).toString()).toBe("90");
    third.close();
    // Without its snapshot, what the removed segments held is missing: refused, not replayed from a wrong start.
    for (const name of readdirSync(dir).filter((file) => file.startsWith("snapshot-"))) rmSync(join(dir, name));
    expect(await rejectionCode(EmbeddedMoltClient.open(options))).toBe("CHAIN_ERROR");
  });

  it("drops a torn last log line (a crash mid-write) and keeps everything before it", async () => {
    const dir = dataDir();
    const alice = Wallet.generate();
    const chain = await EmbeddedMoltClient.open({ dataDir: dir });
    await chain.airdrop(alice.address, MOLT("7"));
    appendFileSync(join(dir, "chain.log"), '{"seq":99,"kind":"transac');
    const reopened = await EmbeddedMoltClient.open({ dataDir: dir });
    expect((await reopened.balance(alice.address)).toString()).toBe("7");
    await reopened.airdrop(alice.address, MOLT("1"));
    const again = await EmbeddedMoltClient.open({ dataDir: dir });
    expect((await again.balance(alice.address)).toString()).toBe("8");
  });

  it("loses no confirmed transaction when the process is killed with SIGKILL at random moments", async () => {
    await killTransferLoop(1);
  }, 120_000);

  it("loses no confirmed transaction under SIGKILL with 4 transfers in flight sharing each fsync (group commit)", async () => {
    await killTransferLoop(4);
  }, 120_000);

  it("lamports sent to an escrow's addresses before its funding: refused with ESCROW_ERROR, nothing sent, and an outsider cannot know them", async () => {
    const chain = await EmbeddedMoltClient.open({ dataDir: mkdtempSync(join(tmpdir(), "molt-poison-")) });
    const [buyer, provider, arbiter] = [Wallet.generate(), Wallet.generate(), Wallet.generate()];
    await chain.airdrop(buyer.address, Amount.parse("10"));
    const input = {
      escrowId: "esc_01JD3Q000000000000000000P0",
      provider: provider.address,
      arbiter: arbiter.address,
      amount: Amount.parse("4"),
    };
    const handle = await chain.escrowHandleFor({ ...input, buyer: buyer.address });
    // The addresses come from the operator's secret: another operator (an outsider) derives others.
    const outsider = await EmbeddedMoltClient.open({ dataDir: mkdtempSync(join(tmpdir(), "molt-poison-other-")) });
    expect((await outsider.escrowHandleFor({ ...input, buyer: buyer.address })).multisig).not.toBe(handle.multisig);
    outsider.close();
    for (const poisoned of [handle.multisig, handle.address]) {
      chain.airdropLamports(poisoned, 1_000_000n);
      // Before: the multisig address holding lamports was taken for the multisig, the funding went
      // through, and the escrow could never be paid out; lamports at the account gave a 500.
      expect(await rejectionCode(chain.createEscrow({ ...input, buyer }))).toBe("ESCROW_ERROR");
      expect((await chain.balance(buyer.address)).toString()).toBe("10");
    }
    chain.close();
  });
});
