// One chain step of an escrow at a time, and nothing else on its order meanwhile: a dispute, a
// job report or a second payout raced against a settlement in flight is refused with ESCROW_BUSY,
// and the chain's outcome is what the store records. The funding rehearsal (a buyer who signs
// elsewhere) writes nothing. On each store, with the embedded chain.
import { afterEach, describe, expect, it } from "vitest";
import { PresentedSignature } from "../../src/chain/signer.js";
import type { MoltClient } from "../../src/chain/molt-client.js";
import { HOUR_MS } from "../../src/core/clock.js";
import { isMarketError } from "../../src/core/errors.js";
import { newDisputeId } from "../../src/core/ids.js";
import { Marketplace } from "../../src/market/marketplace.js";
import { PaymentService } from "../../src/payments/payment-service.js";
import { attest, confirm, openDisputeStatement } from "../../src/settlement/statements.js";
import type { ExecutionProof } from "../../src/settlement/statements.js";
import { rejectionCode } from "../support/error-code.js";
import { postgresUrl } from "../support/postgres.js";
import { openParties, postgresFactory, sqliteFactory } from "../support/market.js";
import type { Parties, StoreFactory } from "../support/market.js";

const url = await postgresUrl("in-flight chain steps");
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

/** The chain client with its payouts held at a gate until the test opens it. */
function gatedPayouts(chain: MoltClient): { readonly client: MoltClient; readonly entered: Promise<void>; readonly open: () => void } {
  let open = (): void => undefined;
  let entered = (): void => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const enteredPromise = new Promise<void>((resolve) => (entered = resolve));
  const client = new Proxy(chain, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      if (property !== "settleEscrow") return (value as (...args: unknown[]) => unknown).bind(target);
      return async (...args: unknown[]) => {
        entered();
        await gate;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { client, entered: enteredPromise, open };
}

for (const factory of factories) {
  describe(`chain steps in flight on ${factory.name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    async function setup(client?: (chain: MoltClient) => MoltClient): Promise<{ market: Marketplace; parties: Parties }> {
      const db = await factory.fresh();
      const parties = await openParties();
      const payments = new PaymentService({
        client: client === undefined ? parties.chain : client(parties.chain),
        arbiter: parties.arbiter,
        disputeWindowMs: HOUR_MS,
      });
      const market = await Marketplace.open({ store: await db.open(), payments });
      cleanups.push(async () => {
        await market.close().catch(() => undefined);
        parties.chain.close();
        await db.dispose();
      });
      return { market, parties };
    }

    async function completedJob(market: Marketplace, parties: Parties): Promise<{ orderId: string; proof: ExecutionProof }> {
      await market.addOffer("a1", offerInput(parties.provider.address));
      const { orderId } = await market.submitOrder("o1", orderInput(parties.buyer.address));
      const escrow = await market.fundEscrow("f1", orderId, parties.buyer);
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
      return { orderId, proof };
    }

    it("a dispute or a second payout raced against a settlement in flight is refused; the chain's payout is what the store records", async () => {
      let gate: ReturnType<typeof gatedPayouts> | undefined;
      const { market, parties } = await setup((chain) => (gate = gatedPayouts(chain)).client);
      const { orderId, proof } = await completedJob(market, parties);
      const seconds = Math.floor((proof.endedAtMs - proof.startedAtMs) / 1000);
      const settling = market.settle(
        "x1",
        orderId,
        { confirmation: confirm({ proof, buyer: parties.buyer, accepted: true, billedSeconds: seconds }) },
        parties.buyer,
      );
      await gate?.entered;
      // Before the fix this dispute was accepted over the pending settlement, which then paid out on chain under a Disputed order.
      const dispute = openDisputeStatement({
        id: newDisputeId(Date.now()),
        escrowId: proof.escrowId,
        party: parties.provider,
        reason: "raced",
        evidence: [],
        openedAtMs: Date.now(),
      });
      expect(await rejectionCode(market.openDispute("d1", orderId, dispute))).toBe("ESCROW_BUSY");
      expect(
        await rejectionCode(
          market.settle(
            "x2",
            orderId,
            { confirmation: confirm({ proof, buyer: parties.buyer, accepted: false, billedSeconds: seconds, reason: "raced" }) },
            parties.buyer,
          ),
        ),
      ).toBe("ESCROW_BUSY");
      expect(await rejectionCode(market.refund("r1", orderId, parties.buyer))).toBe("INVALID_STATE_TRANSITION");
      gate?.open();
      expect((await settling).status).toBe("Settled");
      const escrow = await market.getEscrow(orderId);
      expect(escrow.state).toMatch(/Released|Refunded/);
      expect(await parties.chain.escrowBalance(await parties.chain.escrowHandleFor({ ...escrow, escrowId: escrow.id }))).toBeUndefined();
      expect(await market.store.pendingEscrows()).toEqual([]);
      expect(await rejectionCode(market.openDispute("d2", orderId, dispute))).toBe("INVALID_STATE_TRANSITION");
    });

    it("the funding rehearsal of a buyer who signs elsewhere writes nothing; the signed round funds the escrow", async () => {
      const { market, parties } = await setup();
      await market.addOffer("a1", offerInput(parties.provider.address));
      const { orderId } = await market.submitOrder("o1", orderInput(parties.buyer.address));
      const seqBefore = market.lastSeq;
      const rehearsal = await market.fundEscrow("f1", orderId, new PresentedSignature(parties.buyer.address)).catch((e: unknown) => e);
      expect(isMarketError(rehearsal, "SIGNATURE_REQUIRED")).toBe(true);
      expect(market.lastSeq).toBe(seqBefore); // no EscrowCreated event, no row
      expect((await market.getOrder(orderId)).escrowId).toBeNull();
      expect(await rejectionCode(market.getEscrow(orderId))).toBe("ESCROW_NOT_FOUND");
      const message = isMarketError(rehearsal, "SIGNATURE_REQUIRED") ? rehearsal.details.message : "";
      const signature = Buffer.from(parties.buyer.sign(Buffer.from(message, "base64"))).toString("base64");
      const funded = await market.fundEscrow("f1", orderId, new PresentedSignature(parties.buyer.address, { message, signature }));
      expect(funded.state).toBe("Locked");
      expect((await market.getOrder(orderId)).status).toBe("Escrowed");
    });
  });
}
