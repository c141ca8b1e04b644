// Hostile: two commands on one order raced, through the Marketplace itself (no HTTP in between),
// each started after a random 0..5 ms (a fixed, printed PRNG seed): settle against a dispute,
// settle against refund, refund against a dispute, the buyer's and the provider's acceptance of one
// dispute decision, two fundings, two settlements. Every party is fresh per race, so after each
// race the chain must show: at most one payout (the escrow account closed at most once), at most
// one funding, MOLT conserved to the base unit (buyer + provider + fee recipient + escrow = what the
// buyer started with), no chain step left pending, and the order's stored status agreeing with the
// chain (a closed escrow is Settled, Refunded or Resolved; an open one is none of those). Every
// refusal is a MarketError (ESCROW_BUSY, INVALID_STATE_TRANSITION, ...), never another error.
// On each store, with the embedded chain.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddedMoltClient } from "../../src/chain/embedded/embedded-client.js";
import type { EscrowHandle, MoltClient } from "../../src/chain/molt-client.js";
import { Wallet } from "../../src/chain/wallet.js";
import { Amount } from "../../src/core/amount.js";
import { HOUR_MS, ManualClock } from "../../src/core/clock.js";
import { isMarketError } from "../../src/core/errors.js";
import { newDisputeId } from "../../src/core/ids.js";
import { Marketplace } from "../../src/market/marketplace.js";
import { PaymentService } from "../../src/payments/payment-service.js";
import type { EscrowAccount } from "../../src/settlement/escrow-account.js";
import { attest, confirm, openDisputeStatement } from "../../src/settlement/statements.js";
import type { ExecutionProof } from "../../src/settlement/statements.js";
import type { Store } from "../../src/store/store.js";
import { hostileStores } from "../support/hostile/stores.js";
import { hostileTally } from "../support/hostile/tally.js";
import { seededRandom } from "../support/sample-market.js";

const tally = hostileTally();
const stores = await hostileStores("hostile: races");
/** Races of each kind, per store: 7 kinds x 32 = 224 per store. */
const RACES_PER_KIND = 32;
/** Longest random delay before a raced command starts. */
const DELAY_MS_MAX = 5;
const SEED = Number(process.env.HOSTILE_RACE_SEED ?? 20_261_201);
/** MOLT each fresh buyer starts with. */
const BUYER_MOLT = "50";
/** How long each job runs on the market's clock (billed in full: the provider's attested time). */
const JOB_MS = 30 * 60_000;
const SETTLED = new Set(["Settled", "Refunded", "Resolved"]);

/** Successful chain calls per escrow id: fundings (createEscrow) and payouts (settleEscrow, the one payout path). */
interface ChainCounts {
  readonly fundings: Map<string, number>;
  readonly payouts: Map<string, number>;
}

/** The chain client, counting the fundings and payouts that executed. */
function counted(chain: MoltClient, counts: ChainCounts): MoltClient {
  const bump = (map: Map<string, number>, id: string): void => void map.set(id, (map.get(id) ?? 0) + 1);
  return new Proxy(chain, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      const bound = (value as (...args: unknown[]) => Promise<unknown>).bind(target);
      if (property === "createEscrow") {
        return async (input: { readonly escrowId: string }) => {
          const result = await bound(input);
          bump(counts.fundings, input.escrowId);
          return result;
        };
      }
      if (property === "settleEscrow" || property === "refundEscrow" || property === "releaseEscrow") {
        return async (escrow: EscrowHandle, ...rest: unknown[]) => {
          const result = await bound(escrow, ...rest);
          bump(counts.payouts, escrow.escrowId);
          return result;
        };
      }
      return bound;
    },
  });
}

/** One raced job: its fresh parties and where it stands before the race. */
interface RaceJob {
  readonly orderId: string;
  readonly buyer: Wallet;
  readonly provider: Wallet;
  readonly startMolt: bigint;
  readonly escrow?: EscrowAccount;
  readonly proof?: ExecutionProof;
}

type Stage = "matched" | "completed" | "failed" | "decided";

/** A kind of race: where the job stands, and the two commands raced on it (`i` varies who acts). */
interface RaceKind {
  readonly name: string;
  readonly stage: (i: number) => Stage;
  readonly commands: (job: RaceJob, i: number) => readonly [() => Promise<unknown>, () => Promise<unknown>];
}

for (const store of stores) {
  describe(`hostile: raced commands on one order (${store.name} store, embedded chain)`, () => {
    const clock = new ManualClock(Date.now());
    const counts: ChainCounts = { fundings: new Map(), payouts: new Map() };
    const feeRecipient = Wallet.generate();
    const arbiter = Wallet.generate();
    let chain: EmbeddedMoltClient;
    let market: Marketplace;
    let opened: { readonly store: Store; readonly dispose: () => Promise<void> };
    let keys = 0;
    const key = (what: string): string => `race-${what}-${++keys}`;
    const random = seededRandom(SEED);
    const outcomes = new Map<string, { races: number; first: number; second: number; both: number; refusals: Map<string, number> }>();

    beforeAll(async () => {
      console.log(`hostile races (${store.name}): seed ${SEED} (HOSTILE_RACE_SEED replays it)`);
      chain = await EmbeddedMoltClient.open({ dataDir: mkdtempSync(join(tmpdir(), "molt-hostile-races-")) });
      opened = await store.fresh();
      const payments = new PaymentService({
        client: counted(chain, counts),
        arbiter,
        feeRecipient: feeRecipient.address,
        disputeWindowMs: HOUR_MS,
        clock,
      });
      market = await Marketplace.open({ store: opened.store, payments, clock, follow: false });
    }, 60_000);
    afterAll(async () => {
      for (const [name, o] of outcomes) {
        const refusals = [...o.refusals].map(([code, n]) => `${code} x${n}`).join(", ");
        console.log(
          `hostile races (${store.name}) ${name}: ${o.races} races; first alone ${o.first}, second alone ${o.second}, both ${o.both}; refusals: ${refusals}`,
        );
      }
      await market.close();
      chain.close();
      await opened.dispose();
    });

    /** A fresh buyer's job on a fresh provider's one-GPU offer, brought to `stage`; the offer is withdrawn once its GPU is free, so no later order matches it. */
    async function job(stage: Stage, i: number): Promise<RaceJob> {
      const [buyer, provider] = [Wallet.generate(), Wallet.generate()];
      await chain.airdrop(buyer.address, Amount.parse(BUYER_MOLT));
      const startMolt = (await chain.balance(buyer.address)).baseUnits;
      const { offerId } = await market.addOffer(key("offer"), {
        providerId: provider.address,
        gpuCapacity: { gpuCount: 1, gpuModel: "NVIDIA H100 80GB", vramGb: 80 },
        pricePerHour: "2.5",
        availableHours: 48,
      });
      const { orderId, status } = await market.submitOrder(key("order"), {
        buyerId: buyer.address,
        requirements: { minGpuCount: 1, minVramGb: 80, maxPricePerHour: "2.5", estimatedHours: 1 },
      });
      expect(status, "the race's order matches its own offer").toBe("Matched");
      if (stage === "matched") return { orderId, buyer, provider, startMolt };
      const escrow = await market.fundEscrow(key("fund"), orderId, buyer);
      await market.startJob(key("start"), orderId, provider.address);
      clock.advance(JOB_MS);
      const startedAtMs = escrow.createdAt.getTime();
      const exitStatus = stage === "failed" ? 137 : 0;
      const proof: ExecutionProof = {
        escrowId: escrow.id,
        orderId,
        offerId,
        provider: provider.address,
        gpuModel: "NVIDIA H100 80GB",
        gpuCount: 1,
        startedAtMs,
        endedAtMs: startedAtMs + JOB_MS,
        exitStatus,
        outputDigest: "a".repeat(64),
        usageDigest: "b".repeat(64),
      };
      if (stage === "failed") await market.failJob(key("fail"), orderId, attest(proof, provider), provider.address);
      else await market.completeJob(key("complete"), orderId, attest(proof, provider), provider.address);
      await market.withdrawOffer(key("withdraw"), offerId, provider.address);
      if (stage === "decided") {
        await market.openDispute(key("dispute"), orderId, disputeBy(escrow, i % 2 === 0 ? buyer : provider));
        await market.decideDispute(key("decide"), orderId, { providerShare: "1", reason: "part of the output" }, arbiter.address);
      }
      return { orderId, buyer, provider, startMolt, escrow, proof };
    }

    const disputeBy = (escrow: EscrowAccount, party: Wallet) =>
      openDisputeStatement({
        id: newDisputeId(clock.now()),
        escrowId: escrow.id,
        party,
        reason: "raced",
        evidence: [],
        openedAtMs: clock.now(),
      });
    const settleConfirmed =
      (j: RaceJob, accepted = true) =>
      () => {
        if (j.proof === undefined) throw new Error("no proof");
        const confirmation = confirm({
          proof: j.proof,
          buyer: j.buyer,
          accepted,
          billedSeconds: JOB_MS / 1000,
          ...(accepted ? {} : { reason: "raced" }),
        });
        return market.settle(key("settle"), j.orderId, { confirmation }, j.buyer);
      };
    const refund = (j: RaceJob) => () => market.refund(key("refund"), j.orderId, j.buyer);
    const dispute = (j: RaceJob, party: Wallet) => () => {
      if (j.escrow === undefined) throw new Error("no escrow");
      return market.openDispute(key("dispute"), j.orderId, disputeBy(j.escrow, party));
    };
    const resolve = (j: RaceJob, party: Wallet) => () => market.resolveDispute(key("resolve"), j.orderId, party);
    const fund = (j: RaceJob) => () => market.fundEscrow(key("fund"), j.orderId, j.buyer);

    const KINDS: readonly RaceKind[] = [
      {
        name: "settle (buyer confirms) vs openDispute",
        stage: () => "completed",
        commands: (j, i) => [settleConfirmed(j), dispute(j, i % 2 === 0 ? j.provider : j.buyer)],
      },
      { name: "settle vs refund, completed job", stage: () => "completed", commands: (j) => [settleConfirmed(j), refund(j)] },
      { name: "settle vs refund, failed job", stage: () => "failed", commands: (j) => [settleConfirmed(j), refund(j)] },
      {
        name: "refund vs openDispute, failed job",
        stage: () => "failed",
        commands: (j, i) => [refund(j), dispute(j, i % 2 === 0 ? j.provider : j.buyer)],
      },
      {
        name: "resolveDispute by buyer vs by provider after a decision",
        stage: () => "decided",
        commands: (j) => [resolve(j, j.buyer), resolve(j, j.provider)],
      },
      { name: "fundEscrow vs fundEscrow (two keys)", stage: () => "matched", commands: (j) => [fund(j), fund(j)] },
      {
        name: "settle vs settle (two keys; the second rejects every other time)",
        stage: () => "completed",
        commands: (j, i) => [settleConfirmed(j), settleConfirmed(j, i % 2 === 0)],
      },
    ];

    /** Runs `command` after a random 0..DELAY_MS_MAX ms: its refusal code, or undefined when it succeeded. Any other error fails the race. */
    async function raced(
      command: () => Promise<unknown>,
    ): Promise<{ readonly ok: boolean; readonly code?: string; readonly other?: unknown }> {
      await new Promise((resolveDelay) => setTimeout(resolveDelay, Math.floor(random() * (DELAY_MS_MAX + 1))));
      try {
        await command();
        return { ok: true };
      } catch (e) {
        return isMarketError(e) ? { ok: false, code: e.code } : { ok: false, other: e };
      }
    }

    for (const kind of KINDS) {
      it(`${RACES_PER_KIND} races: ${kind.name}`, async () => {
        const tallied = { races: 0, first: 0, second: 0, both: 0, refusals: new Map<string, number>() };
        outcomes.set(kind.name, tallied);
        for (let i = 0; i < RACES_PER_KIND; i++) {
          await tally.attempt(async () => {
            const j = await job(kind.stage(i), i);
            const feeBefore = (await chain.balance(feeRecipient.address)).baseUnits;
            const [first, second] = kind.commands(j, i);
            const results = await Promise.all([raced(first), raced(second)]);
            const what = `${kind.name} #${i} (order ${j.orderId})`;
            for (const result of results) {
              expect(result.other, `${what}: a refusal that is no MarketError: ${String(result.other)}`).toBeUndefined();
              if (result.code !== undefined) tallied.refusals.set(result.code, (tallied.refusals.get(result.code) ?? 0) + 1);
            }
            tallied.races++;
            if (results[0].ok && results[1].ok) tallied.both++;
            else if (results[0].ok) tallied.first++;
            else if (results[1].ok) tallied.second++;
            expect(
              results.some((result) => result.ok),
              `${what}: both refused (${results.map((result) => result.code).join(", ")})`,
            ).toBe(true);

            expect(await market.store.pendingEscrows(), `${what}: a chain step left pending`).toEqual([]);
            const order = await market.getOrder(j.orderId);
            const escrow = await market.getEscrow(j.orderId);
            const handle = await chain.escrowHandleFor({
              escrowId: escrow.id,
              buyer: escrow.buyer,
              provider: escrow.provider,
              arbiter: escrow.arbiter,
              amount: escrow.amount,
            });
            const held = await chain.escrowBalance(handle);
            const account = chain.account(handle.address);
            const fundings = counts.fundings.get(escrow.id) ?? 0;
            const payouts = counts.payouts.get(escrow.id) ?? 0;
            expect(fundings, `${what}: fundings on chain`).toBe(1);
            expect(payouts, `${what}: payouts on chain`).toBeLessThanOrEqual(1);
            expect({ closed: account === undefined, payouts }, `${what}: the escrow is closed exactly when it paid out`).toEqual({
              closed: payouts === 1,
              payouts,
            });
            expect({ status: order.status, closed: held === undefined }, `${what}: the stored status agrees with the chain`).toEqual({
              status: order.status,
              closed: SETTLED.has(order.status),
            });
            const [buyerMolt, providerMolt, feeAfter] = await Promise.all([
              chain.balance(j.buyer.address),
              chain.balance(j.provider.address),
              chain.balance(feeRecipient.address),
            ]);
            const total = buyerMolt.baseUnits + providerMolt.baseUnits + (feeAfter.baseUnits - feeBefore) + (held?.baseUnits ?? 0n);
            expect(
              total,
              `${what}: MOLT conserved (buyer ${buyerMolt.toString()}, provider ${providerMolt.toString()}, fee ${feeAfter.baseUnits - feeBefore}, escrow ${held?.toString() ?? "closed"})`,
            ).toBe(j.startMolt);
          });
        }
      }, 120_000);
    }
  });
}
