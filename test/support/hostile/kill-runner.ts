// The kill test's side of a kill-worker process: starts it ahead of its round, hands it its
// arguments, reads its lines and sends SIGKILL at the chosen moment. Kills only its own child.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { KillStep } from "./kill-worker.js";

const worker = new URL("./kill-worker.ts", import.meta.url).pathname;

/** How long a worker may take to reach its step before the round fails. */
const WORKER_READY_MS_MAX = 30_000;

/** What a kill is timed from: the worker's "step" line, or the chain transaction inside the step. */
export type Anchor = "step" | "sending" | "sent";

/** The worker's "step" line: the step it calls, on which order, under which idempotency key. */
export interface StepLine {
  readonly name: KillStep;
  readonly orderId: string;
  readonly key: string;
}

/**
 * A worker process, started ahead of its round so that loading it overlaps the check of the round
 * before; it touches no file until `run` hands it its arguments. Invariant: `run` resolves only
 * when the worker reached its step and was then ended by SIGKILL.
 */
export class KillWorker {
  private readonly child: ChildProcess;
  private onLine: (line: string) => void = () => undefined;
  private readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;

  constructor() {
    this.child = spawn(process.execPath, ["--import", "tsx", worker], { stdio: ["pipe", "pipe", "inherit"] });
    this.exited = new Promise((resolve) =>
      this.child.on("exit", (code, signal) => {
        resolve({ code, signal });
      }),
    );
    createInterface({ input: this.child.stdout as Readable }).on("line", (line) => {
      this.onLine(line);
    });
  }

  /**
   * Runs the worker to its step and kills it `delayMs` after `anchor`; resolves with the step and every later line.
   * @throws when the worker ends before its step, or by itself
   */
  async run(
    args: readonly string[],
    anchor: Anchor,
    delayMs: number,
  ): Promise<{ readonly step: StepLine; readonly after: readonly string[] }> {
    let step: StepLine | undefined;
    const after: string[] = [];
    let timer: NodeJS.Timeout | undefined;
    const stall = setTimeout(() => {
      this.kill();
    }, WORKER_READY_MS_MAX);
    this.onLine = (line) => {
      const [word = "", name = "", orderId = "", key = ""] = line.split(" ");
      if (word === "step" && step === undefined) {
        step = { name: name as KillStep, orderId, key };
        clearTimeout(stall);
      } else if (step !== undefined) {
        after.push(line);
      }
      // A step without the anchored line (a transaction refused before sending) is killed at "done" or "error".
      if (timer === undefined && (word === anchor || word === "done" || word === "error"))
        timer = setTimeout(() => {
          this.kill();
        }, delayMs);
    };
    this.child.stdin?.write(`${JSON.stringify(args)}\n`);
    const { code, signal } = await this.exited;
    clearTimeout(stall);
    if (signal === "SIGKILL" && step !== undefined) return { step, after };
    throw new Error(`worker ended without reaching its step or by itself: code ${String(code)}, signal ${String(signal)}`);
  }

  /** Sends SIGKILL to this worker (and only to it). */
  kill(): void {
    this.child.kill("SIGKILL");
  }
}
