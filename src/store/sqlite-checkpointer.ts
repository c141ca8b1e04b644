// Checkpoints a SQLite write-ahead log off the event loop. The writer's automatic checkpoint copies
// the log back into the database inside whichever commit crosses the threshold, stalling every
// commit behind it for tens of milliseconds; here a worker thread with its own connection runs
// PASSIVE checkpoints (they never block the writer) every interval. A PASSIVE checkpoint copies
// only the frames committed before it began, so under a steady stream of commits it never copies
// them all, and the log is never started again from its beginning: alone, it let the log grow by
// 870 MB in 14 s of bench:store. So the writer keeps an automatic checkpoint at a high threshold
// (WAL_RESTART_FRAMES), which finds most frames copied already. If the worker dies, the writer
// goes back to automatic checkpoints at SQLite's usual threshold. Worker thread and file I/O.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/** How often the worker checkpoints. */
export const CHECKPOINT_INTERVAL_MS = 250;
/** SQLite's own automatic checkpoint threshold (pages), restored if the worker stops unexpectedly. */
export const AUTOCHECKPOINT_PAGES = 1000;
/**
 * The writer's automatic checkpoint threshold while the worker runs (pages of log; 64 MB of 4 KB
 * pages): the commit that crosses it copies what is left between its transactions, where no frame
 * is added meanwhile, so the next transaction writes the log from its start again.
 */
export const WAL_RESTART_FRAMES = 16_384;

// An eval worker (CommonJS): the same code runs from the build, from tsx and under the test runner.
const SOURCE = `
const { workerData, parentPort } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma("busy_timeout = " + workerData.busyTimeoutMs);
const checkpoint = () => { try { db.pragma("wal_checkpoint(PASSIVE)"); } catch (e) { /* busy: the next tick tries again */ } };
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.once("message", () => { clearInterval(timer); checkpoint(); db.close(); parentPort.close(); });
`;

/**
 * The background checkpointer of one SQLite file. Invariant: while it runs the writer's automatic
 * checkpoint waits for WAL_RESTART_FRAMES; when it stops, for any reason, it is back at
 * AUTOCHECKPOINT_PAGES.
 */
export class SqliteCheckpointer {
  private readonly worker: Worker;
  private stopping = false;
  private readonly exited: Promise<void>;

  /** Starts checkpointing `path`; `restoreAutocheckpoint` turns the writer's own checkpoints back on. */
  constructor(path: string, busyTimeoutMs: number, restoreAutocheckpoint: () => void, intervalMs = CHECKPOINT_INTERVAL_MS) {
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    this.worker = new Worker(SOURCE, { eval: true, workerData: { driver, path, busyTimeoutMs, intervalMs } });
    this.worker.unref();
    this.exited = new Promise((resolve) => {
      this.worker.once("exit", () => {
        if (!this.stopping) restoreAutocheckpoint();
        resolve();
      });
    });
    this.worker.once("error", () => undefined);
  }

  /** Runs a last checkpoint and stops the worker. */
  async stop(): Promise<void> {
    this.stopping = true;
    // Held while it stops: an unreferenced worker would let the process end before the last checkpoint.
    this.worker.ref();
    this.worker.postMessage("stop");
    await this.exited;
  }
}
