// Withdrawing an offer stops new matches only: a job already matched on it (escrowed or running)
// still starts, completes or fails, settles or is refunded, and its GPUs never return to a book
// that could match them again. On each store, with the embedded chain.
import { afterEach, describe, expect, it } from "vitest";
import { HOUR_MS } from "../../src/core/clock.js";
import { newDisputeId } from "../../src/core/ids.js";
import { Marketplace } from "../../src/market/marketplace.js";
import { PaymentService } from "../../src/payments/payment-service.js";
import { attest, confirm, openDisputeStatement } from "../../src/settlement/statements.js";
import type { ExecutionProof } from "../../src/settlement/statements.js";
import { rejectionCode } from "../support/error-code.js";
import { postgresUrl } from "../support/postgres.js";
import { conservationErrors, openParties, postgresFactory, sqliteFactory } from "../support/market.js";
import type { Parties, StoreFactory } from "../support/market.js";

const url = await postgresUrl("withdrawn offers");
const factories: StoreFactory[] = [sqliteFactory, ...(url === undefined ? [] : [postgresFactory(url)])];

const offerInput = (provider: string) => ({
  providerId: provider,
  gpuCapacity: { gpuCount: 8, gpuModel: "NVIDIA H100 80GB", vramGb: 80 },
  pricePerHour: "2.5",
  availableHours: 48,
});
const orderInput = (buyer: string) => ({
  buyerId: buyer,
  requirements: { minGpuCount: 4, minVramGb: 40, maxPricePerHour: "3", estimatedHours: 2 },
});

for (const factory of factories) {
  describe(`an offer withdrawn under its jobs on ${factory.name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    async function setup(): Promise<{ market: Marketplace; parties: Parties; reopen: () => Promise<Marketplace> }> {
      const db = await factory.fresh();
      const parties = await openParties();
      const open = async (): Promise<Marketplace> => {
        const payments = new PaymentService({ client: parties.chain, arbiter: parties.arbiter, disputeWindowMs: HOUR_MS });
        const market = await Marketplace.open({ store: await db.open(), payments });
        cleanups.push(() => market.close().catch(() => undefined));
        return market;
      };
      const market = await open();
      cleanups.unshift(async () => {
        parties.chain.close();
        await db.dispose();
      });
      return { market, parties, reopen: open };
    }

    /** An offer with a funded job on it (started unless `start` is false), then withdrawn. */
    async function withdrawnUnderJob(
      market: Marketplace,
      parties: Parties,
      start = true,
    ): Promise<{ orderId: string; offerId: string; proof: (exitStatus: number) => ExecutionProof }> {
      const { offerId } = await market.addOffer("a1", offerInput(parties.provider.address));
      const { orderId } = await market.submitOrder("o1", orderInput(parties.buyer.address));
      const escrow = await market.fundEscrow("f1", orderId, parties.buyer);
      if (start) await market.startJob("s1", orderId, parties.provider.address);
      await market.withdrawOffer("w1", offerId, parties.provider.address);
      const proof = (exitStatus: number): ExecutionProof => ({
        escrowId: escrow.id,
        orderId,
        offerId: escrow.offerId,
        provider: parties.provider.address,
        gpuModel: "NVIDIA H100 80GB",
        gpuCount: 4,
        startedAtMs: escrow.createdAt.getTime(),
        endedAtMs: Date.now(),
        exitStatus,
        outputDigest: "a".repeat(64),
        usageDigest: "b".repeat(64),
      });
      return { orderId, offerId, proof };
    }

    /** No new order matches the withdrawn offer, before or after its job ended. */
    async function expectNoNewMatch(market: Marketplace, parties: Parties, key: string): Promise<void> {
      const again = await market.submitOrder(key, orderInput(parties.buyer.address));
      expect(again.status).toBe("Pending");
      expect(again.match).toBeUndefined();
    }

    it("a running job completes after the withdrawal and the buyer settles; the GPUs stay out of the book", async () => {
      const { market, parties } = await setup();
      const { orderId, offerId, proof } = await withdrawnUnderJob(market, parties);
      await expectNoNewMatch(market, parties, "o2");
      // What the provider's proof states of the offer outlives it: the order keeps the model.
      expect((await market.getOrder(orderId)).job.gpuModel).toBe("NVIDIA H100 80GB");
      const completed = proof(0);
      await market.completeJob("c1", orderId, attest(completed, parties.provider), parties.provider.address);
      expect((await market.getOrder(orderId)).status).toBe("Completed");
      await expectNoNewMatch(market, parties, "o3");
      expect(() => market.book.getOffer(offerId as never)).toThrow(/not found/i);
      const seconds = Math.floor((completed.endedAtMs - completed.startedAtMs) / 1000);
      const settled = await market.settle(
        "x1",
        orderId,
        { confirmation: confirm({ proof: completed, buyer: parties.buyer, accepted: true, billedSeconds: seconds }) },
        parties.buyer,
      );
      expect(settled.status).toBe("Settled");
      expect((await market.getEscrow(orderId)).state).toMatch(/Released|Refunded/);
      expect(await conservationErrors(market.store)).toEqual([]);
    });

    it("a running job fails after the withdrawal and the buyer is refunded", async () => {
      const { market, parties } = await setup();
      const { orderId, proof } = await withdrawnUnderJob(market, parties);
      expect((await market.getOrder(orderId)).job.gpuModel).toBe("NVIDIA H100 80GB");
      await market.failJob("e1", orderId, attest(proof(3), parties.provider), parties.provider.address);
      expect((await market.getOrder(orderId)).status).toBe("Failed");
      await expectNoNewMatch(market, parties, "o2");
      const refunded = await market.refund("r1", orderId, parties.buyer);
      expect(refunded.status).toBe("Refunded");
      expect((await market.getEscrow(orderId)).state).toBe("Refunded");
    });

    it("an escrowed job not yet started starts, completes and is disputed after the withdrawal, also across a restart", async () => {
      const { market, parties, reopen } = await setup();
      const { orderId, proof } = await withdrawnUnderJob(market, parties, false);
      await market.close();
      const again = await reopen();
      await again.startJob("s1", orderId, parties.provider.address);
      await again.completeJob("c1", orderId, attest(proof(0), parties.provider), parties.provider.address);
      await expectNoNewMatch(again, parties, "o2");
      const dispute = openDisputeStatement({
        id: newDisputeId(Date.now()),
        escrowId: proof(0).escrowId,
        party: parties.buyer,
        reason: "wrong output",
        evidence: [],
        openedAtMs: Date.now(),
      });
      await again.openDispute("d1", orderId, dispute);
      expect((await again.getOrder(orderId)).status).toBe("Disputed");
      expect(await rejectionCode(again.withdrawOffer("w2", proof(0).offerId, parties.provider.address))).toBe("OFFER_NOT_FOUND");
    });
  });
}
