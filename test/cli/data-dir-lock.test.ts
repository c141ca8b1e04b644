// The data directory lock: one process at a time runs a market or a chain from a directory. In
// process: a held lock refuses a second taker with its holder, a stale one (dead pid, or this pid
// but not held here) is taken over, another host's is not, release removes only its own lock.
// As processes: a second `serve` on a directory exits 1 saying who holds it, so does `localnet` on
// its chain, and a server killed with SIGKILL leaves a lock the next `serve` takes over.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DATA_DIR_LOCK_FILE, lockDataDir, readDataDirLock } from "../../src/cli/data-dir-lock.js";
import { MarketClient } from "../../src/client/client.js";
import { expectMarketError } from "../support/expect-error.js";
import { CLI_MAIN, serveProcess } from "../support/serve-process.js";

const freshDir = (): string => mkdtempSync(join(tmpdir(), "molt-lock-"));

/** A pid that ran and has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(child.stdout);
}

function writeLock(dir: string, holder: Record<string, unknown>): void {
  writeFileSync(join(dir, DATA_DIR_LOCK_FILE), `${JSON.stringify(holder)}\n`);
}

/** Runs the CLI to its end: exit code and stderr. */
function runCli(args: readonly string[]): Promise<{ readonly code: number | null; readonly stderr: string }> {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ["--import", "tsx", CLI_MAIN, ...args], { stdio: ["ignore", "ignore", "pipe"], env });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.on("exit", (code) => {
      resolve({ code, stderr });
    }),
  );
}

describe("lockDataDir", () => {
  it("a held directory refuses a second taker, naming the holder; release frees it", () => {
    const dir = freshDir();
    const lock = lockDataDir(dir, "molt-market serve --port 8080");
    lock.setUrl("http://127.0.0.1:8080");
    expect(readDataDirLock(dir)).toMatchObject({
      pid: process.pid,
      command: "molt-market serve --port 8080",
      url: "http://127.0.0.1:8080",
    });
    const e = expectMarketError(() => lockDataDir(dir, "molt-market serve --port 8091"), "DATA_DIR_LOCKED");
    expect(e.details).toMatchObject({ dir, pid: process.pid, command: "molt-market serve --port 8080", url: "http://127.0.0.1:8080" });
    expect(e.message).toContain(`pid ${process.pid}`);
    expect(e.message).toMatch(/since \d{4}-\d\d-\d\dT/);
    lock.release();
    lock.release(); // idempotent
    expect(existsSync(join(dir, DATA_DIR_LOCK_FILE))).toBe(false);
    lockDataDir(dir, "again").release();
  });

  it("takes over a lock whose process is gone, or that names this pid without being held here", () => {
    const dir = freshDir();
    writeLock(dir, { pid: deadPid(), host: hostname(), command: "molt-market serve", since: "2026-01-01T00:00:00.000Z" });
    const lock = lockDataDir(dir, "taker");
    expect(readDataDirLock(dir)).toMatchObject({ pid: process.pid, command: "taker" });
    lock.release();
    // A pid reused after a restart (in a container the server is often pid 1 every time).
    writeLock(dir, { pid: process.pid, host: hostname(), command: "molt-market serve", since: "2026-01-01T00:00:00.000Z" });
    const again = lockDataDir(dir, "taker 2");
    expect(readDataDirLock(dir)?.command).toBe("taker 2");
    again.release();
    // A lock file this code never wrote (empty, torn) is no holder.
    writeFileSync(join(dir, DATA_DIR_LOCK_FILE), "");
    lockDataDir(dir, "taker 3").release();
  });

  it("does not take over a live process's lock, nor one from another host; release leaves a lock that is not its own", () => {
    const dir = freshDir();
    writeLock(dir, { pid: process.ppid, host: hostname(), command: "molt-market localnet", since: "2026-01-01T00:00:00.000Z" });
    expect(expectMarketError(() => lockDataDir(dir, "x"), "DATA_DIR_LOCKED").details.pid).toBe(process.ppid);
    writeLock(dir, { pid: deadPid(), host: "some-other-host", command: "molt-market serve", since: "2026-01-01T00:00:00.000Z" });
    expect(expectMarketError(() => lockDataDir(dir, "x"), "DATA_DIR_LOCKED").details.host).toBe("some-other-host");
    const other = freshDir();
    const lock = lockDataDir(other, "mine");
    writeLock(other, { pid: process.ppid, host: hostname(), command: "someone else", since: "2026-01-01T00:00:00.000Z" });
    lock.release();
    expect(readDataDirLock(other)?.command).toBe("someone else");
  });
});

describe("serve and localnet hold their directory", () => {
  it(
    "a second serve on the same directory exits 1 naming the holder; so does localnet on its chain; the lock goes with the server",
    { timeout: 90_000 },
    async () => {
      const dir = freshDir();
      const first = await serveProcess(dir, { args: ["--no-demo"] });
      const second = await runCli(["serve", "--data-dir", dir, "--port", "0", "--no-demo"]);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`error: DATA_DIR_LOCKED: data directory ${dir} is in use by pid ${first.pid}`);
      expect(second.stderr).toContain(`serving ${first.url}`);
      expect(second.stderr).toMatch(/since \d{4}-\d\d-\d\dT/);
      const localnet = await runCli(["localnet", "--data-dir", join(dir, "chain"), "--port", "0"]);
      expect(localnet.code).toBe(1);
      expect(localnet.stderr).toContain(`error: DATA_DIR_LOCKED: data directory ${join(dir, "chain")} is in use by pid ${first.pid}`);
      expect((await new MarketClient({ baseUrl: first.url }).health()).status).toBe("ok"); // the first is unharmed
      expect((await first.stop()).code).toBe(0);
      expect(existsSync(join(dir, DATA_DIR_LOCK_FILE))).toBe(false);
      expect(existsSync(join(dir, "chain", DATA_DIR_LOCK_FILE))).toBe(false);
    },
  );

  it("a server killed with SIGKILL leaves a lock the next serve takes over", { timeout: 90_000 }, async () => {
    const dir = freshDir();
    const first = await serveProcess(dir, { args: ["--no-demo"] });
    process.kill(first.pid, "SIGKILL");
    expect((await first.stop()).code).toBe(null);
    expect(readDataDirLock(dir)?.pid).toBe(first.pid); // left behind
    const next = await serveProcess(dir, { args: ["--no-demo"] });
    expect(readDataDirLock(dir)).toMatchObject({ pid: next.pid, url: next.url });
    expect(readDataDirLock(join(dir, "chain"))?.pid).toBe(next.pid);
    expect((await next.stop()).code).toBe(0);
  });
});
