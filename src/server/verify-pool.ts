// VerifyPool: ed25519 verification of request signatures on worker threads, so the main thread
// (the book, the store, Fastify) keeps its core and the others verify. Requests that arrive in one
// turn of the event loop go to a worker as one message (one packed, transferred buffer), so the
// cost of crossing threads is paid per batch, not per request; a request alone in its turn while
// the workers are idle is verified here, which costs less than waking one. Bounded: past
// VERIFY_POOL_LIMITS.pendingMax jobs outstanding, or with no live worker, a signature is verified
// on the calling thread, as without a pool, so a flood costs its sender's requests their latency
// and the market no memory. Worker threads and messages only: what to verify, auth.ts decides.
import { Worker } from "node:worker_threads";
import { addressToBytes } from "../core/address.js";
import type { Address } from "../core/address.js";
import { verifySigned } from "../core/signer.js";

/** Named bounds of the pool. */
export const VERIFY_POOL_LIMITS = {
  /** Most worker threads one pool starts. */
  threadsMax: 8,
  /** Jobs queued or in a worker at once; past it a signature is verified on the calling thread. */
  pendingMax: 4096,
  /** Most jobs in one message to a worker. */
  batchMax: 256,
  /** Longest message (signature base) one job carries, in bytes; longer ones are verified on the calling thread. */
  messageBytesMax: 16_384,
  /** Verification keys a worker keeps ready, and public keys the pool keeps decoded (oldest dropped first). */
  keysCachedMax: 10_000,
} as const;

// An eval worker (CommonJS): the same code runs from the build, from tsx and under the test runner.
// A message packs n jobs: [n u32][offsets (n+1) u32][n x 32-byte keys][n x 64-byte signatures][messages].
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { createPublicKey, verify } = require("node:crypto");
const PREFIX = Buffer.from("302a300506032b6570032100", "hex");
const keys = new Map();
parentPort.on("message", ({ id, buffer }) => {
  const view = new DataView(buffer);
  const n = view.getUint32(0, true);
  const offsetsAt = 4, keysAt = offsetsAt + 4 * (n + 1), signaturesAt = keysAt + 32 * n, messagesAt = signaturesAt + 64 * n;
  const bytes = new Uint8Array(buffer);
  const results = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const raw = bytes.subarray(keysAt + 32 * i, keysAt + 32 * i + 32);
    const name = Buffer.from(raw).toString("latin1");
    let key = keys.get(name);
    try {
      if (key === undefined) {
        key = createPublicKey({ key: Buffer.concat([PREFIX, raw]), format: "der", type: "spki" });
        if (keys.size >= workerData.keysCachedMax) keys.delete(keys.keys().next().value);
        keys.set(name, key);
      }
      const message = bytes.subarray(messagesAt + view.getUint32(offsetsAt + 4 * i, true), messagesAt + view.getUint32(offsetsAt + 4 * (i + 1), true));
      results[i] = verify(null, message, key, bytes.subarray(signaturesAt + 64 * i, signaturesAt + 64 * i + 64)) ? 1 : 0;
    } catch {
      results[i] = 0;
    }
  }
  parentPort.postMessage({ id, results }, [results.buffer]);
});
`;

interface Job {
  readonly address: Address;
  readonly key: Uint8Array;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
  readonly resolve: (valid: boolean) => void;
}

interface Thread {
  readonly worker: Worker;
  /** Batches sent and not answered, by id. */
  readonly inFlight: Map<number, readonly Job[]>;
  jobs: number;
}

/** Packs jobs into one transferable buffer (see WORKER_SOURCE). */
function pack(jobs: readonly Job[]): ArrayBuffer {
  const n = jobs.length;
  let messageBytes = 0;
  for (const job of jobs) messageBytes += job.message.length;
  const offsetsAt = 4;
  const keysAt = offsetsAt + 4 * (n + 1);
  const signaturesAt = keysAt + 32 * n;
  const messagesAt = signaturesAt + 64 * n;
  const buffer = new ArrayBuffer(messagesAt + messageBytes);
  const view = new DataView(buffer);
  const bytes = new Uint8Array(buffer);
  view.setUint32(0, n, true);
  let offset = 0;
  jobs.forEach((job, i) => {
    view.setUint32(offsetsAt + 4 * i, offset, true);
    bytes.set(job.key, keysAt + 32 * i);
    bytes.set(job.signature, signaturesAt + 64 * i);
    bytes.set(job.message, messagesAt + offset);
    offset += job.message.length;
  });
  view.setUint32(offsetsAt + 4 * n, offset, true);
  return buffer;
}

/**
 * A pool of verification threads. Invariant: verify() answers exactly what verifySigned would on
 * the calling thread, whether a worker or the calling thread checks it (a worker that dies has its
 * jobs checked on the calling thread), and at most pendingMax jobs wait for workers.
 */
export class VerifyPool {
  private readonly threads: Thread[] = [];
  private queue: Job[] = [];
  private pending = 0;
  private nextBatchId = 0;
  private flushScheduled = false;
  private closed = false;
  /** Messages posted to the workers, for tests and benchmarks. */
  messages = 0;
  /** Public key bytes of recent callers (base58 decoding costs more than packing a job). */
  private readonly keyBytes = new Map<Address, Uint8Array>();

  private constructor(threads: number) {
    for (let i = 0; i < Math.min(threads, VERIFY_POOL_LIMITS.threadsMax); i++) this.startThread();
  }

  /** Starts `threads` verification threads (at most VERIFY_POOL_LIMITS.threadsMax). */
  static start(threads: number): VerifyPool {
    return new VerifyPool(threads);
  }

  /** Live worker threads. */
  get size(): number {
    return this.threads.length;
  }

  /** Whether the ed25519 `signature` of `address` over `message` verifies (false for a malformed address). */
  verify(address: Address, message: Uint8Array, signature: Uint8Array): Promise<boolean> | boolean {
    if (this.closed || this.threads.length === 0 || this.pending >= VERIFY_POOL_LIMITS.pendingMax)
      return verifySigned(address, message, signature);
    if (message.length > VERIFY_POOL_LIMITS.messageBytesMax || signature.length !== 64) return verifySigned(address, message, signature);
    let key = this.keyBytes.get(address);
    if (key === undefined) {
      try {
        key = addressToBytes(address);
      } catch {
        return false;
      }
      if (this.keyBytes.size >= VERIFY_POOL_LIMITS.keysCachedMax)
        this.keyBytes.delete(this.keyBytes.keys().next().value ?? ("" as Address));
      this.keyBytes.set(address, key);
    }
    return new Promise((resolve) => {
      this.queue.push({ address, key, message, signature, resolve });
      this.pending++;
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => {
          this.flush();
        });
      }
    });
  }

  /** Stops the threads; jobs still waiting are verified on the calling thread. */
  async close(): Promise<void> {
    this.closed = true;
    const threads = this.threads.splice(0);
    for (const thread of threads) this.orphan(thread);
    this.flush();
    await Promise.all(threads.map((thread) => thread.worker.terminate()));
  }

  private startThread(): void {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { keysCachedMax: VERIFY_POOL_LIMITS.keysCachedMax } });
    worker.unref();
    const thread: Thread = { worker, inFlight: new Map(), jobs: 0 };
    worker.on("message", ({ id, results }: { id: number; results: Uint8Array }) => {
      const jobs = thread.inFlight.get(id);
      if (jobs === undefined) return;
      thread.inFlight.delete(id);
      thread.jobs -= jobs.length;
      this.pending -= jobs.length;
      jobs.forEach((job, i) => {
        job.resolve(results[i] === 1);
      });
    });
    const lost = (): void => {
      const at = this.threads.indexOf(thread);
      if (at >= 0) this.threads.splice(at, 1);
      this.orphan(thread);
    };
    worker.on("error", lost);
    worker.on("exit", lost);
    this.threads.push(thread);
  }

  /** Verifies a lost thread's jobs on the calling thread. */
  private orphan(thread: Thread): void {
    for (const jobs of thread.inFlight.values()) {
      this.pending -= jobs.length;
      for (const job of jobs) job.resolve(verifySigned(job.address, job.message, job.signature));
    }
    thread.inFlight.clear();
    thread.jobs = 0;
  }

  /** Whether no worker has jobs in flight. */
  private idle(): boolean {
    return this.threads.every((thread) => thread.jobs === 0);
  }

  /** Sends the queued jobs, split over the least busy threads, in batches of at most batchMax; a job alone while the workers are idle is verified here. */
  private flush(): void {
    this.flushScheduled = false;
    const queue = this.queue;
    this.queue = [];
    // A job alone in its turn is verified here: waking a thread and being woken by its answer costs
    // more CPU on this machine's kind of virtual machine (25-60 µs each way) than the verification.
    if (this.threads.length === 0 || (queue.length === 1 && this.idle())) {
      this.pending -= queue.length;
      for (const job of queue) job.resolve(verifySigned(job.address, job.message, job.signature));
      return;
    }
    const share = Math.min(VERIFY_POOL_LIMITS.batchMax, Math.ceil(queue.length / this.threads.length));
    for (let at = 0; at < queue.length; at += share) {
      const jobs = queue.slice(at, at + share);
      let thread = this.threads[0] as Thread;
      for (const candidate of this.threads) if (candidate.jobs < thread.jobs) thread = candidate;
      const id = this.nextBatchId++;
      thread.inFlight.set(id, jobs);
      thread.jobs += jobs.length;
      const buffer = pack(jobs);
      this.messages++;
      thread.worker.postMessage({ id, buffer }, [buffer]);
    }
  }
}
