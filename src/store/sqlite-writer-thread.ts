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

/** Named bounds of the writer thread's messages. */
export const WRITER_LIMITS = {
  /**
   * Rows of a batch's writes held back for the next message (see callLater): past it they go at
   * once, so a large batch's rows are written while its later commands are still applied.
   */
  heldRowsMax: 256,
} as const;

/** One request to the writer thread; `standalone` ones run in a transaction of their own. */
export type WriterOp =
  /** `sync` (a COMMIT only): fsync the log before answering, with a CommitSync. */
  | { readonly op: "exec"; readonly s: string; readonly sync?: boolean }
  | { readonly op: "rollback" }
  | { readonly op: "all" | "get"; readonly s: string; readonly args: readonly unknown[] }
  | { readonly op: "getEach"; readonly s: string; readonly args: readonly (readonly unknown[])[] }
  /** Runs each statement over its rows, in order, inside the open transaction; `exact` statements must change one row each. */
  | { readonly op: "write"; readonly parts: readonly (readonly [statement: string, rows: readonly object[], exact: boolean])[] }
  /** Decides each nonce of `group` in order, in one immediate transaction of its own or inside an open batch's (see the worker). */
  | { readonly op: "nonces"; readonly group: readonly NonceRequest[] }
  | { readonly op: "prune"; readonly cutoffS: number; readonly oldestBucket: number }
  | { readonly op: "pragma"; readonly text: string };

/** What the thread answers a COMMIT sent with `sync`: the log was fsync'd, or the fsync's error (the commit stands). */
export type CommitSync = { readonly synced: true } | { readonly syncError: string };

/**
 * A transaction's request to have its COMMIT synced on the thread: `wanted` is asked as the COMMIT
 * is sent; `outcome` is then set to the thread's answer (left undefined when it was not wanted).
 */
export interface SyncAtCommit {
  readonly wanted: () => boolean;
  outcome?: CommitSync;
}

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
  /** Whether a flush of the outbox is queued as a microtask. */
  private flushScheduled = false;
  /** Rows of the held requests in the outbox (see callLater). */
  private heldRows = 0;
  /** Between a batch's BEGIN and its COMMIT or ROLLBACK being sent (standalone requests then go with its next message). */
  private batchOpen = false;
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
    return this.enqueue<T>(op, standalone, undefined);
  }

  /**
   * Runs one request whose answer nobody needs at once (a batch's BEGIN and rows): it goes with the
   * message of the next call, or on its own once the requests held so reach WRITER_LIMITS.heldRowsMax
   * rows. A batch's writes then share the message of its COMMIT. @throws as call
   */
  callLater<T>(op: WriterOp, rows: number): Promise<T> {
    return this.enqueue<T>(op, false, rows);
  }

  /** Queues `op` for the next message; `heldRows` (a held request's rows) undefined: that message goes at the end of this turn's microtasks. */
  private enqueue<T>(op: WriterOp, standalone: boolean, heldRows: number | undefined): Promise<T> {
    if (this.stopped !== undefined) return Promise.reject(this.stopped);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.outbox.push({ id, op, standalone });
      if (heldRows !== undefined && (this.heldRows += heldRows) < WRITER_LIMITS.heldRowsMax) return;
      // A standalone request during a batch joins the batch's transaction (or waits for its end)
      // and is answered after its COMMIT either way: it goes with the batch's next message.
      if (standalone && this.batchOpen) return;
      // The calls made until the microtasks run out go as one message: waking the thread costs
      // 25-60 µs of CPU on this machine's kind of virtual machine, more than most statements.
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        queueMicrotask(() => {
          this.flush();
        });
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    this.heldRows = 0;
    if (this.outbox.length === 0) return;
    const calls = this.outbox;
    this.outbox = [];
    this.messages++;
    this.worker.postMessage(calls);
  }

  /**
   * Runs `fn` inside one immediate transaction of the thread and commits it, after the transaction
   * before it has ended; rolls back when `fn` or the commit throws. BEGIN is sent without waiting
   * for its answer, with the batch's first message (the calls `fn` makes are queued behind it, and
   * refused if it failed), and a write may be sent without waiting (`fn` need not await it; see
   * callLater): the thread refuses the COMMIT of a transaction in which a write failed. Standalone
   * calls made meanwhile go with the batch's next message. With `sync`, a COMMIT it wants synced is
   * fsync'd on the thread before its answer (see SyncAtCommit). `explain` then names the error to report (the failed
   * write's). @throws what `fn` throws, what `explain` returns, SqliteError (busy, commit), STORE_ERROR (the thread stopped)
   */
  transaction<T>(
    fn: () => Promise<T>,
    explain: () => Promise<Error | undefined> = () => Promise.resolve(undefined),
    sync?: SyncAtCommit,
  ): Promise<T> {
    const run = this.tail.then(async () => {
      this.batchOpen = true;
      // Held too: it goes with the batch's first read or, in a batch that only writes, its COMMIT.
      const begun = this.callLater({ op: "exec", s: "begin" }, 0).then(
        () => undefined,
        (e: unknown) => e,
      );
      try {
        const result = await fn();
        if (sync?.wanted() === true) sync.outcome = (await this.end({ op: "exec", s: "commit", sync: true })) as CommitSync;
        else await this.end({ op: "exec", s: "commit" });
        return result;
      } catch (e) {
        // Unless SQLite or the thread ended it already (a failed statement may roll the transaction back).
        await this.end({ op: "rollback" }).catch(() => undefined);
        throw (await begun) ?? (await explain()) ?? e;
      }
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Sends the batch's COMMIT or ROLLBACK, with the requests held for its message, and marks the batch ended. */
  private end(op: WriterOp): Promise<unknown> {
    this.batchOpen = false;
    return this.call(op);
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
