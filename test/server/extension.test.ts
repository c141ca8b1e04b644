// Extending a job over HTTP, through the typed client and a real listening server (SQLite +
// embedded chain): the buyer's client is asked to co-sign the deposit, checks it, signs it, and the
// escrow grows on chain; refusals come back as MarketErrors with their HTTP status and codes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MarketClient } from "../../src/client/client.js";
import { Amount } from "../../src/core/amount.js";
import { isMarketError } from "../../src/core/errors.js";
import type { ChainStepProgress } from "../../src/client/chain-steps.js";
import type { Parties } from "../support/market.js";
import { openServedMarket } from "../support/server.js";
import type { ServedMarket } from "../support/server.js";

let served: ServedMarket;
let parties: Parties;
let baseUrl: string;

beforeAll(async () => {
  served = await openServedMarket({ listen: true });
  ({ parties, baseUrl } = served);
});
afterAll(() => served.close());

/** A running job of 4 GPUs for 2 h on an offer taking jobs of at most 6 h, at 2.5 MOLT per GPU-hour. */
async function runningJob(): Promise<{ readonly buyer: MarketClient; readonly provider: MarketClient; readonly orderId: string }> {
  const provider = new MarketClient({ baseUrl, wallet: parties.provider });
  const buyer = new MarketClient({ baseUrl, wallet: parties.buyer });
  await provider.addOffer({ gpuCapacity: { gpuCount: 8, gpuModel: "H100", vramGb: 80 }, pricePerHour: "2.5", availableHours: 6 });
  const { orderId } = await buyer.submitOrder({ requirements: { minGpuCount: 4, minVramGb: 40, maxPricePerHour: "3", estimatedHours: 2 } });
  await buyer.fundEscrow(orderId);
  await provider.startJob(orderId);
  return { buyer, provider, orderId };
}

describe("POST /v1/orders/{id}/extend", () => {
  it("the buyer's client checks and co-signs the deposit; the escrow, its account on chain and the match grow", async () => {
    const { buyer, orderId } = await runningJob();
    const before = await buyer.getEscrow(orderId);
    const balance = (await buyer.balance(parties.buyer.address)).molt;
    const progress: ChainStepProgress[] = [];
    const extended = await buyer.extendJob(orderId, 3, { key: "extend-1", onProgress: (p) => progress.push(p) });
    expect(progress.map((p) => p.phase)).toEqual(["preparing", "signing", "confirming"]);
    expect(progress[1]).toMatchObject({ summary: expect.stringContaining("moves 30 MOLT from your wallet into escrow") as string });
    expect(extended).toMatchObject({ orderId, addedHours: 3, addedMolt: "30", amount: "50", allocatedSeconds: 5 * 3600 });
    expect(Date.parse(extended.lockedUntil) - Date.parse(before.lockedUntil)).toBe(3 * 3_600_000);
    const escrow = await buyer.getEscrow(orderId);
    expect(escrow.amount).toBe("50");
    expect((await served.parties.chain.balance(parties.buyer.address)).toString()).toBe(
      Amount.parse(balance).sub(Amount.parse("30")).toString(),
    );
    const order = await buyer.getOrder(orderId);
    expect(order.match?.hours).toBe(5);
    expect(order.match?.totalCost).toBe("50");
    expect(order.job.extensions).toEqual([
      { hours: 3, amount: "30", atMs: expect.any(Number) as number, transactionId: extended.transactionId as string },
    ]);
    // The same key again: the same answer, nothing sent.
    expect(await buyer.extendJob(orderId, 3, { key: "extend-1" })).toEqual(extended);
    expect((await buyer.getEscrow(orderId)).amount).toBe("50");
    expect((await buyer.events(0, 1000)).events.some((e) => e.type === "JobExtended")).toBe(true);
  });

  it("refuses the provider (403), more hours than the offer takes (409 EXTENSION_REFUSED), bad bodies (400)", async () => {
    const { buyer, provider, orderId } = await runningJob();
    await expect(provider.extendJob(orderId, 1)).rejects.toMatchObject({ code: "FORBIDDEN", httpStatus: 403 });
    const refused = await buyer.extendJob(orderId, 5).catch((e: unknown) => e);
    if (!isMarketError(refused, "EXTENSION_REFUSED")) throw new Error(`expected EXTENSION_REFUSED, got ${String(refused)}`);
    expect(refused.details.extendableHours).toBe(4);
    expect(refused.message).toContain("takes jobs of at most 6 h; this job has 2 h: extend by at most 4 h");
    for (const hours of [0, 1.5, "2"]) await expect(buyer.extendJob(orderId, hours as number)).rejects.toMatchObject({ httpStatus: 400 });
    expect((await buyer.getEscrow(orderId)).amount).toBe("20");
  });

  it("is in the OpenAPI document under jobs, signed, with body and response schemas", async () => {
    const response = await served.app.inject({ method: "GET", url: "/docs/json" });
    const document = response.json<{ paths: Record<string, Record<string, Record<string, unknown>>> }>();
    const operation = document.paths["/v1/orders/{id}/extend"]?.post;
    expect(operation?.tags).toEqual(["jobs"]);
    expect(operation?.security).toBeDefined();
    expect(operation?.requestBody).toBeDefined();
    expect(operation?.responses).toHaveProperty("200");
  });
});
