// Reputation end to end through the HTTP app: three providers with the same offer and different
// histories (settled, failed by exit status, lost) rank in a quote as the documented estimate says;
// GET /v1/providers/{address}, MarketClient.provider and `molt-market provider show` explain it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Wallet } from "../../src/chain/wallet.js";
import { MarketClient } from "../../src/client/client.js";
import type { ProviderView } from "../../src/contract/providers.js";
import { REPUTATION_MODEL, reputationEstimate } from "../../src/market/reputation-ledger.js";
import { SCORE_WEIGHTS } from "../../src/orderbook/score.js";
import { runCli } from "../support/cli.js";
import { driveJob, providersWithOffers } from "../support/reputation-market.js";
import type { TestTime } from "../support/reputation-market.js";
import { openServedMarket } from "../support/server.js";
import type { ServedMarket } from "../support/server.js";

const realTime: TestTime = {
  now: () => Date.now(),
  pass: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

let served: ServedMarket;
let settled: Wallet;
let failed: Wallet;
let lost: Wallet;
const orderIds: Record<string, string> = {};

beforeAll(async () => {
  served = await openServedMarket({ listen: true, market: { receiptTimeoutMs: 1000 } });
  [settled, failed, lost] = (await providersWithOffers(served.market, 3, Date.now())) as [Wallet, Wallet, Wallet];
  orderIds.settled = await driveJob(served.market, served.parties, settled, "settled", realTime);
  orderIds.failed = await driveJob(served.market, served.parties, failed, "failed", realTime);
  orderIds.lost = await driveJob(served.market, served.parties, lost, "lost", realTime);
}, 60_000);
afterAll(() => served.close());

async function providerView(wallet: Wallet): Promise<ProviderView> {
  const response = await served.app.inject({ method: "GET", url: `/v1/providers/${wallet.address}` });
  expect(response.statusCode).toBe(200);
  return response.json<ProviderView>();
}

describe("reputation over HTTP", () => {
  it("three providers at the same price rank settled > failed (exit status) > lost, as the estimate says", async () => {
    const response = await served.app.inject({ method: "GET", url: "/v1/quote?gpus=1&vram=40&maxPrice=3&hours=1&limit=3" });
    expect(response.statusCode).toBe(200);
    const matches = response.json<{ matches: { providerId: string; scoreBreakdown: { reputation: number } }[] }>().matches;
    expect(matches.map((m) => m.providerId)).toEqual([settled.address, failed.address, lost.address]);
    // The documented estimate: (1 + s) / (2 + s + f) with the outcome weights of REPUTATION_MODEL, no decay (one outcome each).
    const expected = [
      reputationEstimate(1, 0),
      reputationEstimate(0, REPUTATION_MODEL.weights.failedExitStatus.failure),
      reputationEstimate(0, 1),
    ];
    expect(expected).toEqual([2 / 3, 1 / 2.25, 1 / 3]);
    matches.forEach((match, i) => {
      expect(match.scoreBreakdown.reputation).toBeCloseTo(SCORE_WEIGHTS.reputation * (expected[i] ?? 0), 6);
    });
  });

  it("GET /v1/providers/{address} shows the counts, the estimate, the prior and the recent outcomes", async () => {
    const view = await providerView(lost);
    expect(view.counts).toEqual({ settled: 0, disputeWon: 0, disputeLost: 0, failedExitStatus: 0, lost: 1, timedOut: 0 });
    expect(view.estimate).toBe(1 / 3);
    expect(view.prior).toEqual({ successes: 1, failures: 1, halfLifeMs: REPUTATION_MODEL.halfLifeMs });
    expect(view.recent).toEqual([{ orderId: orderIds.lost, outcome: "lost", atMs: expect.any(Number) as number }]);
    expect((await providerView(settled)).counts.settled).toBe(1);
    expect((await providerView(failed)).counts.failedExitStatus).toBe(1);
    // A provider never seen has the prior mean; a malformed address is refused.
    const stranger = await served.app.inject({ method: "GET", url: `/v1/providers/${served.parties.buyer.address}` });
    expect(stranger.json<ProviderView>()).toMatchObject({ estimate: 0.5, recent: [], uptime: null });
    const bad = await served.app.inject({ method: "GET", url: "/v1/providers/not-an-address" });
    expect(bad.statusCode).toBe(400);
  });

  it("MarketClient.provider and `molt-market provider show` give the same view, as text and --json", async () => {
    const client = new MarketClient({ baseUrl: served.baseUrl });
    expect(await client.provider(settled.address)).toEqual(await providerView(settled));
    const text = await runCli(["provider", "show", settled.address, "--server", served.baseUrl]);
    expect(text.code).toBe(0);
    expect(text.out).toContain(`provider ${settled.address}`);
    expect(text.out).toContain("estimate    0.6667");
    expect(text.out).toContain("settled 1  failed 0  lost 0");
    const json = await runCli(["provider", "show", failed.address, "--server", served.baseUrl, "--json"]);
    expect(JSON.parse(json.out)).toEqual(await providerView(failed));
    const missing = await runCli(["provider", "show", "--server", served.baseUrl]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("INVALID_FIELD");
  });
});
