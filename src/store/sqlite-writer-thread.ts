// The SQLite writer thread: every write of a SQLite store (a batch's transaction, its reads and rows,
// the nonce table's groups and prunes) runs on a worker thread with a connection of its own, so the
// statements and the COMMIT that copies each touched page into the write-ahead log no longer take
// the event loop (they were about a third of it under signed submissions). Reads outside a batch
// stay on the main connection: in WAL mode they see every commit that finished before they began.
// The worker runs its messages in arrival order. A nonce group that comes while a batch's
// transaction is open joins it (one commit for both) and is answered once it has committed; if the
// batch rolls back instead, the group is decided again in a transaction of its own. A prune waits
// for the batch to end. The worker knows statements by name only: their texts are built by the
// store's files from the tables (sql-tables.ts). Worker thread and its messages.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { MarketError } from "../core/errors.js";
import { SQLITE_WRITER_SOURCE } from "./sqlite-writer-source.js";

/** One request to the writer thread; `standalone` ones run in a transaction of their own. */
export type WriterOp =
  | { readonly op: "exec"; readonly s: string }
  | { readonly op: "rollback" }
  | { readonly op: "all" | "get"; readonly s: string; readonly args: readonly unknown[] }
  | { readonly op: "getEach"; readonly s: string; readonly args: readonly (readonly unknown[])[] }
  /** Runs each statement over its rows, in order, inside the open transaction; `exact` statements must change one row each. */
  | { readonly op: "write"; readonly parts: readonly (readonly [statement: string, rows: readonly object[], exact: boolean])[] }
  /** Decides each nonce of `group` in order, in one immediate transaction of its own or inside an open batch's (see the worker). */
  | { readonly op: "nonces"; readonly group: readonly NonceRequest[] }
  | { readonly op: "prune"; readonly cutoffS: number; readonly oldestBucket: number }
  | { readonly op: "pragma"; readonly text: string };

/** One nonce of a group, decided in order as if alone. */
export interface NonceRequest {
  readonly keyid: string;
  readonly nonce: string;
  readonly createdS: number;
  readonly bucket: number;
  readonly perKeyidMax: number;
}

/** A write whose statement changed no row where it had to change one (a capacity check). */
export class NoRowChanged extends Error {
  constructor(
    readonly statement: string,
    readonly index: number,
  ) {
    super(`${statement} changed no row at ${index}`);
    this.name = "NoRowChanged";
  }
}

/** An error as the worker sends it back. */
interface WireError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly statement?: string;
  readonly index?: number;
}

/** A call waiting for its answer. */
interface PendingCall {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

/**
 * The writer thread of one SQLite file. Invariants: calls run in the order they were made; at
 * most one batch transaction is open (transaction() queues the next); once the thread has stopped
 * unexpectedly every call is refused with STORE_ERROR; the process may exit while no call waits.
 */
export class SqliteWriterThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, PendingCall>();
  private nextId = 1;
  /** Messages posted to the thread, for tests and benchmarks. */
  messages = 0;
  /** Calls not yet posted (see call). */
  private outbox: { readonly id: number; readonly op: WriterOp; readonly standalone: boolean }[] = [];
  private stopped: MarketError<"STORE_ERROR"> | undefined;
  private closing = false;
  /** The end of the last transaction queued (the next one begins after it). */
  private tail: Promise<unknown> = Promise.resolve();
  private readonly exited: Promise<void>;

  /**
   * Starts the thread on `path` (the main connection has set WAL mode); `statements` are the texts it
   * may run, by name; past `autocheckpointPages` of log (0: never) a commit checkpoints it.
   */
  constructor(path: string, busyTimeoutMs: number, statements: Readonly<Record<string, string>>, autocheckpointPages = 0) {
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    this.worker = new Worker(SQLITE_WRITER_SOURCE, {
      eval: true,
      workerData: { driver, path, busyTimeoutMs, statements, autocheckpointPages },
    });
    this.worker.unref();
    this.worker.on("message", (replies: readonly { readonly id: number; readonly result?: unknown; readonly error?: WireError }[]) => {
      for (const reply of replies) {
        const call = this.pending.get(reply.id);
        if (call === undefined) continue;
        this.pending.delete(reply.id);
        if (reply.error === undefined) call.resolve(reply.result);
        else call.reject(errorOf(reply.error));
      }
      if (this.pending.size === 0) this.worker.unref();
    });
    this.worker.on("error", (e) => {
      this.stop(`it failed: ${e.message}`);
    });
    this.exited = new Promise((resolve) => {
      this.worker.once("exit", (code) => {
        this.stop(`it exited with code ${code}`);
        resolve();
      });
    });
  }

  /** Runs one request; `standalone` requests (their own transaction) join or wait for an open batch (see the worker). @throws what the statement throws, STORE_ERROR (the thread stopped) */
  call<T>(op: WriterOp, standalone = false): Promise<T> {
    if (this.stopped !== undefined) return Promise.reject(this.stopped);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      // The calls made until the microtasks run out go as one message (a message costs 5-20 µs here).
      if (this.outbox.push({ id, op, standalone }) === 1)
        queueMicrotask(() => {
          this.flush();
        });
    });
  }

  private flush(): void {
    if (this.outbox.length === 0) return;
    const calls = this.outbox;
    this.outbox = [];
    this.messages++;
    this.worker.postMessage(calls);
  }

  /**
   * Runs `fn` inside one immediate transaction of the thread and commits it, after the transaction
   * before it has ended; rolls back when `fn` or the commit throws. BEGIN is sent without waiting
   * for its answer (the calls `fn` makes are queued behind it, and refused if it failed), and a
   * write may be sent without waiting (`fn` need not await it): the thread refuses the COMMIT of a
   * transaction in which a write failed. `explain` then names the error to report (the failed
   * write's). @throws what `fn` throws, what `explain` returns, SqliteError (busy, commit), STORE_ERROR (the thread stopped)
   */
  transaction<T>(fn: () => Promise<T>, explain: () => Promise<Error | undefined> = () => Promise.resolve(undefined)): Promise<T> {
    const run = this.tail.then(async () => {
      const begun = this.call({ op: "exec", s: "begin" }).then(
        () => undefined,
        (e: unknown) => e,
      );
      try {
        const result = await fn();
        await this.call({ op: "exec", s: "commit" });
        return result;
      } catch (e) {
        // Unless SQLite or the thread ended it already (a failed statement may roll the transaction back).
        await this.call({ op: "rollback" }).catch(() => undefined);
        throw (await begun) ?? (await explain()) ?? e;
      }
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Waits for the calls made so far, then closes the thread's connection. */
  async close(): Promise<void> {
    if (this.closing) return this.exited;
    this.closing = true;
    await this.tail;
    // The thread answers the calls posted before this message first.
    this.flush();
    this.worker.ref();
    this.worker.postMessage("close");
    await this.exited;
  }

  private stop(reason: string): void {
    this.stopped ??= new MarketError("STORE_ERROR", {
      reason: this.closing ? "the store is closed" : `the SQLite writer thread stopped (${reason}); restart the process`,
    });
    for (const call of this.pending.values()) call.reject(this.stopped);
    this.pending.clear();
  }
}

/** The worker's error as an Error here (SQLite's code kept: SQLITE_BUSY, SQLITE_FULL, ...). */
function errorOf(wire: WireError): Error {
  if (wire.name === "NoRowChanged") return new NoRowChanged(wire.statement ?? "", wire.index ?? 0);
  return Object.assign(new Error(wire.message), { name: wire.name, ...(wire.code === undefined ? {} : { code: wire.code }) });
}
