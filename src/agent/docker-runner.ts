// The docker runner: `docker run` of the workload's image (pinned by digest) with the job's GPUs,
// the workload's environment, no host mounts and no privileges, detached under the name
// molt-<orderId>, so a restarted agent finds it again with `docker inspect`. The container is kept
// after it exits until its logs are saved to the job's folder (stdout digested) and its exit status
// read, then removed. Runs the docker CLI; reads and writes files.
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import { join } from "node:path";
import { MarketError } from "../core/errors.js";
import type { Workload } from "../core/workload.js";
import { COMMAND_FILES } from "./command-runner.js";
import { digestOf } from "./execution-proof.js";
import type { LaunchSpec, RunRecord, RunStatus, Runner } from "./runner.js";

/** Seconds `docker stop` waits for a workload to exit after SIGTERM before it kills it. */
export const DOCKER_STOP_GRACE_S = 10;
/** Most bytes of a docker command's output kept in memory (inspect, run); logs go to files. */
const DOCKER_OUTPUT_BYTES_MAX = 64 * 1024;

/** What a docker command answered. */
export interface DockerResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `docker <args>`; with `stdoutFile`/`stderrFile`, its output goes to those files instead. */
export type DockerExec = (args: readonly string[], files?: { readonly stdout: string; readonly stderr: string }) => Promise<DockerResult>;

/** The docker CLI on PATH. */
export const dockerCli: DockerExec = (args, files) =>
  new Promise((resolve, reject) => {
    const fds = files === undefined ? undefined : [openSync(files.stdout, "w", 0o600), openSync(files.stderr, "w", 0o600)];
    const child = spawn("docker", [...args], { stdio: ["ignore", fds?.[0] ?? "pipe", fds?.[1] ?? "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      if (stdout.length < DOCKER_OUTPUT_BYTES_MAX) stdout += chunk;
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      if (stderr.length < DOCKER_OUTPUT_BYTES_MAX) stderr += chunk;
    });
    child.once("error", reject);
    child.once("close", (code) => {
      for (const fd of fds ?? []) closeSync(fd);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });

/** The container's name for an order. */
export function containerName(orderId: string): string {
  return `molt-${orderId}`;
}

/**
 * The arguments of `docker run` for a job. Invariants: the image is the workload's, pinned by
 * digest; no volume, mount, device or privilege flag; the workload's env cannot set MOLT_*.
 * @throws INVALID_FIELD (no workload)
 */
export function dockerRunArgs(spec: LaunchSpec, network: string): string[] {
  const workload: Workload | null = spec.workload;
  if (workload === null)
    throw new MarketError("INVALID_FIELD", { field: "workload", value: "null", allowed: "a workload (the docker runner runs its image)" });
  const gpus = spec.gpuDevices === undefined ? String(spec.gpuCount) : `"device=${spec.gpuDevices.join(",")}"`;
  const env: Record<string, string> = { ...workload.env, MOLT_ORDER_ID: spec.orderId, MOLT_GPU_COUNT: String(spec.gpuCount) };
  if (spec.gpuDevices !== undefined) env.MOLT_GPU_DEVICES = spec.gpuDevices.join(",");
  const [entrypoint, ...commandRest] = workload.command ?? [];
  return [
    "run",
    "--detach",
    "--name",
    containerName(spec.orderId),
    "--label",
    `molt.order=${spec.orderId}`,
    "--gpus",
    gpus,
    "--network",
    network,
    "--security-opt",
    "no-new-privileges",
    ...Object.entries(env).flatMap(([name, value]) => ["--env", `${name}=${value}`]),
    ...(entrypoint === undefined ? [] : ["--entrypoint", entrypoint]),
    workload.image,
    ...commandRest,
    ...(workload.args ?? []),
  ];
}

/** A Runner over the docker CLI. Invariant: one container per order (its name), found again after a restart. */
export class DockerRunner implements Runner {
  constructor(
    private readonly network = "none",
    private readonly docker: DockerExec = dockerCli,
  ) {}

  /** Starts the container, or finds the one already there. @throws INVALID_FIELD (no workload), Error (docker refused) */
  async launch(spec: LaunchSpec): Promise<RunRecord> {
    const record: RunRecord = { kind: "docker", container: containerName(spec.orderId), jobDir: spec.jobDir };
    if ((await this.inspect(record.container)) !== undefined) return record;
    const run = await this.docker(dockerRunArgs(spec, this.network));
    if (run.code !== 0) throw new Error(`docker run failed (${run.code}): ${run.stderr.trim()}`);
    return record;
  }

  private async inspect(container: string): Promise<{ status: string; exitCode: number; finishedAtMs: number } | undefined> {
    const answer = await this.docker(["inspect", "--format", "{{.State.Status}} {{.State.ExitCode}} {{.State.FinishedAt}}", container]);
    if (answer.code !== 0) return undefined;
    const [status = "", exitCode = "-1", finishedAt = ""] = answer.stdout.trim().split(" ");
    return { status, exitCode: Number(exitCode), finishedAtMs: Date.parse(finishedAt) };
  }

  /** Running (or starting), exited with its code and time, or gone (no such container). */
  async status(run: RunRecord): Promise<RunStatus> {
    if (run.kind !== "docker") return { state: "gone" };
    const state = await this.inspect(run.container);
    if (state === undefined) return { state: "gone" };
    if (state.status === "exited" || state.status === "dead") {
      return {
        state: "exited",
        exitStatus: state.exitCode,
        ...(Number.isFinite(state.finishedAtMs) ? { endedAtMs: state.finishedAtMs } : {}),
      };
    }
    return { state: "running" };
  }

  /** `docker stop` (SIGTERM, then SIGKILL after DOCKER_STOP_GRACE_S). */
  async stop(run: RunRecord): Promise<void> {
    if (run.kind === "docker") await this.docker(["stop", "--time", String(DOCKER_STOP_GRACE_S), run.container]);
  }

  /** Saves the container's logs to the job folder (once), removes the container, and digests its stdout. */
  async outputDigest(run: RunRecord): Promise<string> {
    const stdout = join(run.jobDir, COMMAND_FILES.stdout);
    if (run.kind === "docker" && (await this.inspect(run.container)) !== undefined) {
      const logs = await this.docker(["logs", run.container], { stdout, stderr: join(run.jobDir, COMMAND_FILES.stderr) });
      if (logs.code === 0) await this.docker(["rm", "--force", run.container]);
    }
    return digestOf(existsSync(stdout) ? stdout : undefined, "stdout");
  }
}
