// The command runner: a provider-chosen executable gets the job's workload as JSON on stdin and
// MOLT_ORDER_ID, MOLT_GPU_COUNT (and MOLT_GPU_DEVICES when known) in its environment. A tiny
// /bin/sh wrapper, launched detached in its own process group, runs it with stdout and stderr in
// files of the job's folder and writes its exit status to a file, so an agent that restarted (and
// is no longer its parent) still learns how it ended. Spawns processes and reads and writes files.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MarketError } from "../core/errors.js";
import { digestOf } from "./execution-proof.js";
import type { LaunchSpec, RunRecord, RunStatus, Runner } from "./runner.js";

/** The files of a command run, in its job folder. */
export const COMMAND_FILES = {
  workload: "workload.json",
  stdout: "stdout",
  stderr: "stderr",
  exitStatus: "exit-status",
  pid: "pid",
} as const;

// $0 the executable, $1 stdin, $2 stdout, $3 stderr, $4 the exit status file: written to a temporary
// file and renamed, so a reader never sees half a number.
const WRAPPER = `"$0" < "$1" > "$2" 2> "$3"; status=$?; echo "$status" > "$4.tmp" && mv "$4.tmp" "$4"`;

/** Is a process with this id alive (signal 0 checks without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // ESRCH: no such process; EPERM: another user's, so the pid was reused and ours is gone.
    return false;
  }
}

/** The exit status a finished wrapper wrote, with when it wrote it, or undefined while there is none. */
function writtenStatus(jobDir: string): { exitStatus: number; endedAtMs: number } | undefined {
  const file = join(jobDir, COMMAND_FILES.exitStatus);
  if (!existsSync(file)) return undefined;
  const exitStatus = Number(readFileSync(file, "utf8").trim());
  return { exitStatus: Number.isInteger(exitStatus) ? exitStatus : -1, endedAtMs: Math.floor(statSync(file).mtimeMs) };
}

/**
 * A Runner over one executable. Invariant: one launch per job folder (a second launch finds the
 * first by its pid file); the workload outlives the agent.
 * @throws INVALID_FIELD (the executable is missing) from the constructor
 */
export class CommandRunner implements Runner {
  constructor(private readonly executable: string) {
    if (!existsSync(executable))
      throw new MarketError("INVALID_FIELD", { field: "--runner", value: JSON.stringify(executable), allowed: "an executable file" });
  }

  /** Launches the wrapper detached, or finds the one already launched for this job folder. @throws Error (spawn failed) */
  launch(spec: LaunchSpec): Promise<RunRecord> {
    const pidFile = join(spec.jobDir, COMMAND_FILES.pid);
    if (existsSync(pidFile)) return Promise.resolve({ kind: "command", pid: Number(readFileSync(pidFile, "utf8")), jobDir: spec.jobDir });
    const file = (name: string): string => join(spec.jobDir, name);
    writeFileSync(file(COMMAND_FILES.workload), JSON.stringify(spec.workload), { mode: 0o600 });
    const env: NodeJS.ProcessEnv = { ...process.env, MOLT_ORDER_ID: spec.orderId, MOLT_GPU_COUNT: String(spec.gpuCount) };
    if (spec.gpuDevices !== undefined) env.MOLT_GPU_DEVICES = spec.gpuDevices.join(",");
    const child = spawn(
      "/bin/sh",
      [
        "-c",
        WRAPPER,
        this.executable,
        file(COMMAND_FILES.workload),
        file(COMMAND_FILES.stdout),
        file(COMMAND_FILES.stderr),
        file(COMMAND_FILES.exitStatus),
      ],
      { detached: true, stdio: "ignore", cwd: spec.jobDir, env },
    );
    return new Promise((resolve, reject) => {
      child.once("error", reject);
      child.once("spawn", () => {
        const pid = child.pid ?? 0;
        writeFileSync(pidFile, String(pid));
        child.unref();
        resolve({ kind: "command", pid, jobDir: spec.jobDir });
      });
    });
  }

  /** Exited (the wrapper wrote a status), running (its process group leader is alive), or gone. */
  status(run: RunRecord): Promise<RunStatus> {
    const written = writtenStatus(run.jobDir);
    if (written !== undefined) return Promise.resolve({ state: "exited", ...written });
    if (run.kind === "command" && alive(run.pid)) return Promise.resolve({ state: "running" });
    // The wrapper may have written its status between the two looks.
    const late = writtenStatus(run.jobDir);
    return Promise.resolve(late === undefined ? { state: "gone" } : { state: "exited", ...late });
  }

  /** SIGTERM to the wrapper's whole process group. */
  stop(run: RunRecord): Promise<void> {
    if (run.kind === "command" && run.pid > 0 && alive(run.pid)) {
      try {
        process.kill(-run.pid, "SIGTERM");
      } catch {
        // Gone meanwhile.
      }
    }
    return Promise.resolve();
  }

  /** SHA-256 of the stdout file (of nothing when there is none). */
  outputDigest(run: RunRecord): Promise<string> {
    const stdout = join(run.jobDir, COMMAND_FILES.stdout);
    return Promise.resolve(digestOf(existsSync(stdout) ? stdout : undefined, "stdout"));
  }
}
