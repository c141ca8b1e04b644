// The Marketplace end to end on each store (SQLite, and PostgreSQL when reachable) with the
// embedded chain: idempotent commands, the order lifecycle through settlement, disputes and
// refunds, a restart that rebuilds the same book, and GPU conservation in the database.
import { afterEach, describe, expect, it } from "vitest";
import { Amount } from "../../src/core/amount.js";
import { newDisputeId } from "../../src/core/ids.js";
import type { Marketplace } from "../../src/market/marketplace.js";
import { attest, confirm, openDisputeStatement } from "../../src/settlement/statements.js";
import type { ExecutionProof } from "../../src/settlement/statements.js";
import type { Store } from "../../src/store/store.js";
import { rejectionCode } from "../support/error-code.js";
import { postgresUrl } from "../support/postgres.js";
import { conservationErrors, openMarket, openParties, postgresFactory, sqliteFactory } from "../support/market.js";
import type { Parties, StoreFactory } from "../support/market.js";

const url = await postgresUrl("Marketplace");
const factories: StoreFactory[] = [sqliteFactory, ...(url === undefined ? [] : [postgresFactory(url)])];

const offerInput = (provider: string, gpuCount = 8) => ({
  providerId: provider,
  gpuCapacity: { gpuCount, gpuModel: "NVIDIA H100 80GB", vramGb: 80 },
  pricePerHour: "2.5",
  availableHours: 48,
});
const orderInput = (buyer: string, gpus = 4, hours = 2) => ({
  buyerId: buyer,
  requirements: { minGpuCount: gpus, minVramGb: 40, maxPricePerHour: "3", estimatedHours: hours },
});

for (const factory of factories) {
  describe(`Marketplace on ${factory.name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });
    async function setup(): Promise<{
      market: Marketplace;
      parties: Parties;
      reopen: () => Promise<Marketplace>;
      openStore: () => Promise<Store>;
    }> {
      const db = await factory.fresh();
      const parties = await openParties();
      const markets: Marketplace[] = [];
      const reopen = async (): Promise<Marketplace> => {
        const market = await openMarket(await db.open(), parties);
        markets.push(market);
        return market;
      };
      cleanups.push(async () => {
        for (const market of markets) await market.close().catch(() => undefined);
        parties.chain.close();
        await db.dispose();
      });
      return { market: await reopen(), parties, reopen, openStore: db.open };
    }

    it("commands are idempotent: a repeated key returns the first answer; another request under it is refused", async () => {
      const { market, parties } = await setup();
      const first = await market.addOffer("offer-1", offerInput(parties.provider.address));
      expect(await market.addOffer("offer-1", offerInput(parties.provider.address))).toEqual(first);
      expect(market.book.offerCount).toBe(1);
      expect(await rejectionCode(market.addOffer("offer-1", offerInput(parties.provider.address, 4)))).toBe("IDEMPOTENCY_KEY_REUSED");
      const submitted = await Promise.all([
        market.submitOrder("order-1", orderInput(parties.buyer.address)),
        market.submitOrder("order-1", orderInput(parties.buyer.address)),
      ]);
      expect(submitted[0]).toEqual(submitted[1]);
      expect(submitted[0].status).toBe("Matched");
      expect(market.book.getOffer(first.offerId as never).freeGpuCount).toBe(4);
      expect(
        await rejectionCode(
          market.submitOrder("order-2", {
            ...orderInput(parties.buyer.address),
            requirements: { ...orderInput(parties.buyer.address).requirements, minGpuCount: 0 },
          }),
        ),
      ).toBe("OUT_OF_RANGE");
      expect(await rejectionCode(market.cancelOrder("cancel-1", submitted[0].orderId, parties.provider.address))).toBe("FORBIDDEN");
    });

    it("a resting order is served by a later offer; a restart rebuilds the same book and the event feed resumes", async () => {
      const { market, parties, reopen } = await setup();
      const resting = await market.submitOrder("o1", orderInput(parties.buyer.address, 6));
      expect(resting.status).toBe("Pending");
      await market.addOffer("a1", offerInput(parties.provider.address, 8));
      expect((await market.getOrder(resting.orderId)).status).toBe("Matched");
      await market.submitOrder("o2", orderInput(parties.buyer.address, 4)); // rests: 2 GPUs left
      await market.addOffer("a2", offerInput(parties.provider.address, 2));
      const paused = await market.addOffer("a3", offerInput(parties.provider.address, 16));
      await market.pauseOffer("p3", paused.offerId, parties.provider.address);
      const before = market.book.snapshot();
      const quote = (m: Marketplace): string[] =>
        m.book
          .bestOffers(
            {
              minGpuCount: 1,
              minVramGb: 0,
              preferredModels: [],
              maxPricePerHour: Amount.parse("9"),
              estimatedHours: 1,
              requiredFeatures: [],
            },
            10,
          )
          .map((o) => `${o.id}:${o.freeGpuCount}`);
      const quoted = quote(market);
      const seq = market.lastSeq;
      await market.close();
      const again = await reopen();
      expect(again.book.snapshot()).toEqual(before);
      expect(quote(again)).toEqual(quoted);
      expect(again.lastSeq).toBe(seq);
      const feed = await again.events(0, 100);
      expect(feed.map((e) => e.seq)).toEqual(Array.from({ length: seq }, (_, i) => i + 1));
      expect(feed.map((e) => e.type)).toContain("OrderMatched");
      expect(await conservationErrors(again.store)).toEqual([]);
    });

    it("fund -> start -> complete -> settle: escrow Released, order Settled, balances exact on chain", async () => {
      const { market, parties } = await setup();
      await market.addOffer("a1", offerInput(parties.provider.address, 8));
      const { orderId } = await market.submitOrder("o1", orderInput(parties.buyer.address, 4, 2));
      const escrow = await market.fundEscrow("f1", orderId, parties.buyer);
      expect(escrow.state).toBe("Locked");
      expect((await market.fundEscrow("f1", orderId, parties.buyer)).id).toBe(escrow.id); // a repeat changes nothing
      expect((await market.getOrder(orderId)).status).toBe("Escrowed");
      expect(await rejectionCode(market.startJob("s0", orderId, parties.buyer.address))).toBe("FORBIDDEN");
      await market.startJob("s1", orderId, parties.provider.address);
      const proof: ExecutionProof = {
        escrowId: escrow.id,
        orderId,
        offerId: escrow.offerId,
        provider: parties.provider.address,
        gpuModel: "NVIDIA H100 80GB",
        gpuCount: 4,
        startedAtMs: escrow.createdAt.getTime(),
        endedAtMs: Date.now(),
        exitStatus: 0,
        outputDigest: "a".repeat(64),
        usageDigest: "b".repeat(64),
      };
      await market.completeJob("c1", orderId, attest(proof, parties.provider), parties.provider.address);
      expect(market.book.getOffer(escrow.offerId).freeGpuCount).toBe(8); // the GPUs came back
      const seconds = Math.floor((proof.endedAtMs - proof.startedAtMs) / 1000);
      const settled = await market.settle(
        "x1",
        orderId,
        { actualHours: seconds / 3600, confirmation: confirm({ proof, buyer: parties.buyer, accepted: true, billedSeconds: seconds }) },
        parties.provider,
      );
      expect(settled.status).toBe("Settled");
      const outcome = settled.job.settlement;
      expect(outcome?.transactions).toHaveLength(1);
      expect((await parties.chain.balance(parties.provider.address)).toString()).toBe(outcome?.providerPayment);
      expect((await parties.chain.balance(parties.arbiter.address)).toString()).toBe(outcome?.platformFee);
      expect((await market.getEscrow(orderId)).state).toBe(outcome?.buyerRefund === escrow.amount.toString() ? "Refunded" : "Released");
      expect(await rejectionCode(market.settle("x2", orderId, { actualHours: 0 }, parties.provider))).toBe("INVALID_STATE_TRANSITION");
      expect(await conservationErrors(market.store)).toEqual([]);
      expect((await market.events(0, 1000)).map((e) => e.type)).toEqual(
        expect.arrayContaining([
          "EscrowCreated",
          "EscrowLocked",
          "OrderEscrowed",
          "OrderRunning",
          "OrderCompleted",
          "AllocationReleased",
          "OrderSettled",
        ]),
      );
    });

    it("a failed job is refunded to the buyer; a disputed one is resolved by the arbiter's split", async () => {
      const { market, parties } = await setup();
      await market.addOffer("a1", offerInput(parties.provider.address, 8));
      const proofOf = (escrow: { id: string; offerId: string; createdAt: Date }, orderId: string, exitStatus: number): ExecutionProof => ({
        escrowId: escrow.id,
        orderId,
        offerId: escrow.offerId,
        provider: parties.provider.address,
        gpuModel: "H100",
        gpuCount: 4,
        startedAtMs: escrow.createdAt.getTime(),
        endedAtMs: Date.now(),
        exitStatus,
        outputDigest: "a".repeat(64),
        usageDigest: "b".repeat(64),
      });
      const failed = await market.submitOrder("o1", orderInput(parties.buyer.address));
      const e1 = await market.fundEscrow("f1", failed.orderId, parties.buyer);
      await market.startJob("s1", failed.orderId, parties.provider.address);
      await market.failJob("x1", failed.orderId, attest(proofOf(e1, failed.orderId, 137), parties.provider), parties.provider.address);
      const refunded = await market.refund("r1", failed.orderId, parties.buyer);
      expect(refunded.status).toBe("Refunded");
      expect((await parties.chain.balance(parties.buyer.address)).toString()).toBe("100000");

      const disputed = await market.submitOrder("o2", orderInput(parties.buyer.address));
      const e2 = await market.fundEscrow("f2", disputed.orderId, parties.buyer);
      await market.startJob("s2", disputed.orderId, parties.provider.address);
      await market.completeJob(
        "c2",
        disputed.orderId,
        attest(proofOf(e2, disputed.orderId, 0), parties.provider),
        parties.provider.address,
      );
      await market.openDispute(
        "d2",
        disputed.orderId,
        openDisputeStatement({
          id: newDisputeId(Date.now()),
          escrowId: e2.id,
          party: parties.buyer,
          reason: "slow",
          openedAtMs: Date.now(),
        }),
      );
      await expect(market.resolveDispute("z0", disputed.orderId, parties.provider)).rejects.toMatchObject({ code: "ESCROW_ERROR" });
      await expect(
        market.decideDispute("y0", disputed.orderId, { providerShare: "7.5", reason: "half" }, parties.buyer.address),
      ).rejects.toMatchObject({ code: "FORBIDDEN" });
      await market.decideDispute("y1", disputed.orderId, { providerShare: "7.5", reason: "half" }, parties.arbiter.address);
      const resolved = await market.resolveDispute("z2", disputed.orderId, parties.provider);
      expect(resolved.status).toBe("Resolved");
      const provider = await parties.chain.balance(parties.provider.address);
      const fee = await parties.chain.balance(parties.arbiter.address);
      expect(provider.add(fee).toString()).toBe("7.5");
      expect((await parties.chain.balance(parties.buyer.address)).equals(Amount.parse("100000").sub(Amount.parse("7.5")))).toBe(true);
      expect(await conservationErrors(market.store)).toEqual([]);
    });
  });
}
