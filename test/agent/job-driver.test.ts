// The agent's steps of one job, against an in-memory market that applies the market's receipt rule,
// on a manual clock: start (once, by key), receipts every interval that the market accepts, complete
// on exit 0 with the proof, wait out the dispute window, settle; a restarted driver continues the
// market's receipt sequence and never launches twice; a ProviderLost job is stopped and settled; a
// non-zero exit fails the job and ends the agent's part.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AgentStateDir } from "../../src/agent/agent-state.js";
import { JobDriver, USAGE_FILE, stepKey } from "../../src/agent/job-driver.js";
import type { JobContext } from "../../src/agent/job-driver.js";
import type { Runner } from "../../src/agent/runner.js";
import { Wallet } from "../../src/chain/wallet.js";
import { ManualClock } from "../../src/core/clock.js";
import { verifyAttestation } from "../../src/settlement/statements.js";
import { telemetryDigest } from "../../src/settlement/usage-receipt.js";
import { FAKE_ORDER_ID, fakeAgentMarket, fakeRunner } from "../support/fake-agent-market.js";
import type { FakeAgentMarket } from "../support/fake-agent-market.js";

const provider = Wallet.fromSeed(Buffer.alloc(32, 5));
const T0 = Date.parse("2026-12-01T09:00:00Z");

function setup(runner: (clock: ManualClock) => Runner & { exit(code: number): void } = fakeRunner) {
  const clock = new ManualClock(T0);
  const market = fakeAgentMarket(provider, clock);
  const run = runner(clock);
  const state = new AgentStateDir(mkdtempSync(join(tmpdir(), "molt-driver-")));
  const lines: string[] = [];
  const ctx: JobContext = {
    client: market.client,
    wallet: provider,
    runner: run,
    state,
    receiptIntervalS: 10,
    clock,
    log: (line) => lines.push(line),
  };
  return { clock, market, runner: run, state, lines, ctx };
}

/** Steps the driver whenever it is due, for `ms` of the manual clock in `stepMs` steps. */
async function drive(driver: JobDriver, clock: ManualClock, ms: number, stepMs = 250): Promise<void> {
  for (let t = 0; t < ms; t += stepMs) {
    if (driver.due(clock.now())) await driver.advance();
    clock.advance(stepMs);
  }
}

function keysOf(market: FakeAgentMarket, step: string): number {
  return market.keys.filter((key) => key === stepKey(FAKE_ORDER_ID, step)).length;
}

describe("one job in the agent's hands", () => {
  it("starts, sends accepted receipts every interval, completes on exit 0, waits out the dispute window, settles", async () => {
    const { clock, market, runner, state, lines, ctx } = setup();
    const driver = new JobDriver({ orderId: FAKE_ORDER_ID, offerId: "off", phase: "starting" }, ctx);
    await drive(driver, clock, 35_000);
    expect(market.status()).toBe("Running");
    expect(market.receipts.map((r) => [r.sequence, r.secondsRun])).toEqual([
      [1, 10],
      [2, 20],
      [3, 30],
    ]);
    runner.exit(0);
    await drive(driver, clock, 1_000);
    expect(market.status()).toBe("Completed");
    expect(lines.some((line) => line.startsWith(`waiting to settle ${FAKE_ORDER_ID} until `))).toBe(true);
    await drive(driver, clock, 3_000);
    expect(market.status()).toBe("Settled");
    expect(driver.done).toBe(true);
    expect(state.load(FAKE_ORDER_ID)?.phase).toBe("done");
    const attestation = state.load(FAKE_ORDER_ID)?.attestation;
    expect(attestation === undefined ? false : verifyAttestation(attestation)).toBe(true);
    expect(attestation?.proof).toMatchObject({ exitStatus: 0, gpuModel: "NVIDIA H100 80GB", outputDigest: "e".repeat(64) });
    expect(keysOf(market, "start")).toBe(1);
    expect(keysOf(market, "complete")).toBe(1);
    expect(lines.filter((line) => line.startsWith("settled "))).toHaveLength(1);
  });

  it("a restarted driver continues the market's receipt sequence (beyond its own record) and never launches twice", async () => {
    const { clock, market, runner, state, ctx } = setup();
    const first = new JobDriver({ orderId: FAKE_ORDER_ID, offerId: "off", phase: "starting" }, ctx);
    await drive(first, clock, 25_000);
    expect(market.receipts).toHaveLength(2);
    // The saved record lost its last receipt (the crash came between the send and the save).
    const saved = state.load(FAKE_ORDER_ID);
    if (saved === undefined) throw new Error("no record");
    const [firstReceipt] = market.receipts;
    if (firstReceipt === undefined) throw new Error("no receipt");
    state.save({ ...saved, lastReceipt: firstReceipt });
    const second = new JobDriver(state.load(FAKE_ORDER_ID) ?? saved, ctx);
    await drive(second, clock, 20_000);
    expect(market.receipts.map((r) => r.sequence)).toEqual([1, 2, 3, 4]);
    expect((runner as unknown as { launches: number }).launches).toBe(1);
    expect(keysOf(market, "start")).toBe(1);
  });

  it("a restarted driver finishes a job whose workload ended while the agent was down, with the time it ended", async () => {
    const { clock, market, runner, state, ctx } = setup();
    const first = new JobDriver({ orderId: FAKE_ORDER_ID, offerId: "off", phase: "starting" }, ctx);
    await drive(first, clock, 11_000);
    const endedAtMs = clock.now();
    runner.exit(0);
    // Down for 2 s (within the market's patience): nothing steps.
    clock.advance(2_000);
    const saved = state.load(FAKE_ORDER_ID);
    if (saved === undefined) throw new Error("no record");
    const second = new JobDriver(saved, ctx);
    await drive(second, clock, 500);
    expect(market.status()).toBe("Completed");
    expect(state.load(FAKE_ORDER_ID)?.attestation?.proof.endedAtMs).toBe(endedAtMs);
  });

  it("stops the workload of a job the market failed as ProviderLost, and settles its receipted seconds", async () => {
    const { clock, market, runner, lines, ctx } = setup();
    const driver = new JobDriver({ orderId: FAKE_ORDER_ID, offerId: "off", phase: "starting" }, ctx);
    await drive(driver, clock, 12_000);
    market.loseProvider();
    driver.marketChanged();
    await drive(driver, clock, 1_000);
    expect((runner as unknown as { stops: number }).stops).toBe(1);
    expect(market.status()).toBe("Settled");
    expect(lines.some((line) => line.startsWith(`lost ${FAKE_ORDER_ID}`))).toBe(true);
    expect(driver.done).toBe(true);
  });

  it("signs the runner's telemetry into each receipt and digests the usage samples into the proof", async () => {
    const telemetry = { gpuUtilizationPct: [87], deviceUuids: ["GPU-0b8f1c2e"] };
    const { clock, market, runner, state, ctx } = setup((c) => fakeRunner(c, telemetry));
    const driver = new JobDriver({ orderId: FAKE_ORDER_ID, offerId: "off", phase: "starting" }, ctx);
    await drive(driver, clock, 21_000);
    expect(market.receipts.map((r) => r.telemetryDigest)).toEqual([telemetryDigest(telemetry), telemetryDigest(telemetry)]);
    runner.exit(0);
    await drive(driver, clock, 1_000);
    const samples = readFileSync(join(state.jobDir(FAKE_ORDER_ID), USAGE_FILE));
    expect(
      samples
        .toString()
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as unknown),
    ).toEqual(market.receipts.map((r) => ({ atMs: r.atMs, ...telemetry })));
    expect(state.load(FAKE_ORDER_ID)?.attestation?.proof.usageDigest).toBe(createHash("sha256").update(samples).digest("hex"));
  });

  it("a job lost before any receipt is not settled by the provider: the workload stops and the agent's part ends", async () => {
    const { clock, market, runner, ctx } = setup();
    const driver = new JobDriver({ orderId: FAKE_ORDER_ID, offerId: "off", phase: "starting" }, ctx);
    await drive(driver, clock, 1_000);
    market.loseProvider();
    driver.marketChanged();
    await drive(driver, clock, 1_000);
    expect((runner as unknown as { stops: number }).stops).toBe(1);
    expect(market.status()).toBe("Failed");
    expect(keysOf(market, "settle")).toBe(0);
    expect(driver.done).toBe(true);
  });

  it("fails the job on a non-zero exit with its attested proof, and leaves the refund to the buyer", async () => {
    const { clock, market, runner, state, ctx } = setup();
    const driver = new JobDriver({ orderId: FAKE_ORDER_ID, offerId: "off", phase: "starting" }, ctx);
    await drive(driver, clock, 2_000);
    runner.exit(3);
    await drive(driver, clock, 2_000);
    expect(market.status()).toBe("Failed");
    expect(keysOf(market, "fail")).toBe(1);
    expect(state.load(FAKE_ORDER_ID)).toMatchObject({ phase: "done", exit: { exitStatus: 3 } });
    expect(driver.done).toBe(true);
  });
});
