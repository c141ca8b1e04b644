// Driving providers' histories through a Marketplace for reputation tests: one job per call that
// ends settled, failed by exit status, or lost (the sweeper's receipt timeout on a manual clock).
import { Wallet } from "../../src/chain/wallet.js";
import type { ManualClock } from "../../src/core/clock.js";
import type { Marketplace } from "../../src/market/marketplace.js";
import { newDisputeId } from "../../src/core/ids.js";
import { attest, confirm, openDisputeStatement } from "../../src/settlement/statements.js";
import type { ExecutionProof } from "../../src/settlement/statements.js";
import type { Parties } from "./market.js";

/** How a test moves time: a manual clock's advance, or real waiting. */
export interface TestTime {
  now(): number;
  pass(ms: number): Promise<void>;
}

/** A manual clock as TestTime. */
export function manualTime(clock: ManualClock): TestTime {
  return {
    now: () => clock.now(),
    pass: (ms) => {
      clock.advance(ms);
      return Promise.resolve();
    },
  };
}

/** The receipt timeout the reputation markets run with (on a manual clock). */
export const REPUTATION_TEST_TIMEOUT_MS = 60_000;

/** How a driven job ends. */
export type DrivenOutcome = "settled" | "failed" | "lost" | "disputeWon" | "disputeLost";

/** An offer of `provider`: 8 H100 at 2.5 for a year from `nowMs` (every provider the same shape and price). */
export function sameOffer(provider: string, nowMs: number) {
  return {
    providerId: provider,
    gpuCapacity: { gpuCount: 8, gpuModel: "H100", vramGb: 80 },
    pricePerHour: "2.5",
    availableHours: 48,
    expiresAt: new Date(nowMs + 365 * 86_400_000),
  };
}

/** Runs one 1-GPU job of `provider` for the buyer to `outcome`; returns its order id. */
export async function driveJob(
  market: Marketplace,
  parties: Parties,
  provider: Wallet,
  outcome: DrivenOutcome,
  time: TestTime,
): Promise<string> {
  const tag = `${provider.address.slice(0, 6)}-${time.now()}-${Math.random()}`;
  const submitted = await market.submitOrder(`o-${tag}`, {
    buyerId: parties.buyer.address,
    requirements: { minGpuCount: 1, minVramGb: 40, maxPricePerHour: "3", estimatedHours: 1, providers: { allow: [provider.address] } },
  });
  if (submitted.status !== "Matched") throw new Error(`order for ${provider.address} rests: ${submitted.status}`);
  const orderId = submitted.orderId;
  const escrow = await market.fundEscrow(`f-${tag}`, orderId, parties.buyer);
  await market.startJob(`s-${tag}`, orderId, provider.address);
  if (outcome === "lost") {
    await time.pass(market.receiptTimeoutMs + 100);
    await market.sweep();
    return orderId;
  }
  await time.pass(1000);
  const proof: ExecutionProof = {
    escrowId: escrow.id,
    orderId,
    offerId: escrow.offerId,
    provider: provider.address,
    gpuModel: "H100",
    gpuCount: 1,
    startedAtMs: escrow.createdAt.getTime(),
    endedAtMs: time.now(),
    exitStatus: outcome === "failed" ? 1 : 0,
    outputDigest: "a".repeat(64),
    usageDigest: "b".repeat(64),
  };
  if (outcome === "failed") {
    await market.failJob(`x-${tag}`, orderId, attest(proof, provider), provider.address);
    return orderId;
  }
  await market.completeJob(`c-${tag}`, orderId, attest(proof, provider), provider.address);
  if (outcome === "disputeWon" || outcome === "disputeLost") {
    // The buyer disputes; the arbiter gives the provider half the escrow (won) or a fifth (lost).
    const dispute = openDisputeStatement({
      id: newDisputeId(time.now()),
      escrowId: escrow.id,
      party: parties.buyer,
      reason: "slow",
      openedAtMs: time.now(),
    });
    await market.openDispute(`d-${tag}`, orderId, dispute);
    const providerShare = outcome === "disputeWon" ? escrow.amount.toString() : "0.5";
    await market.decideDispute(`y-${tag}`, orderId, { providerShare, reason: outcome }, parties.arbiter.address);
    await market.resolveDispute(`z-${tag}`, orderId, provider);
    return orderId;
  }
  const seconds = Math.floor((proof.endedAtMs - proof.startedAtMs) / 1000);
  await market.settle(
    `p-${tag}`,
    orderId,
    { actualHours: seconds / 3600, confirmation: confirm({ proof, buyer: parties.buyer, accepted: true, billedSeconds: seconds }) },
    provider,
  );
  return orderId;
}

/** `count` fresh provider wallets, each with the same offer in the market. */
export async function providersWithOffers(market: Marketplace, count: number, nowMs: number): Promise<Wallet[]> {
  const wallets = Array.from({ length: count }, () => Wallet.generate());
  for (const [i, wallet] of wallets.entries()) await market.addOffer(`offer-${i}-${wallet.address}`, sameOffer(wallet.address, nowMs));
  return wallets;
}
