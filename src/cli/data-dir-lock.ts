// An exclusive lock on a data directory, so that two processes never run one market or one chain
// from the same files (each would keep its own in-process chain and split it). The lock is a file
// created atomically (link(2) fails when it exists) that names its holder; a lock whose holder is
// gone (its pid no longer runs on this host) is taken over. Reads and writes only that file.
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { MarketError } from "../core/errors.js";

/** The lock file's name inside a locked directory. */
export const DATA_DIR_LOCK_FILE = "molt-market.lock";
/** Attempts to take a lock whose file keeps changing hands under us before giving up. */
const TAKE_ATTEMPTS_MAX = 5;

/** Who holds a data directory, as its lock file says. */
export interface DataDirLockHolder {
  readonly pid: number;
  readonly host: string;
  /** The command line that took it, e.g. "molt-market serve --port 8080". */
  readonly command: string;
  /** When it was taken, ISO 8601. */
  readonly since: string;
  /** Where the holder serves, once it listens. */
  readonly url?: string;
}

/** A held lock. */
export interface DataDirLock {
  /** The lock file. */
  readonly path: string;
  /** Records where the holder serves, for whoever finds the directory locked. */
  setUrl(url: string): void;
  /** Gives the directory up; does nothing when the file is no longer this lock's. Idempotent. */
  release(): void;
}

/** Lock files held by this process, so that a lock naming this pid is known to be ours, not a reused pid's. */
const heldPaths = new Set<string>();

/** Reads a lock file: its holder, or undefined when there is none or it is not a lock this code wrote. */
export function readDataDirLock(dir: string): DataDirLockHolder | undefined {
  return parseHolder(safeRead(join(dir, DATA_DIR_LOCK_FILE)));
}

function parseHolder(text: string | undefined): DataDirLockHolder | undefined {
  if (text === undefined) return undefined;
  try {
    const holder = JSON.parse(text) as Partial<DataDirLockHolder> | null;
    if (
      typeof holder?.pid !== "number" ||
      typeof holder.host !== "string" ||
      typeof holder.command !== "string" ||
      typeof holder.since !== "string"
    )
      return undefined;
    return holder as DataDirLockHolder;
  } catch {
    return undefined;
  }
}

/** Is the process that wrote `holder` gone: on this host, its pid runs no more (or is this process, which does not hold it). */
function isStale(holder: DataDirLockHolder | undefined, path: string): boolean {
  if (holder === undefined) return true; // unreadable: never written by a live holder (files appear complete, by link)
  if (holder.host !== hostname()) return false; // another machine's pid cannot be checked here
  if (holder.pid === process.pid) return !heldPaths.has(path);
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (e) {
    return (e as { code?: unknown }).code === "ESRCH"; // EPERM: alive, another user's
  }
}

/**
 * Takes the lock of `dir` (which must exist) for this process, taking over a stale one.
 * Invariant: while the returned lock is held, no other molt-market process holds `dir`; it is
 * released by release() or when this process exits.
 * @throws DATA_DIR_LOCKED (another live process holds it), STORE_ERROR (the lock file cannot be written)
 */
export function lockDataDir(dir: string, command: string): DataDirLock {
  const path = join(dir, DATA_DIR_LOCK_FILE);
  let holder: DataDirLockHolder = { pid: process.pid, host: hostname(), command, since: new Date().toISOString() };
  const write = (target: string): void => {
    writeFileSync(target, `${JSON.stringify(holder)}\n`, { mode: 0o644 });
  };
  const temp = `${path}.${process.pid}.tmp`;
  for (let attempt = 0; ; attempt++) {
    try {
      write(temp);
      linkSync(temp, path); // atomic: fails with EEXIST when the directory is held
      unlinkSync(temp);
      break;
    } catch (e) {
      tryUnlink(temp);
      if ((e as { code?: unknown }).code !== "EEXIST")
        throw new MarketError(
          "STORE_ERROR",
          { reason: `cannot write the data directory's lock ${path}: ${(e as Error).message}` },
          { cause: e },
        );
    }
    const current = readDataDirLock(dir);
    if (!isStale(current, path) && current !== undefined) {
      throw new MarketError("DATA_DIR_LOCKED", {
        dir,
        pid: current.pid,
        host: current.host,
        command: current.command,
        since: current.since,
        ...(current.url === undefined ? {} : { url: current.url }),
      });
    }
    if (attempt >= TAKE_ATTEMPTS_MAX) throw new MarketError("STORE_ERROR", { reason: `the lock ${path} keeps changing hands; retry` });
    takeOver(path, current);
  }
  heldPaths.add(path);
  let held = true;
  const release = (): void => {
    if (!held) return;
    held = false;
    heldPaths.delete(path);
    process.off("exit", release);
    const current = readDataDirLock(dir);
    if (current?.pid === process.pid && current.since === holder.since) tryUnlink(path);
  };
  process.on("exit", release);
  return {
    path,
    setUrl(url) {
      if (!held) return;
      holder = { ...holder, url };
      write(temp);
      renameSync(temp, path); // atomic: a reader sees the old holder or the new one, never half
    },
    release,
  };
}

/** Moves a stale lock aside; if what was moved is not that stale lock (another taker was faster), puts it back. */
function takeOver(path: string, stale: DataDirLockHolder | undefined): void {
  const aside = `${path}.${process.pid}.stale`;
  try {
    renameSync(path, aside);
  } catch {
    return; // gone already: the next attempt links
  }
  const moved = parseHolder(safeRead(aside));
  const isTheStaleOne =
    stale === undefined ? moved === undefined : moved?.pid === stale.pid && moved.since === stale.since && moved.host === stale.host;
  if (!isTheStaleOne) {
    try {
      linkSync(aside, path);
    } catch {
      // Another lock took its place meanwhile: the next attempt reads and reports it.
    }
  }
  tryUnlink(aside);
}

function safeRead(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

function tryUnlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
