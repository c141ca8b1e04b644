// GET /v1/orders through a listening server and MarketClient.listOrders: a buyer's and a provider's
// orders in every status, newest first, each exactly as GET /v1/orders/{id} answers it (deadlines
// included), filtered by status, paged by `next`; bad queries are 4xx MarketErrors.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { MarketClient } from "../../src/client/client.js";
import { MARKET_LIMITS } from "../../src/market/limits.js";
import { attest } from "../../src/settlement/statements.js";
import type { ExecutionProof } from "../../src/settlement/statements.js";
import { rejectionCode } from "../support/error-code.js";
import { openServedMarket } from "../support/server.js";
import type { ServedMarket } from "../support/server.js";

let served: ServedMarket;
let buyer: MarketClient;
let provider: MarketClient;
let matchedId: string;
let restingId: string;
let cancelledId: string;

beforeAll(async () => {
  served = await openServedMarket({ listen: true });
  buyer = new MarketClient({ baseUrl: served.baseUrl, wallet: served.parties.buyer });
  provider = new MarketClient({ baseUrl: served.baseUrl, wallet: served.parties.provider });
  await provider.addOffer({ gpuCapacity: { gpuCount: 2, gpuModel: "RTX 4090", vramGb: 24 }, pricePerHour: "3", availableHours: 10 });
  const order = (gpus: number) => ({ requirements: { minGpuCount: gpus, minVramGb: 24, maxPricePerHour: "3", estimatedHours: 1 } });
  matchedId = (await buyer.submitOrder(order(2))).orderId;
  restingId = (await buyer.submitOrder(order(8))).orderId;
  cancelledId = (await buyer.submitOrder(order(8))).orderId;
  await buyer.cancelOrder(cancelledId);
});
afterAll(() => served.close());

describe("GET /v1/orders", () => {
  it("lists the buyer's orders in every status, newest first, each as GET /v1/orders/{id} answers it", async () => {
    const page = await buyer.listOrders({ buyer: served.parties.buyer.address });
    expect(page.orders.map((o) => [o.orderId, o.status])).toEqual([
      [cancelledId, "Cancelled"],
      [restingId, "Pending"],
      [matchedId, "Matched"],
    ]);
    expect(page.next).toBeNull();
    for (const order of page.orders) expect(order).toEqual(await buyer.getOrder(order.orderId));
  });

  it("a matched order's deadline is its funding window from the match; funded, it has its lock and its start due", async () => {
    const matched = await buyer.getOrder(matchedId);
    const fundBy = Date.parse(matched.deadlines.fundBy ?? "");
    expect(fundBy - Date.now()).toBeGreaterThan(MARKET_LIMITS.fundingWindowMs - 60_000);
    expect(fundBy - Date.now()).toBeLessThanOrEqual(MARKET_LIMITS.fundingWindowMs);
    expect(matched.deadlines).toMatchObject({ lockedUntil: null, disputeUntil: null, receiptDueBy: null });
    expect((await buyer.getOrder(restingId)).deadlines).toEqual({
      fundBy: null,
      lockedUntil: null,
      disputeUntil: null,
      receiptDueBy: null,
    });
    const escrow = await buyer.fundEscrow(matchedId);
    // A page reads its escrows in one statement, not one each.
    const one = vi.spyOn(served.market.store, "getEscrow");
    const many = vi.spyOn(served.market.store, "getEscrows");
    const funded = (await buyer.listOrders({ provider: served.parties.provider.address })).orders;
    expect(one).not.toHaveBeenCalled();
    expect(many.mock.calls).toEqual([[[funded[0]?.escrowId]]]);
    one.mockRestore();
    many.mockRestore();
    expect(funded.map((o) => o.orderId)).toEqual([matchedId]);
    expect(funded[0]?.deadlines).toEqual({
      fundBy: null,
      lockedUntil: escrow.lockedUntil,
      disputeUntil: null,
      receiptDueBy: new Date((funded[0]?.job.fundedAtMs ?? 0) + served.market.receiptTimeoutMs).toISOString(),
    });
  });

  it("running, its lock and next receipt; completed, its dispute window from the job's end; settled, none", async () => {
    const escrow = await buyer.getEscrow(matchedId);
    await provider.startJob(matchedId);
    const running = await buyer.getOrder(matchedId);
    const startedAtMs = running.job.startedAtMs ?? 0;
    expect(running.deadlines).toEqual({
      fundBy: null,
      lockedUntil: escrow.lockedUntil,
      disputeUntil: null,
      receiptDueBy: new Date(startedAtMs + served.market.receiptTimeoutMs).toISOString(),
    });
    const endedAtMs = startedAtMs + 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, endedAtMs - Date.now() + 5)));
    const proof: ExecutionProof = {
      escrowId: escrow.escrowId,
      orderId: matchedId,
      offerId: escrow.offerId,
      provider: served.parties.provider.address,
      gpuModel: "RTX 4090",
      gpuCount: 2,
      startedAtMs,
      endedAtMs,
      exitStatus: 0,
      outputDigest: "ab".repeat(32),
      usageDigest: "ab".repeat(32),
    };
    await provider.endJob(matchedId, "complete", attest(proof, served.parties.provider));
    expect((await buyer.getOrder(matchedId)).deadlines).toEqual({
      fundBy: null,
      lockedUntil: null,
      disputeUntil: new Date(endedAtMs + served.market.payments.disputeWindowMs).toISOString(),
      receiptDueBy: null,
    });
  });

  it("filters by status and by both parties; pages by next without repeats or gaps", async () => {
    const me = served.parties.buyer.address;
    const byStatus = await buyer.listOrders({ buyer: me, status: ["Pending", "Cancelled"] });
    expect(byStatus.orders.map((o) => o.orderId)).toEqual([cancelledId, restingId]);
    const both = await buyer.listOrders({ buyer: me, provider: served.parties.provider.address });
    expect(both.orders.map((o) => o.orderId)).toEqual([matchedId]);
    expect((await buyer.listOrders({ buyer: served.parties.provider.address })).orders).toEqual([]);
    const seen: string[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < 5; pages++) {
      const page = await buyer.listOrders({ buyer: me, limit: 1, ...(after === undefined ? {} : { after }) });
      seen.push(...page.orders.map((o) => o.orderId));
      if (page.next === null) break;
      after = page.next;
    }
    expect(seen).toEqual([cancelledId, restingId, matchedId]);
  });

  it("refuses a query without a party, an unknown status, a limit out of range and a bad after, in words", async () => {
    const me = served.parties.buyer.address;
    expect(await rejectionCode(buyer.listOrders({}))).toBe("INVALID_FIELD");
    await expect(buyer.listOrders({ buyer: me, status: ["Bogus"] })).rejects.toThrow(/status "Bogus".*Pending, Matched/);
    expect(await rejectionCode(buyer.listOrders({ buyer: me, limit: 0 }))).toBe("OUT_OF_RANGE");
    expect(await rejectionCode(buyer.listOrders({ buyer: me, limit: 101 }))).toBe("OUT_OF_RANGE");
    expect(await rejectionCode(buyer.listOrders({ buyer: me, after: "nope" }))).toBe("INVALID_ID");
    const raw = await served.app.inject({ method: "GET", url: "/v1/orders?buyer=not-an-address" });
    expect(raw.statusCode).toBe(400);
    expect(raw.json<{ code: string }>().code).toBe("INVALID_FIELD");
  });
});
