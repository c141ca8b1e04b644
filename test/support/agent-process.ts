// `molt-market provider run` spawned as a process for tests: its step lines collected as they come,
// waited on by pattern, stopped with SIGTERM (or killed with SIGKILL), resolving to its exit code.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { CLI_MAIN } from "./serve-process.js";

/** The command runner's test workload: prints the workload JSON, sleeps args[0] seconds, exits with args[1]. */
export const SLEEP_WORKLOAD = new URL("../fixtures/sleep-workload.sh", import.meta.url).pathname;

/** A running agent process. */
export interface AgentProcess {
  readonly pid: number;
  /** Every line it printed so far (stdout and stderr). */
  readonly lines: readonly string[];
  /** Resolves to the first line (already printed or to come) matching `pattern`; rejects after `timeoutMs` or at exit. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends `signal` and resolves to the exit code (null when a signal ended it). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves when it exits, to its exit code. */
  readonly exited: Promise<number | null>;
}

/** How an agent is started: its wallet file, the server, its state directory, and any more flags. */
export interface AgentProcessOptions {
  readonly wallet: string;
  readonly server: string;
  readonly stateDir: string;
  /** Default: the command runner over SLEEP_WORKLOAD. */
  readonly runner?: string;
  /** Default 1 second. */
  readonly receiptIntervalS?: number;
  readonly args?: readonly string[];
}

/** Starts `molt-market provider run ...` through tsx (never a stale build). */
export function agentProcess(options: AgentProcessOptions): AgentProcess {
  const args = [
    "--import",
    "tsx",
    CLI_MAIN,
    "provider",
    "run",
    "--wallet",
    options.wallet,
    "--server",
    options.server,
    "--state-dir",
    options.stateDir,
    "--runner",
    options.runner ?? `command:${SLEEP_WORKLOAD}`,
    "--receipt-interval",
    String(options.receiptIntervalS ?? 1),
    ...(options.args ?? []),
  ];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_OPTIONS: "" } });
  const lines: string[] = [];
  const waiters = new Set<{ pattern: RegExp; resolve: (line: string) => void }>();
  const onLine = (line: string): void => {
    lines.push(line);
    for (const waiter of waiters) {
      if (waiter.pattern.test(line)) {
        waiters.delete(waiter);
        waiter.resolve(line);
      }
    }
  };
  createInterface({ input: child.stdout }).on("line", onLine);
  createInterface({ input: child.stderr }).on("line", onLine);
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      resolve(code);
    }),
  );
  return {
    pid: child.pid ?? 0,
    lines,
    exited,
    waitFor(pattern, timeoutMs = 30_000) {
      const seen = lines.find((line) => pattern.test(line));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = {
          pattern,
          resolve: (line: string): void => {
            clearTimeout(timer);
            resolve(line);
          },
        };
        const fail = (why: string): void => {
          waiters.delete(waiter);
          reject(new Error(`agent: no line matching ${String(pattern)} (${why}); it printed:\n${lines.join("\n")}`));
        };
        const timer = setTimeout(() => {
          fail(`${timeoutMs} ms passed`);
        }, timeoutMs);
        waiters.add(waiter);
        void exited.then((code) => {
          if (waiters.has(waiter)) {
            clearTimeout(timer);
            fail(`it exited with ${String(code)}`);
          }
        });
      });
    },
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
