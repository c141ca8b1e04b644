// `molt-market serve` as a process on embedded defaults: it lists the demo market on a first start,
// answers over HTTP, stops cleanly on SIGTERM, and a restart keeps the same market (no second demo).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MarketClient } from "../../src/client/client.js";
import { Wallet } from "../../src/chain/wallet.js";
import { DEMO_OFFERS } from "../../src/cli/demo-market.js";
import { CLI_MAIN, serveProcess } from "../support/serve-process.js";

describe("molt-market serve", () => {
  it("serves a demo market, stops on SIGTERM, and restarts on the same data", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "molt-serve-"));
    const first = await serveProcess(dir);
    const client = new MarketClient({ baseUrl: first.url });
    expect((await client.health()).status).toBe("ok");
    const { models } = await client.stats();
    expect(models.reduce((n, m) => n + m.offers, 0)).toBe(DEMO_OFFERS);
    expect((await client.quote({ gpus: 1, maxPrice: "100", hours: 1 })).matches.length).toBeGreaterThan(0);
    // The demo's providers are real wallets in the data directory, found by address in its index (which the
    // server names): a job on a demo offer can be funded and run.
    const indexPath = join(dir, "demo-providers", "index.json");
    const index = JSON.parse(readFileSync(indexPath, "utf8")) as { address: string; wallet: string; offers: string[] }[];
    expect(index.flatMap((entry) => entry.offers)).toHaveLength(DEMO_OFFERS);
    expect(readdirSync(join(dir, "demo-providers")).filter((file) => file !== "index.json")).toHaveLength(index.length);
    const providers = new Map<string, Wallet>(index.map((entry) => [entry.address, Wallet.fromFile(entry.wallet)] as const));
    for (const [address, wallet] of providers) expect(wallet.address).toBe(address);
    const buyer = new MarketClient({ baseUrl: first.url, wallet: Wallet.generate() });
    await buyer.airdrop("1000");
    const { orderId, match } = await buyer.submitOrder({
      requirements: { minGpuCount: 1, minVramGb: 0, maxPricePerHour: "100", estimatedHours: 1 },
    });
    const provider = providers.get(match?.providerId ?? "");
    if (provider === undefined) throw new Error(`the demo offer's provider ${match?.providerId ?? "?"} has no wallet in demo-providers`);
    expect((await buyer.fundEscrow(orderId)).state).toBe("Locked");
    expect((await new MarketClient({ baseUrl: first.url, wallet: provider }).startJob(orderId)).status).toBe("Running");
    const stopped = await first.stop();
    expect(stopped.code).toBe(0);
    expect(stopped.output).toContain("molt-market stopped");
    expect(stopped.output).toContain(`demo providers ${indexPath}`);
    const second = await serveProcess(dir);
    const seq = (await new MarketClient({ baseUrl: second.url }).health()).seq;
    expect(seq).toBeGreaterThan(DEMO_OFFERS);
    expect(
      (await new MarketClient({ baseUrl: second.url }).events(0, DEMO_OFFERS + 1)).events.filter((e) => e.type === "OfferAdded").length,
    ).toBe(DEMO_OFFERS); // none added again
    expect((await second.stop()).code).toBe(0);
  });

  it("says which port is taken instead of crashing", { timeout: 60_000 }, async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const port = (holder.address() as AddressInfo).port;
    const env = { ...process.env };
    delete env.DATABASE_URL;
    const child = spawn(
      process.execPath,
      ["--import", "tsx", CLI_MAIN, "serve", "--data-dir", mkdtempSync(join(tmpdir(), "molt-serve-")), "--port", String(port)],
      { stdio: ["ignore", "pipe", "pipe"], env },
    );
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    holder.close();
    expect(code).toBe(1);
    expect(stderr).toMatch(
      new RegExp(`error: INVALID_FIELD: invalid --port ${port}; allowed: a port this process may listen on \\(EADDRINUSE`),
    );
    expect(stderr).not.toMatch(/at Server\./);
  });
});
