// bench:chain — escrows created and settled per second on the embedded chain (LiteSVM with the real
// SPL Token program, fsync'd log), with the cost split between building/signing, executing and
// making the log durable; plain transfers in the same run as the baseline. `--json`: one JSON
// object as the last line.
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

const chain = await EmbeddedMoltClient.open({ dataDir: mkdtempSync(join(tmpdir(), "molt-bench-chain-")), snapshotEvery: 100_000 });
const buyer = Wallet.generate();
const provider = Wallet.generate();
const arbiter = Wallet.generate();
const treasury = Wallet.generate();
await chain.airdrop(buyer.address, Amount.fromMolt(1_000_000));

function phase(): { transactions: number; buildSignNs: bigint; executeNs: bigint; durableLogNs: bigint } {
  return { ...chain.timings };
}

// Baseline: plain MOLT transfers.
const beforeTransfers = phase();
let start = nowNs();
for (let i = 0; i < TRANSFERS; i++) await chain.transfer(buyer, provider.address, Amount.parse("0.001"));
const transferSeconds = Number(nowNs() - start) / 1e9;
const transferPhase = phase();

// Escrows: create + fund (one transaction), then settle with payment, fee and refund (one transaction).
const beforeEscrows = phase();
start = nowNs();
for (let i = 0; i < ESCROWS; i++) {
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
const escrowSeconds = Number(nowNs() - start) / 1e9;
const after = phase();
chain.close();

function split(
  from: ReturnType<typeof phase>,
  to: ReturnType<typeof phase>,
): { buildSignUs: number; executeUs: number; durableLogUs: number } {
  const n = Math.max(1, to.transactions - from.transactions);
  return {
    buildSignUs: Number(to.buildSignNs - from.buildSignNs) / 1000 / n,
    executeUs: Number(to.executeNs - from.executeNs) / 1000 / n,
    durableLogUs: Number(to.durableLogNs - from.durableLogNs) / 1000 / n,
  };
}
const transferSplit = split(beforeTransfers, transferPhase);
const escrowSplit = split(beforeEscrows, after);
const result = {
  bench: "chain",
  node: process.version,
  transfers: { count: TRANSFERS, perSecond: TRANSFERS / transferSeconds, ...transferSplit },
  escrows: { count: ESCROWS, createdAndSettledPerSecond: ESCROWS / escrowSeconds, transactionsPerEscrow: 2, ...escrowSplit },
  escrowToTransferTimeRatio: escrowSeconds / ESCROWS / (transferSeconds / TRANSFERS),
};
if (!json) {
  printTable("Embedded chain (LiteSVM + SPL Token, fsync'd log), µs per transaction", [
    {
      workload: "transfer",
      "per second": fixed(result.transfers.perSecond, 0),
      "build+sign": fixed(transferSplit.buildSignUs),
      execute: fixed(transferSplit.executeUs),
      "durable log": fixed(transferSplit.durableLogUs),
    },
    {
      workload: "escrow create+settle",
      "per second": fixed(result.escrows.createdAndSettledPerSecond, 0),
      "build+sign": fixed(escrowSplit.buildSignUs),
      execute: fixed(escrowSplit.executeUs),
      "durable log": fixed(escrowSplit.durableLogUs),
    },
  ]);
  console.log(
    `\nan escrow (create + settle, 2 transactions) takes ${fixed(result.escrowToTransferTimeRatio, 2)}x the time of one transfer`,
  );
}
console.log(JSON.stringify(result));
