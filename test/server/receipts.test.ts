// Usage receipts, the workload and a lost provider's payout over HTTP, through a real listening
// server, SQLite and the embedded chain: the provider's agent side sends receipts with its client,
// the buyer reads them and countersigns, nobody else reads the workload or sees it in the public
// events, and a lost job's payout is co-signed by the client only for what a receipt attests.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MarketClient } from "../../src/client/client.js";
import { receiptedShare } from "../../src/client/receipted-share.js";
import { Wallet } from "../../src/chain/wallet.js";
import { isMarketError } from "../../src/core/errors.js";
import { receiptedSplit } from "../../src/settlement/billing.js";
import { countersignUsageReceipt, signUsageReceipt, telemetryDigest } from "../../src/settlement/usage-receipt.js";
import { Amount } from "../../src/core/amount.js";
import { openServedMarket } from "../support/server.js";
import type { ServedMarket } from "../support/server.js";

const RECEIPT_TIMEOUT_MS = 1500;
const IMAGE = `registry.example/trainer@sha256:${"cd".repeat(32)}`;
let served: ServedMarket;
let buyer: MarketClient;
let provider: MarketClient;
let stranger: MarketClient;

beforeAll(async () => {
  served = await openServedMarket({ listen: true, market: { receiptTimeoutMs: RECEIPT_TIMEOUT_MS } });
  buyer = new MarketClient({ baseUrl: served.baseUrl, wallet: served.parties.buyer });
  provider = new MarketClient({ baseUrl: served.baseUrl, wallet: served.parties.provider });
  stranger = new MarketClient({ baseUrl: served.baseUrl, wallet: Wallet.generate() });
});
afterAll(() => served.close());

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const codeOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => "resolved",
    (e: unknown) => (isMarketError(e) ? e.code : e),
  );

/** A funded, started job of the provider running `IMAGE`. */
async function runningJob(): Promise<{ orderId: string; escrowId: string; startedAtMs: number }> {
  await provider.addOffer({ gpuCapacity: { gpuCount: 2, gpuModel: "L40S", vramGb: 48 }, pricePerHour: "3.6", availableHours: 10 });
  const { orderId } = await buyer.submitOrder({
    requirements: { minGpuCount: 2, minVramGb: 48, maxPricePerHour: "4", estimatedHours: 1 },
    workload: { image: IMAGE, command: ["python", "train.py"], env: { EPOCHS: "3" } },
  });
  const escrow = await buyer.fundEscrow(orderId);
  await provider.startJob(orderId);
  return { orderId, escrowId: escrow.escrowId, startedAtMs: (await buyer.getOrder(orderId)).job.startedAtMs ?? 0 };
}

describe("receipts and workloads over HTTP", () => {
  it("the provider sends receipts the buyer sees and countersigns; the workload is for the parties only and never in public events", async () => {
    // The market says its clocks, so an agent can check its receipt interval against the timeout.
    expect(await stranger.market()).toMatchObject({ receiptTimeoutMs: RECEIPT_TIMEOUT_MS, fundingWindowMs: 15 * 60_000 });
    const { orderId, escrowId, startedAtMs } = await runningJob();
    expect((await provider.workload(orderId)).workload).toEqual({ image: IMAGE, command: ["python", "train.py"], env: { EPOCHS: "3" } });
    expect((await buyer.workload(orderId)).workload?.image).toBe(IMAGE);
    expect(await codeOf(stranger.workload(orderId))).toBe("FORBIDDEN");
    const events = await stranger.events(0, 1000);
    expect(events.events.some((event) => event.payload.includes(IMAGE))).toBe(false);
    expect(events.events.some((event) => event.payload.includes('"hasWorkload":true'))).toBe(true);

    await sleep(1100);
    const telemetry = { gpuUtilizationPct: [88, 91], deviceUuids: ["GPU-a", "GPU-b"] };
    const atMs = Date.now();
    const receipt = signUsageReceipt({
      escrowId,
      provider: served.parties.provider,
      sequence: 1,
      secondsRun: Math.floor((atMs - startedAtMs) / 1000),
      atMs,
      telemetryDigest: telemetryDigest(telemetry),
    });
    expect((await provider.sendReceipt(orderId, { receipt, telemetry })).status).toBe("Running");
    // Only the provider sends them; the same receipt again is out of order.
    expect(await codeOf(buyer.sendReceipt(orderId, { receipt, telemetry }))).toBe("FORBIDDEN");
    const seen = await buyer.getOrder(orderId);
    expect(seen.job.receipt).toEqual(receipt);
    expect(seen.job.telemetry).toEqual(telemetry);
    const signature = countersignUsageReceipt(receipt, served.parties.buyer);
    await buyer.countersignReceipt(orderId, { sequence: 1, signature });
    expect((await buyer.getOrder(orderId)).job.countersigned).toEqual({ sequence: 1, secondsRun: receipt.secondsRun, signature });
    expect(await codeOf(provider.countersignReceipt(orderId, { sequence: 1, signature }))).toBe("FORBIDDEN");
  });

  it("a lost provider is paid its receipted seconds when the buyer refunds: exact balances on chain, co-signed on the buyer's side", async () => {
    const { orderId, escrowId, startedAtMs } = await runningJob();
    await sleep(2100);
    const atMs = Date.now();
    const secondsRun = Math.floor((atMs - startedAtMs) / 1000);
    await provider.sendReceipt(orderId, {
      receipt: signUsageReceipt({ escrowId, provider: served.parties.provider, sequence: 1, secondsRun, atMs }),
    });
    await sleep(RECEIPT_TIMEOUT_MS + 50);
    expect((await served.market.sweep()).lost).toBeGreaterThanOrEqual(1);
    const failed = await buyer.getOrder(orderId);
    expect(failed.job.failure).toMatchObject({ kind: "ProviderLost", secondsRun });
    const escrow = await buyer.getEscrow(orderId);
    const chain = served.parties.chain;
    const [buyerBefore, providerBefore, arbiterBefore] = await Promise.all(
      [served.parties.buyer, served.parties.provider, served.parties.arbiter].map((w) => chain.balance(w.address)),
    );
    // What the client would co-sign, computed on its side from the signed receipt; a server claiming more seconds is refused.
    const share = receiptedShare(failed, escrow);
    expect(() =>
      receiptedShare({ ...failed, job: { ...failed.job, failure: { reason: "x", secondsRun: secondsRun + 1 } } }, escrow),
    ).toThrow(/no usage receipt signed by provider/);
    const settled = await buyer.refund(orderId);
    expect(settled.status).toBe("Settled");
    const expected = receiptedSplit(
      {
        amount: Amount.parse(escrow.amount),
        rate: { ratePerSecond: BigInt(escrow.ratePerSecond), feeRatePerSecond: BigInt(escrow.feeRatePerSecond) },
        allocatedSeconds: escrow.allocatedSeconds,
      },
      secondsRun,
    );
    expect(share.providerPayment.equals(expected.providerPayment)).toBe(true);
    expect(
      (await chain.balance(served.parties.provider.address)).equals((providerBefore ?? Amount.zero()).add(expected.providerPayment)),
    ).toBe(true);
    expect((await chain.balance(served.parties.arbiter.address)).equals((arbiterBefore ?? Amount.zero()).add(expected.platformFee))).toBe(
      true,
    );
    expect((await chain.balance(served.parties.buyer.address)).equals((buyerBefore ?? Amount.zero()).add(expected.buyerRefund))).toBe(true);
    expect(expected.providerPayment.add(expected.platformFee).add(expected.buyerRefund).equals(Amount.parse(escrow.amount))).toBe(true);
    expect(expected.providerPayment.isZero()).toBe(false);
  });
});
