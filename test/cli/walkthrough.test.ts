// The README walkthrough, run as written: bash runs its block with the CLI, against `molt-market
// serve` spawned as a process on SQLite and on PostgreSQL. Then the chain and the server are
// asked what happened: the provider was paid for the seconds the job ran, the fee taken, the rest
// refunded, exact to the base unit.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MarketClient } from "../../src/client/client.js";
import { Wallet } from "../../src/chain/wallet.js";
import { Amount } from "../../src/core/amount.js";
import { dropSchema, postgresUrl } from "../support/postgres.js";
import { CLI_MAIN, serveProcess } from "../support/serve-process.js";

const README = new URL("../../README.md", import.meta.url);
/** tsx's loader by absolute URL: the walkthrough runs in a directory of its own, outside the checkout. */
const TSX_LOADER = new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url).href;

/** The walkthrough's shell block, exactly as the README shows it. */
function walkthroughBlock(): string {
  const text = readFileSync(README, "utf8");
  const match = /<!-- walkthrough -->\n```sh\n([\s\S]*?)```\n<!-- \/walkthrough -->/.exec(text);
  if (match?.[1] === undefined) throw new Error("README.md has no <!-- walkthrough --> block");
  return match[1];
}

const schema = `walkthrough_${process.pid}`;
const pgUrl = await postgresUrl("README walkthrough on PostgreSQL");
afterAll(async () => {
  if (pgUrl !== undefined) await dropSchema(pgUrl, schema);
});

/** Runs a bash script to its end (killed after `timeoutMs`), keeping the event loop free. */
function bash(
  script: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ readonly status: number | null; readonly stdout: string; readonly stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-euo", "pipefail", "-c", script], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

async function runWalkthrough(databaseUrl: string | undefined): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "molt-walkthrough-"));
  const server = await serveProcess(join(dir, "server"), {
    ...(databaseUrl === undefined ? {} : { databaseUrl }),
    args: databaseUrl === undefined ? [] : ["--schema", schema],
  });
  try {
    // The README's setup lines, with this checkout's CLI run from source and the spawned server's URL.
    const prelude = `molt() { "${process.execPath}" --import "${TSX_LOADER}" "${CLI_MAIN}" "$@"; }\nexport MOLT_SERVER_URL=${server.url}\n`;
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: "" };
    delete env.MOLT_WALLET_PATH;
    // Run asynchronously: a spawnSync would freeze this process's event loop for the whole walkthrough,
    // and the client below would then write into a keep-alive connection the server closed meanwhile.
    const run = await bash(prelude + walkthroughBlock(), dir, env, 150_000);
    expect(run.status, `walkthrough failed:\n${run.stdout}\n${run.stderr}`).toBe(0);
    // Progress of the chain steps goes to stderr as plain lines (no terminal here).
    expect(run.stderr).toContain("escrow: checked and signed on this machine (moves 5 MOLT from your wallet into escrow ");
    expect(run.stderr).toContain("settlement: sent; waiting for the chain to confirm");

    const orderId = /order (ord_\w+): Settled \((PartialRefund|Success)\)/.exec(run.stdout)?.[1];
    expect(orderId, run.stdout).toBeDefined();
    const client = new MarketClient({ baseUrl: server.url });
    const order = await client.getOrder(orderId ?? "");
    const escrow = await client.getEscrow(orderId ?? "");
    const settlement = order.job.settlement;
    if (settlement === undefined) throw new Error("no settlement recorded");
    const [payment, fee, refund] = [settlement.providerPayment, settlement.platformFee, settlement.buyerRefund].map((molt) =>
      Amount.parse(molt),
    );
    expect(
      payment
        ?.add(fee ?? Amount.zero())
        .add(refund ?? Amount.zero())
        .toString(),
    ).toBe(escrow.amount);
    expect(escrow).toMatchObject({ state: "Released", amount: "5" });
    // The job ran at least the 5 s the walkthrough sleeps: at least 5 s x ceil(2 x 2.5 MOLT / 3600) per second.
    const rate = BigInt(escrow.ratePerSecond);
    expect(rate).toBe(1_388_889n);
    expect((payment?.baseUnits ?? 0n) + (fee?.baseUnits ?? 0n) >= 5n * rate).toBe(true);
    const provider = Wallet.fromFile(join(dir, "wallets/provider.json"));
    const buyer = Wallet.fromFile(join(dir, "wallets/buyer.json"));
    expect((await client.balance(provider.address)).molt).toBe(settlement.providerPayment);
    expect(Amount.parse((await client.balance(buyer.address)).molt).toString()).toBe(
      Amount.parse("95")
        .add(refund ?? Amount.zero())
        .toString(),
    );
    expect(run.stdout).toContain(`${provider.address} holds ${settlement.providerPayment} MOLT`);
  } finally {
    expect((await server.stop()).code).toBe(0);
  }
}

describe.concurrent("the README walkthrough, run by bash with the CLI against a spawned server", () => {
  it("on SQLite (the embedded defaults)", { timeout: 180_000 }, () => runWalkthrough(undefined));
  it.skipIf(pgUrl === undefined)("on PostgreSQL", { timeout: 180_000 }, () => runWalkthrough(pgUrl));
});
