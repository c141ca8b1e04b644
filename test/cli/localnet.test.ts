// `molt-market localnet` as the built binary: serves JSON-RPC on a free port, stops on SIGTERM
// with its state saved, and comes back with the same mint.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const BIN = new URL("../../dist/cli/main.js", import.meta.url).pathname;

async function runOnce(dataDir: string): Promise<{ mint: string; slot: unknown; output: string; code: number | null }> {
  const child = spawn(process.execPath, [BIN, "localnet", "--port", "0", "--data-dir", dataDir], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const found = /localnet serving (\S+)/.exec(output);
      if (found?.[1] !== undefined && output.includes("\ndata ")) resolve(found[1]);
    });
    child.on("exit", (code) => {
      reject(new Error(`localnet exited with ${String(code)}: ${output}`));
    });
  });
  const reply = await fetch(url, { method: "POST", body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "getSlot" }) });
  const { result: slot } = (await reply.json()) as { result: unknown };
  const code = await new Promise<number | null>((resolve) => {
    child.removeAllListeners("exit");
    child.on("exit", (exitCode) => {
      resolve(exitCode);
    });
    child.kill("SIGTERM");
  });
  return { mint: /mint (\S+)/.exec(output)?.[1] ?? "", slot, output, code };
}

describe("molt-market localnet", () => {
  it("serves the embedded chain, saves on SIGTERM, and keeps its mint across runs", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "molt-localnet-cli-"));
    const first = await runOnce(dataDir);
    expect(typeof first.slot).toBe("number");
    expect(first.code).toBe(0);
    expect(first.output).toMatch(/state saved/);
    const second = await runOnce(dataDir);
    expect(second.mint).toBe(first.mint);
    expect(second.mint).toMatch(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/);
  }, 60_000);
});
