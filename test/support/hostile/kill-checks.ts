// The kill test's expectations per chain step, from the rules and never from what the store
// recorded: where the order stands before and after the step, whether the step landed (read from
// the escrow account on chain), what it moves, what the store must then say, the step retried as
// the worker sent it, and MOLT conserved over the parties and every open escrow. Checks only.
import { expect } from "vitest";
import type { EmbeddedMoltClient } from "../../../src/chain/embedded/embedded-client.js";
import type { Wallet } from "../../../src/chain/wallet.js";
import { Amount } from "../../../src/core/amount.js";
import { isMarketError } from "../../../src/core/errors.js";
import type { OrderMatch } from "../../../src/core/types.js";
import { decodeEscrow } from "../../../src/market/codec.js";
import type { Marketplace } from "../../../src/market/marketplace.js";
import type { OrderView } from "../../../src/market/views.js";
import { PAYMENT_DEFAULTS } from "../../../src/payments/payment-service.js";
import { SECONDS_PER_HOUR, billSeconds, receiptedSplit, splitCharge } from "../../../src/settlement/billing.js";
import type { ChargeSplit } from "../../../src/settlement/billing.js";
import type { EscrowAccount } from "../../../src/settlement/escrow-account.js";
import { confirm } from "../../../src/settlement/statements.js";
import type { Store } from "../../../src/store/store.js";
import { KILL_EXTEND_HOURS, KILL_JOB_RAN_MS, KILL_LOST_SECONDS, killOrderRequirements } from "./kill-worker.js";
import type { KillStep } from "./kill-worker.js";

/** The three wallets of a kill market. */
export interface KillParties {
  readonly arbiter: Wallet;
  readonly buyer: Wallet;
  readonly provider: Wallet;
}

/** MOLT balances of the three parties, in base units. */
export interface Balances {
  readonly buyer: bigint;
  readonly provider: bigint;
  readonly arbiter: bigint;
}

/** The order's status before its step lands and after, and the escrow's state after. */
export const STEP_STATES: Record<KillStep, { readonly prior: string; readonly outcome: string; readonly escrow: string }> = {
  fund: { prior: "Matched", outcome: "Escrowed", escrow: "Locked" },
  settle: { prior: "Completed", outcome: "Settled", escrow: "Released" },
  refund: { prior: "Failed", outcome: "Refunded", escrow: "Refunded" },
  resolve: { prior: "Disputed", outcome: "Resolved", escrow: "Resolved" },
  // The provider was paid its receipted seconds: Settled, not Refunded.
  lostPayout: { prior: "Failed", outcome: "Settled", escrow: "Released" },
  extend: { prior: "Running", outcome: "Running", escrow: "Locked" },
};

/** Does the step pay the escrow out (and close its account on chain). */
export function isPayout(step: KillStep): boolean {
  return step !== "fund" && step !== "extend";
}

/** MOLT of the round's job by the rules: its 2 hours escrowed at funding, and the extend step's deposit. */
export interface RoundAmounts {
  readonly funded: bigint;
  readonly extension: bigint;
}

/** The round's amounts from its match's price and GPUs (not from the escrow the store recorded). */
export function roundAmounts(match: OrderMatch): RoundAmounts {
  return {
    funded: match.pricePerHour.mul(match.gpuCount * killOrderRequirements.estimatedHours).baseUnits,
    extension: match.pricePerHour.mul(match.gpuCount * KILL_EXTEND_HOURS).baseUnits,
  };
}

/** The MOLT of the three parties on chain. */
export async function balancesOf(chain: EmbeddedMoltClient, parties: KillParties): Promise<Balances> {
  return {
    buyer: (await chain.balance(parties.buyer.address)).baseUnits,
    provider: (await chain.balance(parties.provider.address)).baseUnits,
    arbiter: (await chain.balance(parties.arbiter.address)).baseUnits,
  };
}

/** Did the step land, read from the escrow account alone (`held`: undefined once closed); it holds nothing a step does not give. */
export function landedOnChain(step: KillStep, held: bigint | undefined, amounts: RoundAmounts): boolean {
  if (step === "fund") {
    if (held !== undefined) expect(held, "a funded escrow holds its amount").toBe(amounts.funded);
    return held !== undefined;
  }
  if (step === "extend") {
    expect([amounts.funded, amounts.funded + amounts.extension], "the escrow holds its amount, or that and one extension").toContain(held);
    return held === amounts.funded + amounts.extension;
  }
  if (held !== undefined) expect(held, "an escrow not paid out holds its amount").toBe(amounts.funded);
  return held === undefined;
}

/** The answer of a landed step to its retry and to a replay with the same key. */
export function landedAnswer(step: KillStep): string {
  if (step === "fund") return "Locked";
  if (step === "extend") return `extended to ${(killOrderRequirements.estimatedHours + KILL_EXTEND_HOURS) * SECONDS_PER_HOUR} s`;
  return STEP_STATES[step].outcome;
}

/**
 * Retries `step` on `orderId` under `key` as the worker sent it (odd rounds by the provider, even
 * ones by the buyer); the answer, or `refused CODE`. @throws anything but a MarketError (a bug)
 */
export async function retryStep(
  market: Marketplace,
  parties: KillParties,
  request: { readonly step: KillStep; readonly orderId: string; readonly key: string; readonly roundNo: number },
): Promise<string> {
  const { buyer, provider } = parties;
  const { step, orderId, key } = request;
  const cosigner = request.roundNo % 2 === 1 ? provider : buyer;
  try {
    if (step === "fund") return (await market.fundEscrow(key, orderId, buyer)).state;
    if (step === "refund") return (await market.refund(key, orderId, buyer)).status;
    if (step === "resolve") return (await market.resolveDispute(key, orderId, cosigner)).status;
    if (step === "lostPayout")
      return (cosigner === provider ? await market.settle(key, orderId, {}, provider) : await market.refund(key, orderId, buyer)).status;
    if (step === "extend") {
      const { escrow } = await market.extendJob(key, orderId, KILL_EXTEND_HOURS, buyer);
      return `extended to ${escrow.allocatedSeconds} s`;
    }
    const proof = (await market.getOrder(orderId)).job.attestation?.proof;
    if (proof === undefined) return "no attestation";
    const billedSeconds = Math.floor(KILL_JOB_RAN_MS / 1000);
    return (await market.settle(key, orderId, { confirmation: confirm({ proof, buyer, accepted: true, billedSeconds }) }, cosigner)).status;
  } catch (e) {
    if (!isMarketError(e)) throw e; // anything else is a bug, and fails the case
    return `refused ${e.code}`;
  }
}

/** The split a payout step pays, from the rules (undefined: the step pays nothing out). @throws when a resolve has no decision */
export function expectedSplit(step: KillStep, order: OrderView, escrow: EscrowAccount): ChargeSplit | undefined {
  if (step === "fund" || step === "extend") return undefined;
  if (step === "refund")
    return { providerPayment: Amount.zero(), platformFee: Amount.zero(), buyerRefund: escrow.amount, charge: Amount.zero() };
  if (step === "settle") return billSeconds(Math.floor(KILL_JOB_RAN_MS / 1000), escrow.amount, escrow.rate);
  if (step === "lostPayout") return receiptedSplit(escrow, KILL_LOST_SECONDS);
  const share = order.job.decision?.providerShare;
  if (share === undefined) throw new Error(`order ${order.orderId} has no decision`);
  return splitCharge(Amount.parse(share), escrow.amount, escrow.rate);
}

/** The parties' balances once the step landed exactly once, from `before` (the round's job not yet funded). */
export function paidOnce(step: KillStep, before: Balances, amounts: RoundAmounts, split: ChargeSplit | undefined): Balances {
  const deposited = amounts.funded + (step === "extend" ? amounts.extension : 0n);
  if (split === undefined) return { ...before, buyer: before.buyer - deposited };
  expect(split.providerPayment.add(split.platformFee).add(split.buyerRefund).baseUnits, "the split adds up to the escrow").toBe(deposited);
  return {
    buyer: before.buyer - deposited + split.buyerRefund.baseUnits,
    provider: before.provider + split.providerPayment.baseUnits,
    arbiter: before.arbiter + split.platformFee.baseUnits,
  };
}

/** The store says what the chain did: a payout's split as the rules give it, or one extension's grown terms. */
export function expectRecorded(
  step: KillStep,
  order: OrderView,
  escrow: EscrowAccount,
  amounts: RoundAmounts,
  split: ChargeSplit | undefined,
): void {
  expect(escrow.state, "the escrow's state").toBe(STEP_STATES[step].escrow);
  if (split !== undefined) {
    const recorded = order.job.settlement;
    expect(
      { provider: recorded?.providerPayment, fee: recorded?.platformFee, buyer: recorded?.buyerRefund },
      "the store records what the chain paid",
    ).toEqual({ provider: split.providerPayment.toString(), fee: split.platformFee.toString(), buyer: split.buyerRefund.toString() });
  }
  if (step === "lostPayout") expect(order.job.failure?.secondsRun, "the job failed with its receipted seconds").toBe(KILL_LOST_SECONDS);
  if (step !== "extend") return;
  const hours = killOrderRequirements.estimatedHours + KILL_EXTEND_HOURS;
  expect(
    {
      amount: escrow.amount.baseUnits,
      allocatedSeconds: escrow.allocatedSeconds,
      lockedUntilMs: escrow.lockedUntil.getTime(),
      extensions: (order.job.extensions ?? []).map((e) => ({ hours: e.hours, amount: Amount.parse(e.amount).baseUnits })),
      matchHours: order.match?.hours,
      matchTotal: order.match?.totalCost.baseUnits,
    },
    "the escrow and the match grew once, and the job lists one extension",
  ).toEqual({
    amount: amounts.funded + amounts.extension,
    allocatedSeconds: hours * SECONDS_PER_HOUR,
    lockedUntilMs: escrow.createdAt.getTime() + hours * SECONDS_PER_HOUR * 1000 + PAYMENT_DEFAULTS.gracePeriodMs,
    extensions: [{ hours: KILL_EXTEND_HOURS, amount: amounts.extension }],
    matchHours: hours,
    matchTotal: amounts.funded + amounts.extension,
  });
}

/** Every stored escrow holds on chain what its state says (its recorded amount while open); MOLT held by parties and escrows = `airdropped`. */
export async function expectConserved(store: Store, chain: EmbeddedMoltClient, parties: KillParties, airdropped: bigint): Promise<void> {
  let inEscrows = 0n;
  for (let afterId = ""; ;) {
    const page = await store.listEscrows(afterId, 500);
    if (page.length === 0) break;
    for (const row of page) {
      const stored = decodeEscrow(row.doc);
      const onChain = await chain.escrowBalance(
        await chain.escrowHandleFor({
          escrowId: stored.id,
          buyer: stored.buyer,
          provider: stored.provider,
          arbiter: stored.arbiter,
          amount: stored.amount,
        }),
      );
      const expected = row.state === "Locked" || row.state === "Disputed" ? stored.amount.baseUnits : undefined;
      expect(onChain?.baseUnits, `escrow ${row.id} is ${row.state} in the store`).toBe(expected);
      inEscrows += onChain?.baseUnits ?? 0n;
    }
    afterId = page.at(-1)?.id ?? afterId;
  }
  const now = await balancesOf(chain, parties);
  expect(now.buyer + now.provider + now.arbiter + inEscrows, "MOLT conserved to the base unit").toBe(airdropped);
}
