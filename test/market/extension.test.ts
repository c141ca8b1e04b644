// A buyer extends its funded or running job: the extra MOLT goes into the same escrow account on
// chain, the escrow's amount, allocation and lockedUntil and the match grow, and a settlement
// afterwards pays out exactly what the escrow holds. Refusals send nothing; a repeated key sends
// once; a crash between the deposit and its record is reconciled from the chain. SQLite, embedded chain.
import { afterEach, describe, expect, it } from "vitest";
import type { MoltClient } from "../../src/chain/molt-client.js";
import { PresentedSignature } from "../../src/chain/signer.js";
import { Wallet } from "../../src/chain/wallet.js";
import { checkTransactionToSign } from "../../src/client/transaction-check.js";
import { Amount } from "../../src/core/amount.js";
import { HOUR_MS, ManualClock } from "../../src/core/clock.js";
import { isMarketError } from "../../src/core/errors.js";
import { HOURS_MAX } from "../../src/core/limits.js";
import { EXTENSIONS_PER_JOB_MAX } from "../../src/market/extend-command.js";
import { Marketplace } from "../../src/market/marketplace.js";
import { PaymentService } from "../../src/payments/payment-service.js";
import { billSeconds } from "../../src/settlement/billing.js";
import { attest, confirm } from "../../src/settlement/statements.js";
import type { ExecutionProof } from "../../src/settlement/statements.js";
import { findAssociatedTokenPda, TOKEN_PROGRAM_ADDRESS } from "@solana-program/token";
import { rejectionCode } from "../support/error-code.js";
import { conservationErrors, openParties, sqliteFactory } from "../support/market.js";
import type { Parties } from "../support/market.js";

const BUYER_MOLT = Amount.parse("100000");

interface Setup {
  readonly market: Marketplace;
  readonly parties: Parties;
  readonly clock: ManualClock;
  /** Opens another marketplace on the same store (a restart), on `client` (default the chain). */
  readonly reopen: (client?: MoltClient) => Promise<Marketplace>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(client?: (chain: MoltClient) => MoltClient): Promise<Setup> {
  const db = await sqliteFactory.fresh();
  const parties = await openParties(BUYER_MOLT.toString());
  const clock = new ManualClock(Date.now());
  const open = async (on: MoltClient): Promise<Marketplace> => {
    const payments = new PaymentService({ client: on, arbiter: parties.arbiter, disputeWindowMs: HOUR_MS, clock });
    const market = await Marketplace.open({ store: await db.open(), payments, clock, follow: false });
    cleanups.push(() => market.close().catch(() => undefined));
    return market;
  };
  const market = await open(client === undefined ? parties.chain : client(parties.chain));
  cleanups.unshift(async () => {
    parties.chain.close();
    await db.dispose();
  });
  return { market, parties, clock, reopen: (on) => open(on ?? parties.chain) };
}

/** A funded job of 4 GPUs for `hours` on an offer of 8 GPUs at 2.5 MOLT per GPU-hour taking jobs of at most `availableHours`. */
async function fundedJob(
  { market, parties, clock }: Setup,
  options: { readonly hours?: number; readonly availableHours?: number; readonly expiresAt?: Date; readonly start?: boolean } = {},
): Promise<{ readonly orderId: string; readonly startedAtMs: number }> {
  await market.addOffer("a1", {
    providerId: parties.provider.address,
    gpuCapacity: { gpuCount: 8, gpuModel: "NVIDIA H100 80GB", vramGb: 80 },
    pricePerHour: "2.5",
    availableHours: options.availableHours ?? 8,
    ...(options.expiresAt === undefined ? {} : { expiresAt: options.expiresAt }),
  });
  const { orderId } = await market.submitOrder("o1", {
    buyerId: parties.buyer.address,
    requirements: { minGpuCount: 4, minVramGb: 40, maxPricePerHour: "3", estimatedHours: options.hours ?? 2 },
  });
  await market.fundEscrow("f1", orderId, parties.buyer);
  const startedAtMs = clock.now();
  if (options.start !== false) await market.startJob("s1", orderId, parties.provider.address);
  return { orderId, startedAtMs };
}

async function escrowHeld(market: Marketplace, parties: Parties, orderId: string): Promise<string | undefined> {
  const escrow = await market.getEscrow(orderId);
  const handle = await parties.chain.escrowHandleFor({ escrowId: escrow.id, ...escrow });
  return (await parties.chain.escrowBalance(handle))?.toString();
}

/** The chain client with its deposits sent and then never answered (`land`), or never sent: a crash around the send. */
function crashingDeposits(chain: MoltClient, land: boolean): { readonly client: MoltClient; readonly reached: Promise<void> } {
  let reached = (): void => undefined;
  const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
  const client = new Proxy(chain, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      if (property !== "depositToEscrow") return (value as (...args: unknown[]) => unknown).bind(target);
      return async (...args: unknown[]) => {
        if (land) await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        reached();
        return new Promise(() => undefined);
      };
    },
  });
  return { client, reached: reachedPromise };
}

describe("extending a job", () => {
  it("a running job: the escrow account grows by exactly price x GPUs x hours, its terms and the match grow, and settling pays exactly", async () => {
    const s = await setup();
    const { market, parties, clock } = s;
    const { orderId, startedAtMs } = await fundedJob(s, { hours: 2 });
    const before = await market.getEscrow(orderId);
    expect(await escrowHeld(market, parties, orderId)).toBe("20");
    clock.advance(HOUR_MS);
    const { escrow, extension } = await market.extendJob("e1", orderId, 3, parties.buyer);
    const extra = Amount.parse("30"); // 2.5 x 4 GPUs x 3 h
    expect(extension).toEqual({ hours: 3, amount: "30", atMs: clock.now(), transactionId: expect.any(String) as string });
    expect(escrow.amount.toString()).toBe("50");
    expect(escrow.allocatedSeconds).toBe(before.allocatedSeconds + 3 * 3600);
    expect(escrow.lockedUntil.getTime()).toBe(before.lockedUntil.getTime() + 3 * HOUR_MS);
    expect(escrow.rate).toEqual(before.rate);
    expect(await escrowHeld(market, parties, orderId)).toBe("50");
    expect((await parties.chain.balance(parties.buyer.address)).toString()).toBe(BUYER_MOLT.sub(before.amount).sub(extra).toString());
    const order = await market.getOrder(orderId);
    expect(order.status).toBe("Running");
    expect(order.match?.hours).toBe(5);
    expect(order.match?.totalCost.toString()).toBe("50");
    expect(order.job.extensions).toEqual([extension]);
    const event = (await market.events(0, 1000)).find((e) => e.type === "JobExtended");
    expect(JSON.parse(event?.payload ?? "{}")).toMatchObject({ entityId: orderId, hours: 3, molt: "30", allocatedSeconds: 5 * 3600 });
    // The same key again sends nothing and answers the same.
    const again = await market.extendJob("e1", orderId, 3, parties.buyer);
    expect(again.extension).toEqual(extension);
    expect(await escrowHeld(market, parties, orderId)).toBe("50");
    expect((await market.getOrder(orderId)).job.extensions).toHaveLength(1);
    // The key under another extension, or another command's key, is refused.
    expect(await rejectionCode(market.extendJob("e1", orderId, 2, parties.buyer))).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(await rejectionCode(market.extendJob("f1", orderId, 3, parties.buyer))).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(await escrowHeld(market, parties, orderId)).toBe("50");

    // The job runs 4.5 h, past its first allocation (2 h) and first lockedUntil (2 h + 1 h grace).
    clock.advance(3.5 * HOUR_MS);
    const seconds = 4.5 * 3600;
    const proof: ExecutionProof = {
      escrowId: escrow.id,
      orderId,
      offerId: escrow.offerId,
      provider: parties.provider.address,
      gpuModel: "NVIDIA H100 80GB",
      gpuCount: 4,
      startedAtMs,
      endedAtMs: startedAtMs + seconds * 1000,
      exitStatus: 0,
      outputDigest: "a".repeat(64),
      usageDigest: "b".repeat(64),
    };
    await market.completeJob("c1", orderId, attest(proof, parties.provider), parties.provider.address);
    const settled = await market.settle(
      "x1",
      orderId,
      { actualHours: seconds / 3600, confirmation: confirm({ proof, buyer: parties.buyer, accepted: true, billedSeconds: seconds }) },
      parties.buyer,
    );
    expect(settled.status).toBe("Settled");
    const expected = billSeconds(seconds, escrow.amount, escrow.rate);
    const outcome = settled.job.settlement;
    expect(outcome?.providerPayment).toBe(expected.providerPayment.toString());
    expect(outcome?.platformFee).toBe(expected.platformFee.toString());
    expect(outcome?.buyerRefund).toBe(expected.buyerRefund.toString());
    // 4.5 h billed of the 5 h held: more than the first 2 h could have paid.
    expect(expected.providerPayment.add(expected.platformFee).gt(before.amount)).toBe(true);
    const paid = Amount.parse(outcome?.providerPayment ?? "0")
      .add(Amount.parse(outcome?.platformFee ?? "0"))
      .add(Amount.parse(outcome?.buyerRefund ?? "0"));
    expect(paid.toString()).toBe("50");
    expect((await parties.chain.balance(parties.provider.address)).toString()).toBe(outcome?.providerPayment);
    expect((await parties.chain.balance(parties.arbiter.address)).toString()).toBe(outcome?.platformFee);
    expect((await parties.chain.balance(parties.buyer.address)).toString()).toBe(
      BUYER_MOLT.sub(Amount.parse("50")).add(expected.buyerRefund).toString(),
    );
    expect(await escrowHeld(market, parties, orderId)).toBeUndefined();
    expect(await conservationErrors(market.store)).toEqual([]);
  });

  it("an Escrowed job not started yet is extended too", async () => {
    const s = await setup();
    const { orderId } = await fundedJob(s, { hours: 2, start: false });
    const { escrow } = await s.market.extendJob("e1", orderId, 1, s.parties.buyer);
    expect(escrow.amount.toString()).toBe("30");
    expect((await s.market.getOrder(orderId)).status).toBe("Escrowed");
  });

  it("refused when the offer does not take the longer job: the message says how many hours remain; nothing sent", async () => {
    const s = await setup();
    const { market, parties } = s;
    const { orderId } = await fundedJob(s, { hours: 6, availableHours: 8 });
    const offerId = (await market.getEscrow(orderId)).offerId;
    const balance = (await parties.chain.balance(parties.buyer.address)).toString();
    const refused = await market.extendJob("e1", orderId, 3, parties.buyer).catch((e: unknown) => e);
    if (!isMarketError(refused, "EXTENSION_REFUSED")) throw new Error(`expected EXTENSION_REFUSED, got ${String(refused)}`);
    expect(refused.httpStatus).toBe(409);
    expect(refused.details.extendableHours).toBe(2);
    expect(refused.message).toContain(`offer ${offerId} takes jobs of at most 8 h; this job has 6 h: extend by at most 2 h`);
    expect((await parties.chain.balance(parties.buyer.address)).toString()).toBe(balance);
    expect(await escrowHeld(market, parties, orderId)).toBe("60");
    // Nothing was left pending: the 2 h that fit are taken.
    expect((await market.extendJob("e2", orderId, 2, parties.buyer)).escrow.allocatedSeconds).toBe(8 * 3600);
    expect(await rejectionCode(market.extendJob("e3", orderId, 1, parties.buyer))).toBe("EXTENSION_REFUSED");
  });

  it("refused when the offer expires before the new end, or is withdrawn", async () => {
    const s = await setup();
    const { market, parties, clock } = s;
    const { orderId } = await fundedJob(s, { hours: 2, availableHours: 100, expiresAt: new Date(clock.now() + 5.5 * HOUR_MS) });
    const refused = await market.extendJob("e1", orderId, 4, parties.buyer).catch((e: unknown) => e);
    if (!isMarketError(refused, "EXTENSION_REFUSED")) throw new Error(`expected EXTENSION_REFUSED, got ${String(refused)}`);
    expect(refused.details.extendableHours).toBe(3);
    expect(refused.message).toContain("extend by at most 3 h");
    await market.extendJob("e2", orderId, 3, parties.buyer);
    await market.withdrawOffer("w1", (await market.getEscrow(orderId)).offerId, parties.provider.address);
    const withdrawn = await market.extendJob("e3", orderId, 1, parties.buyer).catch((e: unknown) => e);
    expect(isMarketError(withdrawn, "EXTENSION_REFUSED") && withdrawn.details.extendableHours === 0).toBe(true);
    expect(await escrowHeld(market, parties, orderId)).toBe("50");
  });

  it("refused for anyone but the buyer (before the state), for an order not Escrowed or Running, for bad hours, past the cap", async () => {
    const s = await setup();
    const { market, parties, clock } = s;
    const { orderId, startedAtMs } = await fundedJob(s, { hours: 2, availableHours: 100 });
    expect(await rejectionCode(market.extendJob("e1", orderId, 1, parties.provider))).toBe("FORBIDDEN");
    expect(await rejectionCode(market.extendJob("e2", orderId, 1, Wallet.generate()))).toBe("FORBIDDEN");
    for (const hours of [0, 1.5, -1, HOURS_MAX + 1, Number.NaN])
      expect(await rejectionCode(market.extendJob(`h${hours}`, orderId, hours, parties.buyer))).toBe("OUT_OF_RANGE");
    for (let i = 0; i < EXTENSIONS_PER_JOB_MAX; i++) await market.extendJob(`ok${i}`, orderId, 1, parties.buyer);
    const capped = await market.extendJob("cap", orderId, 1, parties.buyer).catch((e: unknown) => e);
    expect(isMarketError(capped, "EXTENSION_REFUSED") && capped.message.includes("EXTENSIONS_PER_JOB_MAX")).toBe(true);
    const escrow = await market.getEscrow(orderId);
    expect(escrow.allocatedSeconds).toBe((2 + EXTENSIONS_PER_JOB_MAX) * 3600);
    clock.advance(HOUR_MS);
    const proof: ExecutionProof = {
      escrowId: escrow.id,
      orderId,
      offerId: escrow.offerId,
      provider: parties.provider.address,
      gpuModel: "NVIDIA H100 80GB",
      gpuCount: 4,
      startedAtMs,
      endedAtMs: clock.now(),
      exitStatus: 0,
      outputDigest: "a".repeat(64),
      usageDigest: "b".repeat(64),
    };
    await market.completeJob("c1", orderId, attest(proof, parties.provider), parties.provider.address);
    const completed = await market.extendJob("e3", orderId, 1, parties.buyer).catch((e: unknown) => e);
    expect(isMarketError(completed, "INVALID_STATE_TRANSITION") && completed.message.includes("order a new job")).toBe(true);
    // An outsider learns nothing of the state.
    expect(await rejectionCode(market.extendJob("e4", orderId, 1, parties.provider))).toBe("FORBIDDEN");
    const balance = await parties.chain.balance(parties.buyer.address);
    expect(await rejectionCode(market.extendJob("e5", "ord_01JD3ZZZZZZZZZZZZZZZZZZZZZ", 1, parties.buyer))).toBe("ORDER_NOT_FOUND");
    expect((await parties.chain.balance(parties.buyer.address)).equals(balance)).toBe(true);
  });

  it("a matched order not funded yet is told to fund first", async () => {
    const s = await setup();
    const { market, parties } = s;
    await market.addOffer("a1", {
      providerId: parties.provider.address,
      gpuCapacity: { gpuCount: 8, gpuModel: "NVIDIA H100 80GB", vramGb: 80 },
      pricePerHour: "2.5",
      availableHours: 8,
    });
    const { orderId } = await market.submitOrder("o1", {
      buyerId: parties.buyer.address,
      requirements: { minGpuCount: 4, minVramGb: 40, maxPricePerHour: "3", estimatedHours: 2 },
    });
    const refused = await market.extendJob("e1", orderId, 1, parties.buyer).catch((e: unknown) => e);
    expect(isMarketError(refused, "INVALID_STATE_TRANSITION") && refused.message.includes("fund the escrow first")).toBe(true);
  });

  it("a buyer who signs elsewhere gets the deposit to sign, which the client's check accepts; the rehearsal writes nothing", async () => {
    const s = await setup();
    const { market, parties } = s;
    const { orderId } = await fundedJob(s, { hours: 2 });
    const escrow = await market.getEscrow(orderId);
    const seq = market.lastSeq;
    const asked = await market.extendJob("e1", orderId, 2, new PresentedSignature(parties.buyer.address)).catch((e: unknown) => e);
    if (!isMarketError(asked, "SIGNATURE_REQUIRED")) throw new Error(`expected SIGNATURE_REQUIRED, got ${String(asked)}`);
    expect(market.lastSeq).toBe(seq);
    const [source] = await findAssociatedTokenPda({
      owner: parties.buyer.address,
      mint: parties.chain.mint,
      tokenProgram: TOKEN_PROGRAM_ADDRESS,
    });
    const expectation = {
      kind: "deposit" as const,
      signer: parties.buyer.address,
      amount: Amount.parse("20"),
      mint: parties.chain.mint,
      source,
      escrow: escrow.chain?.address ?? "",
    };
    expect(checkTransactionToSign(asked.details.message, expectation)).toContain("moves 20 MOLT from your wallet into escrow");
    // A message for another amount or another account is refused by the client.
    expect(() => checkTransactionToSign(asked.details.message, { ...expectation, amount: Amount.parse("19") })).toThrow(/refused to sign/);
    expect(() => checkTransactionToSign(asked.details.message, { ...expectation, escrow: parties.provider.address })).toThrow(
      /refused to sign/,
    );
    const signature = Buffer.from(parties.buyer.sign(Buffer.from(asked.details.message, "base64"))).toString("base64");
    const signed = new PresentedSignature(parties.buyer.address, { message: asked.details.message, signature });
    const { escrow: grown } = await market.extendJob("e1", orderId, 2, signed);
    expect(grown.amount.toString()).toBe("40");
    expect(await escrowHeld(market, parties, orderId)).toBe("40");
  });

  it("a crash after the deposit landed is reconciled: recorded under the request's key, whose retry sends nothing", async () => {
    let crash: ReturnType<typeof crashingDeposits> | undefined;
    const s = await setup((chain) => (crash = crashingDeposits(chain, true)).client);
    const { market, parties } = s;
    const { orderId } = await fundedJob(s, { hours: 2 });
    void market.extendJob("e1", orderId, 3, parties.buyer);
    await crash?.reached;
    expect(await escrowHeld(market, parties, orderId)).toBe("50");
    // Meanwhile the escrow is busy.
    expect(await rejectionCode(market.extendJob("e2", orderId, 1, parties.buyer))).toBe("ESCROW_BUSY");
    const restarted = await s.reopen(); // reconciles on open
    expect(await restarted.reconcile()).toEqual({ recorded: 0, cleared: 0 });
    const escrow = await restarted.getEscrow(orderId);
    expect(escrow.amount.toString()).toBe("50");
    expect(escrow.allocatedSeconds).toBe(5 * 3600);
    // A book rebuilt after the record holds the grown match (it is loaded from the stored order row).
    expect((await s.reopen()).book.getMatch(orderId as never)).toMatchObject({ hours: 5, totalCost: Amount.parse("50") });
    expect((await restarted.getOrder(orderId)).job.extensions).toEqual([{ hours: 3, amount: "30", atMs: expect.any(Number) as number }]);
    const balance = (await parties.chain.balance(parties.buyer.address)).toString();
    const retried = await restarted.extendJob("e1", orderId, 3, parties.buyer);
    expect(retried.escrow.amount.toString()).toBe("50");
    expect((await parties.chain.balance(parties.buyer.address)).toString()).toBe(balance);
    expect(await escrowHeld(restarted, parties, orderId)).toBe("50");
  });

  it("a crash before the deposit was sent is reconciled by clearing the mark: nothing moved, the job can be extended", async () => {
    let crash: ReturnType<typeof crashingDeposits> | undefined;
    const s = await setup((chain) => (crash = crashingDeposits(chain, false)).client);
    const { market, parties } = s;
    const { orderId } = await fundedJob(s, { hours: 2 });
    const balance = (await parties.chain.balance(parties.buyer.address)).toString();
    void market.extendJob("e1", orderId, 3, parties.buyer);
    await crash?.reached;
    const restarted = await s.reopen();
    const escrow = await restarted.getEscrow(orderId);
    expect(escrow.amount.toString()).toBe("20");
    expect((await restarted.getOrder(orderId)).job.extensions).toBeUndefined();
    expect((await parties.chain.balance(parties.buyer.address)).toString()).toBe(balance);
    expect((await restarted.extendJob("e2", orderId, 1, parties.buyer)).escrow.amount.toString()).toBe("30");
  });

  it("the live book and every node following the feed hold the grown match at once (AllocationExtended), as /v1/matches shows it", async () => {
    const s = await setup();
    const { market, parties } = s;
    const { orderId } = await fundedJob(s, { hours: 2 });
    const follower = await s.reopen();
    await market.extendJob("e1", orderId, 3, parties.buyer);
    expect(market.book.getMatch(orderId as never)).toMatchObject({ hours: 5, totalCost: Amount.parse("50") });
    await follower.follow();
    expect(follower.book.getMatch(orderId as never)).toMatchObject({ hours: 5, totalCost: Amount.parse("50") });
    expect(follower.book.matchesOf({ providerId: parties.provider.address }, 10)).toMatchObject([{ orderId, hours: 5 }]);
    expect(follower.book.snapshot()).toEqual(market.book.snapshot());
    // The job still ends as before: its GPUs return to the offer.
    expect((await market.events(0, 1000)).filter((event) => event.type === "AllocationExtended")).toHaveLength(1);
  });
});
