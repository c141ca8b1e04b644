// ChainLog: the embedded chain's durable record. An append-only file of JSON lines, fsync'd before
// the caller reports its transaction confirmed (entries written together share one fsync: group
// commit), plus atomically written snapshots of the LiteSVM state. Reads and writes files in one
// data directory.
import { closeSync, fsync, fsyncSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { MarketError } from "../../core/errors.js";
import { LOG_FILE, latestSnapshot, readLogFiles, sealLog, writeSnapshotFile } from "./log-files.js";
import { RECENT_TRANSACTIONS_MAX } from "./recent-transactions.js";

/**
 * One logged step: a signed transaction's wire bytes (with its record; `failed` when it failed
 * during execution but still paid its fee, which is a change of state too), or a lamport airdrop.
 */
export type LogEntry =
  | { readonly seq: number; readonly kind: "transaction"; readonly wire: string; readonly record: string }
  | { readonly seq: number; readonly kind: "failed"; readonly wire: string }
  | { readonly seq: number; readonly kind: "lamports"; readonly to: string; readonly lamports: string };

/** Body of an entry before the log numbers it. */
export type LogEntryBody = LogEntry extends infer E ? (E extends LogEntry ? Omit<E, "seq"> : never) : never;

/** How the log makes entries durable. */
export interface ChainLogOptions {
  /**
   * true (the default): entries written while an fsync is in flight share the next one. false: one
   * fsync per entry, in the writer's call (the baseline bench:chain compares against).
   */
  readonly groupCommit?: boolean;
  /**
   * Entries kept on disk before the newest snapshot (they restore the history RPC callers may ask
   * about on start); older segments of the log are removed. Default RECENT_TRANSACTIONS_MAX.
   */
  readonly retainedEntries?: number;
}

/** Entries held for the next write when grouping; more are written at once (bounds the memory). */
export const PENDING_ENTRIES_MAX = 1024;

/** Someone waiting for entry `seq` to be on disk. */
interface DurableWaiter {
  readonly seq: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The log of one data directory. Invariants: entries are numbered 1, 2, 3, ... with no gaps, and
 * written in that order; `durableSeq` never exceeds what an fsync that finished covered.
 */
export class ChainLog {
  private fd: number;
  private lastSeq: number;
  private readonly retainedEntries: number;
  /** Entries that record a failed transaction, since genesis (pruned segments included). */
  private failedCount: number;
  /** Failed entries before the current file's first (named in its segment when it is sealed). */
  private failedBeforeCurrent: number;
  /** The current file holds no entry yet. */
  private currentEmpty: boolean;
  /** Every entry up to this one is on disk. */
  private durableUpTo: number;
  private readonly groupCommit: boolean;
  private readonly waiters: DurableWaiter[] = [];
  /** Group commit: lines written since the last write to the file; each fsync writes them first, in one call. */
  private readonly pending: string[] = [];
  /** The file an fsync is in flight on (it closes that file itself when the log moved on or closed). */
  private inFlightFd: number | undefined;
  private fsyncCount = 0;
  private closed = false;
  /** Set when an fsync failed: what is written can no longer be reported durable. */
  private failure: MarketError | undefined;
  private loaded: readonly LogEntry[] | undefined;

  private constructor(
    private readonly dir: string,
    read: ReturnType<typeof readLogFiles>,
    options: ChainLogOptions,
  ) {
    this.lastSeq = read.entries.at(-1)?.seq ?? 0;
    this.durableUpTo = this.lastSeq;
    this.loaded = read.entries;
    this.failedCount = read.failedBefore + read.entries.filter((entry) => entry.kind === "failed").length;
    this.failedBeforeCurrent = read.failedBeforeCurrent;
    this.currentEmpty = read.currentCount === 0;
    this.groupCommit = options.groupCommit ?? true;
    this.retainedEntries = options.retainedEntries ?? RECENT_TRANSACTIONS_MAX;
    // A seal keeps at least the segment it just sealed: with none kept, the log's first entry would
    // not follow the snapshot's and the directory would not open again.
    if (!Number.isInteger(this.retainedEntries) || this.retainedEntries < 1)
      throw new MarketError("CHAIN_ERROR", { reason: `retainedEntries must be a whole number >= 1, got ${this.retainedEntries}` });
    this.fd = openSync(join(dir, LOG_FILE), "a");
  }

  /** Entries that record a failed transaction (it paid its fee), since genesis. */
  get failedEntries(): number {
    return this.failedCount;
  }

  /** The entries read on open, handed over once (the log keeps no reference to them). */
  takeEntries(): readonly LogEntry[] {
    const entries = this.loaded ?? [];
    this.loaded = undefined;
    return entries;
  }

  /**
   * Opens the log of `dir`, reading every whole entry of its segments and current file. A torn
   * last line (a crash mid-write) is dropped: its transaction was never reported confirmed.
   * @throws CHAIN_ERROR when a line other than the last is damaged, or entries are missing
   */
  static open(dir: string, options: ChainLogOptions = {}): ChainLog {
    return new ChainLog(dir, readLogFiles(dir), options);
  }

  /**
   * Writes an entry without waiting for the disk (a later append's or flush's fsync covers it);
   * returns its number. For what nobody is told about until a later entry is durable. With group
   * commit the line reaches the file with the next fsync's write (entries keep their order).
   * @throws CHAIN_ERROR (an fsync failed before, or the write failed)
   */
  write(body: LogEntryBody): number {
    if (this.failure !== undefined) throw this.failure;
    const seq = this.lastSeq + 1;
    const line = `${JSON.stringify({ seq, ...body })}\n`;
    try {
      if (!this.groupCommit) writeSync(this.fd, line);
      else if (this.pending.push(line) >= PENDING_ENTRIES_MAX) this.writePending();
    } catch (e) {
      throw this.fail(e);
    }
    this.lastSeq = seq;
    this.currentEmpty = false;
    if (body.kind === "failed") this.failedCount++;
    if (!this.groupCommit) this.flushSync();
    return seq;
  }

  /**
   * Writes an entry; the promise resolves with its number once it is on disk, in an fsync shared
   * with the entries written meanwhile.
   * @throws CHAIN_ERROR (the write or the fsync failed; the promise rejects)
   */
  async append(body: LogEntryBody): Promise<number> {
    const seq = this.write(body);
    await this.durable(seq);
    return seq;
  }

  /** Writes an entry and makes it (and every one before it) durable before returning. @throws CHAIN_ERROR */
  appendSync(body: LogEntryBody): number {
    const seq = this.write(body);
    this.flushSync();
    return seq;
  }

  /** Makes every written entry durable now, in this call. @throws CHAIN_ERROR (the fsync failed) */
  flushSync(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.durableUpTo === this.lastSeq) return;
    const target = this.lastSeq;
    try {
      this.writePending();
      this.fsyncCount++;
      fsyncSync(this.fd);
    } catch (e) {
      throw this.fail(e);
    }
    this.markDurable(target);
  }

  /** Writes the held lines to the current file, in one call. */
  private writePending(): void {
    if (this.pending.length === 0) return;
    const text = this.pending.join("");
    this.pending.length = 0;
    writeSync(this.fd, text);
  }

  /** Resolves once entry `seq` is on disk; starts an fsync when none is in flight. */
  private durable(seq: number): Promise<void> {
    if (seq <= this.durableUpTo) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ seq, resolve, reject });
      if (this.inFlightFd === undefined) this.startFsync();
    });
  }

  private startFsync(): void {
    try {
      this.writePending();
    } catch (e) {
      this.fail(e);
      return;
    }
    const fd = this.fd;
    const target = this.lastSeq;
    this.inFlightFd = fd;
    this.fsyncCount++;
    fsync(fd, (error) => {
      this.inFlightFd = undefined;
      if (fd !== this.fd || this.closed) {
        // Sealed or closed meanwhile, after a flushSync that made every entry of it durable.
        closeSync(fd);
      } else if (error !== null) {
        this.fail(error);
        return;
      } else {
        this.markDurable(target);
      }
      if (this.waiters.length > 0 && !this.closed) this.startFsync();
    });
  }

  private markDurable(seq: number): void {
    if (seq > this.durableUpTo) this.durableUpTo = seq;
    let done = 0;
    while (done < this.waiters.length && (this.waiters[done]?.seq ?? Infinity) <= this.durableUpTo) done++;
    for (const waiter of this.waiters.splice(0, done)) waiter.resolve();
  }

  /** Refuses every later write and every waiter: the runtime holds state the disk may not. */
  private fail(cause: unknown): MarketError {
    this.failure ??= new MarketError(
      "CHAIN_ERROR",
      { reason: `the chain log in ${this.dir} could not be written; restart to recover from what is on disk` },
      { cause },
    );
    this.pending.length = 0;
    for (const waiter of this.waiters.splice(0)) waiter.reject(this.failure);
    return this.failure;
  }

  /** Number of the last entry written. */
  get seq(): number {
    return this.lastSeq;
  }

  /** Number of the last entry known to be on disk (every one before it is too). */
  get durableSeq(): number {
    return this.durableUpTo;
  }

  /** fsyncs of the log file since it was opened (bench:chain divides transactions by it). */
  get fsyncs(): number {
    return this.fsyncCount;
  }

  /** The newest snapshot: its bytes and the log entry it includes, or undefined. */
  latestSnapshot(): { readonly seq: number; readonly bytes: Uint8Array } | undefined {
    return latestSnapshot(this.dir);
  }

  /**
   * Writes a snapshot that includes every entry up to `seq` (every written entry made durable
   * first), drops older ones, and when `seq` is the last entry seals the current file as a segment
   * (a new one is started) and removes the segments older than the retained entries.
   * @throws CHAIN_ERROR (the log could not be made durable)
   */
  writeSnapshot(seq: number, bytes: Uint8Array): void {
    // The state holds every written entry: they must be durable before a snapshot says so.
    this.flushSync();
    writeSnapshotFile(this.dir, seq, bytes);
    if (seq !== this.lastSeq || this.currentEmpty) return;
    // An fsync in flight on the current file closes it when it is done.
    if (this.inFlightFd !== this.fd) closeSync(this.fd);
    this.fd = sealLog(this.dir, seq, this.failedBeforeCurrent, seq - this.retainedEntries);
    this.failedBeforeCurrent = this.failedCount;
    this.currentEmpty = true;
  }

  /** Makes what is written durable and closes the file (once an fsync in flight is done). @throws CHAIN_ERROR */
  close(): void {
    this.flushSync();
    this.closed = true;
    if (this.inFlightFd !== this.fd) closeSync(this.fd);
  }
}
