// The sweeper on a manual clock: offers and resting orders expire, matches left unfunded past the
// funding window expire and free their GPUs, a job whose escrow passed
// lockedUntil without completing fails (and the buyer gets a refund), and a completed job whose
// dispute window closed without a confirmation is marked due and then settles with the provider.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { HOUR_MS, ManualClock } from "../../src/core/clock.js";
import { isMarketError } from "../../src/core/errors.js";
import { MARKET_LIMITS } from "../../src/market/limits.js";
import type { Marketplace } from "../../src/market/marketplace.js";
import { attest } from "../../src/settlement/statements.js";
import { SqlStore } from "../../src/store/sql-store.js";
import { PresentedSignature } from "../../src/chain/signer.js";
import { conservationErrors, openMarket, openParties } from "../support/market.js";
import type { Parties } from "../support/market.js";

const opened: { market: Marketplace; parties: Parties }[] = [];
afterEach(async () => {
  for (const { market, parties } of opened.splice(0)) {
    await market.close();
    parties.chain.close();
  }
});

// These rules are about funding windows and lockedUntil: the provider-loss timeout is set beyond them
// (test/market/provider-loss.test.ts covers it).
async function setup(): Promise<{ market: Marketplace; parties: Parties; clock: ManualClock }> {
  const clock = new ManualClock(Date.now());
  const parties = await openParties();
  const market = await openMarket(
    SqlStore.openSqlite(join(mkdtempSync(join(tmpdir(), "molt-sweep-")), "market.db")),
    parties,
    clock,
    undefined,
    { receiptTimeoutMs: MARKET_LIMITS.receiptTimeoutMsMax },
  );
  opened.push({ market, parties });
  return { market, parties, clock };
}

const offer = (provider: string, expiresAt?: Date) => ({
  providerId: provider,
  gpuCapacity: { gpuCount: 8, gpuModel: "H100", vramGb: 80 },
  pricePerHour: "2.5",
  availableHours: 24,
  ...(expiresAt === undefined ? {} : { expiresAt }),
});
const order = (buyer: string, gpus: number) => ({
  buyerId: buyer,
  requirements: { minGpuCount: gpus, minVramGb: 40, maxPricePerHour: "3", estimatedHours: 1 },
});

describe("Marketplace.sweep", () => {
  it("expires offers and resting orders by the clock, in the store too", async () => {
    const { market, parties, clock } = await setup();
    const { offerId } = await market.addOffer("a1", offer(parties.provider.address, new Date(clock.now() + HOUR_MS)));
    const resting = await market.submitOrder("o1", { ...order(parties.buyer.address, 16), expiresAt: new Date(clock.now() + HOUR_MS / 2) });
    expect(resting.status).toBe("Pending");
    expect(await market.sweep()).toEqual({ expiredOffers: 0, expiredOrders: 0, timedOut: 0, lost: 0, settlementsDue: 0, unfunded: 0 });
    clock.advance(2 * HOUR_MS);
    expect(await market.sweep()).toMatchObject({ expiredOffers: 1, expiredOrders: 1 });
    expect((await market.store.getOffer(offerId))?.status).toBe("Expired");
    expect((await market.getOrder(resting.orderId)).status).toBe("Expired");
    expect(market.book.offerCount).toBe(0);
  });

  it("a match the buyer does not fund within the funding window expires and its GPUs return; a funded one stays", async () => {
    const { market, parties, clock } = await setup();
    const { offerId } = await market.addOffer("a1", offer(parties.provider.address));
    const unfunded = await market.submitOrder("o1", order(parties.buyer.address, 4));
    const rehearsed = await market.submitOrder("o2", order(parties.buyer.address, 2));
    const funded = await market.submitOrder("o3", order(parties.buyer.address, 2));
    // The buyer asked for the funding transaction of o2 (its escrow is Created) but never signed it.
    expect(
      await market
        .fundEscrow("f2", rehearsed.orderId, new PresentedSignature(parties.buyer.address))
        .catch((e: unknown) => (isMarketError(e) ? e.code : e)),
    ).toBe("SIGNATURE_REQUIRED");
    await market.fundEscrow("f3", funded.orderId, parties.buyer);
    expect(market.book.getOffer(offerId as never).freeGpuCount).toBe(0);
    clock.advance(market.fundingWindowMs - 1);
    expect((await market.sweep()).unfunded).toBe(0);
    clock.advance(1);
    expect((await market.sweep()).unfunded).toBe(2);
    expect((await market.getOrder(unfunded.orderId)).status).toBe("Expired");
    expect((await market.getOrder(rehearsed.orderId)).job.failure?.reason).toMatch(/^unfunded/);
    expect((await market.getOrder(funded.orderId)).status).toBe("Escrowed");
    expect(market.book.getOffer(offerId as never).freeGpuCount).toBe(6);
    expect(await conservationErrors(market.store)).toEqual([]);
    // Neither can be funded now, and nothing moved on chain.
    for (const [key, id] of [
      ["f4", unfunded.orderId],
      ["f5", rehearsed.orderId],
    ] as const) {
      expect(await market.fundEscrow(key, id, parties.buyer).catch((e: unknown) => (isMarketError(e) ? e.code : e))).toBe(
        "INVALID_STATE_TRANSITION",
      );
    }
    expect((await parties.chain.balance(parties.buyer.address)).toString()).toBe("99995");
  });

  it("a job that never completed by lockedUntil fails, its GPUs return, and the buyer is refunded", async () => {
    const { market, parties, clock } = await setup();
    const { offerId } = await market.addOffer("a1", offer(parties.provider.address));
    const { orderId } = await market.submitOrder("o1", order(parties.buyer.address, 4));
    const escrow = await market.fundEscrow("f1", orderId, parties.buyer);
    await market.startJob("s1", orderId, parties.provider.address);
    clock.set(escrow.lockedUntil.getTime() - 1);
    expect((await market.sweep()).timedOut).toBe(0);
    expect(await market.refund("r0", orderId, parties.buyer).catch((e: unknown) => (isMarketError(e) ? e.code : e))).toBe(
      "INVALID_STATE_TRANSITION",
    );
    clock.advance(1);
    expect((await market.sweep()).timedOut).toBe(1);
    const failed = await market.getOrder(orderId);
    expect(failed.status).toBe("Failed");
    expect(failed.job.failure?.reason).toMatch(/^timeout/);
    expect(market.book.getOffer(offerId as never).freeGpuCount).toBe(8);
    expect((await market.refund("r1", orderId, parties.buyer)).status).toBe("Refunded");
    expect((await parties.chain.balance(parties.buyer.address)).toString()).toBe("100000");
  });

  it("a completed job whose dispute window closed is marked due once, then settles without a confirmation", async () => {
    const { market, parties, clock } = await setup();
    await market.addOffer("a1", offer(parties.provider.address));
    const { orderId } = await market.submitOrder("o1", order(parties.buyer.address, 2));
    const escrow = await market.fundEscrow("f1", orderId, parties.buyer);
    await market.startJob("s1", orderId, parties.provider.address);
    clock.advance(30 * 60_000);
    const proof = {
      escrowId: escrow.id,
      orderId,
      offerId: escrow.offerId,
      provider: parties.provider.address,
      gpuModel: "H100",
      gpuCount: 2,
      startedAtMs: escrow.createdAt.getTime(),
      endedAtMs: clock.now(),
      exitStatus: 0,
      outputDigest: "a".repeat(64),
      usageDigest: "b".repeat(64),
    };
    await market.completeJob("c1", orderId, attest(proof, parties.provider), parties.provider.address);
    expect(
      await market.settle("x0", orderId, { actualHours: 0.5 }, parties.provider).catch((e: unknown) => (isMarketError(e) ? e.code : e)),
    ).toBe("DISPUTE_WINDOW_OPEN");
    clock.advance(HOUR_MS);
    expect((await market.sweep()).settlementsDue).toBe(1);
    expect((await market.sweep()).settlementsDue).toBe(0);
    expect((await market.getOrder(orderId)).job.settlementDue).toBe(true);
    expect((await market.events(0, 1000)).filter((e) => e.type === "SettlementDue")).toHaveLength(1);
    const settled = await market.settle("x1", orderId, { actualHours: 0.5 }, parties.provider);
    expect(settled.status).toBe("Settled");
    expect(settled.job.settlement?.buyerRefund).toBe("2.4999998"); // 5 MOLT escrowed, 1800 s at 1,388,889 base units/s billed
  });
});
