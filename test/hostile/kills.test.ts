// Hostile: kill -9 in the middle of each chain step of an escrow. A child marketplace (test/support/hostile/
// kill-worker.ts, on this file's store and embedded chain) drives one job to fundEscrow, settle (with
// the buyer's confirmation), refund (after failJob), resolveDispute (after openDispute and
// decideDispute), a lost job's payout (after one usage receipt and a sweep that failed the job
// ProviderLost; by the buyer's refund or the provider's settle) or extendJob (of the running job),
// says so, and is killed with SIGKILL 0..30 ms later, or 0..2 ms after the step's chain transaction
// starts or returns: before the pending mark, marked but not sent, sent but not recorded, or
// recorded. A marketplace reopened here on the same store and chain must have reconciled every
// pending step, and the escrow must be paid (or extended) at most once: landed => the order is in
// the step's outcome and the chain moved exactly what the rules give (test/support/hostile/
// kill-checks.ts) and the store records; not landed => the order is where it was, nothing moved,
// and the same step retried with the SAME key completes it once. Replays with the same key move
// nothing; so does a payout under a NEW key (refused) and a funding under one (it adopts the escrow
// already Locked); an extension under a new key is a new extension, so it is not replayed. MOLT is
// conserved to the base unit over buyer, provider, arbiter (the fee recipient) and every open escrow,
// each holding exactly its recorded amount. SQLite, and PostgreSQL when reachable, side by side.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddedMoltClient } from "../../src/chain/embedded/embedded-client.js";
import { Wallet } from "../../src/chain/wallet.js";
import { Amount } from "../../src/core/amount.js";
import { DAY_MS, HOUR_MS } from "../../src/core/clock.js";
import type { Clock } from "../../src/core/clock.js";
import { escrowIdOf } from "../../src/core/ids.js";
import { Marketplace } from "../../src/market/marketplace.js";
import { PaymentService } from "../../src/payments/payment-service.js";
import { SqlStore } from "../../src/store/sql-store.js";
import type { Store } from "../../src/store/store.js";
import { dropSchema, postgresUrl } from "../support/postgres.js";
import {
  STEP_STATES,
  balancesOf,
  expectConserved,
  expectRecorded,
  expectedSplit,
  isPayout,
  landedAnswer,
  landedOnChain,
  paidOnce,
  retryStep,
  roundAmounts,
} from "../support/hostile/kill-checks.js";
import type { Balances, KillParties } from "../support/hostile/kill-checks.js";
import { KillWorker } from "../support/hostile/kill-runner.js";
import type { Anchor } from "../support/hostile/kill-runner.js";
import { KILL_GPU_MODEL, KILL_STEPS } from "../support/hostile/kill-worker.js";
import type { KillStep } from "../support/hostile/kill-worker.js";
import { hostileTally } from "../support/hostile/tally.js";

const tally = hostileTally();
const url = await postgresUrl("hostile: kill -9 in chain steps");

/**
 * Kills per chain step: the last 2 timed from the transaction, the rest from the step. Each costs a
 * process start (1-3 s); the two newer steps (lostPayout, extend) get fewer, as their chain step is
 * the same transaction as settle's and fund's, run from another command.
 */
const KILLS_PER_STEP: Record<"sqlite" | "postgres", Record<KillStep, number>> = {
  sqlite: { fund: 5, settle: 5, refund: 5, resolve: 5, lostPayout: 4, extend: 4 },
  postgres: { fund: 2, settle: 2, refund: 2, resolve: 2, lostPayout: 2, extend: 2 },
};
/** The kill lands 0..KILL_DELAY_MS_MAX ms after the worker says it calls the step. */
const KILL_DELAY_MS_MAX = 30;
/** Kills timed from "sending" or "sent" land within this many ms of it: in the transaction, or between the chain and the store. */
const TRANSACTION_DELAY_MS_MAX = 2;
/** Each round's clock starts this much after the last one's, so time never runs back across processes. */
const ROUND_CLOCK_MS = 4 * HOUR_MS;
/** The checking process runs this far after its round's start (after the job's proof ended). */
const CHECK_CLOCK_LEAD_MS = 3 * HOUR_MS;
/** The offer's lifetime: past every round's clock (4 h a round), so every round matches and may extend. */
const OFFER_TTL_MS = 30 * DAY_MS;
/** The buyer's MOLT at the start: backs every order many times over. */
const BUYER_MOLT = "1000000";
/** MOLT airdropped to the buyer after each round, which also tops its SOL up for the next escrow's rent. */
const TOP_UP_MOLT = "1";

/** Where a kill landed, read from the store and the chain after it. */
type Landing = "before the pending mark" | "marked, not sent" | "sent, not recorded" | "recorded";

interface Dialect {
  readonly name: "sqlite" | "postgres";
  readonly args: string[];
  open(dir: string): Promise<Store>;
  drop?(): Promise<void>;
}

const dialects: Dialect[] = [
  { name: "sqlite", args: ["sqlite"], open: (dir) => Promise.resolve(SqlStore.openSqlite(join(dir, "market.db"))) },
];
if (url !== undefined) {
  const schema = `molt_kills_${process.pid}`;
  dialects.push({
    name: "postgres",
    args: ["postgres", url, schema],
    open: () => SqlStore.openPostgres(url, { schema }),
    drop: () => dropSchema(url, schema),
  });
}

/** One market of one dialect: its files, its parties, what was airdropped, the balances after the last round. */
class KillMarket {
  readonly dir = mkdtempSync(join(tmpdir(), "molt-kills-"));
  private readonly chainDir = join(this.dir, "chain");
  readonly landings: string[] = [];
  /** Milliseconds each step's kills took, wall clock. */
  readonly durations: Partial<Record<KillStep, number>> = {};
  private readonly parties: KillParties;
  private airdropped = 0n;
  private last: Balances = { buyer: 0n, provider: 0n, arbiter: 0n };
  private round = 0;
  /** The next round's worker, already loading. */
  private spare: KillWorker | undefined;

  constructor(readonly dialect: Dialect) {
    const wallet = (name: string): Wallet => {
      Wallet.generate().save(join(this.dir, `${name}.json`));
      return Wallet.fromFile(join(this.dir, `${name}.json`));
    };
    this.parties = { arbiter: wallet("arbiter"), buyer: wallet("buyer"), provider: wallet("provider") };
  }

  /** The buyer's MOLT, and one offer that serves every job (1 GPU each; funded-only jobs keep theirs). */
  async setUp(): Promise<void> {
    this.spare = new KillWorker();
    const { arbiter, buyer, provider } = this.parties;
    const chain = await EmbeddedMoltClient.open({ dataDir: this.chainDir });
    this.airdropped += (await chain.airdrop(buyer.address, Amount.parse(BUYER_MOLT))).amount.baseUnits;
    const market = await Marketplace.open({
      store: await this.dialect.open(this.dir),
      payments: new PaymentService({ client: chain, arbiter }),
      follow: false,
    });
    await market.addOffer("setup-offer", {
      providerId: provider.address,
      gpuCapacity: { gpuCount: 64, gpuModel: KILL_GPU_MODEL, vramGb: 80 },
      pricePerHour: "2.5",
      availableHours: 2000,
      expiresAt: new Date(Date.now() + OFFER_TTL_MS),
    });
    await market.close();
    this.last = await balancesOf(chain, this.parties);
    chain.close();
  }

  async tearDown(): Promise<void> {
    this.spare?.kill();
    await this.dialect.drop?.();
  }

  /** One kill: a worker is killed in `step`, then the store and chain are reopened here and checked. */
  async killOnce(step: KillStep, anchor: Anchor, delayMs: number): Promise<void> {
    const { arbiter, buyer, provider } = this.parties;
    const roundNo = this.round++;
    const shiftMs = roundNo * ROUND_CLOCK_MS;
    const current = this.spare ?? new KillWorker();
    this.spare = new KillWorker();
    const { step: line, after } = await current.run(
      [this.dir, String(roundNo), step, String(shiftMs), ...this.dialect.args],
      anchor,
      delayMs,
    );
    expect(line.name).toBe(step);
    expect(
      after.filter((l) => l.startsWith("error")),
      "the worker's step was refused",
    ).toEqual([]);
    const clock: Clock = { now: () => Date.now() + shiftMs + CHECK_CLOCK_LEAD_MS };
    const chain = await EmbeddedMoltClient.open({ dataDir: this.chainDir });
    const store = await this.dialect.open(this.dir);
    let market: Marketplace | undefined;
    try {
      const pendingAtKill = (await store.pendingEscrows()).length;
      const keyRecorded = (await store.getCommand(line.key)) !== undefined;
      market = await Marketplace.open({ store, payments: new PaymentService({ client: chain, arbiter, clock }), clock, follow: false });
      expect(await store.pendingEscrows(), "pending chain steps after reconciliation").toEqual([]);

      const before = this.last;
      const order = await market.getOrder(line.orderId);
      if (order.match === undefined) throw new Error(`order ${line.orderId} has no match`);
      const amounts = roundAmounts(order.match);
      const handle = await chain.escrowHandleFor({
        escrowId: escrowIdOf(line.orderId),
        buyer: buyer.address,
        provider: provider.address,
        arbiter: arbiter.address,
        amount: order.match.totalCost,
      });
      const landed = landedOnChain(step, (await chain.escrowBalance(handle))?.baseUnits, amounts);
      const landing: Landing = keyRecorded
        ? "recorded"
        : landed
          ? "sent, not recorded"
          : pendingAtKill > 0
            ? "marked, not sent"
            : "before the pending mark";
      if (landed) expect(pendingAtKill + (keyRecorded ? 1 : 0), "a step landed on chain was marked or recorded").toBeGreaterThan(0);
      expect(order.status, `order after a kill ${landing}`).toBe(landed ? STEP_STATES[step].outcome : STEP_STATES[step].prior);
      const request = { step, orderId: line.orderId, key: line.key, roundNo };
      if (!landed) {
        // Every round funded its job once before its step; the fund step itself only when it landed.
        expect(await balancesOf(chain, this.parties), "nothing moved before the retry").toEqual({
          ...before,
          buyer: before.buyer - (step === "fund" ? 0n : amounts.funded),
        });
        if (step === "extend") expect(order.job.extensions ?? [], "no extension recorded before the retry").toEqual([]);
        expect(await retryStep(market, this.parties, request), "the same step retried with the same key").toBe(landedAnswer(step));
      }
      const escrow = await market.getEscrow(line.orderId);
      const split = expectedSplit(step, await market.getOrder(line.orderId), escrow);
      const once = paidOnce(step, before, amounts, split);
      expect(await balancesOf(chain, this.parties), `moved exactly once (kill ${landing})`).toEqual(once);
      expectRecorded(step, await market.getOrder(line.orderId), escrow, amounts, split);

      // Replays: the same key again, then (but for an extension) a new key. Neither may move anything.
      const sameAgain = await retryStep(market, this.parties, request);
      const newKey = step === "extend" ? "not replayed" : await retryStep(market, this.parties, { ...request, key: `${line.key}-again` });
      // The request's own retry gets its answer, also when reconciliation recorded the outcome after the kill.
      expect(sameAgain, "the same key replayed").toBe(landedAnswer(step));
      // A funding replayed under a new key answers the escrow it adopts; a payout is refused.
      if (step !== "extend")
        expect(newKey, "the step replayed under a new key").toMatch(step === "fund" ? /^Locked$|^refused / : /^refused /);
      expect(await balancesOf(chain, this.parties), "nothing moved on replay").toEqual(once);
      const final = await market.getOrder(line.orderId);
      expect(final.status).toBe(STEP_STATES[step].outcome);
      expectRecorded(step, final, await market.getEscrow(line.orderId), amounts, split);
      const held = (await chain.escrowBalance(handle))?.baseUnits;
      if (isPayout(step)) expect(held, "the escrow is closed").toBeUndefined();
      else expect(held, "the escrow holds its amount").toBe(amounts.funded + (step === "extend" ? amounts.extension : 0n));
      expect(await store.pendingEscrows()).toEqual([]);

      await expectConserved(store, chain, this.parties, this.airdropped);
      this.landings.push(`${step} ${anchor}+${delayMs}ms: ${landing} (same key again: ${sameAgain}; new key: ${newKey})`);
      this.airdropped += (await chain.airdrop(buyer.address, Amount.parse(TOP_UP_MOLT))).amount.baseUnits;
      this.last = await balancesOf(chain, this.parties);
    } finally {
      if (market === undefined) await store.close();
      else await market.close();
      chain.close();
    }
  }

  /** This dialect's kills of `step`: most timed from the step's start, one each from its transaction's start and end. */
  async kills(step: KillStep): Promise<void> {
    const startedMs = Date.now();
    const fromStep = KILLS_PER_STEP[this.dialect.name][step] - 2;
    const plan: { readonly anchor: Anchor; readonly delayMs: number }[] = [
      // Stratified: each kill gets its own slice of 0..KILL_DELAY_MS_MAX, at a random point in it.
      ...Array.from({ length: fromStep }, (_, i) => ({
        anchor: "step" as const,
        delayMs: Math.floor(((i + Math.random()) * (KILL_DELAY_MS_MAX + 1)) / fromStep),
      })),
      { anchor: "sending", delayMs: Math.floor(Math.random() * (TRANSACTION_DELAY_MS_MAX + 1)) },
      { anchor: "sent", delayMs: Math.floor(Math.random() * (TRANSACTION_DELAY_MS_MAX + 1)) },
    ];
    for (const { anchor, delayMs } of plan) await tally.attempt(() => this.killOnce(step, anchor, delayMs));
    this.durations[step] = Date.now() - startedMs;
  }
}

// The dialects run side by side (each its own files and worker), their steps one after another.
describe(`hostile: kill -9 in each chain step (${dialects.map((d) => d.name).join(" and ")} stores, embedded chain)`, () => {
  const markets = dialects.map((dialect) => new KillMarket(dialect));
  beforeAll(async () => {
    await Promise.all(markets.map((market) => market.setUp()));
  });
  afterAll(async () => {
    for (const market of markets) {
      const took = KILL_STEPS.map((step) => `${step} ${((market.durations[step] ?? 0) / 1000).toFixed(1)} s`).join(", ");
      console.log(`kills on ${market.dialect.name} (${took}): ${market.landings.join("; ")}`);
    }
    await Promise.all(markets.map((market) => market.tearDown()));
  });

  for (const step of KILL_STEPS) {
    const counts = markets.map((m) => `${KILLS_PER_STEP[m.dialect.name][step]} on ${m.dialect.name}`).join(", ");
    it(
      `${step}: kills (${counts}) 0..${KILL_DELAY_MS_MAX} ms into the step or around its transaction; reconciled, landed at most once, retried once, conserved`,
      { timeout: 120_000 },
      async () => {
        await Promise.all(markets.map((market) => market.kills(step)));
      },
    );
  }
});
