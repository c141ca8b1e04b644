// `molt-market serve` as a process on embedded defaults: it lists the demo market on a first start,
// answers over HTTP, stops cleanly on SIGTERM, and a restart keeps the same market (no second demo).
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { MarketClient } from "../../src/client/client.js";
import { DEMO_OFFERS } from "../../src/cli/serve.js";

const main = new URL("../../src/cli/main.ts", import.meta.url).pathname;

/** Starts serve in `dir`; resolves with its URL and a stop function that resolves to its output and exit code. */
function serve(dir: string): Promise<{ url: string; stop: () => Promise<{ code: number | null; output: string }> }> {
  const env = { ...process.env };
  delete env.DATABASE_URL; // the embedded defaults: SQLite in the data directory
  const child = spawn(process.execPath, ["--import", "tsx", main, "serve", "--data-dir", dir, "--port", "0"], { stdio: ["ignore", "pipe", "inherit"], env });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => { resolve(code); }));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on("line", (line) => {
      output += `${line}\n`;
      const match = /^molt-market serving (http:\/\/\S+)$/.exec(line);
      if (match?.[1] !== undefined) {
        resolve({
          url: match[1],
          stop: async () => {
            child.kill("SIGTERM");
            const code = await exited;
            return { code, output };
          },
        });
      }
    });
    void exited.then((code) => {
      reject(new Error(`serve exited early with ${String(code)}: ${output}`));
    });
  });
}

describe("molt-market serve", () => {
  it("serves a demo market, stops on SIGTERM, and restarts on the same data", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "molt-serve-"));
    const first = await serve(dir);
    const client = new MarketClient({ baseUrl: first.url });
    expect((await client.health()).status).toBe("ok");
    const { models } = await client.stats();
    expect(models.reduce((n, m) => n + m.offers, 0)).toBe(DEMO_OFFERS);
    expect((await client.quote({ gpus: 1, maxPrice: "100", hours: 1 })).matches.length).toBeGreaterThan(0);
    const stopped = await first.stop();
    expect(stopped.code).toBe(0);
    expect(stopped.output).toContain("molt-market stopped");
    const second = await serve(dir);
    const seq = (await new MarketClient({ baseUrl: second.url }).health()).seq;
    expect(seq).toBe(DEMO_OFFERS); // one OfferAdded per demo offer, none added again
    expect((await second.stop()).code).toBe(0);
  });
});
