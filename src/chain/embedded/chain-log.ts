// ChainLog: the embedded chain's durable record. An append-only file of JSON lines, each one fsync'd
// before the caller reports its transaction confirmed, plus atomically written snapshots of the
// LiteSVM state. Reads and writes files in one data directory.
import {
  closeSync,
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

/** The log of one data directory. Invariant: entries are numbered 1, 2, 3, ... with no gaps. */
export class ChainLog {
  private readonly fd: number;
  private lastSeq: number;

  private constructor(
    private readonly dir: string,
    readonly entries: readonly LogEntry[],
  ) {
    this.lastSeq = entries.at(-1)?.seq ?? 0;
    this.fd = openSync(join(dir, LOG_FILE), "a");
  }

  /**
   * Opens the log of `dir`, reading every whole entry. A torn last line (a crash mid-write) is
   * dropped: its transaction was never reported confirmed.
   * @throws CHAIN_ERROR when a line other than the last is damaged
   */
  static open(dir: string): ChainLog {
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
    return new ChainLog(dir, entries);
  }

  /** Appends an entry and waits until it is on disk; returns its number. */
  append(body: LogEntryBody): number {
    const seq = this.lastSeq + 1;
    writeSync(this.fd, `${JSON.stringify({ seq, ...body })}\n`);
    fsyncSync(this.fd);
    this.lastSeq = seq;
    return seq;
  }

  /** Number of the last entry. */
  get seq(): number {
    return this.lastSeq;
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

  /** Closes the file. */
  close(): void {
    closeSync(this.fd);
  }
}
