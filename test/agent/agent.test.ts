// The agent's loop over an in-memory market (no feed reachable: its re-scan must do): it waits for a
// server that does not answer yet, takes a funded order of an offer it serves and starts it, leaves
// alone an order of an offer it was told not to serve, resumes a saved job, and stops cleanly.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ProviderAgent } from "../../src/agent/agent.js";
import { AgentStateDir } from "../../src/agent/agent-state.js";
import { Wallet } from "../../src/chain/wallet.js";
import { ManualClock } from "../../src/core/clock.js";
import { FAKE_ORDER_ID, fakeAgentMarket, fakeRunner } from "../support/fake-agent-market.js";

const provider = Wallet.fromSeed(Buffer.alloc(32, 6));
/** A port nothing listens on: the live feed never connects, so only the re-scan finds orders. */
const NO_FEED = "http://127.0.0.1:9";

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !condition();) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

function setup(offers?: readonly string[]) {
  const clock = new ManualClock(Date.parse("2026-12-01T09:00:00Z"));
  const market = fakeAgentMarket(provider, clock);
  const runner = fakeRunner(clock);
  const stateDir = mkdtempSync(join(tmpdir(), "molt-agent-loop-"));
  const lines: string[] = [];
  const agent = new ProviderAgent({
    client: market.client,
    baseUrl: NO_FEED,
    wallet: provider,
    runner,
    stateDir,
    offers,
    clock,
    log: (line) => lines.push(line),
  });
  return { market, runner, stateDir, lines, agent };
}

describe("the agent's loop", () => {
  it("waits for the server, takes the funded order of its offer from the scan, starts it, and stops cleanly", async () => {
    const { market, lines, agent } = setup();
    const health = market.client.health.bind(market.client);
    let refusals = 2;
    market.client.health = () => (refusals-- > 0 ? Promise.reject(new Error("connection refused")) : health());
    await agent.start();
    expect(lines.filter((line) => line.startsWith("server: connection refused"))).toHaveLength(1);
    await until(() => lines.some((line) => line.startsWith(`started ${FAKE_ORDER_ID}`)));
    expect(market.status()).toBe("Running");
    expect(agent.jobs).toEqual([FAKE_ORDER_ID]);
    await agent.stop();
    expect(lines.at(-1)).toBe("stopped; 1 job(s) left to a restart (their workloads keep running)");
  });

  it("leaves alone an order of an offer it was not told to serve", async () => {
    const { market, agent } = setup(["ofr_someother"]);
    await agent.start();
    await new Promise((r) => setTimeout(r, 600));
    expect(agent.jobs).toEqual([]);
    expect(market.status()).toBe("Escrowed");
    await agent.stop();
  });

  it("resumes a job saved in its state directory without starting or launching it again", async () => {
    const first = setup();
    await first.agent.start();
    await until(() => first.lines.some((line) => line.startsWith(`started ${FAKE_ORDER_ID}`)));
    await first.agent.stop();
    const { market, runner, stateDir } = first;
    const lines: string[] = [];
    const again = new ProviderAgent({
      client: market.client,
      baseUrl: NO_FEED,
      wallet: provider,
      runner,
      stateDir,
      log: (l) => lines.push(l),
    });
    await again.start();
    expect(lines).toContain(`resumed ${FAKE_ORDER_ID}: running, re-attaching to its workload`);
    runner.exit(0);
    await until(() => market.status() === "Completed");
    await again.stop();
    expect(runner.launches).toBe(1);
    expect(market.keys.filter((key) => key.endsWith(":start"))).toHaveLength(1);
    expect(new AgentStateDir(stateDir).load(FAKE_ORDER_ID)?.phase).toBe("settling");
  });
});
