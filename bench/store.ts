// bench:store — the durable Marketplace on SQLite (a fresh file) and PostgreSQL (a fresh schema):
// 1. peak durable submitOrder throughput in a closed loop, group commit (batchMax 1000) against one
//    transaction per command (batchMax 1) in the same process, with p50/p99 acknowledgement latency;
// 2. acknowledgement latency in an open loop at half of that peak;
// 3. the time Marketplace.open takes to rebuild a book of 10^6 offers from the store (the sample
//    market's realistic mix by default; --rebuild-mix=uniform: the one-shape offers of step 1),
//    against building the same offers into an in-memory OrderBook in the same run (the ratio).
// Flags: --json (one JSON object as the last line), --rebuild=N (or --sizes=N), --rebuild-postgres=N
// (default 200,000: filling PostgreSQL through addOffer is slow), --rebuild-mix=,
// --seconds=S, --offers=N, --inflight=N, --rate=N (the open loop's rate), --dialects=sqlite,postgres, --parts=throughput,rebuild, --modes=group,single,half. PostgreSQL: DATABASE_URL or
// postgres://postgres@127.0.0.1:5432/test; skipped, loudly, when it cannot be reached.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { EmbeddedMoltClient } from "../src/chain/embedded/embedded-client.js";
import { Wallet } from "../src/chain/wallet.js";
import { Amount } from "../src/core/amount.js";
import { createOffer } from "../src/core/offer.js";
import type { CreateOfferInput } from "../src/core/offer.js";
import type { CapacityOffer } from "../src/core/types.js";
import type { CreateOrderInput } from "../src/core/order.js";
import { Marketplace } from "../src/market/marketplace.js";
import { PaymentService } from "../src/payments/payment-service.js";
import { generateOffers } from "../test/support/sample-market.js";
import { MIGRATION_LOCK_ID } from "../src/store/migrations.js";
import { SqlStore } from "../src/store/sql-store.js";
import { benchArgs, fixed, percentile, printTable, settleHeap } from "./report.js";
import { memoryBuild, timed } from "./store-memory-build.js";
import type { Timed } from "./store-memory-build.js";

// ------------------------------------------------------------------ flags

function numberFlag(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  if (arg === undefined) return fallback;
  const value = Number(arg.slice(name.length + 3));
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} wants a positive number, got ${arg}`);
  return value;
}

const { json, sizes } = benchArgs();
const REBUILD_OFFERS = Math.floor(numberFlag("rebuild", sizes?.[0] ?? 1_000_000));
/**
 * PostgreSQL rebuilds a smaller book by default: filling it through addOffer runs at ~5k offers/s
 * here, so 10^6 would add minutes to the run (--rebuild-postgres=1000000 to do it anyway).
 */
const REBUILD_OFFERS_POSTGRES = Math.floor(numberFlag("rebuild-postgres", Math.min(REBUILD_OFFERS, 200_000)));
/** Length of each throughput run and of the open-loop run (each run is capped by time). */
const RUN_SECONDS = numberFlag("seconds", 5);
/** Offers in the book before the orders: 8 GPUs each, enough that nearly every order of a run matches. */
const BOOK_OFFERS = Math.floor(numberFlag("offers", 20_000));
/** --rate=N: the open loop's rate instead of half of the group-commit peak (to compare two builds' latency at one load). */
const OPEN_RATE = process.argv.some((a) => a.startsWith("--rate=")) ? numberFlag("rate", 1) : undefined;
/** Commands outstanding in the closed loop. */
const IN_FLIGHT = Math.floor(numberFlag("inflight", 2_000));
/** Command cap of a group-commit run, and of the one-transaction-per-command baseline. */
const GROUP_COMMANDS_MAX = 200_000;
const SINGLE_COMMANDS_MAX = 50_000;
/** Commands before each measured run, not timed (JIT, caches): this many, or one second's worth. */
const WARMUP_COMMANDS = 5_000;
const WARMUP_SECONDS = 1;
/** addOffer calls outstanding at once while filling the store for the rebuild (queueMax is 100,000). */
const FILL_WAVE = 50_000;
const REBUILD_MIX_ARG = process.argv.find((a) => a.startsWith("--rebuild-mix="))?.slice("--rebuild-mix=".length) ?? "sample";
if (REBUILD_MIX_ARG !== "sample" && REBUILD_MIX_ARG !== "uniform")
  throw new Error(`--rebuild-mix is sample or uniform, got ${REBUILD_MIX_ARG}`);
const REBUILD_MIX: "sample" | "uniform" = REBUILD_MIX_ARG;
const DIALECTS = (process.argv.find((a) => a.startsWith("--dialects="))?.slice("--dialects=".length) ?? "sqlite,postgres").split(",");
const PARTS = new Set((process.argv.find((a) => a.startsWith("--parts="))?.slice("--parts=".length) ?? "throughput,rebuild").split(","));
/** Which throughput runs: group (group commit), single (one transaction per command), half (open loop at half of peak). */
const MODES = new Set((process.argv.find((a) => a.startsWith("--modes="))?.slice("--modes=".length) ?? "group,single,half").split(","));
const POSTGRES_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

const targets = {
  sqliteCommandsPerSecondMin: 20_000,
  postgresCommandsPerSecondMin: 8_000,
  halfPeakP99MsMax: 20,
  rebuildOffers: 1_000_000,
  rebuildSecondsMax: 10,
  /** Rebuild time over the in-memory build of the same offers, same run. */
  rebuildRatioMax: 1.5,
};

function progress(line: string): void {
  if (!json) console.error(line);
}

// ------------------------------------------------------------------ stores

interface FreshStore {
  /** A new SqlStore on this database (a second call: a second handle on the same data). */
  open(): Promise<SqlStore>;
  /** Just before the measured run: the database's own deferred work (PostgreSQL: a checkpoint of what the fill, the warm-up and earlier runs wrote) done now, not during the run. */
  settle(): Promise<void>;
  dispose(): Promise<void>;
}

interface Dialect {
  readonly name: "sqlite" | "postgres";
  fresh(): FreshStore;
}

const sqlite: Dialect = {
  name: "sqlite",
  fresh: () => {
    const dir = mkdtempSync(join(tmpdir(), "molt-bench-store-"));
    return {
      open: () => Promise.resolve(SqlStore.openSqlite(join(dir, "market.db"))),
      // The writer thread's checkpointer keeps the log short on its own.
      settle: () => Promise.resolve(),
      dispose: () => {
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
    };
  },
};

let schemas = 0;
/** A fresh schema per run in the database at `url`, dropped after the run. */
function postgresDialect(url: string): Dialect {
  return {
    name: "postgres",
    fresh: () => {
      const schema = `molt_bench_store_${process.pid}_${++schemas}`;
      return {
        open: () => SqlStore.openPostgres(url, { schema }),
        // So that the checkpoint PostgreSQL owes for the fill and the warm-up (and the runs before) is not taken in the middle of this run.
        settle: () => adminQuery(url, "checkpoint"),
        dispose: async () => {
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          try {
            // Under the migration lock: a migration elsewhere in the database fails if a schema vanishes meanwhile.
            await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_ID]);
            await client.query(`drop schema if exists ${schema} cascade`);
          } finally {
            await client.end();
          }
        },
      };
    },
  };
}

/** Runs `query` on a connection of its own to `url`. */
async function adminQuery(url: string, query: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query(query);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The schemas go in a database of the bench's own when it may create one: the migrator looks for
 * its kysely_migration tables in every schema of a database, so another process's schema with
 * them (a test run, say) breaks a fresh schema's migration, and the bench's would break theirs.
 */
async function benchDatabase(): Promise<{ readonly url: string; readonly drop: () => Promise<void> }> {
  const name = `molt_bench_store_${process.pid}`;
  try {
    await adminQuery(POSTGRES_URL, `create database ${name}`);
  } catch (e) {
    progress(
      `postgres: cannot create a database of its own (${e instanceof Error ? e.message : String(e)}); using schemas in ${redact(POSTGRES_URL)}`,
    );
    return { url: POSTGRES_URL, drop: () => Promise.resolve() };
  }
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => adminQuery(POSTGRES_URL, `drop database if exists ${name}`) };
}

function redact(url: string): string {
  return url.replace(/:[^:@/]*@/, ":***@");
}

/** Why PostgreSQL cannot be used, or undefined when it answers. */
async function postgresProblem(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("select 1");
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally {
    await client.end().catch(() => undefined);
  }
}

// ------------------------------------------------------------------ market

const chainDir = mkdtempSync(join(tmpdir(), "molt-bench-store-chain-"));
const chain = await EmbeddedMoltClient.open({ dataDir: chainDir });
const payments = new PaymentService({ client: chain, arbiter: Wallet.generate() });

function openMarket(store: SqlStore, batchMax?: number): Promise<Marketplace> {
  return Marketplace.open({ store, payments, follow: false, nodeId: "bench-store", ...(batchMax === undefined ? {} : { batchMax }) });
}

function offerInput(i: number): CreateOfferInput {
  return {
    providerId: `provider-${i % 997}`,
    gpuCapacity: { gpuCount: 8, gpuModel: "H100", vramGb: 80 },
    pricePerHour: (1 + (i % 400) / 100).toFixed(2),
    availableHours: 100,
  };
}

/**
 * Funded buyers: every order is backed by its buyer's MOLT (WALLET_LIMITS.backedOrders), so each
 * buyer holds plenty, and there are enough of them that none reaches its cap of unfunded matches.
 */
const BUYER_COUNT = 4999;
const buyers = Array.from({ length: BUYER_COUNT }, () => Wallet.generate().address);
for (const buyer of buyers) await chain.airdrop(buyer, Amount.parse("1000000"));

function orderInput(i: number): CreateOrderInput {
  return {
    buyerId: buyers[i % BUYER_COUNT] ?? "",
    requirements: { minGpuCount: 1 + (i % 2), minVramGb: 80, maxPricePerHour: "5", estimatedHours: 1 },
  };
}

/** `count` offers of the sample market's mix (models, GPU counts, features, regions, prices), as a client sends them. */
function sampleOfferInputs(seed: number, count: number, providers: number): CreateOfferInput[] {
  return generateOffers({ seed, offers: count, nowMs: Date.now(), providers }).map((o) => ({
    providerId: o.providerId,
    gpuCapacity: o.gpuCapacity,
    pricePerHour: o.pricePerHour.toString(),
    availableHours: o.availableHours,
    minCommitmentHours: o.minCommitmentHours,
    expiresAt: o.expiresAt,
    features: o.features,
    ...(o.location === undefined ? {} : { location: o.location }),
  }));
}

/**
 * Adds `count` offers through addOffer, `wave` outstanding at a time (inputs made between waves,
 * outside the timer); returns seconds taken.
 */
async function addOffers(
  market: Marketplace,
  prefix: string,
  count: number,
  wave: number,
  mix: "sample" | "uniform" = "uniform",
): Promise<number> {
  let elapsed = 0;
  for (let from = 0; from < count; from += wave) {
    const size = Math.min(wave, count - from);
    const inputs =
      mix === "sample"
        ? sampleOfferInputs(from + 1, size, Math.max(10, Math.floor(count / 20)))
        : Array.from({ length: size }, (_, j) => offerInput(from + j));
    const start = performance.now();
    await Promise.all(inputs.map((input, j) => market.addOffer(`${prefix}-${from + j}`, input)));
    elapsed += performance.now() - start;
  }
  return elapsed / 1000;
}

// ------------------------------------------------------------------ runs

interface ClosedLoop {
  batchMax: number;
  inFlight: number;
  commands: number;
  failed: number;
  matched: number;
  rested: number;
  seconds: number;
  commandsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Main-thread busy time (event loop utilization) per acknowledged command, µs. */
  mainUsPerCommand: number;
  /** Process CPU (all threads: fsync, checkpointer, pg client) per acknowledged command, µs. */
  cpuUsPerCommand: number;
  /** Fraction of the run the main thread was busy (the rest it waited, e.g. for fsyncs). */
  mainBusy: number;
  firstError?: string;
}

/** Keeps `inFlight` submitOrder calls outstanding until `count` were issued or `seconds` passed. */
async function closedLoop(
  market: Marketplace,
  prefix: string,
  count: number,
  inFlight: number,
  seconds: number,
  batchMax: number,
): Promise<ClosedLoop> {
  const latencies = new Float64Array(count);
  let issued = 0;
  let acked = 0;
  let failed = 0;
  let matched = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let lastAck = start;
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const worker = async (): Promise<void> => {
    while (issued < count && performance.now() < deadline) {
      const i = issued++;
      const t0 = performance.now();
      try {
        const answer = await market.submitOrder(`${prefix}-${i}`, orderInput(i));
        lastAck = performance.now();
        latencies[acked++] = lastAck - t0;
        if (answer.status === "Matched") matched++;
      } catch (e) {
        lastAck = performance.now();
        failed++;
        firstError ??= e instanceof Error ? e.message : String(e);
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const elu = performance.eventLoopUtilization(elu0);
  const cpu = process.cpuUsage(cpu0);
  const elapsed = (lastAck - start) / 1000;
  const samples = latencies.subarray(0, acked);
  return {
    batchMax,
    inFlight,
    commands: acked,
    failed,
    matched,
    rested: acked - matched,
    seconds: elapsed,
    commandsPerSecond: acked / elapsed,
    p50Ms: percentile(samples, 50),
    p99Ms: percentile(samples, 99),
    maxMs: percentile(samples, 100),
    mainUsPerCommand: (elu.active * 1000) / Math.max(1, acked),
    cpuUsPerCommand: (cpu.user + cpu.system) / Math.max(1, acked),
    mainBusy: elu.utilization,
    ...(firstError === undefined ? {} : { firstError }),
  };
}

interface OpenLoop {
  ratePerSecond: number;
  issued: number;
  commands: number;
  failed: number;
  seconds: number;
  commandsPerSecond: number;
  maxOutstanding: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** From the time the command was due by the schedule (counts event-loop stalls before the call). */
  scheduledP99Ms: number;
  scheduledMaxMs: number;
  firstError?: string;
}

/** Issues submitOrder at `rate` per second for `seconds`, by the clock, without waiting for acknowledgements. */
async function openLoop(market: Marketplace, prefix: string, rate: number, seconds: number): Promise<OpenLoop> {
  const total = Math.max(1, Math.floor(rate * seconds));
  const latencies = new Float64Array(total);
  const scheduled = new Float64Array(total);
  const calls: Promise<void>[] = [];
  let issued = 0;
  let acked = 0;
  let failed = 0;
  let outstanding = 0;
  let maxOutstanding = 0;
  let firstError: string | undefined;
  const start = performance.now();
  while (issued < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
    while (issued < due) {
      const i = issued++;
      const dueAt = start + (i * 1000) / rate;
      const t0 = performance.now();
      outstanding++;
      maxOutstanding = Math.max(maxOutstanding, outstanding);
      calls.push(
        market.submitOrder(`${prefix}-${i}`, orderInput(i)).then(
          () => {
            const t = performance.now();
            latencies[acked] = t - t0;
            scheduled[acked++] = t - dueAt;
            outstanding--;
          },
          (e: unknown) => {
            failed++;
            outstanding--;
            firstError ??= e instanceof Error ? e.message : String(e);
          },
        ),
      );
    }
    await sleep(1);
  }
  await Promise.all(calls);
  const elapsed = (performance.now() - start) / 1000;
  const samples = latencies.subarray(0, acked);
  const fromSchedule = scheduled.subarray(0, acked);
  return {
    ratePerSecond: rate,
    issued,
    commands: acked,
    failed,
    seconds: elapsed,
    commandsPerSecond: acked / elapsed,
    maxOutstanding,
    p50Ms: percentile(samples, 50),
    p99Ms: percentile(samples, 99),
    maxMs: percentile(samples, 100),
    scheduledP99Ms: percentile(fromSchedule, 99),
    scheduledMaxMs: percentile(fromSchedule, 100),
    ...(firstError === undefined ? {} : { firstError }),
  };
}

/** A fresh store with BOOK_OFFERS offers, a market on it with `batchMax`, and a warm-up; `run` gets the market. */
async function withBook<T>(dialect: Dialect, batchMax: number | undefined, run: (market: Marketplace) => Promise<T>): Promise<T> {
  const fresh = dialect.fresh();
  try {
    const market = await openMarket(await fresh.open(), batchMax);
    try {
      await addOffers(market, "book", BOOK_OFFERS, 10_000);
      await closedLoop(market, "warmup", WARMUP_COMMANDS, Math.min(IN_FLIGHT, 500), WARMUP_SECONDS, batchMax ?? 1000);
      // The markets of earlier runs are garbage by now: collected here, not in the middle of this run.
      await fresh.settle();
      settleHeap();
      return await run(market);
    } finally {
      await market.close();
    }
  } finally {
    await fresh.dispose();
  }
}

interface Rebuild {
  offers: number;
  mix: string;
  fillSeconds: number;
  fillOffersPerSecond: number;
  openSeconds: number;
  /** The process's CPU seconds (every thread) while Marketplace.open ran. */
  openCpuSeconds: number;
  /** store.loadBook alone, on the reopened store (a second read: caches are warm). */
  loadBookSeconds: number;
  offerCount: number;
  ok: boolean;
  /** The same offers built into an in-memory book, addOffer one by one, just before the open. */
  memoryAddOffer: Timed;
  /** The same again with addOffers once per wave, just after the open (its book closed). */
  memoryAddOffers: Timed;
  /** openSeconds over the faster in-memory build's wall seconds. */
  ratio: number;
  /** The same ratio in CPU seconds of the process, which other load on the machine does not bend. */
  cpuRatio: number;
}

/**
 * Fills a fresh store through addOffer, then times Marketplace.open on it between two in-memory
 * builds of the same offers (so the open and its bound run minutes apart at most, not a fill apart).
 */
async function rebuild(dialect: Dialect, offers: number): Promise<Rebuild> {
  const nowMs = Date.now();
  const providers = Math.max(10, Math.floor(offers / 20));
  const wave = (from: number, size: number): CapacityOffer[] =>
    REBUILD_MIX === "sample"
      ? generateOffers({ seed: from + 1, offers: size, nowMs, providers })
      : Array.from({ length: size }, (_, j) => createOffer(offerInput(from + j)));
  const fresh = dialect.fresh();
  try {
    const filler = await openMarket(await fresh.open());
    let fillSeconds: number;
    try {
      fillSeconds = await addOffers(filler, "fill", offers, FILL_WAVE, REBUILD_MIX);
    } finally {
      await filler.close();
    }
    progress(`${dialect.name}: filled ${offers} offers in ${fixed(fillSeconds, 1)} s`);
    const memoryAddOffer = memoryBuild(offers, FILL_WAVE, wave, false);
    progress(`${dialect.name}: in-memory build (addOffer) of ${offers} offers in ${fixed(memoryAddOffer.wallSeconds, 2)} s`);
    const store = await fresh.open();
    const opened = await timed(() => openMarket(store));
    const market = opened.value;
    let loadBookSeconds: number;
    let offerCount: number;
    try {
      const loadStart = performance.now();
      await store.loadBook();
      loadBookSeconds = (performance.now() - loadStart) / 1000;
      offerCount = market.book.offerCount;
    } finally {
      await market.close();
    }
    const memoryAddOffers = memoryBuild(offers, FILL_WAVE, wave, true);
    const faster = memoryAddOffer.wallSeconds <= memoryAddOffers.wallSeconds ? memoryAddOffer : memoryAddOffers;
    return {
      offers,
      mix: REBUILD_MIX,
      fillSeconds,
      fillOffersPerSecond: offers / fillSeconds,
      openSeconds: opened.time.wallSeconds,
      openCpuSeconds: opened.time.cpuSeconds,
      loadBookSeconds,
      offerCount,
      ok: offerCount === offers,
      memoryAddOffer,
      memoryAddOffers,
      ratio: opened.time.wallSeconds / faster.wallSeconds,
      cpuRatio: opened.time.cpuSeconds / Math.min(memoryAddOffer.cpuSeconds, memoryAddOffers.cpuSeconds),
    };
  } finally {
    await fresh.dispose();
  }
}

interface DialectResult {
  dialect: string;
  skipped?: string;
  groupCommit?: ClosedLoop;
  perCommand?: ClosedLoop;
  groupCommitSpeedup?: number;
  halfPeak?: OpenLoop;
  rebuild?: Rebuild;
}

async function runDialect(dialect: Dialect): Promise<DialectResult> {
  const offers = dialect.name === "postgres" ? REBUILD_OFFERS_POSTGRES : REBUILD_OFFERS;
  if (!PARTS.has("throughput")) {
    const rebuilt = await rebuild(dialect, offers);
    progress(`${dialect.name}: rebuild of ${offers} offers in ${fixed(rebuilt.openSeconds, 2)} s`);
    return { dialect: dialect.name, rebuild: rebuilt };
  }
  const groupCommit = MODES.has("group")
    ? await withBook(dialect, undefined, (m) => closedLoop(m, "gc", GROUP_COMMANDS_MAX, IN_FLIGHT, RUN_SECONDS, 1000))
    : undefined;
  if (groupCommit !== undefined) progress(`${dialect.name}: group commit ${fixed(groupCommit.commandsPerSecond, 0)} commands/s`);
  const perCommand = MODES.has("single")
    ? await withBook(dialect, 1, (m) => closedLoop(m, "one", SINGLE_COMMANDS_MAX, IN_FLIGHT, RUN_SECONDS, 1))
    : undefined;
  if (perCommand !== undefined)
    progress(`${dialect.name}: one transaction per command ${fixed(perCommand.commandsPerSecond, 0)} commands/s`);
  const openRate = OPEN_RATE ?? (groupCommit === undefined ? undefined : groupCommit.commandsPerSecond / 2);
  const halfPeak =
    MODES.has("half") && openRate !== undefined
      ? await withBook(dialect, undefined, (m) => openLoop(m, "half", openRate, RUN_SECONDS))
      : undefined;
  if (halfPeak !== undefined) progress(`${dialect.name}: half of peak, p99 ${fixed(halfPeak.p99Ms, 2)} ms`);
  const measured = {
    dialect: dialect.name,
    ...(groupCommit === undefined ? {} : { groupCommit }),
    ...(perCommand === undefined ? {} : { perCommand }),
    ...(groupCommit === undefined || perCommand === undefined
      ? {}
      : { groupCommitSpeedup: groupCommit.commandsPerSecond / perCommand.commandsPerSecond }),
    ...(halfPeak === undefined ? {} : { halfPeak }),
  };
  if (!PARTS.has("rebuild")) return measured;
  const rebuilt = await rebuild(dialect, offers);
  progress(`${dialect.name}: rebuild of ${offers} offers in ${fixed(rebuilt.openSeconds, 2)} s`);
  return { ...measured, rebuild: rebuilt };
}

// ------------------------------------------------------------------ main

const results: DialectResult[] = [];
try {
  for (const name of DIALECTS) {
    if (name === "sqlite") results.push(await runDialect(sqlite));
    else if (name === "postgres") {
      const problem = await postgresProblem();
      if (problem !== undefined) {
        console.log(`\n!!! PostgreSQL SKIPPED: cannot reach ${redact(POSTGRES_URL)} (${problem}) !!!`);
        results.push({ dialect: "postgres", skipped: problem });
        continue;
      }
      const database = await benchDatabase();
      try {
        results.push(await runDialect(postgresDialect(database.url)));
      } finally {
        await database.drop();
      }
    } else throw new Error(`unknown dialect ${name} (sqlite, postgres)`);
  }
} finally {
  chain.close();
  rmSync(chainDir, { recursive: true, force: true });
}

function verdict(met: boolean | undefined): string {
  return met === undefined ? "n/a" : met ? "met" : "NOT MET";
}

const reached = results.map((r) => ({
  dialect: r.dialect,
  commandsPerSecond: r.groupCommit?.commandsPerSecond ?? NaN,
  halfPeakP99Ms: r.halfPeak?.p99Ms ?? NaN,
  rebuildOffers: r.rebuild?.offers ?? NaN,
  rebuildSeconds: r.rebuild?.openSeconds ?? NaN,
  rebuildRatio: r.rebuild?.ratio ?? NaN,
  rebuildCpuRatio: r.rebuild?.cpuRatio ?? NaN,
}));

if (!json) {
  const measured = results.filter((r) => r.skipped === undefined);
  printTable(
    `Peak durable submitOrder, closed loop, ${IN_FLIGHT} outstanding, book of ${BOOK_OFFERS} offers, runs capped at ${RUN_SECONDS} s`,
    measured.flatMap((r) =>
      [r.groupCommit, r.perCommand].flatMap((c) =>
        c === undefined
          ? []
          : [
              {
                dialect: r.dialect,
                batchMax: c.batchMax,
                commands: c.commands,
                failed: c.failed,
                matched: c.matched,
                rested: c.rested,
                seconds: fixed(c.seconds, 2),
                "commands/s": fixed(c.commandsPerSecond, 0),
                "p50 ms": fixed(c.p50Ms, 1),
                "p99 ms": fixed(c.p99Ms, 1),
                "max ms": fixed(c.maxMs, 1),
                "main µs/cmd": fixed(c.mainUsPerCommand, 0),
                "cpu µs/cmd": fixed(c.cpuUsPerCommand, 0),
                "main busy": fixed(c.mainBusy, 2),
              },
            ],
      ),
    ),
  );
  for (const r of measured)
    if (r.groupCommitSpeedup !== undefined)
      console.log(`${r.dialect}: group commit is ${fixed(r.groupCommitSpeedup, 1)}x one transaction per command`);
  printTable(
    `Open loop at half of the group-commit peak, ${RUN_SECONDS} s (latency from the call; "sched" from when the command was due)`,
    measured.flatMap((r) =>
      r.halfPeak === undefined
        ? []
        : [
            {
              dialect: r.dialect,
              "rate/s": fixed(r.halfPeak.ratePerSecond, 0),
              acked: r.halfPeak.commands,
              failed: r.halfPeak.failed,
              "acked/s": fixed(r.halfPeak.commandsPerSecond, 0),
              "max outstanding": r.halfPeak.maxOutstanding,
              "p50 ms": fixed(r.halfPeak.p50Ms, 2),
              "p99 ms": fixed(r.halfPeak.p99Ms, 2),
              "max ms": fixed(r.halfPeak.maxMs, 2),
              "sched p99 ms": fixed(r.halfPeak.scheduledP99Ms, 2),
              "sched max ms": fixed(r.halfPeak.scheduledMaxMs, 2),
            },
          ],
    ),
  );
  printTable(
    "Rebuild: fill through addOffer (group commit, waves of 50,000), reopen a new SqlStore, time Marketplace.open; against the same offers built in memory just before (addOffer one by one) and after (addOffers per wave), the faster of the two; wall and process CPU seconds",
    measured.flatMap((r) =>
      r.rebuild === undefined
        ? []
        : [
            {
              dialect: r.dialect,
              offers: r.rebuild.offers,
              mix: r.rebuild.mix,
              "fill s": fixed(r.rebuild.fillSeconds, 1),
              "fill offers/s": fixed(r.rebuild.fillOffersPerSecond, 0),
              "open s": fixed(r.rebuild.openSeconds, 2),
              "loadBook alone s": fixed(r.rebuild.loadBookSeconds, 2),
              "open cpu s": fixed(r.rebuild.openCpuSeconds, 2),
              "in-memory addOffer s (cpu)": `${fixed(r.rebuild.memoryAddOffer.wallSeconds, 2)} (${fixed(r.rebuild.memoryAddOffer.cpuSeconds, 2)})`,
              "in-memory addOffers s (cpu)": `${fixed(r.rebuild.memoryAddOffers.wallSeconds, 2)} (${fixed(r.rebuild.memoryAddOffers.cpuSeconds, 2)})`,
              "open / in-memory": `${fixed(r.rebuild.ratio, 2)}x`,
              "cpu ratio": `${fixed(r.rebuild.cpuRatio, 2)}x`,
              offerCount: r.rebuild.offerCount,
              check: r.rebuild.ok ? "ok" : "WRONG",
            },
          ],
    ),
  );
  printTable(
    "Targets",
    reached.flatMap((r) => {
      const skipped = results.find((x) => x.dialect === r.dialect)?.skipped !== undefined;
      const min = r.dialect === "sqlite" ? targets.sqliteCommandsPerSecondMin : targets.postgresCommandsPerSecondMin;
      const atSize = r.rebuildOffers === targets.rebuildOffers;
      // Only the parts that ran (--parts): a part left out has no row rather than a NaN one.
      const ranThroughput = skipped || !Number.isNaN(r.commandsPerSecond);
      const ranRebuild = skipped || !Number.isNaN(r.rebuildOffers);
      const rows = [
        {
          dialect: r.dialect,
          metric: "durable commands/s (group commit)",
          target: `>= ${min}`,
          reached: skipped ? "skipped" : fixed(r.commandsPerSecond, 0),
          verdict: skipped ? "SKIPPED" : verdict(Number.isNaN(r.commandsPerSecond) ? undefined : r.commandsPerSecond >= min),
        },
        {
          dialect: r.dialect,
          metric: "p99 ms at half of peak",
          target: `<= ${targets.halfPeakP99MsMax}`,
          reached: skipped ? "skipped" : fixed(r.halfPeakP99Ms, 2),
          verdict: skipped ? "SKIPPED" : verdict(Number.isNaN(r.halfPeakP99Ms) ? undefined : r.halfPeakP99Ms <= targets.halfPeakP99MsMax),
        },
        {
          dialect: r.dialect,
          metric: `rebuild s, ${skipped ? targets.rebuildOffers : r.rebuildOffers} offers`,
          target: `<= ${targets.rebuildSecondsMax} (at 10^6)`,
          reached: skipped ? "skipped" : fixed(r.rebuildSeconds, 2),
          verdict: skipped
            ? "SKIPPED"
            : atSize
              ? verdict(r.rebuildSeconds <= targets.rebuildSecondsMax)
              : r.rebuildSeconds > targets.rebuildSecondsMax
                ? "NOT MET (even below 10^6)"
                : "n/a (not 10^6)",
        },
        {
          dialect: r.dialect,
          metric: "rebuild / in-memory build, same run",
          target: `<= ${targets.rebuildRatioMax}x`,
          reached: skipped ? "skipped" : `${fixed(r.rebuildRatio, 2)}x`,
          verdict: skipped ? "SKIPPED" : verdict(Number.isNaN(r.rebuildRatio) ? undefined : r.rebuildRatio <= targets.rebuildRatioMax),
        },
        {
          dialect: r.dialect,
          metric: "rebuild / in-memory build, process CPU seconds",
          target: `<= ${targets.rebuildRatioMax}x`,
          reached: skipped ? "skipped" : `${fixed(r.rebuildCpuRatio, 2)}x`,
          verdict: skipped
            ? "SKIPPED"
            : verdict(Number.isNaN(r.rebuildCpuRatio) ? undefined : r.rebuildCpuRatio <= targets.rebuildRatioMax),
        },
      ];
      return rows.filter((_, i) => (i < 2 ? ranThroughput : ranRebuild));
    }),
  );
}
console.log(
  JSON.stringify({
    bench: "store",
    node: process.version,
    config: {
      runSeconds: RUN_SECONDS,
      bookOffers: BOOK_OFFERS,
      inFlight: IN_FLIGHT,
      rebuildOffers: REBUILD_OFFERS,
      rebuildOffersPostgres: REBUILD_OFFERS_POSTGRES,
      rebuildMix: REBUILD_MIX,
      postgresUrl: redact(POSTGRES_URL),
    },
    results,
    targets,
    reached,
  }),
);
