// GET /metrics through a real listening server while a job runs end to end (offer, order, funding
// on the embedded chain, start, completion, settlement co-signed by the buyer): the request
// histograms by route pattern, the commands and their outcomes, the chain transactions and their
// confirm latency, the settled volume and fees to the base unit, the sweeper's actions and the
// live feed's clients all move, and no raw id becomes a label.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { MarketClient } from "../../src/client/client.js";
import { Amount } from "../../src/core/amount.js";
import { attest, confirm } from "../../src/settlement/statements.js";
import { openServedMarket } from "../support/server.js";
import type { ServedMarket } from "../support/server.js";

let served: ServedMarket;
let buyer: MarketClient;
let provider: MarketClient;

beforeAll(async () => {
  served = await openServedMarket({ listen: true });
  buyer = new MarketClient({ baseUrl: served.baseUrl, wallet: served.parties.buyer });
  provider = new MarketClient({ baseUrl: served.baseUrl, wallet: served.parties.provider });
});
afterAll(() => served.close());

/** The Prometheus text of /metrics. */
async function scrape(): Promise<string> {
  const answer = await fetch(`${served.baseUrl}/metrics`);
  expect(answer.headers.get("content-type")).toMatch(/^text\/plain/);
  return answer.text();
}

/** The value of one series (labels as Prometheus prints them, in order), or undefined when it is absent. */
function value(text: string, name: string, labels = ""): number | undefined {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${name}${labels === "" ? "" : `{${labels}}`} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

/** Base units of a decimal MOLT string. */
const baseUnits = (molt: string): number => Number(Amount.parse(molt).baseUnits);

describe("GET /metrics", () => {
  it("counts requests per route pattern with latency histograms, commands, chain transactions, payouts and sweeps of a full job", async () => {
    await provider.addOffer({ gpuCapacity: { gpuCount: 2, gpuModel: "RTX 4090", vramGb: 24 }, pricePerHour: "3", availableHours: 10 });
    const { orderId } = await buyer.submitOrder({
      requirements: { minGpuCount: 2, minVramGb: 24, maxPricePerHour: "3", estimatedHours: 1, preferredModels: [] },
    });
    await expect(provider.cancelOrder(orderId)).rejects.toMatchObject({ code: "FORBIDDEN" });
    const escrow = await buyer.fundEscrow(orderId);
    await provider.startJob(orderId);
    const startedAtMs = (await buyer.getOrder(orderId)).job.startedAtMs ?? 0;
    const proof = {
      escrowId: escrow.escrowId,
      orderId,
      offerId: escrow.offerId,
      provider: served.parties.provider.address,
      gpuModel: "RTX 4090",
      gpuCount: 2,
      startedAtMs,
      endedAtMs: startedAtMs + 2000,
      exitStatus: 0,
      outputDigest: "ab".repeat(32),
      usageDigest: "ab".repeat(32),
    };
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, proof.endedAtMs - Date.now() + 5)));
    await provider.endJob(orderId, "complete", attest(proof, served.parties.provider));
    const confirmation = confirm({ proof, buyer: served.parties.buyer, accepted: true, billedSeconds: 2 });
    const settled = await buyer.settle(orderId, { actualHours: (2 / 3600).toFixed(9), confirmation });
    const settlement = settled.job.settlement;
    if (settlement === undefined) throw new Error("the job was not settled");
    await served.market.sweep();
    expect((await fetch(`${served.baseUrl}/v1/nowhere/${orderId}`)).status).toBe(404);

    const text = await scrape();
    const http = 'method="GET",route="/v1/orders/:id",status_class="2xx"';
    expect(value(text, "molt_http_request_duration_seconds_count", http)).toBeGreaterThanOrEqual(1);
    expect(value(text, "molt_http_request_duration_seconds_bucket", `le="10",${http}`)).toBe(
      value(text, "molt_http_request_duration_seconds_count", http),
    );
    expect(value(text, "molt_http_requests_total", 'method="POST",route="/v1/orders/:id/cancel",status="403"')).toBe(1);
    expect(value(text, "molt_http_requests_total", 'method="GET",route="unmatched",status="404"')).toBe(1);
    expect(text, "a raw id never becomes a label").not.toContain(orderId);

    expect(value(text, "molt_commands_total", 'command="submitOrder",outcome="ok"')).toBe(1);
    expect(value(text, "molt_commands_total", 'command="cancelOrder",outcome="FORBIDDEN"')).toBe(1);
    expect(value(text, "molt_commands_total", 'command="completeJob",outcome="ok"')).toBe(1);
    expect(value(text, "molt_commands_total", 'command="sweep",outcome="ok"')).toBe(1);

    expect(value(text, "molt_chain_transactions_total", 'kind="fundEscrow",outcome="ok"')).toBe(1);
    expect(value(text, "molt_chain_transactions_total", 'kind="settle",outcome="ok"')).toBe(1);
    // Each party co-signs on its own side: the first try of each step only asks for the signature, and sends nothing.
    expect(value(text, "molt_commands_total", 'command="fundEscrow.open",outcome="ok"')).toBeGreaterThanOrEqual(2);
    expect(text).not.toMatch(/molt_chain_transactions_total\{[^}]*outcome="SIGNATURE_REQUIRED"/);
    expect(value(text, "molt_chain_transaction_confirm_seconds_count", 'kind="settle"')).toBe(1);
    expect(value(text, "molt_chain_transaction_confirm_seconds_sum", 'kind="fundEscrow"')).toBeGreaterThan(0);

    expect(value(text, "molt_payouts_total", `op="settle",status="${settlement.status}"`)).toBe(1);
    const volume = baseUnits(settlement.providerPayment) + baseUnits(settlement.platformFee);
    expect(volume).toBeGreaterThan(0);
    expect(value(text, "molt_settled_volume_base_units_total", 'op="settle"')).toBe(volume);
    expect(value(text, "molt_platform_fees_base_units_total", 'op="settle"')).toBe(baseUnits(settlement.platformFee));
    expect(value(text, "molt_refunded_base_units_total", 'op="settle"')).toBe(baseUnits(settlement.buyerRefund));

    for (const kind of ["expiredOffers", "expiredOrders", "unfunded", "timedOut", "lost", "settlementsDue"])
      expect(value(text, "molt_sweeper_actions_total", `kind="${kind}"`), kind).toBe(0);
  });

  it("counts the live feed's clients while they are connected", async () => {
    expect(value(await scrape(), "molt_feed_clients")).toBe(0);
    const socket = new WebSocket(`${served.baseUrl.replace("http", "ws")}/v1/feed`);
    await new Promise((resolve, reject) => {
      socket.on("open", resolve);
      socket.on("error", reject);
    });
    expect(value(await scrape(), "molt_feed_clients")).toBe(1);
    const closed = new Promise((resolve) => socket.on("close", resolve));
    socket.close();
    await closed;
    await expect.poll(async () => value(await scrape(), "molt_feed_clients")).toBe(0);
  });
});
