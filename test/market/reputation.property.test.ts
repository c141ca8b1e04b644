// Reputation through the durable market on each store: the incrementally maintained ledger (and the
// book's reputations, set by ReputationChanged in the outcome's batch) equals a fresh fold of the
// whole log, after random histories and after a rebuild on the same store.
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import type { Marketplace } from "../../src/market/marketplace.js";
import { ReputationLedger } from "../../src/market/reputation-ledger.js";
import type { EventRow } from "../../src/store/store.js";
import { openMarket, openParties, postgresFactory, sqliteFactory } from "../support/market.js";
import type { StoreFactory } from "../support/market.js";
import { postgresUrl } from "../support/postgres.js";
import { REPUTATION_TEST_TIMEOUT_MS, driveJob, manualTime, providersWithOffers } from "../support/reputation-market.js";
import type { DrivenOutcome } from "../support/reputation-market.js";

const url = await postgresUrl("Reputation");
if (url === undefined) console.warn("Reputation: PostgreSQL unreachable, the property runs on SQLite only");
const factories: StoreFactory[] = [sqliteFactory, ...(url === undefined ? [] : [postgresFactory(url)])];

/** Every stored event, oldest first. */
async function allEvents(market: Marketplace): Promise<EventRow[]> {
  const events: EventRow[] = [];
  for (;;) {
    const page = await market.events(events.length, 500);
    events.push(...page);
    if (page.length < 500) return events;
  }
}

/** A fresh fold of the whole log. */
async function freshLedger(market: Marketplace): Promise<ReputationLedger> {
  const ledger = new ReputationLedger();
  for (const event of await allEvents(market)) ledger.apply(event);
  return ledger;
}

const history = fc.array(
  fc.record({
    provider: fc.integer({ min: 0, max: 2 }),
    outcome: fc.constantFrom<DrivenOutcome>("settled", "failed", "lost", "disputeWon", "disputeLost"),
    gapMs: fc.integer({ min: 0, max: 40 * 24 * 3_600_000 }),
  }),
  {
    minLength: 1,
    maxLength: 6,
  },
);

for (const factory of factories) {
  describe(`reputation on ${factory.name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    it("the incremental ledger and the book equal a fresh fold of the log, on a follower and after a rebuild", async () => {
      await fc.assert(
        fc.asyncProperty(history, async (steps) => {
          const db = await factory.fresh();
          const parties = await openParties();
          const clock = new ManualClock(Date.UTC(2026, 0, 1));
          const markets: Marketplace[] = [];
          const open = async (): Promise<Marketplace> => {
            const market = await openMarket(await db.open(), parties, clock, undefined, { receiptTimeoutMs: REPUTATION_TEST_TIMEOUT_MS });
            markets.push(market);
            return market;
          };
          try {
            const market = await open();
            // A second node on the same store, following the first one's events.
            const follower = await open();
            const providers = await providersWithOffers(market, 3, clock.now());
            for (const step of steps) {
              clock.advance(step.gapMs);
              const provider = providers[step.provider];
              if (provider === undefined) throw new Error("no such provider");
              await driveJob(market, parties, provider, step.outcome, manualTime(clock));
            }
            const fresh = await freshLedger(market);
            // Every driven job is counted once, as what it was, for its provider.
            const counted = {
              settled: "settled",
              failed: "failedExitStatus",
              lost: "lost",
              disputeWon: "disputeWon",
              disputeLost: "disputeLost",
            } as const;
            providers.forEach((provider, i) => {
              const expected = { settled: 0, disputeWon: 0, disputeLost: 0, failedExitStatus: 0, lost: 0, timedOut: 0 };
              for (const step of steps) if (step.provider === i) expected[counted[step.outcome]]++;
              expect(fresh.reportOf(provider.address).counts).toEqual(expected);
            });
            const events = await allEvents(market);
            for (const provider of providers) {
              const report = fresh.reportOf(provider.address);
              expect(market.providerReputation(provider.address)).toEqual(report);
              expect(market.book.providerReputation(provider.address)).toBe(report.estimate);
            }
            // Each outcome's batch recorded the estimate it produced, for followers to apply.
            const changed = events.filter((event) => event.type === "ReputationChanged");
            expect(changed.length).toBeGreaterThanOrEqual(new Set(steps.map((step) => step.provider)).size);
            await follower.follow();
            expect(follower.lastSeq).toBe(market.lastSeq);
            for (const provider of providers) {
              expect(follower.providerReputation(provider.address)).toEqual(fresh.reportOf(provider.address));
              expect(follower.book.providerReputation(provider.address)).toBe(fresh.estimateOf(provider.address));
            }
            const reopened = await open();
            for (const provider of providers) {
              expect(reopened.providerReputation(provider.address)).toEqual(fresh.reportOf(provider.address));
              expect(reopened.book.providerReputation(provider.address)).toBe(fresh.estimateOf(provider.address));
            }
          } finally {
            for (const market of markets) await market.close().catch(() => undefined);
            parties.chain.close();
            await db.dispose();
          }
        }),
        { numRuns: factory.name === "sqlite" ? 12 : 6 },
      );
    }, 240_000);

    it("an order resting for want of reputation is matched in the batch of the outcome that raises it, on every node", async () => {
      const db = await factory.fresh();
      const parties = await openParties();
      const clock = new ManualClock(Date.UTC(2026, 0, 1));
      const open = async () => openMarket(await db.open(), parties, clock, undefined, { receiptTimeoutMs: REPUTATION_TEST_TIMEOUT_MS });
      const market = await open();
      const follower = await open();
      cleanups.push(async () => {
        await follower.close();
        await market.close();
        parties.chain.close();
        await db.dispose();
      });
      const [provider] = await providersWithOffers(market, 1, clock.now());
      if (provider === undefined) throw new Error("one provider");
      const resting = await market.submitOrder("picky", {
        buyerId: parties.buyer.address,
        requirements: { minGpuCount: 1, minVramGb: 40, maxPricePerHour: "3", estimatedHours: 1, minReputation: 0.6 },
      });
      expect(resting.status).toBe("Pending");
      await driveJob(market, parties, provider, "settled", manualTime(clock));
      expect(market.book.providerReputation(provider.address)).toBe(2 / 3);
      expect((await market.getOrder(resting.orderId)).status).toBe("Matched");
      await follower.follow();
      expect(follower.book.providerReputation(provider.address)).toBe(2 / 3);
      expect(follower.book.getMatch(resting.orderId as never).providerId).toBe(provider.address);
      expect(follower.book.snapshot()).toEqual(market.book.snapshot());
    }, 60_000);

    it("a reliable provider wins a tie against a flaky one at the same price and offer shape", async () => {
      const db = await factory.fresh();
      const parties = await openParties();
      const clock = new ManualClock(Date.UTC(2026, 0, 1));
      const market = await openMarket(await db.open(), parties, clock, undefined, { receiptTimeoutMs: REPUTATION_TEST_TIMEOUT_MS });
      cleanups.push(async () => {
        await market.close();
        parties.chain.close();
        await db.dispose();
      });
      const [reliable, flaky] = await providersWithOffers(market, 2, clock.now());
      if (reliable === undefined || flaky === undefined) throw new Error("two providers");
      await driveJob(market, parties, reliable, "settled", manualTime(clock));
      await driveJob(market, parties, flaky, "lost", manualTime(clock));
      expect(market.book.providerReputation(reliable.address)).toBeGreaterThan(market.book.providerReputation(flaky.address));
      const submitted = await market.submitOrder("tie", {
        buyerId: parties.buyer.address,
        requirements: { minGpuCount: 1, minVramGb: 40, maxPricePerHour: "3", estimatedHours: 1 },
      });
      expect(submitted.status).toBe("Matched");
      expect((await market.getOrder(submitted.orderId)).match?.providerId).toBe(reliable.address);
    }, 60_000);
  });
}
