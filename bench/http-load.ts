// Load generator of bench:http, run as a child process (forked, with an IPC channel) so its CPU,
// heap and garbage collection are not the server's and the server's are measured alone. Closed
// loop (a fixed number of connections, as fast as the server answers): autocannon, DESIGN.md's
// HTTP load tool. Open loop (a fixed rate): requests sent at evenly spaced times over keep-alive
// connections, each latency counted from the time it was due, after a second of warm-up at the same
// rate that is not counted (autocannon's own rate limit sends each second's requests in a burst,
// which measures the burst, not the rate). Signed submissions
// each carry their own signature, nonce and Idempotency-Key. Reports the count of 2xx answers, the
// seconds, and p50/p99 latency in ms; an error or an answer other than 2xx fails the run.
import { Agent, request } from "node:http";
import autocannon from "autocannon";
import type { AutocannonRequest } from "autocannon";
import { Wallet } from "../src/chain/wallet.js";
import { signRequest } from "../src/contract/request-signing.js";
import { percentile } from "./report.js";
import { processCpuMs } from "./thread-cpu.js";

interface Job {
  readonly baseUrl: string;
  readonly kind: "submit" | "quote";
  readonly inFlight: number;
  readonly seconds: number;
  /** Requests per second for an open loop; none for a closed loop. */
  readonly rate?: number;
  /** The seed the buyers' keys derive from (`buyer-<i>`, hex), and how many there are. */
  readonly buyerSeedHex: string;
  readonly buyers: number;
  /** Submissions to sign before the run starts. */
  readonly presign: number;
}

/** What a run reports. */
interface LoadResult {
  readonly count: number;
  readonly seconds: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** The next message from the parent process. */
const fromParent = <T>(): Promise<T> =>
  new Promise((resolve) => {
    process.once("message", (message) => {
      resolve(message as T);
    });
  });
const job = await fromParent<Job>();
const root = Wallet.fromSeed(Buffer.from(job.buyerSeedHex, "hex"));
// The load signs as each buyer in turn.
const buyers = Array.from({ length: job.buyers }, (_, i) => root.derive(`buyer-${i}`));
let sequence = 0;

/** One request as the load sends it. */
interface LoadRequest {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly body: string;
  readonly headers: Record<string, string>;
}

/** A request built now: a quote, or an order submission signed as the next buyer. */
function buildRequest(): LoadRequest {
  if (job.kind === "quote")
    return { method: "GET", path: `/v1/quote?gpus=${1 + (sequence++ % 4)}&maxPrice=9&hours=1`, body: "", headers: {} };
  const body = JSON.stringify({
    requirements: { minGpuCount: 1 + (sequence % 2), minVramGb: 40, maxPricePerHour: "9", estimatedHours: 1 },
  });
  // Unique across runs (each run is its own process): a key repeated with the same buyer and body
  // would be answered from the stored command, not submitted again.
  const key = `load-${process.pid}-${sequence++}`;
  const wallet = buyers[sequence % buyers.length] ?? root;
  const headers = signRequest({ method: "POST", path: "/v1/orders", body, idempotencyKey: key }, wallet, Date.now());
  return { method: "POST", path: "/v1/orders", body, headers: { ...headers, "content-type": "application/json" } };
}

// Submissions signed before the run starts, so the load generator's own ed25519 signing does not
// take the cores the server is measured on (signatures stay valid for minutes); past these, the
// rest are signed as they are sent, and the run reports how many were.
const presigned: LoadRequest[] = job.kind === "submit" ? Array.from({ length: job.presign }, buildRequest) : [];
let signedLive = 0;

/** The next request of the job: a presigned one while they last, else one built now. */
function nextRequest(): LoadRequest {
  const ready = presigned.pop();
  if (ready !== undefined) return ready;
  if (job.kind === "submit") signedLive++;
  return buildRequest();
}

async function closedLoop(): Promise<LoadResult> {
  const options = {
    url: job.baseUrl,
    connections: job.inFlight,
    duration: job.seconds,
    requests: [{ setupRequest: (r: AutocannonRequest): AutocannonRequest => ({ ...r, ...nextRequest() }) }],
  };
  const result = await autocannon(options);
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0) {
    throw new Error(`${job.kind}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} answers other than 2xx`);
  }
  return { count: result["2xx"], seconds: result.duration, p50Ms: result.latency.p50, p99Ms: result.latency.p99 };
}

/** Keep-alive connections for the open loop, at most 256: requests beyond that wait for one. */
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function send(): Promise<number> {
  const { method, path, body, headers } = nextRequest();
  return new Promise((resolve, reject) => {
    const req = request(
      `${job.baseUrl}${path}`,
      { method, agent, headers: { ...headers, ...(body === "" ? {} : { "content-length": String(Buffer.byteLength(body)) }) } },
      (response) => {
        response.resume();
        response.on("end", () => {
          resolve(response.statusCode ?? 0);
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Seconds an open loop runs at its rate before it is measured (a fresh load process opens its connections and warms up meanwhile). */
const WARMUP_SECONDS = 1;

async function openLoop(rate: number, seconds: number = job.seconds): Promise<LoadResult> {
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const pending: Promise<void>[] = [];
  const intervalMs = 1000 / rate;
  for (let i = 0; started + i * intervalMs < deadline; i++) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(
      send().then((status) => {
        if (status < 200 || status > 299) throw new Error(`${job.kind} answered ${status}`);
        latencies.push(performance.now() - due);
      }),
    );
  }
  await Promise.all(pending);
  return {
    count: latencies.length,
    seconds: (performance.now() - started) / 1000,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

// An open loop warms up at its rate first; then (presigned, warmed) the parent starts counting its
// own CPU and says go.
if (job.rate !== undefined) await openLoop(job.rate, WARMUP_SECONDS);
process.send?.("ready");
await fromParent<"go">();
const cpuBefore = processCpuMs();
const result = await (job.rate === undefined ? closedLoop() : openLoop(job.rate));
agent.destroy();
// The parent's LoadResult, with this process's CPU over the run and the submissions signed live.
process.send?.({ ...result, signedLive, loadCpuMs: processCpuMs() - cpuBefore });
process.disconnect();
