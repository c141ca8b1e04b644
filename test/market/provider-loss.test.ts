// Usage receipts, provider loss and re-match through the durable market on a manual clock, with the
// real embedded chain: the receipt rules at the market's door, the loss timeout at its exact boundary,
// the payout of a lost job (exact balances on chain, either party first), and the successor order.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Wallet } from "../../src/chain/wallet.js";
import { ManualClock } from "../../src/core/clock.js";
import { isMarketError } from "../../src/core/errors.js";
import type { Marketplace } from "../../src/market/marketplace.js";
import { remainingHours } from "../../src/market/rematch.js";
import { receiptedSplit } from "../../src/settlement/billing.js";
import type { EscrowAccount } from "../../src/settlement/escrow-account.js";
import { attest } from "../../src/settlement/statements.js";
import { countersignUsageReceipt, signUsageReceipt } from "../../src/settlement/usage-receipt.js";
import type { UsageReceipt } from "../../src/settlement/usage-receipt.js";
import { SqlStore } from "../../src/store/sql-store.js";
import { openMarket, openParties } from "../support/market.js";
import type { Parties } from "../support/market.js";

const TIMEOUT_MS = 120_000;
const IMAGE = `ghcr.io/acme/train:v3@sha256:${"ab".repeat(32)}`;
const opened: { market: Marketplace; parties: Parties }[] = [];

afterEach(async () => {
  for (const { market, parties } of opened.splice(0)) {
    await market.close();
    parties.chain.close();
  }
});

/** A market with two providers (the second one dearer), a buyer and a manual clock. */
async function setup(): Promise<{ market: Marketplace; parties: Parties; clock: ManualClock; other: Wallet }> {
  const clock = new ManualClock(Date.now());
  const parties = await openParties();
  const market = await openMarket(
    SqlStore.openSqlite(join(mkdtempSync(join(tmpdir(), "molt-loss-")), "market.db")),
    parties,
    clock,
    undefined,
    { receiptTimeoutMs: TIMEOUT_MS },
  );
  opened.push({ market, parties });
  const other = Wallet.generate();
  await market.addOffer("a1", offer(parties.provider.address, "2.5"));
  await market.addOffer("a2", offer(other.address, "2.8"));
  return { market, parties, clock, other };
}

function offer(provider: string, price: string) {
  return { providerId: provider, gpuCapacity: { gpuCount: 8, gpuModel: "H100", vramGb: 80 }, pricePerHour: price, availableHours: 24 };
}

async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => "resolved",
    (e: unknown) => (isMarketError(e) ? e.code : e),
  );
}

/** A funded, started 2-GPU, 2-hour job of the first provider; the clock then stands at its start. */
async function runningJob(
  market: Marketplace,
  parties: Parties,
  extra: { rematch?: boolean } = {},
): Promise<{ orderId: string; escrow: EscrowAccount; startedAtMs: number }> {
  const submitted = await market.submitOrder(`o-${Math.random()}`, {
    buyerId: parties.buyer.address,
    requirements: { minGpuCount: 2, minVramGb: 40, maxPricePerHour: "3", estimatedHours: 2 },
    workload: { image: IMAGE, args: ["--epochs", "3"] },
    ...extra,
  });
  expect(submitted.status).toBe("Matched");
  const escrow = await market.fundEscrow(`f-${submitted.orderId}`, submitted.orderId, parties.buyer);
  await market.startJob(`s-${submitted.orderId}`, submitted.orderId, parties.provider.address);
  const startedAtMs = (await market.getOrder(submitted.orderId)).job.startedAtMs ?? 0;
  return { orderId: submitted.orderId, escrow, startedAtMs };
}

function receipt(escrow: EscrowAccount, signer: Wallet, sequence: number, secondsRun: number, atMs: number): UsageReceipt {
  return signUsageReceipt({ escrowId: escrow.id, provider: signer, sequence, secondsRun, atMs });
}

describe("usage receipts at the market", () => {
  it("keeps the latest receipt of a running job and refuses one out of order, from another key, beyond the window, or counting more than elapsed", async () => {
    const { market, parties, clock, other } = await setup();
    const { orderId, escrow, startedAtMs } = await runningJob(market, parties);
    const provider = parties.provider.address;
    clock.advance(60_000);
    await market.recordReceipt("r1", orderId, { receipt: receipt(escrow, parties.provider, 1, 60, clock.now()) }, provider);
    expect((await market.getOrder(orderId)).job.receipt).toMatchObject({ sequence: 1, secondsRun: 60 });
    clock.advance(60_000);
    const now = clock.now();
    // Out of order, another key, counting more than has passed, beyond the escrow's end.
    expect(await codeOf(market.recordReceipt("r2", orderId, { receipt: receipt(escrow, parties.provider, 1, 120, now) }, provider))).toBe(
      "PROOF_MISMATCH",
    );
    expect(await codeOf(market.recordReceipt("r3", orderId, { receipt: receipt(escrow, other, 2, 120, now) }, provider))).toBe(
      "INVALID_SIGNATURE",
    );
    expect(await codeOf(market.recordReceipt("r4", orderId, { receipt: receipt(escrow, parties.provider, 2, 121, now) }, provider))).toBe(
      "PROOF_MISMATCH",
    );
    const late = escrow.lockedUntil.getTime() + 1000;
    expect(await codeOf(market.recordReceipt("r5", orderId, { receipt: receipt(escrow, parties.provider, 2, 120, late) }, provider))).toBe(
      "PROOF_MISMATCH",
    );
    // Only the match's provider sends them, and not faster than the market's floor.
    expect(await codeOf(market.recordReceipt("r6", orderId, { receipt: receipt(escrow, other, 2, 120, now) }, other.address))).toBe(
      "FORBIDDEN",
    );
    await market.recordReceipt("r7", orderId, { receipt: receipt(escrow, parties.provider, 2, 120, now) }, provider);
    clock.advance(100);
    expect(
      await codeOf(market.recordReceipt("r8", orderId, { receipt: receipt(escrow, parties.provider, 3, 120, clock.now()) }, provider)),
    ).toBe("RATE_LIMITED");
    const job = (await market.getOrder(orderId)).job;
    expect(job.receipt).toMatchObject({ sequence: 2, secondsRun: 120 });
    expect(job.receiptedAtMs).toBe(now);
    expect(startedAtMs).toBeLessThan(now);
    const types = (await market.events(0, 1000)).map((event) => event.type);
    expect(types.filter((type) => type === "UsageReceipted")).toHaveLength(2);
  });

  it("telemetry must match its digest; the buyer countersigns the latest receipt only, with its own key", async () => {
    const { market, parties, clock, other } = await setup();
    const { orderId, escrow } = await runningJob(market, parties);
    clock.advance(30_000);
    const telemetry = { gpuUtilizationPct: [97, 95], deviceUuids: ["GPU-1", "GPU-2"] };
    const plain = receipt(escrow, parties.provider, 1, 30, clock.now());
    expect(await codeOf(market.recordReceipt("t1", orderId, { receipt: plain, telemetry }, parties.provider.address))).toBe(
      "PROOF_MISMATCH",
    );
    const { telemetryDigest } = await import("../../src/settlement/usage-receipt.js");
    const withTelemetry = signUsageReceipt({
      escrowId: escrow.id,
      provider: parties.provider,
      sequence: 1,
      secondsRun: 30,
      atMs: clock.now(),
      telemetryDigest: telemetryDigest(telemetry),
    });
    await market.recordReceipt("t2", orderId, { receipt: withTelemetry, telemetry }, parties.provider.address);
    expect((await market.getOrder(orderId)).job.telemetry).toEqual(telemetry);
    const signature = countersignUsageReceipt(withTelemetry, parties.buyer);
    expect(await codeOf(market.countersignReceipt("c1", orderId, { sequence: 2, signature }, parties.buyer.address))).toBe(
      "PROOF_MISMATCH",
    );
    expect(
      await codeOf(
        market.countersignReceipt(
          "c2",
          orderId,
          { sequence: 1, signature: countersignUsageReceipt(withTelemetry, other) },
          parties.buyer.address,
        ),
      ),
    ).toBe("INVALID_SIGNATURE");
    expect(await codeOf(market.countersignReceipt("c3", orderId, { sequence: 1, signature }, parties.provider.address))).toBe("FORBIDDEN");
    await market.countersignReceipt("c4", orderId, { sequence: 1, signature }, parties.buyer.address);
    expect((await market.getOrder(orderId)).job.countersigned).toEqual({ sequence: 1, secondsRun: 30, signature });
  });

  it("the workload is read by the buyer and the matched provider only", async () => {
    const { market, parties, other } = await setup();
    const { orderId } = await runningJob(market, parties);
    expect(await market.workloadOf(orderId, parties.provider.address)).toEqual({ image: IMAGE, args: ["--epochs", "3"] });
    expect(await market.workloadOf(orderId, parties.buyer.address)).toEqual({ image: IMAGE, args: ["--epochs", "3"] });
    expect(await codeOf(market.workloadOf(orderId, other.address))).toBe("FORBIDDEN");
  });
});

describe("provider loss", () => {
  it("fails a job exactly receiptTimeout after its last receipt, not 1 ms early; the escrow pays the receipted seconds and refunds the rest", async () => {
    const { market, parties, clock } = await setup();
    const { orderId, escrow } = await runningJob(market, parties);
    const before = await parties.chain.balance(parties.buyer.address);
    clock.advance(600_000);
    const lastAtMs = clock.now();
    // Receipts every 2 minutes would keep it alive; the provider sends one at 10 min, then goes dark.
    await market.recordReceipt("r1", orderId, { receipt: receipt(escrow, parties.provider, 1, 600, lastAtMs) }, parties.provider.address);
    clock.set(lastAtMs + TIMEOUT_MS - 1);
    expect((await market.sweep()).lost).toBe(0);
    expect((await market.getOrder(orderId)).status).toBe("Running");
    clock.set(lastAtMs + TIMEOUT_MS);
    expect((await market.sweep()).lost).toBe(1);
    const failed = await market.getOrder(orderId);
    expect(failed.status).toBe("Failed");
    expect(failed.job.failure).toMatchObject({ kind: "ProviderLost", secondsRun: 600 });
    expect(market.book.getOffer(escrow.offerId as never).freeGpuCount).toBe(8);
    // A receipt after the loss is refused: the job is no longer running.
    expect(
      await codeOf(
        market.recordReceipt("r2", orderId, { receipt: receipt(escrow, parties.provider, 2, 700, clock.now()) }, parties.provider.address),
      ),
    ).toBe("INVALID_STATE_TRANSITION");

    const settled = await market.refund("p1", orderId, parties.buyer);
    expect(settled.status).toBe("Settled");
    const split = receiptedSplit(escrow, 600);
    expect(split.charge.baseUnits).toBe(escrow.rate.ratePerSecond * 600n);
    expect(split.providerPayment.add(split.platformFee).add(split.buyerRefund).equals(escrow.amount)).toBe(true);
    expect(settled.job.settlement).toMatchObject({
      status: "PartialRefund",
      providerPayment: split.providerPayment.toString(),
      platformFee: split.platformFee.toString(),
      buyerRefund: split.buyerRefund.toString(),
    });
    expect((await parties.chain.balance(parties.provider.address)).equals(split.providerPayment)).toBe(true);
    expect((await parties.chain.balance(parties.arbiter.address)).equals(split.platformFee)).toBe(true);
    expect((await parties.chain.balance(parties.buyer.address)).equals(before.add(split.buyerRefund))).toBe(true);
    // Paid once: the provider's later settle is refused, nothing moves.
    expect(await codeOf(market.settle("p2", orderId, {}, parties.provider))).toBe("INVALID_STATE_TRANSITION");
    expect((await parties.chain.balance(parties.provider.address)).equals(split.providerPayment)).toBe(true);
  });

  it("the provider may take its receipted pay first; a funded job never started is lost too and refunded in full", async () => {
    const { market, parties, clock } = await setup();
    const lost = await runningJob(market, parties);
    clock.advance(60_000);
    await market.recordReceipt(
      "r1",
      lost.orderId,
      { receipt: receipt(lost.escrow, parties.provider, 1, 60, clock.now()) },
      parties.provider.address,
    );
    const neverStarted = await market.submitOrder("o2", {
      buyerId: parties.buyer.address,
      requirements: { minGpuCount: 2, minVramGb: 40, maxPricePerHour: "3", estimatedHours: 1 },
    });
    const fundedAtMs = clock.now();
    await market.fundEscrow("f2", neverStarted.orderId, parties.buyer);
    clock.set(fundedAtMs + TIMEOUT_MS);
    expect((await market.sweep()).lost).toBe(2);
    expect((await market.getOrder(neverStarted.orderId)).job.failure).toMatchObject({ kind: "ProviderLost", secondsRun: 0 });
    const paid = await market.settle("p1", lost.orderId, {}, parties.provider);
    expect(paid.status).toBe("Settled");
    expect(paid.job.settlement?.providerPayment).toBe(receiptedSplit(lost.escrow, 60).providerPayment.toString());
    const buyerBefore = await parties.chain.balance(parties.buyer.address);
    const refunded = await market.refund("p2", neverStarted.orderId, parties.buyer);
    expect(refunded.status).toBe("Refunded");
    expect(refunded.job.settlement).toMatchObject({ status: "FullRefund", providerPayment: "0", platformFee: "0" });
    const escrow = await market.getEscrow(neverStarted.orderId);
    expect((await parties.chain.balance(parties.buyer.address)).equals(buyerBefore.add(escrow.amount))).toBe(true);
  });

  it("a job of an order that asked for re-match gets a successor for the remaining hours that never goes back to the failed provider", async () => {
    const { market, parties, clock, other } = await setup();
    const { orderId, escrow } = await runningJob(market, parties, { rematch: true });
    clock.advance(1_800_000);
    await market.recordReceipt(
      "r1",
      orderId,
      { receipt: receipt(escrow, parties.provider, 1, 1800, clock.now()) },
      parties.provider.address,
    );
    clock.advance(TIMEOUT_MS);
    expect((await market.sweep()).lost).toBe(1);
    const failed = await market.getOrder(orderId);
    const successorId = failed.job.successor;
    expect(successorId).toBeDefined();
    const successor = await market.getOrder(successorId ?? "");
    expect(successor.successorOf).toBe(orderId);
    expect(successor.rematch).toBe(true);
    expect(successor.status).toBe("Matched");
    // 2 h allocated, half an hour run: 1.5 h remain, so 2 whole hours; the cheaper provider that failed is skipped.
    expect(remainingHours(2, 1800)).toBe(2);
    expect(successor.match).toMatchObject({ providerId: other.address, hours: 2, gpuCount: 2 });
    expect(await market.workloadOf(successorId ?? "", other.address)).toEqual({ image: IMAGE, args: ["--epochs", "3"] });
    const rematched = (await market.events(0, 1000)).find((event) => event.type === "OrderRematched");
    expect(JSON.parse(rematched?.payload ?? "{}")).toMatchObject({
      entityId: orderId,
      successor: successorId,
      failedProvider: parties.provider.address,
    });
  });

  it("a non-zero exit re-matches too; an order without rematch gets no successor", async () => {
    const { market, parties, clock, other } = await setup();
    const withRematch = await runningJob(market, parties, { rematch: true });
    const without = await runningJob(market, parties);
    clock.advance(3_600_000);
    for (const job of [withRematch, without]) {
      const proof = {
        escrowId: job.escrow.id,
        orderId: job.orderId,
        offerId: job.escrow.offerId,
        provider: parties.provider.address,
        gpuModel: "H100",
        gpuCount: 2,
        startedAtMs: job.startedAtMs,
        endedAtMs: clock.now(),
        exitStatus: 3,
        outputDigest: "0".repeat(64),
        usageDigest: "0".repeat(64),
      };
      await market.failJob(`x-${job.orderId}`, job.orderId, attest(proof, parties.provider), parties.provider.address);
    }
    const successorId = (await market.getOrder(withRematch.orderId)).job.successor ?? "";
    expect((await market.getOrder(successorId)).match).toMatchObject({ providerId: other.address, hours: 1 });
    expect((await market.getOrder(without.orderId)).job.successor).toBeUndefined();
    // The failed job refunds in full as before (its proof, no receipts).
    expect((await market.refund("rf", withRematch.orderId, parties.buyer)).job.settlement?.buyerRefund).toBe(
      withRematch.escrow.amount.toString(),
    );
  });
});
