// The SQLite writer thread: every write of a SQLite store (a batch's transaction, its reads and rows,
// the nonce table's groups and prunes) runs on a worker thread with a connection of its own, so the
// statements and the COMMIT that copies each touched page into the write-ahead log no longer take
// the event loop (they were about a third of it under signed submissions). Reads outside a batch
// stay on the main connection: in WAL mode they see every commit that finished before they began.
// The worker runs its messages in arrival order. A nonce group that comes while a batch's
// transaction is open joins it (one commit for both) and is answered once it has committed; if the
// batch rolls back instead, the group is decided again in a transaction of its own. A prune waits
// for the batch to end. The
// worker knows statements by name only: their text is built here, from the tables (sql-tables.ts).
// Worker thread and its messages.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { MarketError } from "../core/errors.js";

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

// An eval worker (CommonJS): the same code runs from the build, from tsx and under the test runner.
const SOURCE = `
const { workerData, parentPort } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma("busy_timeout = " + workerData.busyTimeoutMs);
if (db.pragma("journal_mode", { simple: true }) === "wal") db.pragma("synchronous = NORMAL");
else db.pragma("synchronous = FULL");
db.pragma("wal_autocheckpoint = 0");
const prepared = new Map();
const statement = (name) => {
  let s = prepared.get(name);
  if (s === undefined) {
    const text = workerData.statements[name];
    if (text === undefined) throw new Error("no statement named " + name);
    s = db.prepare(text);
    prepared.set(name, s);
  }
  return s;
};
const inBatch = () => { if (!db.inTransaction) throw new Error("a batch's write or read came outside its transaction (its begin failed)"); };
function decide(group) {
  const used = statement("nonceUsed"), insert = statement("nonceInsert"), bump = statement("nonceBump");
  return group.map((r) => {
    if (used.get(r.keyid, r.bucket - 1).used >= r.perKeyidMax) return "keyid-full";
    if (insert.run(r.keyid, r.nonce, r.createdS).changes !== 1) return "replayed";
    bump.run(r.keyid, r.bucket);
    return "accepted";
  });
}
function nonces(group) {
  return db.transaction(() => decide(group)).immediate();
}
// Nonce groups decided inside the open batch's transaction (one commit for both), answered once it
// has committed; if it rolls back instead, they are decided again in a transaction of their own.
let joined = [];
let committed = false;
function join(message) {
  statement("nonceSavepoint").run();
  try {
    joined.push({ message, result: decide(message.op.group) });
    statement("nonceRelease").run();
    return true;
  } catch (e) {
    statement("nonceUndo").run();
    statement("nonceRelease").run();
    return false;
  }
}
function prune(cutoffS, oldestBucket) {
  return db.transaction(() => {
    const deleted = statement("nonceExpire").run(cutoffS).changes;
    statement("nonceCountsExpire").run(oldestBucket);
    return { deleted, total: statement("nonceTotal").get().total };
  }).immediate();
}
// A batch op that failed inside the open transaction: its COMMIT is refused (rolled back instead),
// so the batch's writes may be sent without waiting for each answer.
let failedInBatch = false;
function run(m) {
  switch (m.op) {
    case "exec":
      if (m.s === "begin") failedInBatch = false;
      if (m.s === "commit" && failedInBatch) {
        failedInBatch = false;
        if (db.inTransaction) statement("rollback").run();
        throw new Error("the batch was rolled back: one of its writes failed");
      }
      statement(m.s).run();
      if (m.s === "commit") committed = true;
      return undefined;
    case "rollback": failedInBatch = false; if (db.inTransaction) statement("rollback").run(); return undefined;
    case "all": inBatch(); return statement(m.s).all(...m.args);
    case "get": inBatch(); return statement(m.s).get(...m.args);
    case "getEach": { inBatch(); const s = statement(m.s); return m.args.map((a) => s.get(...a)); }
    case "write":
      inBatch();
      try {
        for (const [name, rows, exact] of m.parts) {
          const s = statement(name);
          for (let i = 0; i < rows.length; i++) {
            if (s.run(rows[i]).changes !== 1 && exact) throw Object.assign(new Error("no row changed"), { name: "NoRowChanged", statement: name, index: i });
          }
        }
      } catch (e) {
        failedInBatch = true;
        throw e;
      }
      return undefined;
    case "nonces": return nonces(m.group);
    case "prune": return prune(m.cutoffS, m.oldestBucket);
    case "pragma": db.pragma(m.text); return undefined;
  }
  throw new Error("unknown request " + m.op);
}
const waiting = [];
function handle(message, replies) {
  if (message.standalone && db.inTransaction) {
    if (message.op.op === "nonces" && !failedInBatch && join(message)) return;
    waiting.push(message);
    return;
  }
  committed = false;
  try { replies.push({ id: message.id, result: run(message.op) }); }
  catch (e) { replies.push({ id: message.id, error: { name: e.name, message: e.message, code: e.code, statement: e.statement, index: e.index } }); }
  if (!db.inTransaction && joined.length > 0) {
    const ended = joined;
    joined = [];
    if (committed) for (const { message: m, result } of ended) replies.push({ id: m.id, result });
    else waiting.unshift(...ended.map(({ message: m }) => m));
  }
  while (waiting.length > 0 && !db.inTransaction) handle(waiting.shift(), replies);
}
// A message is the calls of one turn of the main thread's microtasks; the answers go back as one.
parentPort.on("message", (message) => {
  if (message === "close") { db.close(); parentPort.close(); return; }
  const replies = [];
  for (const m of message) handle(m, replies);
  if (replies.length > 0) parentPort.postMessage(replies);
});
`;

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

  /** Starts the thread on `path` (the main connection has set WAL mode); `statements` are the texts it may run, by name. */
  constructor(path: string, busyTimeoutMs: number, statements: Readonly<Record<string, string>>) {
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    this.worker = new Worker(SOURCE, { eval: true, workerData: { driver, path, busyTimeoutMs, statements } });
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
