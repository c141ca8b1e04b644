// bench:chain — escrows created and settled per second on the embedded chain (LiteSVM with the real
// SPL Token program, fsync'd log), with the cost split between building/signing, executing and
// making the log durable; plain transfers as a baseline. Each workload runs twice in the same
// process, on fresh chains: with one fsync per transaction (the log before group commit) and with
// group commit (transactions confirmed together share one fsync). Escrows run CONCURRENCY at a time,
// as the market's command batches send them; transfers run one after another. Each workload also
// reports the CPU time the process used per item (user + system), which does not depend on how fast
// this machine's disk answers an fsync: the one-fsync-per-transaction rate is bounded by 1 / (CPU +
// the fsyncs' wait), so old CPU / new CPU bounds the speed-up over the original baseline (the same
// bench at an older commit). `--json`: one JSON object as the last line.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmbeddedMoltClient } from "../src/chain/embedded/embedded-client.js";
import { Wallet } from "../src/chain/wallet.js";
import { Amount } from "../src/core/amount.js";
import { fixed, nowNs, printTable } from "./report.js";

const json = process.argv.includes("--json");
const ESCROWS = 400;
const TRANSFERS = 400;
/** Escrows in flight at once (each: create + fund, then settle). */
const CONCURRENCY = 16;
/** SOL the buyer gets for the rent of its escrows' multisigs (not returned when an escrow closes). */
const BUYER_LAMPORTS = 10n * 1_000_000_000n;

type Timings = EmbeddedMoltClient["timings"];
interface Split {
  readonly buildSignUs: number;
  readonly executeUs: number;
  readonly durableLogUs: number;
}
interface Measured extends Split {
  readonly perSecond: number;
  /** CPU time of the whole process (user + system) per item, in ms. */
  readonly cpuMsPerItem: number;
  /** fsyncs of the chain log per transaction. */
  readonly fsyncsPerTransaction: number;
}

function split(from: Timings, to: Timings): Split {
  const n = Math.max(1, to.transactions - from.transactions);
  return {
    buildSignUs: Number(to.buildSignNs - from.buildSignNs) / 1000 / n,
    executeUs: Number(to.executeNs - from.executeNs) / 1000 / n,
    durableLogUs: Number(to.durableLogNs - from.durableLogNs) / 1000 / n,
  };
}

async function measure(chain: EmbeddedMoltClient, count: number, work: () => Promise<void>): Promise<Measured> {
  const before = { ...chain.timings };
  const fsyncsBefore = chain.logFsyncs;
  const start = nowNs();
  const cpuBefore = process.cpuUsage();
  await work();
  const cpu = process.cpuUsage(cpuBefore);
  const seconds = Number(nowNs() - start) / 1e9;
  const transactions = Math.max(1, chain.timings.transactions - before.transactions);
  return {
    perSecond: count / seconds,
    cpuMsPerItem: (cpu.user + cpu.system) / 1000 / count,
    fsyncsPerTransaction: (chain.logFsyncs - fsyncsBefore) / transactions,
    ...split(before, { ...chain.timings }),
  };
}

/** Transfers, then escrows, on a fresh chain whose log commits as `groupCommit` says. */
async function run(groupCommit: boolean): Promise<{ transfers: Measured; escrows: Measured }> {
  const chain = await EmbeddedMoltClient.open({
    dataDir: mkdtempSync(join(tmpdir(), "molt-bench-chain-")),
    snapshotEvery: 100_000,
    groupCommit,
  });
  const [buyer, provider, arbiter, treasury] = [Wallet.generate(), Wallet.generate(), Wallet.generate(), Wallet.generate()];
  await chain.airdrop(buyer.address, Amount.fromMolt(1_000_000));
  chain.airdropLamports(buyer.address, BUYER_LAMPORTS);
  const transfers = await measure(chain, TRANSFERS, async () => {
    for (let i = 0; i < TRANSFERS; i++) await chain.transfer(buyer, provider.address, Amount.parse("0.001"));
  });
  let next = 0;
  const escrowLoop = async (): Promise<void> => {
    for (let i = next++; i < ESCROWS; i = next++) {
      const { escrow } = await chain.createEscrow({
        escrowId: `esc_${String(i).padStart(26, "0")}`,
        buyer,
        provider: provider.address,
        arbiter: arbiter.address,
        amount: Amount.parse("10"),
      });
      await chain.settleEscrow(
        escrow,
        [provider, arbiter],
        [
          { owner: provider.address, amount: Amount.parse("6.5") },
          { owner: treasury.address, amount: Amount.parse("0.325") },
          { owner: buyer.address, amount: Amount.parse("3.175") },
        ],
      );
    }
  };
  const escrows = await measure(chain, ESCROWS, async () => {
    await Promise.all(Array.from({ length: CONCURRENCY }, escrowLoop));
  });
  chain.close();
  return { transfers, escrows };
}

const perTransaction = await run(false);
const grouped = await run(true);
const result = {
  bench: "chain",
  node: process.version,
  concurrency: CONCURRENCY,
  oneFsyncPerTransaction: {
    transfers: { count: TRANSFERS, ...perTransaction.transfers },
    escrows: { count: ESCROWS, transactionsPerEscrow: 2, ...perTransaction.escrows },
  },
  groupCommit: {
    transfers: { count: TRANSFERS, ...grouped.transfers },
    escrows: { count: ESCROWS, transactionsPerEscrow: 2, ...grouped.escrows },
  },
  escrowsPerSecondRatio: grouped.escrows.perSecond / perTransaction.escrows.perSecond,
  /** What bounds the escrows/s when not waiting for the disk: one core / the CPU per escrow. */
  escrowsPerCpuSecond: 1000 / grouped.escrows.cpuMsPerItem,
  transfersPerSecondRatio: grouped.transfers.perSecond / perTransaction.transfers.perSecond,
};
if (!json) {
  const row = (workload: string, measured: Measured): Record<string, string> => ({
    workload,
    "per second": fixed(measured.perSecond, 0),
    "CPU ms/item": fixed(measured.cpuMsPerItem, 2),
    "fsyncs/tx": fixed(measured.fsyncsPerTransaction, 2),
    "build+sign": fixed(measured.buildSignUs),
    execute: fixed(measured.executeUs),
    "durable log (wait)": fixed(measured.durableLogUs),
  });
  printTable("Embedded chain (LiteSVM + SPL Token, fsync'd log), µs per transaction", [
    row("transfer, one at a time, 1 fsync/tx", perTransaction.transfers),
    row("transfer, one at a time, group commit", grouped.transfers),
    row(`escrow create+settle, ${CONCURRENCY} in flight, 1 fsync/tx`, perTransaction.escrows),
    row(`escrow create+settle, ${CONCURRENCY} in flight, group commit`, grouped.escrows),
  ]);
  console.log(
    `\ngroup commit: ${fixed(result.escrowsPerSecondRatio, 2)}x the escrows/s of one fsync per transaction, ` +
      `${fixed(result.transfersPerSecondRatio, 2)}x the transfers/s (one at a time: no transaction to share an fsync with)`,
  );
  console.log(
    `escrows: ${fixed(grouped.escrows.cpuMsPerItem, 2)} ms of CPU each with group commit, ${fixed(result.escrowsPerCpuSecond, 0)} per CPU second ` +
      `(the one-fsync-per-transaction baseline of another commit is bounded by 1000 / its CPU ms per escrow; divide to get the ratio)`,
  );
}
console.log(JSON.stringify(result));
