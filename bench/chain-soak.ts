// bench:chain-soak — memory of the embedded chain over many transactions: sends TRANSACTIONS MOLT
// transfers (CONCURRENCY in flight, group commit, a snapshot every 1000 log entries as by default)
// and prints, every REPORT_EVERY, the heap after a full collection, the signatures the chain still
// remembers (a bounded window), the chain log's fsyncs so far and the bytes of the data directory
// (snapshots truncate the log). Flat heap and disk = nothing grows with age. `--transactions N` for another count, `--json`: one JSON object as the last line.
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmbeddedMoltClient } from "../src/chain/embedded/embedded-client.js";
import { Wallet } from "../src/chain/wallet.js";
import { Amount } from "../src/core/amount.js";
import { collectGarbage, fixed, nowNs, printTable } from "./report.js";

const json = process.argv.includes("--json");
const countArg = process.argv.indexOf("--transactions");
const TRANSACTIONS = countArg === -1 ? 100_000 : Number(process.argv[countArg + 1]);
const REPORT_EVERY = Math.max(1, Math.floor(TRANSACTIONS / 10));
/** Transfers in flight at once. */
const CONCURRENCY = 32;

const dataDir = mkdtempSync(join(tmpdir(), "molt-bench-chain-soak-"));
const chain = await EmbeddedMoltClient.open({ dataDir });
const payer = Wallet.generate();
const sink = Wallet.generate();
await chain.airdrop(payer.address, Amount.fromMolt(1_000_000));

interface Sample {
  readonly transactions: number;
  readonly heapUsedMb: number;
  readonly arrayBuffersMb: number;
  readonly rssMb: number;
  readonly rememberedSignatures: number;
  readonly logFsyncs: number;
  readonly diskMb: number;
  readonly perSecond: number;
}
const samples: Sample[] = [];
const MB = 1024 * 1024;
let sent = 0;
let done = 0;
let windowStart = nowNs();
let windowDone = 0;

function sample(): void {
  collectGarbage();
  const usage = process.memoryUsage();
  const seconds = Number(nowNs() - windowStart) / 1e9;
  samples.push({
    transactions: done,
    heapUsedMb: usage.heapUsed / MB,
    arrayBuffersMb: usage.arrayBuffers / MB,
    rssMb: usage.rss / MB,
    rememberedSignatures: chain.rememberedSignatures,
    logFsyncs: chain.logFsyncs,
    diskMb: readdirSync(dataDir).reduce((sum, name) => sum + statSync(join(dataDir, name)).size, 0) / MB,
    perSecond: seconds === 0 ? 0 : (done - windowDone) / seconds,
  });
  if (!json) {
    const last = samples.at(-1);
    if (last !== undefined)
      console.log(
        `${last.transactions} transactions: heap ${fixed(last.heapUsedMb)} MB, array buffers ${fixed(last.arrayBuffersMb)} MB, ` +
          `rss ${fixed(last.rssMb)} MB, ${last.rememberedSignatures} signatures remembered, ${last.logFsyncs} fsyncs, data directory ${fixed(last.diskMb)} MB, ${fixed(last.perSecond, 0)}/s`,
      );
  }
  windowStart = nowNs();
  windowDone = done;
}

sample();
async function sender(): Promise<void> {
  while (sent < TRANSACTIONS) {
    // Distinct amounts: two transfers signed on the same blockhash are never the same transaction.
    const amount = Amount.fromLamports(BigInt(++sent));
    await chain.transfer(payer, sink.address, amount);
    done++;
    if (done % REPORT_EVERY === 0) sample();
  }
}
await Promise.all(Array.from({ length: CONCURRENCY }, sender));
chain.close();
rmSync(dataDir, { recursive: true, force: true });

const first = samples[1] ?? samples[0];
const last = samples.at(-1);
const result = {
  bench: "chain-soak",
  node: process.version,
  transactions: TRANSACTIONS,
  concurrency: CONCURRENCY,
  samples,
  heapGrowthMbFromFirstReport: first === undefined || last === undefined ? 0 : last.heapUsedMb - first.heapUsedMb,
};
if (!json) {
  printTable(
    "Embedded chain soak: heap after a full GC",
    samples.map((s) => ({
      transactions: s.transactions,
      "heap MB": fixed(s.heapUsedMb),
      "array buffers MB": fixed(s.arrayBuffersMb),
      "rss MB": fixed(s.rssMb),
      "signatures remembered": s.rememberedSignatures,
      "log fsyncs": s.logFsyncs,
      "disk MB": fixed(s.diskMb),
      "tx/s": fixed(s.perSecond, 0),
    })),
  );
  console.log(`\nheap from the first report to the last: ${fixed(result.heapGrowthMbFromFirstReport, 2)} MB`);
}
console.log(JSON.stringify(result));
