// The docker runner: `docker run` gets the workload's image (pinned by digest), the job's GPUs and
// the workload's environment, under the name molt-<orderId>, and never a mount, device or privilege
// flag; a restart finds the container again by name; a finished container's logs are saved and
// digested before it is removed. Against a real docker daemon where `docker info` works.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMAND_FILES } from "../../src/agent/command-runner.js";
import { DockerRunner, dockerRunArgs } from "../../src/agent/docker-runner.js";
import type { DockerExec } from "../../src/agent/docker-runner.js";
import type { LaunchSpec } from "../../src/agent/runner.js";
import { expectMarketError } from "../support/expect-error.js";

const IMAGE = `registry.example/train:v3@sha256:${"b".repeat(64)}`;

function spec(change: Partial<LaunchSpec> = {}): LaunchSpec {
  return {
    orderId: "ord_docker",
    workload: { image: IMAGE, command: ["python", "-m", "train"], args: ["--epochs", "3"], env: { EPOCHS: "3" } },
    gpuCount: 2,
    jobDir: mkdtempSync(join(tmpdir(), "molt-agent-docker-")),
    ...change,
  };
}

describe("docker run's arguments", () => {
  it("run the pinned image with the job's devices, its env and MOLT_*, and no mount or privilege", () => {
    const args = dockerRunArgs(spec({ gpuDevices: ["0", "1"] }), "none");
    expect(args.slice(0, 4)).toEqual(["run", "--detach", "--name", "molt-ord_docker"]);
    expect(args[args.indexOf("--gpus") + 1]).toBe('"device=0,1"');
    expect(args[args.indexOf("--network") + 1]).toBe("none");
    const envs = args.flatMap((arg, i) => (args[i - 1] === "--env" ? [arg] : []));
    expect(envs).toEqual(["EPOCHS=3", "MOLT_ORDER_ID=ord_docker", "MOLT_GPU_COUNT=2", "MOLT_GPU_DEVICES=0,1"]);
    expect(args[args.indexOf("--entrypoint") + 1]).toBe("python");
    expect(args.slice(args.indexOf(IMAGE))).toEqual([IMAGE, "-m", "train", "--epochs", "3"]);
    for (const flag of ["--volume", "-v", "--mount", "--privileged", "--device", "--cap-add", "--pid", "--ipc", "--user"]) {
      expect(args.slice(0, args.indexOf(IMAGE))).not.toContain(flag);
    }
  });

  it("give a GPU count when the devices are not known, and refuse an order without a workload", () => {
    const args = dockerRunArgs(spec(), "bridge");
    expect(args[args.indexOf("--gpus") + 1]).toBe("2");
    expect(args).not.toContain("MOLT_GPU_DEVICES");
    expectMarketError(() => dockerRunArgs(spec({ workload: null }), "none"), "INVALID_FIELD");
  });

  it("a workload's env never overrides MOLT_* (the agent's values come last and win)", () => {
    const args = dockerRunArgs(spec({ workload: { image: IMAGE, env: { MOLT_ORDER_ID: "forged" } } }), "none");
    const ids = args.filter((arg) => arg.startsWith("MOLT_ORDER_ID="));
    expect(ids).toEqual(["MOLT_ORDER_ID=ord_docker"]);
  });
});

describe("the docker runner over a scripted docker CLI", () => {
  it("re-attaches by name, reports the exit, saves the logs, digests stdout and removes the container", async () => {
    const calls: string[][] = [];
    let exists = false;
    const docker: DockerExec = (args, files) => {
      calls.push([...args]);
      const [verb] = args;
      if (verb === "inspect")
        return Promise.resolve(
          exists ? { code: 0, stdout: "exited 4 2026-12-01T10:00:05Z\n", stderr: "" } : { code: 1, stdout: "", stderr: "No such object" },
        );
      if (verb === "run") exists = true;
      if (verb === "rm") exists = false;
      if (verb === "logs" && files !== undefined) {
        spawnSync("sh", ["-c", `printf 'epoch 3 done\\n' > "${files.stdout}"; : > "${files.stderr}"`]);
      }
      return Promise.resolve({ code: 0, stdout: "", stderr: "" });
    };
    const runner = new DockerRunner("none", docker);
    const launch = spec();
    const run = await runner.launch(launch);
    expect(await runner.launch(launch)).toEqual(run);
    expect(calls.filter(([verb]) => verb === "run")).toHaveLength(1);
    expect(await runner.status(run)).toEqual({ state: "exited", exitStatus: 4, endedAtMs: Date.parse("2026-12-01T10:00:05Z") });
    const digest = await runner.outputDigest(run);
    expect(digest).toBe(createHash("sha256").update("epoch 3 done\n").digest("hex"));
    expect(readFileSync(join(launch.jobDir, COMMAND_FILES.stdout), "utf8")).toBe("epoch 3 done\n");
    expect(calls.at(-1)).toEqual(["rm", "--force", "molt-ord_docker"]);
    // Removed: the saved logs still give the same digest; the status of a removed container is gone.
    expect(await runner.outputDigest(run)).toBe(digest);
    expect(await runner.status(run)).toEqual({ state: "gone" });
  });
});

const dockerWorks = spawnSync("docker", ["info"], { stdio: "ignore", timeout: 10_000 }).status === 0;
if (!dockerWorks) console.warn("SKIPPED: the docker runner against a real daemon (`docker info` fails here: no docker daemon)");

describe.skipIf(!dockerWorks)("the docker runner against a real daemon", () => {
  it("runs a pinned busybox, learns its exit status by name, and digests its output", { timeout: 120_000 }, async () => {
    const pulled = spawnSync("docker", ["pull", "busybox:1.36"], { encoding: "utf8" });
    expect(pulled.status, pulled.stderr).toBe(0);
    const digest = spawnSync("docker", ["image", "inspect", "--format", "{{index .RepoDigests 0}}", "busybox:1.36"], { encoding: "utf8" });
    const image = digest.stdout.trim();
    const runner = new DockerRunner("none");
    const launch = spec({ orderId: `ord_dk${process.pid}`, gpuCount: 0, workload: { image, command: ["sh", "-c", "echo hi; exit 5"] } });
    // A daemon without a GPU runtime refuses any --gpus: that is said loudly, and the rest is not checked.
    const run = await runner.launch(launch).catch((e: unknown) => {
      console.warn(`SKIPPED: docker run with --gpus failed here (no GPU runtime?): ${String(e)}`);
      return undefined;
    });
    if (run === undefined) return;
    for (let i = 0; i < 100 && (await runner.status(run)).state === "running"; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await runner.status(run)).toMatchObject({ state: "exited", exitStatus: 5 });
    expect(await runner.outputDigest(run)).toBe(createHash("sha256").update("hi\n").digest("hex"));
  });
});
