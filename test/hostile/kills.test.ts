// Hostile: kill -9 in the middle of each chain step of an escrow. A child marketplace (test/support/hostile/
// kill-worker.ts, on this file's store and embedded chain) drives one job to fundEscrow, settle (with
// the buyer's confirmation), refund (after failJob) or resolveDispute (after openDispute and
// decideDispute), says so, and is killed with SIGKILL 0..30 ms later, or 0..2 ms after the step's
// chain transaction starts or returns: before the pending mark, marked but not sent, sent but not
// recorded, or recorded. A marketplace reopened here on the same store and chain must have
// reconciled every pending step, and the escrow must be paid at most once: paid => the order is in
// the step's outcome and the chain moved exactly the split the rules give and the store records;
// not paid => the order is where it was, nothing moved, and the same step retried with the SAME key
// completes it once. Replays with the same key and a NEW key move nothing (a payout under a new key
// is refused; a funding adopts the escrow already Locked), and MOLT is conserved to the base unit
// over buyer, provider, arbiter (the fee recipient) and every open escrow. SQLite, and PostgreSQL
// when reachable, side by side.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddedMoltClient } from "../../src/chain/embedded/embedded-client.js";
import { Wallet } from "../../src/chain/wallet.js";
import { Amount } from "../../src/core/amount.js";
import { HOUR_MS } from "../../src/core/clock.js";
import type { Clock } from "../../src/core/clock.js";
import { isMarketError } from "../../src/core/errors.js";
import { escrowIdOf } from "../../src/core/ids.js";
import { decodeEscrow } from "../../src/market/codec.js";
import { Marketplace } from "../../src/market/marketplace.js";
import type { OrderView } from "../../src/market/views.js";
import type { EscrowAccount } from "../../src/settlement/escrow-account.js";
import { PaymentService } from "../../src/payments/payment-service.js";
import { billSeconds, splitCharge } from "../../src/settlement/billing.js";
import type { ChargeSplit } from "../../src/settlement/billing.js";
import { confirm } from "../../src/settlement/statements.js";
import { SqlStore } from "../../src/store/sql-store.js";
import type { Store } from "../../src/store/store.js";
import { dropSchema, postgresUrl } from "../support/postgres.js";
import { KILL_GPU_MODEL, KILL_JOB_RAN_MS, KILL_STEPS } from "../support/hostile/kill-worker.js";
import type { KillStep } from "../support/hostile/kill-worker.js";
import { hostileTally } from "../support/hostile/tally.js";

const tally = hostileTally();
const url = await postgresUrl("hostile: kill -9 in chain steps");
const worker = new URL("../support/hostile/kill-worker.ts", import.meta.url).pathname;

/** Kills per chain step (4 steps): the last 2 timed from the transaction, the rest from the step. Each costs a process start (1-3 s). */
const KILLS_PER_STEP = { sqlite: 5, postgres: 2 } as const;
/** The kill lands 0..KILL_DELAY_MS_MAX ms after the worker says it calls the step. */
const KILL_DELAY_MS_MAX = 30;
/** Each round's clock starts this much after the last one's, so time never runs back across processes. */
const ROUND_CLOCK_MS = 4 * HOUR_MS;
/** The checking process runs this far after its round's start (after the job's proof ended). */
const CHECK_CLOCK_LEAD_MS = 3 * HOUR_MS;
/** The buyer's MOLT at the start: backs every order many times over. */
const BUYER_MOLT = "1000000";
/** MOLT airdropped to the buyer after each round, which also tops its SOL up for the next escrow's rent. */
const TOP_UP_MOLT = "1";
/** How long a worker may take to reach its step before the round fails. */
const WORKER_READY_MS_MAX = 30_000;

const PRIOR: Record<KillStep, string> = { fund: "Matched", settle: "Completed", refund: "Failed", resolve: "Disputed" };
const OUTCOME: Record<KillStep, string> = { fund: "Escrowed", settle: "Settled", refund: "Refunded", resolve: "Resolved" };
const ESCROW_OUTCOME: Record<KillStep, string> = { fund: "Locked", settle: "Released", refund: "Refunded", resolve: "Resolved" };

/** Where a kill landed, read from the store and the chain after it. */
type Landing = "before the pending mark" | "marked, not sent" | "sent, not recorded" | "recorded";

interface StepLine {
  readonly name: KillStep;
  readonly orderId: string;
  readonly key: string;
}

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

/** What a kill is timed from: the worker's "step" line, or the chain transaction inside the step. */
type Anchor = "step" | "sending" | "sent";
/** Kills timed from "sending" or "sent" land within this many ms of it: in the transaction, or between the chain and the store. */
const TRANSACTION_DELAY_MS_MAX = 2;

/**
 * A worker process, started ahead of its round so that loading it overlaps the check of the round
 * before; it touches no file until `run` hands it its arguments.
 */
class KillWorker {
  private readonly child: ChildProcess;
  private onLine: (line: string) => void = () => undefined;
  private readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;

  constructor() {
    this.child = spawn(process.execPath, ["--import", "tsx", worker], { stdio: ["pipe", "pipe", "inherit"] });
    this.exited = new Promise((resolve) =>
      this.child.on("exit", (code, signal) => {
        resolve({ code, signal });
      }),
    );
    createInterface({ input: this.child.stdout as Readable }).on("line", (line) => {
      this.onLine(line);
    });
  }

  /** Runs the worker to its step and kills it `delayMs` after `anchor`; resolves with the step and every later line. */
  async run(
    args: readonly string[],
    anchor: Anchor,
    delayMs: number,
  ): Promise<{ readonly step: StepLine; readonly after: readonly string[] }> {
    let step: StepLine | undefined;
    const after: string[] = [];
    let timer: NodeJS.Timeout | undefined;
    const stall = setTimeout(() => {
      this.kill();
    }, WORKER_READY_MS_MAX);
    this.onLine = (line) => {
      const [word = "", name = "", orderId = "", key = ""] = line.split(" ");
      if (word === "step" && step === undefined) {
        step = { name: name as KillStep, orderId, key };
        clearTimeout(stall);
      } else if (step !== undefined) {
        after.push(line);
      }
      // A step without the anchored line (a transaction refused before sending) is killed at "done" or "error".
      if (timer === undefined && (word === anchor || word === "done" || word === "error"))
        timer = setTimeout(() => {
          this.kill();
        }, delayMs);
    };
    this.child.stdin?.write(`${JSON.stringify(args)}\n`);
    const { code, signal } = await this.exited;
    clearTimeout(stall);
    if (signal === "SIGKILL" && step !== undefined) return { step, after };
    throw new Error(`worker ended without reaching its step or by itself: code ${String(code)}, signal ${String(signal)}`);
  }

  kill(): void {
    this.child.kill("SIGKILL");
  }
}

/** MOLT balances of the three parties, in base units. */
interface Balances {
  readonly buyer: bigint;
  readonly provider: bigint;
  readonly arbiter: bigint;
}

/** One market of one dialect: its files, its parties, what was airdropped, the balances after the last round. */
class KillMarket {
  readonly dir = mkdtempSync(join(tmpdir(), "molt-kills-"));
  private readonly chainDir = join(this.dir, "chain");
  readonly landings: string[] = [];
  private readonly wallets: Record<"arbiter" | "buyer" | "provider", Wallet>;
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
    this.wallets = { arbiter: wallet("arbiter"), buyer: wallet("buyer"), provider: wallet("provider") };
  }

  /** The buyer's MOLT, and one offer that serves every job (1 GPU each; funded-only jobs keep theirs). */
  async setUp(): Promise<void> {
    this.spare = new KillWorker();
    const { arbiter, buyer, provider } = this.wallets;
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
    });
    await market.close();
    this.last = await this.balancesOf(chain);
    chain.close();
  }

  async tearDown(): Promise<void> {
    this.spare?.kill();
    await this.dialect.drop?.();
  }

  private async balancesOf(chain: EmbeddedMoltClient): Promise<Balances> {
    const { arbiter, buyer, provider } = this.wallets;
    return {
      buyer: (await chain.balance(buyer.address)).baseUnits,
      provider: (await chain.balance(provider.address)).baseUnits,
      arbiter: (await chain.balance(arbiter.address)).baseUnits,
    };
  }

  /** Retries `step` on `orderId` under `key`; the answer, or the MarketError code it was refused with. */
  private async retry(market: Marketplace, step: KillStep, orderId: string, key: string, roundNo: number): Promise<string> {
    const { buyer, provider } = this.wallets;
    const cosigner = roundNo % 2 === 1 ? provider : buyer;
    try {
      if (step === "fund") return (await market.fundEscrow(key, orderId, buyer)).state;
      if (step === "refund") return (await market.refund(key, orderId, buyer)).status;
      if (step === "resolve") return (await market.resolveDispute(key, orderId, cosigner)).status;
      const proof = (await market.getOrder(orderId)).job.attestation?.proof;
      if (proof === undefined) return "no attestation";
      return (
        await market.settle(
          key,
          orderId,
          { confirmation: confirm({ proof, buyer, accepted: true, billedSeconds: Math.floor(KILL_JOB_RAN_MS / 1000) }) },
          cosigner,
        )
      ).status;
    } catch (e) {
      if (!isMarketError(e)) throw e; // anything else is a bug, and fails the case
      return `refused ${e.code}`;
    }
  }

  /** One kill: a worker is killed in `step`, then the store and chain are reopened here and checked. */
  async killOnce(step: KillStep, anchor: Anchor, delayMs: number): Promise<void> {
    const { arbiter, buyer, provider } = this.wallets;
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
      const amount = order.match?.totalCost;
      if (amount === undefined) throw new Error(`order ${line.orderId} has no match`);
      const handle = await chain.escrowHandleFor({
        escrowId: escrowIdOf(line.orderId),
        buyer: buyer.address,
        provider: provider.address,
        arbiter: arbiter.address,
        amount,
      });
      const held = await chain.escrowBalance(handle);
      const paid = step === "fund" ? held !== undefined : held === undefined;
      if (step === "fund" && held !== undefined) expect(held.baseUnits, "a funded escrow holds its amount").toBe(amount.baseUnits);
      const landing: Landing = keyRecorded
        ? "recorded"
        : paid
          ? "sent, not recorded"
          : pendingAtKill > 0
            ? "marked, not sent"
            : "before the pending mark";
      if (paid) expect(pendingAtKill + (keyRecorded ? 1 : 0), "a step paid on chain was marked or recorded").toBeGreaterThan(0);
      // Every round funded its job once before its step; the fund step itself only when paid.
      const funded = step !== "fund" || paid ? amount.baseUnits : 0n;
      expect(order.status, `order after a kill ${landing}`).toBe(paid ? OUTCOME[step] : PRIOR[step]);
      if (!paid) {
        expect(await this.balancesOf(chain), "nothing paid out before the retry").toEqual({
          buyer: before.buyer - funded,
          provider: before.provider,
          arbiter: before.arbiter,
        });
        expect(await this.retry(market, step, line.orderId, line.key, roundNo), "the same step retried with the same key").toBe(
          step === "fund" ? "Locked" : OUTCOME[step],
        );
      }
      const escrow = await market.getEscrow(line.orderId);
      expect(escrow.state).toBe(ESCROW_OUTCOME[step]);
      const split = expectedSplit(step, await market.getOrder(line.orderId), escrow);
      const paidOnce: Balances =
        split === undefined
          ? { buyer: before.buyer - amount.baseUnits, provider: before.provider, arbiter: before.arbiter }
          : {
              buyer: before.buyer - amount.baseUnits + split.buyerRefund.baseUnits,
              provider: before.provider + split.providerPayment.baseUnits,
              arbiter: before.arbiter + split.platformFee.baseUnits,
            };
      expect(await this.balancesOf(chain), `paid exactly once (kill ${landing})`).toEqual(paidOnce);
      if (split !== undefined) {
        expect(split.providerPayment.add(split.platformFee).add(split.buyerRefund).baseUnits).toBe(amount.baseUnits);
        const recorded = (await market.getOrder(line.orderId)).job.settlement;
        expect(
          { provider: recorded?.providerPayment, fee: recorded?.platformFee, buyer: recorded?.buyerRefund },
          "the store records what the chain paid",
        ).toEqual({
          provider: split.providerPayment.toString(),
          fee: split.platformFee.toString(),
          buyer: split.buyerRefund.toString(),
        });
      }

      // Replays: the same key again, then a new key. Neither may move anything.
      const sameAgain = await this.retry(market, step, line.orderId, line.key, roundNo);
      const newKey = await this.retry(market, step, line.orderId, `${line.key}-again`, roundNo);
      // The request's own retry gets its answer, also when reconciliation recorded the payout after the kill.
      expect(sameAgain, "the same key replayed").toBe(step === "fund" ? "Locked" : OUTCOME[step]);
      // A funding replayed under a new key answers the escrow it adopts; a payout is refused.
      expect(newKey, "the step replayed under a new key").toMatch(step === "fund" ? /^Locked$|^refused / : /^refused /);
      expect(await this.balancesOf(chain), "nothing moved on replay").toEqual(paidOnce);
      expect((await market.getOrder(line.orderId)).status).toBe(OUTCOME[step]);
      if (step !== "fund") expect(await chain.escrowBalance(handle), "the escrow is closed").toBeUndefined();
      else expect((await chain.escrowBalance(handle))?.baseUnits).toBe(amount.baseUnits);
      expect(await store.pendingEscrows()).toEqual([]);

      // Conservation: the three parties plus every escrow still open hold all that was airdropped.
      let inEscrows = 0n;
      for (let afterId = ""; ;) {
        const page = await store.listEscrows(afterId, 500);
        if (page.length === 0) break;
        for (const row of page) {
          const stored = decodeEscrow(row.doc);
          const onChain = await chain.escrowBalance(
            await chain.escrowHandleFor({
              escrowId: stored.id,
              buyer: stored.buyer,
              provider: stored.provider,
              arbiter: stored.arbiter,
              amount: stored.amount,
            }),
          );
          const expected = row.state === "Locked" || row.state === "Disputed" ? stored.amount.baseUnits : undefined;
          expect(onChain?.baseUnits, `escrow ${row.id} is ${row.state} in the store`).toBe(expected);
          inEscrows += onChain?.baseUnits ?? 0n;
        }
        afterId = page.at(-1)?.id ?? afterId;
      }
      const now = await this.balancesOf(chain);
      expect(now.buyer + now.provider + now.arbiter + inEscrows, "MOLT conserved to the base unit").toBe(this.airdropped);
      this.landings.push(`${step} ${anchor}+${delayMs}ms: ${landing} (same key again: ${sameAgain}; new key: ${newKey})`);
      this.airdropped += (await chain.airdrop(buyer.address, Amount.parse(TOP_UP_MOLT))).amount.baseUnits;
      this.last = await this.balancesOf(chain);
    } finally {
      if (market === undefined) await store.close();
      else await market.close();
      chain.close();
    }
  }

  /** This dialect's kills of `step`: most timed from the step's start, one each from its transaction's start and end. */
  async kills(step: KillStep): Promise<void> {
    const fromStep = KILLS_PER_STEP[this.dialect.name] - 2;
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
  }
}

/** The split the step pays out, from the rules (not from what the store recorded). */
function expectedSplit(step: KillStep, order: OrderView, escrow: EscrowAccount): ChargeSplit | undefined {
  if (step === "fund") return undefined;
  if (step === "refund")
    return { providerPayment: Amount.zero(), platformFee: Amount.zero(), buyerRefund: escrow.amount, charge: Amount.zero() };
  if (step === "settle") return billSeconds(Math.floor(KILL_JOB_RAN_MS / 1000), escrow.amount, escrow.rate);
  const share = order.job.decision?.providerShare;
  if (share === undefined) throw new Error(`order ${order.orderId} has no decision`);
  return splitCharge(Amount.parse(share), escrow.amount, escrow.rate);
}

// The dialects run side by side (each its own files and worker), their steps one after another.
describe(`hostile: kill -9 in each chain step (${dialects.map((d) => d.name).join(" and ")} stores, embedded chain)`, () => {
  const markets = dialects.map((dialect) => new KillMarket(dialect));
  beforeAll(async () => {
    await Promise.all(markets.map((market) => market.setUp()));
  });
  afterAll(async () => {
    for (const market of markets) console.log(`kills on ${market.dialect.name}: ${market.landings.join("; ")}`);
    await Promise.all(markets.map((market) => market.tearDown()));
  });

  const counts = markets.map((m) => `${KILLS_PER_STEP[m.dialect.name]} on ${m.dialect.name}`).join(", ");
  for (const step of KILL_STEPS) {
    it(
      `${step}: kills (${counts}) 0..${KILL_DELAY_MS_MAX} ms into the step or around its transaction; reconciled, paid at most once, retried once, conserved`,
      { timeout: 120_000 },
      async () => {
        await Promise.all(markets.map((market) => market.kills(step)));
      },
    );
  }
});
