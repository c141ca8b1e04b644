// A job's money over HTTP, end to end through a real listening server, SQLite and the embedded
// chain: the buyer funds and the provider or buyer co-signs payouts on their own side (the server
// never holds their keys), answering SIGNATURE_REQUIRED. Balances are checked to the base unit.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MarketClient } from "../../src/client/client.js";
import type { ChainStepProgress } from "../../src/client/chain-steps.js";
import type { OrderDetails } from "../../src/contract/orders.js";
import { checkTransactionToSign } from "../../src/client/transaction-check.js";
import { PresentedSignature } from "../../src/chain/signer.js";
import { isMarketError } from "../../src/core/errors.js";
import { Wallet } from "../../src/chain/wallet.js";
import { Amount } from "../../src/core/amount.js";
import { newDisputeId } from "../../src/core/ids.js";
import { attest, confirm, openDisputeStatement, proofDigest } from "../../src/settlement/statements.js";
import type { ExecutionProof } from "../../src/settlement/statements.js";
import type { Parties } from "../support/market.js";
import { openServedMarket } from "../support/server.js";
import type { ServedMarket } from "../support/server.js";

let served: ServedMarket;
let parties: Parties;
let buyer: MarketClient;
let provider: MarketClient;
let arbiter: MarketClient;

beforeAll(async () => {
  served = await openServedMarket({ listen: true });
  parties = served.parties;
  buyer = new MarketClient({ baseUrl: served.baseUrl, wallet: parties.buyer });
  provider = new MarketClient({ baseUrl: served.baseUrl, wallet: parties.provider });
  arbiter = new MarketClient({ baseUrl: served.baseUrl, wallet: parties.arbiter });
});
afterAll(() => served.close());

const digest = "ab".repeat(32);

/** An order of 2 GPUs x 1 h at 3 MOLT, funded and started, whose job ran `seconds`. */
async function ranJob(
  seconds: number,
  exitStatus = 0,
): Promise<{ readonly order: OrderDetails; readonly proof: ExecutionProof; readonly progress: ChainStepProgress[] }> {
  await provider.addOffer({ gpuCapacity: { gpuCount: 2, gpuModel: "RTX 4090", vramGb: 24 }, pricePerHour: "3", availableHours: 10 });
  const { orderId } = await buyer.submitOrder({
    requirements: { minGpuCount: 2, minVramGb: 24, maxPricePerHour: "3", estimatedHours: 1, preferredModels: [] },
  });
  const progress: ChainStepProgress[] = [];
  const escrow = await buyer.fundEscrow(orderId, { onProgress: (p) => progress.push(p) });
  const offerId = escrow.offerId;
  expect(escrow.state).toBe("Locked");
  expect(escrow.amount).toBe("6");
  await provider.startJob(orderId);
  const started = (await provider.getOrder(orderId)).job.startedAtMs ?? 0;
  const proof: ExecutionProof = {
    escrowId: escrow.escrowId,
    orderId,
    offerId,
    provider: parties.provider.address,
    gpuModel: "RTX 4090",
    gpuCount: 2,
    startedAtMs: started,
    endedAtMs: started + seconds * 1000,
    exitStatus,
    outputDigest: digest,
    usageDigest: digest,
  };
  // The proof may not end in the future: wait until it has ended.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, proof.endedAtMs - Date.now() + 5)));
  return { order: await buyer.getOrder(orderId), proof, progress };
}

describe("a job's money over HTTP", () => {
  it("fund, run, complete and settle with the buyer's confirmation: exact payouts, both parties signing on their side", async () => {
    const before = await parties.chain.balance(parties.buyer.address);
    const { order, proof, progress } = await ranJob(2);
    expect(progress.map((p) => p.phase)).toEqual(["preparing", "signing", "confirming"]);
    expect((progress[1] as { summary: string }).summary).toMatch(
      /^moves 6 MOLT from your wallet into escrow \w+, owned 2-of-3 by you, the provider and the arbiter, and pays 0\.00540096 SOL of rent/,
    );
    await provider.endJob(order.orderId, "complete", attest(proof, parties.provider));
    // The hole of issue 11: the buyer settles the 2 s proof for nothing (actualHours 0 and its own
    // confirmation of 0 s). The market refuses it, and so does the buyer's own client; nothing moves.
    const zero = confirm({ proof, buyer: parties.buyer, accepted: true, billedSeconds: 0 });
    await expect(
      served.market.settle(`zero-${order.orderId}`, order.orderId, { actualHours: "0", confirmation: zero }, parties.buyer),
    ).rejects.toMatchObject({ code: "PROOF_MISMATCH" });
    await expect(buyer.settle(order.orderId, { actualHours: "0", confirmation: zero })).rejects.toMatchObject({ code: "PROOF_MISMATCH" });
    expect((await buyer.getOrder(order.orderId)).status).toBe("Completed");
    const confirmation = confirm({ proof, buyer: parties.buyer, accepted: true, billedSeconds: 2 });
    const settled = await buyer.settle(order.orderId, { actualHours: (2 / 3600).toFixed(9), confirmation });
    expect(settled.status).toBe("Settled");
    // rate = ceil(3 x 2 x 1e9 / 3600) = 1,666,667 base units/s; 2 s = 3,333,334; fee 2.5 % of the rate per second.
    const rate = 1_666_667n;
    const feeRate = (rate * 250n) / 10_000n;
    expect(settled.job.settlement).toMatchObject({
      status: "PartialRefund",
      providerPayment: Amount.fromLamports(2n * (rate - feeRate)).toString(),
      platformFee: Amount.fromLamports(2n * feeRate).toString(),
    });
    expect((await parties.chain.balance(parties.provider.address)).baseUnits).toBe(2n * (rate - feeRate));
    expect((await parties.chain.balance(parties.buyer.address)).baseUnits).toBe(before.baseUnits - 2n * rate);
    expect((await buyer.getEscrow(order.orderId)).state).toBe("Released");
  });

  it("a failed job is refunded to the buyer, who co-signs the refund", async () => {
    const before = await parties.chain.balance(parties.buyer.address);
    const { order, proof } = await ranJob(1, 137);
    await provider.endJob(order.orderId, "fail", attest(proof, parties.provider));
    await expect(provider.refund(order.orderId)).rejects.toMatchObject({ code: "FORBIDDEN" });
    const refunded = await buyer.refund(order.orderId);
    expect(refunded.status).toBe("Refunded");
    expect((await parties.chain.balance(parties.buyer.address)).equals(before)).toBe(true);
  });

  it("a dispute: the arbiter decides, the provider accepts and the split is paid out", async () => {
    const before = await parties.chain.balance(parties.buyer.address);
    const providerBefore = await parties.chain.balance(parties.provider.address);
    const { order, proof } = await ranJob(1);
    await provider.endJob(order.orderId, "complete", attest(proof, parties.provider));
    const escrowId = (await buyer.getEscrow(order.orderId)).escrowId;
    await buyer.openDispute(
      order.orderId,
      openDisputeStatement({
        id: newDisputeId(Date.now()),
        escrowId,
        party: parties.buyer,
        reason: "the output was empty",
        evidence: [proofDigest(proof)],
        openedAtMs: Date.now(),
      }),
    );
    await expect(provider.acceptDecision(order.orderId)).rejects.toMatchObject({ code: "ESCROW_ERROR" });
    await expect(buyer.decideDispute(order.orderId, { providerShare: "6", reason: "mine" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const decided = await arbiter.decideDispute(order.orderId, { providerShare: "2", reason: "a third of the work was usable" });
    expect(decided.job.decision).toMatchObject({ providerShare: "2" });
    const resolved = await provider.acceptDecision(order.orderId);
    expect(resolved.status).toBe("Resolved");
    // The fee of a split is the escrow's fee per second over its rate: floor(2e9 x 41,666 / 1,666,667).
    const fee = (2_000_000_000n * 41_666n) / 1_666_667n;
    expect((await parties.chain.balance(parties.provider.address)).sub(providerBefore).baseUnits).toBe(2_000_000_000n - fee);
    expect(before.sub(await parties.chain.balance(parties.buyer.address)).toString()).toBe("2");
  });

  it("the escrow, order, match and offer reads answer", async () => {
    const { order } = await ranJob(1);
    const escrow = await buyer.getEscrow(order.orderId);
    expect(escrow).toMatchObject({
      buyer: parties.buyer.address,
      provider: parties.provider.address,
      arbiter: parties.arbiter.address,
      ratePerSecond: "1666667",
    });
    expect((await provider.matches({ provider: parties.provider.address })).map((m) => m.orderId)).toContain(order.orderId);
    expect((await buyer.matches({ buyer: parties.buyer.address, provider: parties.provider.address })).map((m) => m.orderId)).toContain(
      order.orderId,
    );
    expect(await buyer.matches({ buyer: parties.arbiter.address })).toEqual([]);
    await expect(buyer.matches({})).rejects.toMatchObject({ code: "INVALID_FIELD" });
    const offers = await buyer.listOffers({ provider: parties.provider.address });
    expect(offers.some((o) => o.offerId === order.offerId)).toBe(true);
    expect((await buyer.getOffer(order.offerId ?? "")).gpuModel).toBe("RTX 4090");
    expect((await buyer.listOffers({ provider: parties.arbiter.address })).length).toBe(0);
  });
});

describe("checkTransactionToSign", () => {
  it("refuses messages that ask more of the wallet than the step needs", async () => {
    const { order, proof: ranProof } = await ranJob(1);
    const escrow = await buyer.getEscrow(order.orderId);
    // A real funding message of another order, asked for as the server asks for it.
    const other = await buyer.submitOrder({ requirements: { minGpuCount: 2, minVramGb: 24, maxPricePerHour: "3", estimatedHours: 1 } });
    const asked = await served.market.fundEscrow(`k-${other.orderId}`, other.orderId, new PresentedSignature(parties.buyer.address)).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!isMarketError(asked, "SIGNATURE_REQUIRED")) throw new Error(`expected SIGNATURE_REQUIRED, got ${String(asked)}`);
    const fundMessage = asked.details.message;
    const fund = { kind: "fund" as const, mint: parties.chain.mint, provider: parties.provider.address, arbiter: parties.arbiter.address };
    expect(checkTransactionToSign(fundMessage, { ...fund, signer: parties.buyer.address, amount: Amount.parse("6") })).toContain("6 MOLT");
    expect(() => checkTransactionToSign(fundMessage, { ...fund, signer: parties.buyer.address, amount: Amount.parse("5") })).toThrow(
      /transfers 6 MOLT/,
    );
    const buyerAccount = await parties.chain.tokenAccount(parties.buyer.address);
    const receives = { account: buyerAccount, amount: Amount.parse("6"), orMore: true };
    expect(() =>
      checkTransactionToSign(fundMessage, { kind: "payout", signer: parties.buyer.address, escrow: escrow.address, receives }),
    ).toThrow(/refused to sign/);
    expect(() => checkTransactionToSign(fundMessage, { ...fund, signer: parties.provider.address, amount: Amount.parse("6") })).toThrow(
      /does not ask this wallet/,
    );

    // A real settlement message of a job that ran 1 s: the buyer gets 6 MOLT less one second at 1,666,667 base units.
    await provider.endJob(order.orderId, "complete", attest(ranProof, parties.provider));
    const confirmation = confirm({ proof: ranProof, buyer: parties.buyer, accepted: true, billedSeconds: 1 });
    const settleAsked = await served.market
      .settle(
        `s-${order.orderId}`,
        order.orderId,
        { actualHours: (1 / 3600).toFixed(9), confirmation },
        new PresentedSignature(parties.buyer.address),
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    if (!isMarketError(settleAsked, "SIGNATURE_REQUIRED")) throw new Error(`expected SIGNATURE_REQUIRED, got ${String(settleAsked)}`);
    const refund = Amount.fromLamports(6_000_000_000n - 1_666_667n);
    expect(
      checkTransactionToSign(settleAsked.details.message, {
        kind: "payout",
        signer: parties.buyer.address,
        escrow: escrow.address,
        receives: { account: buyerAccount, amount: refund, orMore: true },
      }),
    ).toContain(`pays this wallet ${refund.toString()} MOLT`);
    expect(() =>
      checkTransactionToSign(settleAsked.details.message, {
        kind: "payout",
        signer: parties.buyer.address,
        escrow: escrow.address,
        receives: { account: buyerAccount, amount: refund.add(Amount.fromLamports(1n)), orMore: true },
      }),
    ).toThrow(/pays this wallet .* at least/);
    expect(() =>
      checkTransactionToSign(settleAsked.details.message, {
        kind: "payout",
        signer: parties.buyer.address,
        escrow: Wallet.generate().address,
        receives: { account: buyerAccount, amount: refund, orMore: true },
      }),
    ).toThrow(/other than paying out escrow/);
    expect(() => checkTransactionToSign("AAAA", { ...fund, signer: parties.buyer.address, amount: Amount.parse("6") })).toThrow(
      /refused to sign/,
    );
  });
});
