// bench:http — the marketplace server on the durable SQLite store: signed order submissions per
// second with p50/p99 latency, quotes per second, and ed25519 verifications per second in the same
// run as the physical bound of signed submissions (their ratio). The load comes from a child
// process (autocannon), its submissions signed before each run (--presign); a bare Fastify app under the same load gives the floor of this machine and
// stack. Signatures are verified on a VerifyPool (one thread per core beyond the first, as `serve`
// does), against the same market verifying on the main thread in the same run. Flags: --json,
// --seconds=S, --in-flight=N, --verify-threads=N, --buyers=N, --presign=N, --only=submit or --only=quote
// (one closed loop, to profile; with --rate=N an open loop at N/s; with --bare against the floor's app). It also prints the CPU per answer of the main thread, the rest of the server's
// process and the load generator (from /proc), against what the target leaves per submission.
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { EmbeddedMoltClient } from "../src/chain/embedded/embedded-client.js";
import { Amount } from "../src/core/amount.js";
import { Wallet } from "../src/chain/wallet.js";
import { Marketplace } from "../src/market/marketplace.js";
import { PaymentService } from "../src/payments/payment-service.js";
import Fastify from "fastify";
import { buildApp } from "../src/server/app.js";
import { signatureBase } from "../src/contract/http-signature.js";
import { signRequest } from "../src/contract/request-signing.js";
import { SqlStore } from "../src/store/sql-store.js";
import { benchArgs, fixed, printTable } from "./report.js";
import { processCpuMs, threadCpuMs } from "./thread-cpu.js";

const { json } = benchArgs();
const flag = (name: string, fallback: number): number =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const SECONDS = flag("seconds", 5);
const IN_FLIGHT = flag("in-flight", 64);
/**
 * Buyers the load signs as, in turn: orders are backed by the buyer's MOLT and capped per wallet
 * (100 resting, 100 unfunded matches), so the load is many funded buyers, as a market's is. Each
 * is a key derived from one seed the workers share.
 */
const BUYERS = flag("buyers", 1000);
const BUYER_SEED = randomBytes(32);
/**
 * Submissions per second of run the load signs before a closed loop starts (an open loop signs its
 * rate's worth), so the generator's ed25519 signing does not share the server's cores while it is
 * measured; a run that outpaces them signs the rest live and says how many (--presign=0 signs all live).
 */
const PRESIGN_PER_SECOND = flag("presign", 10_000);
/** Issue 16's targets: ratios to bounds measured in the same run, so a busy machine bends both alike. */
const TARGETS = { submissionsPerVerificationMin: 0.5, halfPeakP99MsMax: 25, quotesPerBareGetMin: 0.6 };

/** What one load run measured: 2xx answers, seconds, and latency percentiles in ms. */
interface LoadResult {
  readonly count: number;
  readonly seconds: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU µs per 2xx answer: this process's main thread and the rest of it (verification threads, libuv's fsyncs, V8's helpers), and the load generator's process; undefined without /proc. */
  readonly cpuUs?: { readonly main: number; readonly load: number; readonly rest: number } | undefined;
  /** Submissions the load signed during the run (the presigned ones ran out). */
  readonly signedLive?: number;
}

/** What the load generator reports of one run. */
interface RunResult extends LoadResult {
  readonly signedLive: number;
  /** CPU the load generator's process used over the run. */
  readonly loadCpuMs: number;
}

/**
 * Runs one load from a child process (the load generator, forked) and accounts the CPU each part
 * spent over the run: this process's main thread and the rest of it, and the load generator.
 */
function load(baseUrl: string, kind: "submit" | "quote", rate?: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL("./http-load.js", import.meta.url)), { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    let mainBefore: number | undefined;
    let processBefore = 0;
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code !== 0) reject(new Error(`the load generator exited with ${code}`));
    });
    child.on("message", (message: "ready" | RunResult) => {
      if (message === "ready") {
        // Presigned: count from here.
        mainBefore = threadCpuMs(process.pid);
        processBefore = processCpuMs();
        child.send("go");
        return;
      }
      const mainAfter = threadCpuMs(process.pid);
      const processMs = processCpuMs() - processBefore;
      if (mainBefore === undefined || mainAfter === undefined || message.count === 0) {
        resolve(message);
        return;
      }
      const perAnswer = (ms: number): number => (ms * 1000) / message.count;
      const mainMs = mainAfter - mainBefore;
      resolve({
        ...message,
        cpuUs: { main: perAnswer(mainMs), load: perAnswer(message.loadCpuMs), rest: perAnswer(Math.max(0, processMs - mainMs)) },
      });
    });
    child.send({
      baseUrl,
      kind,
      inFlight: IN_FLIGHT,
      seconds: SECONDS,
      buyerSeedHex: BUYER_SEED.toString("hex"),
      buyers: BUYERS,
      // An open loop also sends a second of warm-up at its rate (not measured).
      presign: kind === "submit" ? Math.ceil((rate ?? PRESIGN_PER_SECOND) * (SECONDS + (rate === undefined ? 0 : 1))) + IN_FLIGHT : 0,
      ...(rate === undefined ? {} : { rate }),
    });
  });
}

/** ed25519 verifications per second of request signature bases, on this thread. */
function verificationsPerSecond(): number {
  const wallet = Wallet.generate();
  const body = JSON.stringify({ requirements: { minGpuCount: 1, minVramGb: 40, maxPricePerHour: "9", estimatedHours: 1 } });
  const headers = signRequest({ method: "POST", path: "/v1/orders", body, idempotencyKey: "bench" }, wallet, Date.now());
  const base = Buffer.from(
    signatureBase(
      [
        ["@method", "POST"],
        ["@path", "/v1/orders"],
        ["content-digest", headers["content-digest"]],
        ["idempotency-key", "bench"],
      ],
      headers["signature-input"].slice("molt=".length),
    ),
  );
  const signature = Buffer.from(headers.signature.slice("molt=:".length, -1), "base64");
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < 1000) {
    for (let i = 0; i < 100; i++) if (Wallet.verify(wallet.address, base, signature)) count++;
  }
  return count / ((performance.now() - started) / 1000);
}

/**
 * The floor of this machine and stack: a bare Fastify app (no signature, store or book; body and
 * answer schemas only) on the same routes, under the same load. No server built on Fastify here can
 * answer faster than it.
 */
/** The bare Fastify app of the floor, listening: the same routes, body and answer schemas only. */
async function bareApp(): Promise<{ readonly url: string; readonly close: () => Promise<void> }> {
  const bare = Fastify({ logger: false });
  bare.post(
    "/v1/orders",
    {
      schema: {
        body: { type: "object", required: ["requirements"], properties: { requirements: { type: "object" } } },
        response: { 200: { type: "object", properties: { orderId: { type: "string" }, status: { type: "string" } } } },
      },
    },
    () => ({ orderId: "ord_01JD3Q0000000000000000000Z", status: "Pending" }),
  );
  bare.get("/v1/quote", { schema: { response: { 200: { type: "object", properties: { matches: { type: "array" } } } } } }, () => ({
    matches: [],
  }));
  const url = await bare.listen({ host: "127.0.0.1", port: 0 });
  return { url, close: () => bare.close() };
}

async function bareFastify(): Promise<{
  readonly submitPerSecond: number;
  readonly quotePerSecond: number;
  readonly submitCpuUs: LoadResult["cpuUs"];
  readonly quoteCpuUs: LoadResult["cpuUs"];
}> {
  const { url, close } = await bareApp();
  const submit = await load(url, "submit");
  const quote = await load(url, "quote");
  await close();
  return {
    submitPerSecond: submit.count / submit.seconds,
    quotePerSecond: quote.count / quote.seconds,
    submitCpuUs: submit.cpuUs,
    quoteCpuUs: quote.cpuUs,
  };
}

const dir = mkdtempSync(join(tmpdir(), "molt-bench-http-"));
const chain = await EmbeddedMoltClient.open({ dataDir: join(dir, "chain") });
const store = SqlStore.openSqlite(join(dir, "market.db"));
/** Messages posted to the store's writer thread so far (each wakes it, and its answer wakes this thread). */
const writerMessages = (): number =>
  (store as unknown as { readonly writerThread?: { readonly messages: number } }).writerThread?.messages ?? 0;
const market = await Marketplace.open({
  store,
  payments: new PaymentService({ client: chain, arbiter: Wallet.generate() }),
  follow: false,
});
await Promise.all(
  Array.from({ length: 20_000 }, (_, i) =>
    market.addOffer(`offer-${i}`, {
      providerId: `provider-${i % 200}`,
      gpuCapacity: { gpuCount: 8, gpuModel: ["H100", "A100", "L40S", "H200"][i % 4] ?? "H100", vramGb: 80 },
      pricePerHour: (1 + (i % 80) / 10).toFixed(2),
      availableHours: 100,
    }),
  ),
);
for (let i = 0; i < BUYERS; i += 50) {
  await Promise.all(
    Array.from({ length: Math.min(50, BUYERS - i) }, (_, j) =>
      chain.airdrop(Wallet.fromSeed(BUYER_SEED).derive(`buyer-${i + j}`).address, Amount.parse("1000000")),
    ),
  );
}
const VERIFY_THREADS = flag("verify-threads", Math.max(0, availableParallelism() - 1));
const app = await buildApp({ market, requestsPerMinute: 100_000_000, verifyThreads: VERIFY_THREADS });
const baseUrl = await app.listen({ host: "127.0.0.1", port: 0 });

const onlyKind = process.argv.includes("--only=submit") ? "submit" : process.argv.includes("--only=quote") ? "quote" : undefined;
if (onlyKind !== undefined) {
  // For profiling the server's submission or quote path (node --cpu-prof): one loop, then exit.
  const rate = flag("rate", 0);
  // --bare: the floor's app under the same load, to compare the two in the same mode.
  const bare = process.argv.includes("--bare") ? await bareApp() : undefined;
  const messagesBefore = writerMessages();
  const only = await load(bare?.url ?? baseUrl, onlyKind, rate > 0 ? rate : undefined);
  // Over the warm-up too (an open loop's second), so per answer it is a slight overcount.
  const messages = writerMessages() - messagesBefore;
  await bare?.close();
  console.log(
    `${onlyKind}, ${rate > 0 ? `${rate}/s` : "closed loop"}: ${fixed(only.count / only.seconds, 0)}/s, p50 ${fixed(only.p50Ms, 2)} ms, p99 ${fixed(only.p99Ms, 2)} ms`,
  );
  if (only.cpuUs !== undefined)
    console.log(
      `CPU µs per answer (${only.signedLive ?? 0} signed live): main thread ${fixed(only.cpuUs.main, 1)}, load generator ${fixed(only.cpuUs.load, 1)}, rest ${fixed(only.cpuUs.rest, 1)}; writer thread messages ${fixed(messages / only.count, 3)}`,
    );
  await app.close();
  await market.close();
  chain.close();
  process.exit(0);
}
const verifications = verificationsPerSecond();
const floor = await bareFastify();
// The baseline of the same run: the same market, every signature verified on the main thread.
const mainThreadApp = await buildApp({ market, requestsPerMinute: 100_000_000, verifyThreads: 0 });
const mainThreadRun = await load(await mainThreadApp.listen({ host: "127.0.0.1", port: 0 }), "submit");
await mainThreadApp.close();
const mainThreadRate = mainThreadRun.count / mainThreadRun.seconds;
const submissions = await load(baseUrl, "submit");
const submissionRate = submissions.count / submissions.seconds;
// Latency where the server keeps up: an open loop at half of the closed loop's peak.
const halfRate = Math.max(1, Math.round(submissionRate / 2));
const atHalf = await load(baseUrl, "submit", halfRate);
const quotes = await load(baseUrl, "quote");
const quoteRate = quotes.count / quotes.seconds;
await app.close();
await market.close();
chain.close();

const results = {
  verificationsPerSecond: verifications,
  bareFastify: floor,
  verifyThreads: VERIFY_THREADS,
  submissionsMainThread: { perSecond: mainThreadRate, p50Ms: mainThreadRun.p50Ms, p99Ms: mainThreadRun.p99Ms, cpuUs: mainThreadRun.cpuUs },
  submissions: {
    perSecond: submissionRate,
    p50Ms: submissions.p50Ms,
    p99Ms: submissions.p99Ms,
    ratioToVerifications: submissionRate / verifications,
    ratioToMainThread: submissionRate / mainThreadRate,
    cpuUs: submissions.cpuUs,
  },
  submissionsAtHalfPeak: { rate: halfRate, perSecond: atHalf.count / atHalf.seconds, p50Ms: atHalf.p50Ms, p99Ms: atHalf.p99Ms },
  quotes: {
    perSecond: quoteRate,
    p50Ms: quotes.p50Ms,
    p99Ms: quotes.p99Ms,
    ratioToBareGet: quoteRate / floor.quotePerSecond,
    cpuUs: quotes.cpuUs,
  },
};
const row = (run: string, perSecond: number, p50Ms?: number, p99Ms?: number): Record<string, string> => ({
  run,
  "per s": fixed(perSecond, 0),
  "p50 ms": p50Ms === undefined ? "" : fixed(p50Ms, 2),
  "p99 ms": p99Ms === undefined ? "" : fixed(p99Ms, 2),
});
printTable(
  `bench:http — SQLite store, ${IN_FLIGHT} in flight from a load process, ${SECONDS} s per run, ${VERIFY_THREADS} verification thread(s) (${new Date().toISOString().slice(0, 10)})`,
  [
    row("ed25519 verifications on one core (bound)", verifications),
    row("bare Fastify POST /v1/orders (floor)", floor.submitPerSecond),
    row("bare Fastify GET /v1/quote (floor)", floor.quotePerSecond),
    row("signed submissions, verified on the main thread", mainThreadRate, mainThreadRun.p50Ms, mainThreadRun.p99Ms),
    row(`signed submissions, ${VERIFY_THREADS} verification thread(s)`, submissionRate, submissions.p50Ms, submissions.p99Ms),
    row(`signed submissions at ${halfRate}/s (half of peak)`, results.submissionsAtHalfPeak.perSecond, atHalf.p50Ms, atHalf.p99Ms),
    row("quotes, closed loop", quoteRate, quotes.p50Ms, quotes.p99Ms),
  ],
);
// Where the CPU goes: at the target rate every core together has this many µs per submission, the
// load generator's share included (it runs on this machine too).
const cores = availableParallelism();
const budgetUs = (cores * 1e6) / (TARGETS.submissionsPerVerificationMin * verifications);
const cpuRow = (run: string, cpu: LoadResult["cpuUs"]): Record<string, string> => ({
  run,
  "main thread": cpu === undefined ? "" : fixed(cpu.main, 1),
  "load generator": cpu === undefined ? "" : fixed(cpu.load, 1),
  "rest of process": cpu === undefined ? "" : fixed(cpu.rest, 1),
  total: cpu === undefined ? "" : fixed(cpu.main + cpu.load + cpu.rest, 1),
});
printTable(
  `CPU µs per answer (Linux /proc; rest = the server's other threads: verification, fsyncs, V8 helpers); at the target, ${cores} cores have ${fixed(budgetUs, 1)} µs per submission, load generator included`,
  [
    cpuRow("bare Fastify POST /v1/orders (floor)", floor.submitCpuUs),
    cpuRow("bare Fastify GET /v1/quote (floor)", floor.quoteCpuUs),
    cpuRow("signed submissions, verified on the main thread", mainThreadRun.cpuUs),
    cpuRow(`signed submissions, ${VERIFY_THREADS} verification thread(s)`, submissions.cpuUs),
    cpuRow(`signed submissions at half of peak`, atHalf.cpuUs),
    cpuRow("quotes, closed loop", quotes.cpuUs),
  ],
);
const live = [mainThreadRun, submissions, atHalf].reduce((sum, run) => sum + (run.signedLive ?? 0), 0);
if (live > 0) console.log(`(${live} submissions were signed during their run: raise --presign)`);
const verdict = (met: boolean): string => (met ? "met" : "NOT MET");
printTable("Targets (issue 16: ratios to bounds measured in this run)", [
  {
    metric: "submissions / one core's verifications",
    target: `>= ${TARGETS.submissionsPerVerificationMin}`,
    reached: fixed(results.submissions.ratioToVerifications, 3),
    verdict: verdict(results.submissions.ratioToVerifications >= TARGETS.submissionsPerVerificationMin),
  },
  {
    metric: "p99 ms at half of peak",
    target: `<= ${TARGETS.halfPeakP99MsMax}`,
    reached: fixed(atHalf.p99Ms, 2),
    verdict: verdict(atHalf.p99Ms <= TARGETS.halfPeakP99MsMax),
  },
  {
    metric: "quotes / bare GET",
    target: `>= ${TARGETS.quotesPerBareGetMin}`,
    reached: fixed(results.quotes.ratioToBareGet, 3),
    verdict: verdict(results.quotes.ratioToBareGet >= TARGETS.quotesPerBareGetMin),
  },
  {
    metric: "submissions / main-thread verification",
    target: "(ratio)",
    reached: fixed(results.submissions.ratioToMainThread, 3),
    verdict: "",
  },
  { metric: "submissions / bare POST", target: "(ratio)", reached: fixed(submissionRate / floor.submitPerSecond, 3), verdict: "" },
]);
if (json)
  console.log(
    JSON.stringify({ bench: "http", node: process.version, config: { seconds: SECONDS, inFlight: IN_FLIGHT }, targets: TARGETS, results }),
  );
