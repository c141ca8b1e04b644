// Load generator of bench:http, run in a worker thread so the server keeps its own core: signed
// order submissions or quotes, closed loop (a fixed number in flight) or open loop (a fixed rate),
// for a number of seconds. Reports the count and each request's latency in ms.
import { Agent, request } from "node:http";
import { parentPort, workerData } from "node:worker_threads";
import { Wallet } from "../src/chain/wallet.js";
import { signRequest } from "../src/server/http-signature.js";

interface Job {
  readonly baseUrl: string;
  readonly kind: "submit" | "quote";
  readonly inFlight: number;
  readonly seconds: number;
  /** Requests per second for an open loop; none for a closed loop. */
  readonly rate?: number;
}

const job = workerData as Job;
/** Keep-alive connections, at most 256: requests beyond that wait for one (as a real client pool would). */
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function send(method: "GET" | "POST", path: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${job.baseUrl}${path}`, { method, agent, headers: { ...headers, ...(body === "" ? {} : { "content-length": String(Buffer.byteLength(body)) }) } }, (response) => {
      response.resume();
      response.on("end", () => {
        resolve(response.statusCode ?? 0);
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}
const wallet = Wallet.generate();
let sequence = 0;

async function once(): Promise<number> {
  const started = performance.now();
  if (job.kind === "quote") {
    const status = await send("GET", `/v1/quote?gpus=${1 + (sequence++ % 4)}&maxPrice=9&hours=1`, "", {});
    if (status !== 200) throw new Error(`quote answered ${status}`);
  } else {
    const body = JSON.stringify({ requirements: { minGpuCount: 1 + (sequence % 2), minVramGb: 40, maxPricePerHour: "9", estimatedHours: 1 } });
    const key = `load-${process.pid}-${sequence++}`;
    const headers = signRequest({ method: "POST", path: "/v1/orders", body }, wallet, Date.now());
    const status = await send("POST", "/v1/orders", body, { ...headers, "content-type": "application/json", "idempotency-key": key });
    if (status !== 200) throw new Error(`submit answered ${status}`);
  }
  return performance.now() - started;
}

async function run(): Promise<{ count: number; latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + job.seconds * 1000;
  if (job.rate === undefined) {
    await Promise.all(Array.from({ length: job.inFlight }, async () => {
      while (performance.now() < deadline) latencies.push(await once());
    }));
  } else {
    const pending: Promise<void>[] = [];
    const intervalMs = 1000 / job.rate;
    for (let i = 0; started + i * intervalMs < deadline; i++) {
      const due = started + i * intervalMs;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      pending.push(once().then((ms) => void latencies.push(ms)));
    }
    await Promise.all(pending);
  }
  return { count: latencies.length, latencies, seconds: (performance.now() - started) / 1000 };
}

parentPort?.postMessage(await run());
agent.destroy();
