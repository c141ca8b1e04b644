// The command runner: the workload JSON reaches the executable's stdin and MOLT_* its environment;
// the wrapper runs detached in its own process group; its exit status is learned from the file it
// writes, also by a process that is not its parent (the launching process has exited); a second
// launch finds the first; stop ends the whole group; the output digest is SHA-256 of stdout.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMAND_FILES, CommandRunner } from "../../src/agent/command-runner.js";
import type { LaunchSpec, RunRecord, RunStatus, Runner } from "../../src/agent/runner.js";
import { expectMarketError } from "../support/expect-error.js";

const WORKLOAD_EXE = new URL("../fixtures/sleep-workload.sh", import.meta.url).pathname;
const RUNNER_MODULE = new URL("../../src/agent/command-runner.ts", import.meta.url).href;
const IMAGE = `registry.example/train@sha256:${"a".repeat(64)}`;

function spec(seconds: string, code: string, change: Partial<LaunchSpec> = {}): LaunchSpec {
  return {
    orderId: "ord_cmd",
    workload: { image: IMAGE, args: [seconds, code], env: { EPOCHS: "3" } },
    gpuCount: 2,
    jobDir: mkdtempSync(join(tmpdir(), "molt-agent-run-")),
    ...change,
  };
}

/** Polls the runner until the run is no longer running (or `timeoutMs` passed). */
async function settled(runner: Runner, run: RunRecord, timeoutMs = 10_000): Promise<RunStatus> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const status = await runner.status(run);
    if (status.state !== "running" || Date.now() > until) return status;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("the command runner", () => {
  it("gives the workload JSON on stdin and MOLT_* in the environment, and digests stdout", async () => {
    const runner = new CommandRunner(WORKLOAD_EXE);
    const launch = spec("0", "0", { gpuDevices: ["0", "3"] });
    const run = await runner.launch(launch);
    expect(await settled(runner, run)).toMatchObject({ state: "exited", exitStatus: 0 });
    const stdout = readFileSync(join(launch.jobDir, COMMAND_FILES.stdout), "utf8");
    const [json, env] = stdout.split("\n");
    expect(JSON.parse(json ?? "")).toEqual(launch.workload);
    expect(env).toBe("order=ord_cmd gpus=2 devices=0,3");
    expect(await runner.outputDigest(run)).toBe(createHash("sha256").update(stdout).digest("hex"));
  });

  it("runs detached in its own process group and reports a non-zero exit", async () => {
    const runner = new CommandRunner(WORKLOAD_EXE);
    const run = await runner.launch(spec("0.5", "7"));
    if (run.kind !== "command") throw new Error("not a command run");
    expect(await runner.status(run)).toEqual({ state: "running" });
    const pgid = execFileSync("ps", ["-o", "pgid=", "-p", String(run.pid)], { encoding: "utf8" }).trim();
    expect(Number(pgid)).toBe(run.pid);
    const status = await settled(runner, run);
    expect(status).toMatchObject({ state: "exited", exitStatus: 7 });
    expect(status.state === "exited" ? status.endedAtMs : 0).toBeGreaterThan(Date.now() - 10_000);
  });

  it("learns the exit status of a workload launched by a process that has exited (not its parent)", async () => {
    const launch = spec("1", "3");
    // Another node process launches it and exits at once; this process is not the wrapper's parent.
    const script = `const { CommandRunner } = await import(${JSON.stringify(RUNNER_MODULE)});
      const run = await new CommandRunner(${JSON.stringify(WORKLOAD_EXE)}).launch(${JSON.stringify(launch)});
      process.stdout.write(JSON.stringify(run));`;
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8" });
    expect(child.status, child.stderr).toBe(0);
    const run = JSON.parse(child.stdout) as RunRecord;
    const runner = new CommandRunner(WORKLOAD_EXE);
    expect(await runner.status(run)).toEqual({ state: "running" });
    expect(await settled(runner, run)).toMatchObject({ state: "exited", exitStatus: 3 });
  });

  it("finds the launched workload again instead of starting a second, and stop ends the whole group", async () => {
    const runner = new CommandRunner(WORKLOAD_EXE);
    const launch = spec("30", "0");
    const first = await runner.launch(launch);
    const again = await new CommandRunner(WORKLOAD_EXE).launch(launch);
    expect(again).toEqual(first);
    await runner.stop(first);
    const status = await settled(runner, first, 5_000);
    expect(status.state).not.toBe("running");
    if (first.kind !== "command") throw new Error("not a command run");
    // No process of its group is left (the sleep included): each got the signal, and on a loaded
    // machine the last of them may take a moment to die after the leader has.
    const groupOf = (pid: number): string => spawnSync("pgrep", ["-g", String(pid)], { encoding: "utf8" }).stdout.trim();
    const deadline = Date.now() + 5_000;
    while (groupOf(first.pid) !== "" && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(groupOf(first.pid)).toBe("");
  });

  it("refuses an executable that is not there", () => {
    expectMarketError(() => new CommandRunner("/nonexistent/exe"), "INVALID_FIELD");
  });
});
