// PaymentService end to end on the embedded chain (LiteSVM running the real SPL Token program):
// fund -> run -> proof -> settle, full refunds, disputes with a split, timeout and failure refunds.
// After each payout the token balances on chain equal the result to the base unit.
import { afterEach, describe, expect, it } from "vitest";
import {
  appendTransactionMessageInstruction,
  createTransactionMessage,
  getTransactionEncoder,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
} from "@solana/kit";
import type { Blockhash } from "@solana/kit";
import { getTransferCheckedInstruction } from "@solana-program/token";
import type { Address } from "../../src/core/address.js";
import type { EmbeddedMoltClient } from "../../src/chain/embedded/embedded-client.js";
import { walletSigner } from "../../src/chain/signer.js";
import { Wallet } from "../../src/chain/wallet.js";
import { Amount, MOLT_DECIMALS } from "../../src/core/amount.js";
import { newDisputeId } from "../../src/core/ids.js";
import { escrowHandle } from "../../src/payments/escrow-payout.js";
import type { EscrowAccount } from "../../src/settlement/escrow-account.js";
import { openDisputeStatement } from "../../src/settlement/statements.js";
import { rejectionCode } from "../support/error-code.js";
import { BUYER_FUNDS, WINDOW_MS, openJobMarket } from "../support/job-market.js";
import type { JobMarket } from "../support/job-market.js";

/** A plain SPL transfer from `from` straight into a token account (the MoltClient pays owners, not accounts). */
async function depositInto(chain: EmbeddedMoltClient, from: Wallet, tokenAccount: Address, amount: Amount): Promise<void> {
  chain.airdropLamports(from.address, 1_000_000_000n);
  const source = await chain.tokenAccount(from.address);
  const signed = await pipe(
    createTransactionMessage({ version: 0 }),
    (message) => setTransactionMessageFeePayerSigner(walletSigner(from), message),
    (message) =>
      setTransactionMessageLifetimeUsingBlockhash(
        { blockhash: chain.latestBlockhash() as Blockhash, lastValidBlockHeight: 1_000_000n },
        message,
      ),
    (message) =>
      appendTransactionMessageInstruction(
        getTransferCheckedInstruction({
          source,
          mint: chain.mint,
          destination: tokenAccount,
          authority: walletSigner(from),
          amount: amount.baseUnits,
          decimals: MOLT_DECIMALS,
        }),
        message,
      ),
    (message) => signTransactionMessageWithSigners(message),
  );
  const result = chain.submitWire(Uint8Array.from(getTransactionEncoder().encode(signed)));
  if (result.error !== undefined) throw new Error(result.error);
}

const open: JobMarket[] = [];
afterEach(() => {
  for (const market of open.splice(0)) market.chain.close();
});

async function fundedEscrow(gpus = 4, hours = 8): Promise<{ market: JobMarket; escrow: EscrowAccount }> {
  const market = await openJobMarket();
  open.push(market);
  const escrow = await market.payments.createJobEscrow(market.match(gpus, hours), market.buyer);
  return { market, escrow };
}

describe("PaymentService on the embedded chain", () => {
  it("creates a Locked escrow holding the match's total cost, with lockedUntil = start + hours + grace", async () => {
    const { market, escrow } = await fundedEscrow(4, 8);
    expect(escrow.state).toBe("Locked");
    expect(escrow.amount.toString()).toBe("80"); // 2.5 x 4 GPUs x 8 h
    expect(escrow.lockedUntil.getTime() - escrow.createdAt.getTime()).toBe(8 * 3_600_000 + WINDOW_MS);
    expect(escrow.transactionId).toBeDefined();
    expect((await market.chain.escrowBalance(escrowHandle(escrow)))?.toString()).toBe("80");
    expect((await market.balances()).buyer.toString()).toBe("920");
  });

  it("fund -> run -> proof -> settle with a partial refund: chain balances equal the SettlementResult exactly", async () => {
    const { market, escrow } = await fundedEscrow(4, 8);
    const proof = market.proof(escrow, 5.5 * 3600);
    market.clock.set(proof.endedAtMs);
    const completed = market.payments.completeJob(escrow, market.attest(proof));
    market.clock.set(proof.endedAtMs + 1000);
    const { escrow: released, result } = await market.payments.releasePayment(
      completed,
      {
        escrowId: escrow.id,
        actualHours: 5.5,
        proof,
        providerAttestation: market.attest(proof),
        buyerConfirmation: market.confirm(proof, 19_800),
      },
      market.provider,
    );
    expect(result.status.kind).toBe("PartialRefund");
    expect(result.billedSeconds).toBe(19_800);
    // rate = ceil(2.5e9 x 4 / 3600) = 2,777,778 base units a second; fee rate floor(2,777,778 x 250 / 10000) = 69,444.
    expect(result.charge.toString()).toBe("55.0000044");
    expect(result.platformFee.toString()).toBe("1.3749912");
    expect(result.providerPayment.toString()).toBe("53.6250132");
    expect(result.buyerRefund.toString()).toBe("24.9999956");
    expect(result.providerPayment.add(result.platformFee).add(result.buyerRefund).equals(escrow.amount)).toBe(true);
    expect(result.transactions).toHaveLength(1);
    expect(released.state).toBe("Released");
    const balances = await market.balances();
    expect(balances.provider.equals(result.providerPayment)).toBe(true);
    expect(balances.arbiter.equals(result.platformFee)).toBe(true);
    expect(balances.buyer.equals(BUYER_FUNDS.sub(escrow.amount).add(result.buyerRefund))).toBe(true);
    expect(await market.chain.escrowBalance(escrowHandle(escrow))).toBeUndefined(); // closed, rent back to the operator
    const sent = await market.chain.getTransaction(result.transactions[0] ?? ("" as never));
    expect(sent?.type).toBe("EscrowSettle");
    // Settled once: a second settlement is an invalid transition and sends nothing.
    expect(
      await rejectionCode(
        market.payments.releasePayment(
          released,
          { escrowId: escrow.id, actualHours: 5.5, proof, providerAttestation: market.attest(proof) },
          market.provider,
        ),
      ),
    ).toBe("INVALID_STATE_TRANSITION");
  });

  it("a job that used its whole allocation pays the total cost: Success, nothing refunded", async () => {
    const { market, escrow } = await fundedEscrow(2, 1);
    const proof = market.proof(escrow, 3600 + 120); // ran past its hour: billed the allocated hour only
    market.clock.set(proof.endedAtMs);
    const { result } = await market.payments.releasePayment(
      escrow,
      {
        escrowId: escrow.id,
        actualHours: "1.0333",
        proof,
        providerAttestation: market.attest(proof),
        buyerConfirmation: market.confirm(proof, 3600),
      },
      market.buyer,
    );
    expect(result.status.kind).toBe("Success");
    expect(result.billedSeconds).toBe(3600);
    expect(result.charge.toString()).toBe("5");
    expect(result.buyerRefund.isZero()).toBe(true);
    expect((await market.balances()).provider.add(result.platformFee).toString()).toBe("5");
  });

  it("a job that billed no time is a full refund, and the escrow ends Refunded", async () => {
    const { market, escrow } = await fundedEscrow();
    const proof = market.proof(escrow, 0);
    market.clock.set(proof.endedAtMs + WINDOW_MS); // no confirmation: waits out the dispute window
    const { escrow: after, result } = await market.payments.releasePayment(
      escrow,
      { escrowId: escrow.id, actualHours: 0, proof, providerAttestation: market.attest(proof) },
      market.provider,
    );
    expect(result.status.kind).toBe("FullRefund");
    expect(result.buyerRefund.equals(escrow.amount)).toBe(true);
    expect(after.state).toBe("Refunded");
    const balances = await market.balances();
    expect(balances.buyer.equals(BUYER_FUNDS)).toBe(true);
    expect(balances.provider.isZero() && balances.arbiter.isZero()).toBe(true);
  });

  it("an unconfirmed proof waits out the dispute window, then settles with the provider's signature", async () => {
    const { market, escrow } = await fundedEscrow();
    const proof = market.proof(escrow, 7200);
    market.clock.set(proof.endedAtMs);
    const completed = market.payments.completeJob(escrow, market.attest(proof));
    const input = { escrowId: escrow.id, actualHours: 2, proof, providerAttestation: market.attest(proof) };
    market.clock.set(proof.endedAtMs + WINDOW_MS - 1);
    expect(await rejectionCode(market.payments.releasePayment(completed, input, market.provider))).toBe("DISPUTE_WINDOW_OPEN");
    expect((await market.chain.escrowBalance(escrowHandle(escrow)))?.equals(escrow.amount)).toBe(true);
    market.clock.advance(1);
    const { result } = await market.payments.releasePayment(completed, input, market.provider);
    expect(result.status.kind).toBe("PartialRefund");
    expect((await market.balances()).provider.equals(result.providerPayment)).toBe(true);
  });

  it("a dispute opened in the window is resolved by the arbiter with a split, paid out on chain exactly", async () => {
    const { market, escrow } = await fundedEscrow();
    const proof = market.proof(escrow, 4 * 3600);
    market.clock.set(proof.endedAtMs);
    const completed = market.payments.completeJob(escrow, market.attest(proof));
    market.clock.set(proof.endedAtMs + 10 * 60_000);
    const dispute = openDisputeStatement({
      id: newDisputeId(market.clock.now()),
      escrowId: escrow.id,
      party: market.buyer,
      reason: "half the GPUs were throttled",
      evidence: ["c".repeat(64)],
      openedAtMs: market.clock.now(),
    });
    const disputed = market.payments.openDispute(completed, dispute);
    expect(disputed.state).toBe("Disputed");
    // Disputed escrows do not settle, refund or take a second dispute.
    expect(
      await rejectionCode(
        market.payments.releasePayment(
          disputed,
          {
            escrowId: escrow.id,
            actualHours: 4,
            proof,
            providerAttestation: market.attest(proof),
            buyerConfirmation: market.confirm(proof, 14_400),
          },
          market.provider,
        ),
      ),
    ).toBe("INVALID_STATE_TRANSITION");
    expect(await rejectionCode(market.payments.refundPayment(disputed, { kind: "timeout" }, market.buyer))).toBe(
      "INVALID_STATE_TRANSITION",
    );
    const decision = { disputeId: dispute.id as never, providerShare: Amount.parse("30"), reason: "paid for the hours at full speed" };
    expect(
      await rejectionCode(
        market.payments.handleDispute(disputed, { ...decision, providerShare: Amount.parse("80.000000001") }, market.provider),
      ),
    ).toBe("OUT_OF_RANGE");
    expect(await rejectionCode(market.payments.handleDispute(disputed, decision, market.arbiter))).toBe("NOT_A_PARTY");
    const { escrow: resolved, resolution } = await market.payments.handleDispute(disputed, decision, market.provider);
    expect(resolved.state).toBe("Resolved");
    expect(resolution.acceptedBy).toBe(market.provider.address);
    expect(resolution.providerPayment.add(resolution.platformFee).toString()).toBe("30");
    expect(resolution.buyerRefund.toString()).toBe("50");
    const balances = await market.balances();
    expect(balances.provider.equals(resolution.providerPayment)).toBe(true);
    expect(balances.arbiter.equals(resolution.platformFee)).toBe(true);
    expect(balances.buyer.equals(BUYER_FUNDS.sub(Amount.parse("30")))).toBe(true);
  });

  it("a rejected confirmation turns the settlement into a dispute and moves nothing", async () => {
    const { market, escrow } = await fundedEscrow();
    const proof = market.proof(escrow, 3600);
    market.clock.set(proof.endedAtMs);
    const { escrow: disputed, result } = await market.payments.releasePayment(
      escrow,
      {
        escrowId: escrow.id,
        actualHours: 1,
        proof,
        providerAttestation: market.attest(proof),
        buyerConfirmation: market.confirm(proof, 0, false, "no output was produced"),
      },
      market.provider,
    );
    expect(result.status).toMatchObject({ kind: "Disputed", reason: "no output was produced" });
    expect(result.heldInEscrow.equals(escrow.amount) && result.providerPayment.isZero() && result.transactions.length === 0).toBe(true);
    expect(disputed.state).toBe("Disputed");
    expect((await market.chain.escrowBalance(escrowHandle(escrow)))?.equals(escrow.amount)).toBe(true);
    if (result.status.kind !== "Disputed") throw new Error("unreachable");
    const { resolution } = await market.payments.handleDispute(
      disputed,
      { disputeId: result.status.disputeId, providerShare: Amount.zero(), reason: "no output" },
      market.buyer,
    );
    expect(resolution.buyerRefund.equals(escrow.amount)).toBe(true);
    expect((await market.balances()).buyer.equals(BUYER_FUNDS)).toBe(true);
  });

  it("disputes close with their window, and only the buyer or provider may open one", async () => {
    const { market, escrow } = await fundedEscrow();
    const proof = market.proof(escrow, 3600);
    market.clock.set(proof.endedAtMs);
    const completed = market.payments.completeJob(escrow, market.attest(proof));
    expect(market.payments.disputeDeadline(completed).getTime()).toBe(proof.endedAtMs + WINDOW_MS);
    const statement = (party = market.provider): ReturnType<typeof openDisputeStatement> =>
      openDisputeStatement({
        id: newDisputeId(market.clock.now()),
        escrowId: escrow.id,
        party,
        reason: "the buyer's data was missing",
        openedAtMs: market.clock.now(),
      });
    expect(() => market.payments.openDispute(completed, statement(market.arbiter))).toThrow(
      expect.objectContaining({ code: "NOT_A_PARTY" }),
    );
    expect(() => market.payments.openDispute(completed, { ...statement(), reason: "edited after signing" })).toThrow(
      expect.objectContaining({ code: "INVALID_SIGNATURE" }),
    );
    market.clock.set(proof.endedAtMs + WINDOW_MS + 1);
    expect(() => market.payments.openDispute(completed, statement())).toThrow(expect.objectContaining({ code: "DISPUTE_WINDOW_CLOSED" }));
  });

  it("an escrow past lockedUntil whose job never completed is refunded to the buyer, not before", async () => {
    const { market, escrow } = await fundedEscrow();
    market.clock.set(escrow.lockedUntil.getTime() - 1);
    expect(await rejectionCode(market.payments.refundPayment(escrow, { kind: "timeout" }, market.buyer))).toBe("ESCROW_LOCKED");
    market.clock.advance(1);
    expect(await rejectionCode(market.payments.refundPayment(escrow, { kind: "timeout" }, market.provider))).toBe("NOT_A_PARTY");
    const { escrow: refunded, transactions } = await market.payments.refundPayment(escrow, { kind: "timeout" }, market.buyer);
    expect(refunded.state).toBe("Refunded");
    expect(transactions).toHaveLength(1);
    expect((await market.balances()).buyer.equals(BUYER_FUNDS)).toBe(true);
  });

  it("a completed job is not refunded on timeout: it settles with its proof", async () => {
    const { market, escrow } = await fundedEscrow();
    const proof = market.proof(escrow, 3600);
    market.clock.set(proof.endedAtMs);
    const completed = market.payments.completeJob(escrow, market.attest(proof));
    market.clock.set(escrow.lockedUntil.getTime() + 1);
    expect(await rejectionCode(market.payments.refundPayment(completed, { kind: "timeout" }, market.buyer))).toBe("ESCROW_ERROR");
    expect(() => market.payments.completeJob(completed, market.attest(proof))).toThrow(expect.objectContaining({ code: "ESCROW_ERROR" }));
  });

  it("a failure the provider attests (non-zero exit) is refunded at once", async () => {
    const { market, escrow } = await fundedEscrow();
    const failed = market.proof(escrow, 600, { exitStatus: 137 });
    const succeeded = market.proof(escrow, 600);
    market.clock.set(failed.endedAtMs);
    expect(
      await rejectionCode(
        market.payments.refundPayment(escrow, { kind: "jobFailed", attestation: market.attest(succeeded) }, market.buyer),
      ),
    ).toBe("INVALID_FIELD");
    const { escrow: refunded } = await market.payments.refundPayment(
      escrow,
      { kind: "jobFailed", attestation: market.attest(failed) },
      market.buyer,
    );
    expect(refunded.state).toBe("Refunded");
    expect((await market.balances()).buyer.equals(BUYER_FUNDS)).toBe(true);
  });

  it("MOLT sent into an escrow account by anyone goes back to the buyer and does not block the settlement", async () => {
    const { market, escrow } = await fundedEscrow();
    const stranger = Wallet.generate();
    await market.chain.airdrop(stranger.address, Amount.parse("1"));
    await depositInto(market.chain, stranger, escrowHandle(escrow).address, Amount.parse("0.5"));
    expect((await market.chain.escrowBalance(escrowHandle(escrow)))?.toString()).toBe("80.5");
    const proof = market.proof(escrow, 3600);
    market.clock.set(proof.endedAtMs);
    const { result } = await market.payments.releasePayment(
      escrow,
      {
        escrowId: escrow.id,
        actualHours: 1,
        proof,
        providerAttestation: market.attest(proof),
        buyerConfirmation: market.confirm(proof, 3600),
      },
      market.provider,
    );
    const balances = await market.balances();
    expect(balances.provider.equals(result.providerPayment)).toBe(true);
    expect(balances.buyer.equals(BUYER_FUNDS.sub(escrow.amount).add(result.buyerRefund).add(Amount.parse("0.5")))).toBe(true);
  });
});
