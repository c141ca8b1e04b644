// `order submit --workload FILE --rematch` and what `order show` then tells the buyer, through the
// CLI against a real listening server: the workload goes with the order, a failed job names its
// successor with the next command, and the successor says which order it continues.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openServedMarket } from "../support/server.js";
import type { ServedMarket } from "../support/server.js";
import { runCli } from "../support/cli.js";
import type { CliRun } from "../support/cli.js";

let served: ServedMarket;
const dir = mkdtempSync(join(tmpdir(), "molt-cli-rematch-"));

beforeAll(async () => {
  served = await openServedMarket({ listen: true });
});
afterAll(() => served.close());

const cli = (...argv: string[]): Promise<CliRun> => runCli([...argv, "--server", served.baseUrl]);

describe("re-match from the CLI", () => {
  it("a failed job of a --rematch order names its successor and the command to fund it", async () => {
    const [first, second, buyer] = ["p1.json", "p2.json", "buyer.json"].map((name) => join(dir, name));
    for (const wallet of [first, second, buyer]) await cli("wallet", "new", "--wallet", wallet ?? "");
    await cli("wallet", "airdrop", "100", "--wallet", buyer ?? "");
    for (const [wallet, price] of [
      [first, "1"],
      [second, "1.5"],
    ] as const)
      await cli(
        "offer",
        "add",
        "--gpus",
        "2",
        "--model",
        "L4",
        "--vram",
        "24",
        "--price",
        price,
        "--hours",
        "24",
        "--wallet",
        wallet ?? "",
      );
    const workloadFile = join(dir, "workload.json");
    writeFileSync(workloadFile, JSON.stringify({ image: `ghcr.io/acme/job@sha256:${"ef".repeat(32)}`, args: ["--fast"] }));
    const badFile = join(dir, "bad.json");
    writeFileSync(badFile, JSON.stringify({ image: "ghcr.io/acme/job:latest" }));
    const refused = await cli(
      "order",
      "submit",
      "--gpus",
      "2",
      "--max-price",
      "2",
      "--hours",
      "3",
      "--workload",
      badFile,
      "--wallet",
      buyer ?? "",
    );
    expect(refused.code).not.toBe(0);
    expect(refused.err).toMatch(/workload\.image.*pinned by digest/);
    const submitted = await cli(
      "order",
      "submit",
      "--gpus",
      "2",
      "--max-price",
      "2",
      "--hours",
      "3",
      "--workload",
      workloadFile,
      "--rematch",
      "--wallet",
      buyer ?? "",
      "--json",
    );
    expect(submitted.code, submitted.err).toBe(0);
    const { orderId } = JSON.parse(submitted.out) as { orderId: string };
    expect((await cli("escrow", "fund", orderId, "--wallet", buyer ?? "")).code).toBe(0);
    expect((await cli("job", "start", orderId, "--wallet", first ?? "")).code).toBe(0);
    const failed = await cli("job", "fail", orderId, "--exit", "2", "--wallet", first ?? "");
    expect(failed.code, failed.err).toBe(0);
    const shown = await cli("order", "show", orderId);
    const successor = /successor order (\S+) for the remaining hours/.exec(shown.out)?.[1] ?? "";
    expect(shown.out).toContain(`fund it with molt-market escrow fund ${successor}`);
    expect(shown.out).toMatch(/failed +exit status 2/);
    const next = await cli("order", "show", successor);
    expect(next.out).toContain(`continues ${orderId}`);
    expect(next.out).toMatch(/Matched/);
    const secondAddress = (JSON.parse((await cli("wallet", "show", "--wallet", second ?? "", "--json")).out) as { address: string })
      .address;
    expect(next.out).toContain(secondAddress);
  });
});
