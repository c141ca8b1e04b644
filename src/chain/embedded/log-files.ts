// The files of the embedded chain's log in its data directory: the current log (chain.log), sealed
// segments (chain-<last seq>-f<failed entries before it>.log, renamed from chain.log when a snapshot
// covers it, removed once older than the history window), and snapshots. Reads, writes, renames
// and removes files in that directory only.
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { MarketError } from "../../core/errors.js";
import type { LogEntry } from "./chain-log.js";

/** The current log, appended to. */
export const LOG_FILE = "chain.log";
const SEGMENT_PATTERN = /^chain-(\d+)-f(\d+)\.log$/;
const SNAPSHOT_PATTERN = /^snapshot-(\d+)\.bin$/;

/** A sealed segment of the log: the last entry it holds, and how many failed entries came before its first. */
interface Segment {
  readonly name: string;
  readonly lastSeq: number;
  readonly failedBefore: number;
}

function segments(dir: string): Segment[] {
  return readdirSync(dir)
    .map((name) => ({ name, match: SEGMENT_PATTERN.exec(name) }))
    .filter((found) => found.match !== null)
    .map(({ name, match }) => ({ name, lastSeq: Number(match?.[1]), failedBefore: Number(match?.[2]) }))
    .sort((a, b) => a.lastSeq - b.lastSeq);
}

/** Makes a rename or removal in `dir` durable. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads the entries of one file; a damaged last line is cut when `tornTailAllowed` (a crash
 * mid-write: its transaction was never reported confirmed). `after` is the entry before the file's first.
 * @throws CHAIN_ERROR (a damaged line, or entries out of sequence)
 */
function readFile(path: string, after: number, tornTailAllowed: boolean, into: LogEntry[]): void {
  const lines = readFileSync(path, "utf8").split("\n");
  let end = lines.length;
  while (end > 0 && lines[end - 1] === "") end--;
  let expected = after + 1;
  for (let i = 0; i < end; i++) {
    try {
      const entry = JSON.parse(lines[i] ?? "") as LogEntry;
      // The first entry of all may follow a pruned segment: any number continues from there.
      if (after >= 0 && entry.seq !== expected) throw new Error("out of sequence");
      expected = entry.seq + 1;
      after = entry.seq;
      into.push(entry);
    } catch (e) {
      if (tornTailAllowed && i === end - 1) {
        // Cut the torn tail so the next append starts on a clean line.
        writeFileSync(
          path,
          lines
            .slice(0, i)
            .map((line) => `${line}\n`)
            .join(""),
        );
        return;
      }
      throw new MarketError("CHAIN_ERROR", { reason: `the chain log ${path} is damaged at line ${i + 1}` }, { cause: e });
    }
  }
}

/**
 * Every entry the log files of `dir` hold, oldest first, and how many failed entries came before
 * the first (in pruned segments). Invariant: the entries are numbered without gaps.
 * @throws CHAIN_ERROR (a damaged line other than the current log's last, or a gap)
 */
export function readLogFiles(dir: string): {
  readonly entries: LogEntry[];
  readonly failedBefore: number;
  /** Failed entries before the current log's first. */
  readonly failedBeforeCurrent: number;
  /** Entries the current log holds. */
  readonly currentCount: number;
} {
  const entries: LogEntry[] = [];
  const sealed = segments(dir);
  for (const segment of sealed) readFile(join(dir, segment.name), entries.at(-1)?.seq ?? -1, false, entries);
  const failedBefore = sealed[0]?.failedBefore ?? 0;
  const failedBeforeCurrent = failedBefore + entries.filter((entry) => entry.kind === "failed").length;
  const sealedCount = entries.length;
  const current = join(dir, LOG_FILE);
  if (existsSync(current)) readFile(current, entries.at(-1)?.seq ?? (sealed.length === 0 ? 0 : -1), true, entries);
  return { entries, failedBefore, failedBeforeCurrent, currentCount: entries.length - sealedCount };
}

/**
 * Seals the current log (closed by the caller; entries up to `lastSeq`, `failedBefore` failed
 * entries before its first) as a segment, opens a new empty current log (returns its descriptor),
 * and removes the segments whose entries all are at or before `pruneThrough`.
 */
export function sealLog(dir: string, lastSeq: number, failedBefore: number, pruneThrough: number): number {
  renameSync(join(dir, LOG_FILE), join(dir, `chain-${lastSeq}-f${failedBefore}.log`));
  const fd = openSync(join(dir, LOG_FILE), "a");
  syncDirectory(dir);
  for (const segment of segments(dir)) if (segment.lastSeq <= pruneThrough) rmSync(join(dir, segment.name), { force: true });
  return fd;
}

/** The newest snapshot of `dir`: its bytes and the log entry it includes, or undefined. */
export function latestSnapshot(dir: string): { readonly seq: number; readonly bytes: Uint8Array } | undefined {
  const newest = readdirSync(dir)
    .map((name) => SNAPSHOT_PATTERN.exec(name))
    .filter((match) => match !== null)
    .map((match) => Number(match[1]))
    .sort((a, b) => b - a)[0];
  if (newest === undefined) return undefined;
  return { seq: newest, bytes: readFileSync(join(dir, `snapshot-${newest}.bin`)) };
}

/** Writes a snapshot that includes every entry up to `seq` (temp file, fsync, rename), then drops older ones. */
export function writeSnapshotFile(dir: string, seq: number, bytes: Uint8Array): void {
  const name = `snapshot-${seq}.bin`;
  const temp = join(dir, `${name}.tmp`);
  const fd = openSync(temp, "w");
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, join(dir, name));
  syncDirectory(dir);
  for (const other of readdirSync(dir)) {
    const match = SNAPSHOT_PATTERN.exec(other);
    if (match !== null && Number(match[1]) < seq) rmSync(join(dir, other), { force: true });
  }
}
