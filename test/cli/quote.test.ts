// The quote command: in process through main(), and once as the built binary.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import type { CliRun } from "../support/cli.js";

const run = (args: string[]): Promise<CliRun> => runCli(args);

const ISSUE_FLAGS = [
  "quote",
  "--gpus",
  "4",
  "--vram",
  "40",
  "--max-price",
  "15",
  "--hours",
  "8",
  "--feature",
  "nvlink",
  "--region",
  "us-east-1",
];

describe("molt-market quote", () => {
  it("prints the best matches of the sample market with each score's breakdown", async () => {
    const { code, out } = await run(ISSUE_FLAGS);
    expect(code).toBe(0);
    expect(out).toMatch(/^10 best of 400 offers/);
    const rows = out.trim().split("\n").slice(3);
    expect(rows).toHaveLength(10);
    for (const row of rows) {
      expect(row).toContain("us-east-1");
      const cells = row.trim().split(/\s{2,}/);
      const [score, ...parts] = cells.slice(-8).map(Number);
      // The parts add up to the score (each printed to 3 decimals, the score to 4).
      expect(Math.abs(parts.reduce((a, b) => a + b, 0) - (score ?? 0))).toBeLessThan(0.004);
    }
  });

  it("--json gives matches with decimal-string amounts, ordered by score, all satisfying the order", async () => {
    const { code, out } = await run([...ISSUE_FLAGS, "--json", "--limit", "25", "--budget", "100"]);
    expect(code).toBe(0);
    const parsed = JSON.parse(out) as {
      matches: { score: number; pricePerHour: string; totalCost: string; gpuCount: number; hours: number }[];
    };
    expect(parsed.matches.length).toBeGreaterThan(0);
    for (const [i, m] of parsed.matches.entries()) {
      expect(typeof m.pricePerHour).toBe("string");
      expect(Number(m.totalCost)).toBeLessThanOrEqual(100);
      expect(m.gpuCount).toBe(4);
      expect(m.hours).toBe(8);
      if (i > 0) expect(m.score).toBeLessThanOrEqual(parsed.matches[i - 1]?.score ?? 1);
    }
  });

  it("says what to change when nothing matches", async () => {
    const { code, out } = await run(["quote", "--gpus", "8", "--max-price", "0.01", "--hours", "8"]);
    expect(code).toBe(0);
    expect(out).toMatch(/No offer among 400 satisfies this order. Try a higher --max-price/);
  });

  it("refuses bad flags with the error code and what is allowed", async () => {
    expect(await run(["quote", "--gpus", "0", "--max-price", "15", "--hours", "8"])).toMatchObject({
      code: 1,
      err: expect.stringMatching(/OUT_OF_RANGE: requirements.minGpuCount 0 is out of range; allowed 1..1024/) as unknown,
    });
    expect((await run(["quote", "--gpus", "4", "--max-price", "1.2.3", "--hours", "8"])).err).toMatch(/INVALID_AMOUNT/);
    expect((await run(["quote", "--gpus", "4", "--max-price", "15", "--hours", "8", "--feature", "warp-drive"])).err).toMatch(
      /INVALID_FIELD: invalid --feature "warp-drive"; allowed: NvLink, Infiniband/,
    );
    expect((await run(["quote", "--gpus", "4", "--max-price", "15"])).err).toMatch(/--hours/);
    expect((await run(["quote", "--gpus", "4", "--max-price", "15", "--hours", "8", "--country", "XX"])).err).toMatch(/ISO 3166-1/);
    expect(await run(["quote", "--bogus"])).toMatchObject({ code: 2 });
    expect(await run(["nonsense"])).toMatchObject({ code: 2 });
  });

  it("reads another market file and reports a bad offer by its index", async () => {
    const dir = mkdtempSync(join(tmpdir(), "molt-quote-"));
    const file = join(dir, "market.json");
    writeFileSync(
      file,
      JSON.stringify({
        offers: [
          { providerId: "p", gpuCapacity: { gpuCount: 2, gpuModel: "H100", vramGb: 80 }, pricePerHour: "2", availableHours: 10 },
          {
            providerId: "p",
            gpuCapacity: { gpuCount: 2, gpuModel: "H100", vramGb: 80 },
            pricePerHour: "2",
            availableHours: 10,
            features: ["Teleport"],
          },
        ],
      }),
    );
    expect((await run(["quote", "--gpus", "1", "--max-price", "3", "--hours", "2", "--market", file])).err).toMatch(
      /offers\[1\]\.features\[0\]/,
    );
    writeFileSync(file, "{ not json");
    expect((await run(["quote", "--gpus", "1", "--max-price", "3", "--hours", "2", "--market", file])).err).toMatch(/valid JSON/);
    expect((await run(["quote", "--gpus", "1", "--max-price", "3", "--hours", "2", "--market", join(dir, "missing.json")])).err).toMatch(
      /readable JSON market file/,
    );
  });

  it("works as the built binary", () => {
    const bin = new URL("../../dist/cli/main.js", import.meta.url);
    expect(existsSync(bin), "dist/cli/main.js is missing: npm test builds before it runs tests (npm run build)").toBe(true);
    const out = execFileSync(process.execPath, [bin.pathname, ...ISSUE_FLAGS.slice(0, 9), "--json", "--limit", "3"], { encoding: "utf8" });
    expect((JSON.parse(out) as { matches: unknown[] }).matches).toHaveLength(3);
    const failed = spawnSync(process.execPath, [bin.pathname, "quote", "--gpus", "x"], { encoding: "utf8" });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/error: INVALID_FIELD: invalid --gpus "x"; allowed: a whole number/);
  });
});
