// What the agent asks of a runner, the thing that launches a job's workload next to the GPUs:
// launch it detached (so it outlives the agent), find it again from a record saved in the state
// directory, tell whether it still runs or how it ended, stop it, and digest its output. Types only.
import type { Workload } from "../core/workload.js";
import type { Telemetry } from "../settlement/usage-receipt.js";

/** What a runner needs to launch one job. */
export interface LaunchSpec {
  readonly orderId: string;
  readonly workload: Workload | null;
  readonly gpuCount: number;
  /** The host's GPU devices allocated to the job (indexes or UUIDs), when the provider says which. */
  readonly gpuDevices?: readonly string[] | undefined;
  /** A folder of the job's own (runner files: stdout, stderr, exit status). */
  readonly jobDir: string;
}

/** How a runner finds a launched workload again, after a restart too (saved as JSON in the job's record). */
export type RunRecord =
  | { readonly kind: "command"; readonly pid: number; readonly jobDir: string }
  | { readonly kind: "docker"; readonly container: string; readonly jobDir: string };

/** Where a workload is: running, exited with a status (and when, if known), or gone without a trace of its status. */
export type RunStatus =
  | { readonly state: "running" }
  | { readonly state: "exited"; readonly exitStatus: number; readonly endedAtMs?: number }
  | { readonly state: "gone" };

/**
 * Launches and watches workloads. Invariants: `launch` of an order already launched finds the
 * same workload rather than starting a second; a launched workload keeps running when the agent exits.
 */
export interface Runner {
  /** Starts the workload detached. @throws INVALID_FIELD (a workload this runner refuses), Error (could not start) */
  launch(spec: LaunchSpec): Promise<RunRecord>;
  /** Whether the workload still runs, or how it ended. Never throws for a workload that is gone: `{ state: "gone" }`. */
  status(run: RunRecord): Promise<RunStatus>;
  /** Stops the workload (all its processes) if it still runs. */
  stop(run: RunRecord): Promise<void>;
  /** SHA-256 (hex) of the workload's output (its stdout), once it ended. */
  outputDigest(run: RunRecord): Promise<string>;
  /** GPU telemetry of the running workload, when the runner can read it. */
  telemetry?(run: RunRecord): Promise<Telemetry | undefined>;
}
