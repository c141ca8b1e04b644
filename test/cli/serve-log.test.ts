// `molt-market serve --log-level`: JSON request logs on stdout beside its human lines (which stay
// parseable), each with the request id the answer carries; a bad level is refused before anything starts.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { serveProcess } from "../support/serve-process.js";

describe("molt-market serve --log-level", () => {
  it("logs one JSON line per request on stdout at info by default, with the answer's request id", { timeout: 60_000 }, async () => {
    const served = await serveProcess(mkdtempSync(join(tmpdir(), "molt-serve-log-")), { args: ["--no-demo"] });
    const answer = await fetch(`${served.url}/healthz`, { headers: { "x-request-id": "probe-1" } });
    expect(answer.headers.get("x-request-id")).toBe("probe-1");
    const { code, output } = await served.stop();
    expect(code).toBe(0);
    const logs = output
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logs).toContainEqual(
      expect.objectContaining({ reqId: "probe-1", method: "GET", route: "/healthz", status: 200, msg: "request" }),
    );
    expect(output).toMatch(/^molt-market serving http:\/\/\S+$/m);
  });

  it("is silent at --log-level silent, and refuses an unknown level", { timeout: 60_000 }, async () => {
    const served = await serveProcess(mkdtempSync(join(tmpdir(), "molt-serve-log-")), { args: ["--no-demo", "--log-level", "silent"] });
    await fetch(`${served.url}/healthz`);
    const { output } = await served.stop();
    expect(output.split("\n").filter((line) => line.startsWith("{"))).toEqual([]);
    const refused = await runCli(["serve", "--data-dir", mkdtempSync(join(tmpdir(), "molt-serve-log-")), "--log-level", "loud"]);
    expect(refused.code).not.toBe(0);
    expect(refused.err).toMatch(/INVALID_FIELD: invalid --log-level "loud"; allowed: trace, debug, info, warn, error, fatal, silent/);
  });
});
