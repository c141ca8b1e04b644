// WalSync: makes SQLite commits durable without an fsync on the event loop. The connection runs
// with synchronous = NORMAL, so COMMIT appends to the write-ahead log (the OS holds it: a kill -9
// loses nothing) without syncing it; a batch is then made durable by an fsync of the log file on
// libuv's thread pool, and the main thread serves requests meanwhile. fsyncs are grouped: a batch
// that commits while one is in flight waits for the next one, which covers every frame written
// before it began. SQLite itself syncs the log before each checkpoint and the database after it,
// and the log's header when the log is reused (synchronous = NORMAL in WAL mode), so a checkpoint
// never copies frames that could be lost. File I/O only.
import { close, fsync, open } from "node:fs";
import { promisify } from "node:util";
import { MarketError } from "../core/errors.js";

const openFile = promisify(open);
const fsyncFile = promisify(fsync);
const closeFile = promisify(close);

/**
 * The fsyncs of one SQLite file's write-ahead log. Invariant: a durable() call resolves only after
 * an fsync of the log that began after the call was made has completed.
 */
export class WalSync {
  private fd: Promise<number> | undefined;
  private inFlight: Promise<void> | undefined;
  private next: Promise<void> | undefined;
  private closed = false;
  /** The first failed fsync: every later durable() call is refused with it. */
  private failed: MarketError<"STORE_ERROR"> | undefined;
  /** fsyncs issued, for tests and benchmarks. */
  syncs = 0;

  constructor(private readonly walPath: string) {}

  /** Resolves once every frame committed before this call is on disk. @throws STORE_ERROR (the log cannot be synced) */
  durable(): Promise<void> {
    if (this.inFlight === undefined) return this.start();
    // One is in flight and may have begun before our commit: wait for it, then the next one.
    return (this.next ??= this.inFlight.then(
      () => this.afterInFlight(),
      () => this.afterInFlight(),
    ));
  }

  /**
   * Takes a sync of the log made elsewhere (the writer thread's, right after a COMMIT; `error` if
   * it failed) as that commit's: resolves once the fsyncs in flight here have ended too, so an
   * earlier batch is never reported durable after a later one. A failed one fails this and every
   * later durable() call, as one failed here does. @throws STORE_ERROR
   */
  syncedElsewhere(error?: string): Promise<void> {
    if (error !== undefined) this.failed ??= this.error(new Error(error));
    if (this.failed !== undefined) return Promise.reject(this.failed);
    const pending = this.next ?? this.inFlight;
    return pending ?? Promise.resolve();
  }

  /** Waits for the fsyncs in flight, then closes the log's file descriptor. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([this.inFlight, this.next]);
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) await closeFile(await fd).catch(() => undefined);
  }

  private afterInFlight(): Promise<void> {
    this.next = undefined;
    return this.inFlight ?? this.start();
  }

  private start(): Promise<void> {
    if (this.closed) return Promise.reject(new MarketError("STORE_ERROR", { reason: "the store is closed" }));
    this.syncs++;
    const run = this.sync().finally(() => {
      if (this.inFlight === run) this.inFlight = undefined;
    });
    this.inFlight = run;
    return run;
  }

  private async sync(): Promise<void> {
    if (this.failed !== undefined) throw this.failed;
    let fd: number;
    try {
      // The log exists once a transaction has committed; it stays one file (SQLite truncates or
      // reuses it, and unlinks it only when the last connection closes).
      this.fd ??= openFile(this.walPath, "r");
      fd = await this.fd;
    } catch (e) {
      this.fd = undefined;
      throw this.error(e);
    }
    try {
      await fsyncFile(fd);
    } catch (e) {
      // After a failed fsync the kernel may have dropped the pages it could not write, and a later
      // fsync can succeed without them: nothing is reported durable again (as PostgreSQL does).
      this.failed = this.error(e);
      throw this.failed;
    }
  }

  private error(cause: unknown): MarketError<"STORE_ERROR"> {
    return new MarketError(
      "STORE_ERROR",
      { reason: `cannot sync the SQLite log ${this.walPath}: ${cause instanceof Error ? cause.message : String(cause)}` },
      { cause },
    );
  }
}
