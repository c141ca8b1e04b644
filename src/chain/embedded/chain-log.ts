// ChainLog: the embedded chain's durable record. An append-only file of JSON lines, fsync'd before
// the caller reports its transaction confirmed (entries written together share one fsync: group
// commit), plus atomically written snapshots of the LiteSVM state. Reads and writes files in one
// data directory.
import {
  closeSync,
  fsync,
  fsyncSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
  existsSync,
} from "node:fs";
import { join } from "node:path";
import { MarketError } from "../../core/errors.js";

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

const LOG_FILE = "chain.log";
const SNAPSHOT_PATTERN = /^snapshot-(\d+)\.bin$/;

/** How the log makes entries durable. */
export interface ChainLogOptions {
  /**
   * true (the default): entries written while an fsync is in flight share the next one. false: one
   * fsync per entry, in the writer's call (the baseline bench:chain compares against).
   */
  readonly groupCommit?: boolean;
}

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
  private readonly fd: number;
  private lastSeq: number;
  /** Every entry up to this one is on disk. */
  private durableUpTo: number;
  private readonly groupCommit: boolean;
  private readonly waiters: DurableWaiter[] = [];
  private fsyncInFlight = false;
  private fsyncCount = 0;
  private closeWhenIdle = false;
  /** Set when an fsync failed: what is written can no longer be reported durable. */
  private failure: MarketError | undefined;
  private loaded: readonly LogEntry[] | undefined;

  private constructor(
    private readonly dir: string,
    entries: readonly LogEntry[],
    options: ChainLogOptions,
  ) {
    this.lastSeq = entries.at(-1)?.seq ?? 0;
    this.durableUpTo = this.lastSeq;
    this.loaded = entries;
    this.groupCommit = options.groupCommit ?? true;
    this.fd = openSync(join(dir, LOG_FILE), "a");
  }

  /** The entries read on open, handed over once (the log keeps no reference to them). */
  takeEntries(): readonly LogEntry[] {
    const entries = this.loaded ?? [];
    this.loaded = undefined;
    return entries;
  }

  /**
   * Opens the log of `dir`, reading every whole entry. A torn last line (a crash mid-write) is
   * dropped: its transaction was never reported confirmed.
   * @throws CHAIN_ERROR when a line other than the last is damaged
   */
  static open(dir: string, options: ChainLogOptions = {}): ChainLog {
    const path = join(dir, LOG_FILE);
    const entries: LogEntry[] = [];
    if (existsSync(path)) {
      const lines = readFileSync(path, "utf8").split("\n");
      let end = lines.length;
      while (end > 0 && lines[end - 1] === "") end--;
      for (let i = 0; i < end; i++) {
        try {
          const entry = JSON.parse(lines[i] ?? "") as LogEntry;
          if (entry.seq !== entries.length + 1) throw new Error("out of sequence");
          entries.push(entry);
        } catch (e) {
          if (i === end - 1) {
            // Cut the torn tail so the next append starts on a clean line.
            writeFileSync(
              path,
              lines
                .slice(0, i)
                .map((line) => `${line}\n`)
                .join(""),
            );
            break;
          }
          throw new MarketError("CHAIN_ERROR", { reason: `the chain log ${path} is damaged at line ${i + 1}` }, { cause: e });
        }
      }
    }
    return new ChainLog(dir, entries, options);
  }

  /**
   * Writes an entry without waiting for the disk (a later append's or flush's fsync covers it);
   * returns its number. For what nobody is told about until a later entry is durable.
   * @throws CHAIN_ERROR (an fsync failed before, or the write failed)
   */
  write(body: LogEntryBody): number {
    if (this.failure !== undefined) throw this.failure;
    const seq = this.lastSeq + 1;
    try {
      writeSync(this.fd, `${JSON.stringify({ seq, ...body })}\n`);
    } catch (e) {
      throw this.fail(e);
    }
    this.lastSeq = seq;
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
      this.fsyncCount++;
      fsyncSync(this.fd);
    } catch (e) {
      throw this.fail(e);
    }
    this.markDurable(target);
  }

  /** Resolves once entry `seq` is on disk; starts an fsync when none is in flight. */
  private durable(seq: number): Promise<void> {
    if (seq <= this.durableUpTo) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ seq, resolve, reject });
      if (!this.fsyncInFlight) this.startFsync();
    });
  }

  private startFsync(): void {
    const target = this.lastSeq;
    this.fsyncInFlight = true;
    this.fsyncCount++;
    fsync(this.fd, (error) => {
      this.fsyncInFlight = false;
      if (this.closeWhenIdle) {
        closeSync(this.fd);
        return;
      }
      if (error !== null) {
        this.fail(error);
        return;
      }
      this.markDurable(target);
      if (this.waiters.length > 0) this.startFsync();
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
    const newest = readdirSync(this.dir)
      .map((name) => SNAPSHOT_PATTERN.exec(name))
      .filter((match) => match !== null)
      .map((match) => Number(match[1]))
      .sort((a, b) => b - a)[0];
    if (newest === undefined) return undefined;
    return { seq: newest, bytes: readFileSync(join(this.dir, `snapshot-${newest}.bin`)) };
  }

  /** Writes a snapshot that includes every entry up to `seq` (temp file, fsync, rename), then drops older ones. */
  writeSnapshot(seq: number, bytes: Uint8Array): void {
    // The state holds every written entry: they must be durable before a snapshot says so.
    this.flushSync();
    const name = `snapshot-${seq}.bin`;
    const temp = join(this.dir, `${name}.tmp`);
    const fd = openSync(temp, "w");
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, join(this.dir, name));
    const dirFd = openSync(this.dir, "r");
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
    for (const other of readdirSync(this.dir)) {
      const match = SNAPSHOT_PATTERN.exec(other);
      if (match !== null && Number(match[1]) < seq) rmSync(join(this.dir, other), { force: true });
    }
  }

  /** Makes what is written durable and closes the file (once an fsync in flight is done). @throws CHAIN_ERROR */
  close(): void {
    this.flushSync();
    if (this.fsyncInFlight) this.closeWhenIdle = true;
    else closeSync(this.fd);
  }
}
