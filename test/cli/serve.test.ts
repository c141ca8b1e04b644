// `molt-market serve` as a process on embedded defaults: it lists the demo market on a first start,
// answers over HTTP, stops cleanly on SIGTERM, and a restart keeps the same market (no second demo).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MarketClient } from "../../src/client/client.js";
import { DEMO_OFFERS } from "../../src/cli/serve.js";
import { serveProcess } from "./serve-process.js";

describe("molt-market serve", () => {
  it("serves a demo market, stops on SIGTERM, and restarts on the same data", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "molt-serve-"));
    const first = await serveProcess(dir);
    const client = new MarketClient({ baseUrl: first.url });
    expect((await client.health()).status).toBe("ok");
    const { models } = await client.stats();
    expect(models.reduce((n, m) => n + m.offers, 0)).toBe(DEMO_OFFERS);
    expect((await client.quote({ gpus: 1, maxPrice: "100", hours: 1 })).matches.length).toBeGreaterThan(0);
    const stopped = await first.stop();
    expect(stopped.code).toBe(0);
    expect(stopped.output).toContain("molt-market stopped");
    const second = await serveProcess(dir);
    const seq = (await new MarketClient({ baseUrl: second.url }).health()).seq;
    expect(seq).toBe(DEMO_OFFERS); // one OfferAdded per demo offer, none added again
    expect((await second.stop()).code).toBe(0);
  });
});
