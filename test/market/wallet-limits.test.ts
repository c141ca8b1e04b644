// Orders are backed and wallets are capped: a wallet with no MOLT holds no one's GPUs, a buyer's
// orders together never commit more than its balance, the buyer cancels a match it has not funded
// and the GPUs return at once (on a second node too), and one wallet cannot flood the book with
// offers or resting orders. On each store, with the embedded chain.
import { afterEach, describe, expect, it } from "vitest";
import { Wallet } from "../../src/chain/wallet.js";
import { Amount } from "../../src/core/amount.js";
import { HOUR_MS } from "../../src/core/clock.js";
import { isMarketError } from "../../src/core/errors.js";
import { Marketplace } from "../../src/market/marketplace.js";
import { PaymentService } from "../../src/payments/payment-service.js";
import { rejectionCode } from "../support/error-code.js";
import { postgresUrl } from "../support/postgres.js";
import { conservationErrors, openParties, postgresFactory, sqliteFactory } from "../support/market.js";
import type { Parties, StoreFactory } from "../support/market.js";

const url = await postgresUrl("per-wallet limits");
const factories: StoreFactory[] = [sqliteFactory, ...(url === undefined ? [] : [postgresFactory(url)])];

const offerInput = (provider: string, gpuCount = 8) => ({
  providerId: provider,
  gpuCapacity: { gpuCount, gpuModel: "NVIDIA H100 80GB", vramGb: 80 },
  pricePerHour: "2.5",
  availableHours: 48,
});
/** 4 GPUs for 2 hours at most 3 MOLT per GPU-hour: 24 MOLT at worst, 20 MOLT when matched at 2.5. */
const orderInput = (buyer: string, gpus = 4) => ({
  buyerId: buyer,
  requirements: { minGpuCount: gpus, minVramGb: 40, maxPricePerHour: "3", estimatedHours: 2 },
});

for (const factory of factories) {
  describe(`per-wallet limits on ${factory.name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    async function setup(
      buyerMolt: string,
      limits: ConstructorParameters<typeof Object>[0] = {},
    ): Promise<{ market: Marketplace; second: Marketplace; parties: Parties }> {
      const db = await factory.fresh();
      const parties = await openParties(buyerMolt);
      const open = async (nodeId: string): Promise<Marketplace> =>
        Marketplace.open({
          store: await db.open(),
          payments: new PaymentService({ client: parties.chain, arbiter: parties.arbiter, disputeWindowMs: HOUR_MS }),
          nodeId,
          walletLimits: limits as never,
          follow: false,
        });
      const market = await open("node-a");
      const second = await open("node-b");
      cleanups.push(async () => {
        await market.close().catch(() => undefined);
        await second.close().catch(() => undefined);
        parties.chain.close();
        await db.dispose();
      });
      return { market, second, parties };
    }

    it("a wallet with no MOLT holds no GPUs; a buyer's orders together stay within its balance", async () => {
      const { market, parties } = await setup("60");
      await market.addOffer("a1", offerInput(parties.provider.address));
      // Before: a fresh wallet with 0 MOLT took GPUs for the whole funding window.
      const broke = Wallet.generate();
      const refused = await market.submitOrder("o0", orderInput(broke.address)).catch((e: unknown) => e);
      expect(isMarketError(refused, "INSUFFICIENT_FUNDS")).toBe(true);
      expect(market.book.activeOffers()[0]?.freeGpuCount).toBe(8);
      // 60 MOLT: one match (20 MOLT committed) and one resting order of 6 GPUs (36 MOLT at worst) fit; a third of 6 MOLT does not.
      expect((await market.submitOrder("o1", orderInput(parties.buyer.address))).status).toBe("Matched");
      expect((await market.submitOrder("o2", orderInput(parties.buyer.address, 6))).status).toBe("Pending");
      const third = await market.submitOrder("o3", orderInput(parties.buyer.address, 1)).catch((e: unknown) => e);
      expect(isMarketError(third, "INSUFFICIENT_FUNDS") && third.details).toMatchObject({
        available: "60",
        committed: "56",
        required: "62",
      });
      // A repeat of an accepted order's key replays its answer; it is not refused as a new commitment.
      expect((await market.submitOrder("o1", orderInput(parties.buyer.address))).status).toBe("Matched");
    });

    it("the buyer cancels a match it has not funded: the GPUs return at once, on the other node too; a funded one cannot be cancelled", async () => {
      const { market, second, parties } = await setup("100");
      await market.addOffer("a1", offerInput(parties.provider.address));
      const { orderId } = await market.submitOrder("o1", orderInput(parties.buyer.address));
      const offerId = (await market.getOrder(orderId)).offerId as never;
      expect(market.book.getOffer(offerId).freeGpuCount).toBe(4);
      expect(await rejectionCode(market.cancelOrder("c0", orderId, parties.provider.address))).toBe("FORBIDDEN");
      await market.cancelOrder("c1", orderId, parties.buyer.address);
      expect((await market.getOrder(orderId)).status).toBe("Cancelled");
      expect(market.book.getOffer(offerId).freeGpuCount).toBe(8);
      expect(await rejectionCode(market.fundEscrow("f1", orderId, parties.buyer))).toBe("INVALID_STATE_TRANSITION");
      // The second node follows the cancellation (and its AllocationReleased) from the event table.
      await second.follow();
      expect(second.book.getOffer(offerId).freeGpuCount).toBe(8);
      expect(await conservationErrors(market.store)).toEqual([]);
      const funded = await market.submitOrder("o2", orderInput(parties.buyer.address));
      await market.fundEscrow("f2", funded.orderId, parties.buyer);
      expect(await rejectionCode(market.cancelOrder("c2", funded.orderId, parties.buyer.address))).toBe("INVALID_STATE_TRANSITION");
    });

    it("a buyer's unfunded matches count on every node and after a restart, until funded or cancelled", async () => {
      const { market, second, parties } = await setup("60", { unfundedMatchesPerBuyerMax: 2 });
      await market.addOffer("a1", offerInput(parties.provider.address, 16));
      const buyer = parties.buyer.address;
      // 20 MOLT matched on node a: node b counts it in its own batch (it catches up on the event table first).
      const first = await market.submitOrder("o1", orderInput(buyer));
      expect(first.status).toBe("Matched");
      const o2 = await second.submitOrder("o2", orderInput(buyer));
      expect(o2.status).toBe("Matched");
      const capped = await second.submitOrder("o3", orderInput(buyer, 1)).catch((e: unknown) => e);
      expect(isMarketError(capped, "LIMIT_EXCEEDED") && capped.details.limit).toBe("unfundedMatchesPerBuyerMax");
      // A restarted node loads the commitment from the store.
      const restarted = await Marketplace.open({
        store: market.store,
        payments: new PaymentService({ client: parties.chain, arbiter: parties.arbiter, disputeWindowMs: HOUR_MS }),
        nodeId: "node-c",
        walletLimits: { unfundedMatchesPerBuyerMax: 2 },
        follow: false,
      });
      expect(await rejectionCode(restarted.submitOrder("o4", orderInput(buyer, 1)))).toBe("LIMIT_EXCEEDED");
      // Funded on node a, then cancelled on node c: each stops counting on every node.
      await market.fundEscrow("f1", first.orderId, parties.buyer);
      expect((await restarted.submitOrder("o5", orderInput(buyer, 1))).status).toBe("Matched");
      const third = await second.submitOrder("o6", orderInput(buyer, 1)).catch((e: unknown) => e);
      expect(isMarketError(third, "LIMIT_EXCEEDED") && third.details.limit).toBe("unfundedMatchesPerBuyerMax");
      await restarted.cancelOrder("c2", o2.orderId, buyer);
      expect((await second.submitOrder("o7", orderInput(buyer, 1))).status).toBe("Matched");
      await restarted.close();
    });

    it("one wallet cannot flood the book: live offers and resting orders are capped per wallet", async () => {
      const { market, parties } = await setup("1000", { offersPerProviderMax: 3, restingOrdersPerBuyerMax: 2 });
      for (let i = 0; i < 3; i++)
        await market.addOffer(`a${i}`, { ...offerInput(parties.provider.address, 1), pricePerHour: "0.000000001" });
      const over = await market.addOffer("a3", offerInput(parties.provider.address)).catch((e: unknown) => e);
      expect(isMarketError(over, "LIMIT_EXCEEDED") && over.details.limit).toBe("offersPerProviderMax");
      // Another provider is not held back by this one's cap.
      await market.addOffer("b0", offerInput(Wallet.generate().address));
      const big = (key: string) =>
        market.submitOrder(key, {
          ...orderInput(parties.buyer.address, 16),
          requirements: { ...orderInput(parties.buyer.address, 16).requirements, maxPricePerHour: "1" },
        });
      expect((await big("o1")).status).toBe("Pending");
      expect((await big("o2")).status).toBe("Pending");
      const third = await big("o3").catch((e: unknown) => e);
      expect(isMarketError(third, "LIMIT_EXCEEDED") && third.details.limit).toBe("restingOrdersPerBuyerMax");
      expect(market.book.restingLoadOf(parties.buyer.address)).toEqual({ count: 2, worstCaseBaseUnits: 2n * Amount.parse("32").baseUnits });
    });
  });
}
