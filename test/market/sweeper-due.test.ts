// The sweeper reads what is due, not what exists: over 10^4 live matches of which 3 are past their
// funding window, a sweep reads those 3 rows (the old read by status took sweepMax); a new or
// changed order is looked at once, then not again before its next deadline; orders whose chain step
// is under way are left for a while, so any number of them never starve the orders due after them.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { MARKET_LIMITS } from "../../src/market/limits.js";
import type { Marketplace } from "../../src/market/marketplace.js";
import { SqlStore } from "../../src/store/sql-store.js";
import type { OrderRow } from "../../src/store/store.js";
import { openMarket, openParties } from "../support/market.js";
import type { Parties } from "../support/market.js";

const LIVE_ORDERS = 10_000;
const opened: { market: Marketplace; parties: Parties }[] = [];
afterEach(async () => {
  for (const { market, parties } of opened.splice(0)) {
    await market.close();
    parties.chain.close();
  }
});

async function setup(): Promise<{ market: Marketplace; parties: Parties; clock: ManualClock; rowsRead: () => number[] }> {
  const clock = new ManualClock(Date.now());
  const parties = await openParties();
  const store = SqlStore.openSqlite(join(mkdtempSync(join(tmpdir(), "molt-sweep-due-")), "market.db"));
  const market = await openMarket(store, parties, clock, undefined, { receiptTimeoutMs: MARKET_LIMITS.receiptTimeoutMsMax });
  opened.push({ market, parties });
  // Rows each sweep's read of candidates returned.
  const reads: number[] = [];
  const ordersDueBy = store.ordersDueBy.bind(store);
  vi.spyOn(store, "ordersDueBy").mockImplementation(async (nowMs: number, limit: number): Promise<OrderRow[]> => {
    const rows = await ordersDueBy(nowMs, limit);
    reads.push(rows.length);
    return rows;
  });
  return { market, parties, clock, rowsRead: () => reads.splice(0) };
}

const offer = (provider: string) => ({
  providerId: provider,
  gpuCapacity: { gpuCount: 8, gpuModel: "H100", vramGb: 80 },
  pricePerHour: "2.5",
  availableHours: 24,
});
const order = (buyer: string, gpus: number) => ({
  buyerId: buyer,
  requirements: { minGpuCount: gpus, minVramGb: 40, maxPricePerHour: "3", estimatedHours: 1 },
});

describe("Sweeper reads by deadline", () => {
  it(`over ${LIVE_ORDERS} live matches of which 3 are due, a sweep reads the 3 (the read by status: sweepMax)`, async () => {
    const { market, parties, clock, rowsRead } = await setup();
    await market.addOffer("a1", offer(parties.provider.address));
    const due = [];
    for (let i = 0; i < 3; i++) due.push((await market.submitOrder(`o${i}`, order(parties.buyer.address, 2))).orderId);
    // 10^4 more live matches, stored as the market stores one (matched 10 minutes later, so due later).
    const template = await market.store.getOrder(due[0] ?? "");
    if (template === undefined) throw new Error("the match was not stored");
    const matchedAtMs = clock.now() + 10 * 60_000;
    const live = Array.from({ length: LIVE_ORDERS }, (_, i): OrderRow => {
      const id = `live-${String(i).padStart(5, "0")}`;
      return { ...template, id, job: JSON.stringify({ matchedAtMs }) };
    });
    await market.store.writeBatch((w) => w.write({ offers: [], capacity: [], orders: live, escrows: [], events: [], commands: [] }));

    // Every new or changed order is looked at once, sweepMax a sweep, and gets its deadline.
    const warmup: number[] = [];
    for (let sweep = 0; sweep < 20; sweep++) {
      expect((await market.sweep()).unfunded).toBe(0);
      const [read = 0] = rowsRead();
      warmup.push(read);
      if (read === 0) break;
    }
    expect(warmup).toEqual([...Array.from({ length: Math.ceil((LIVE_ORDERS + 3) / MARKET_LIMITS.sweepMax) - 1 }, () => 1000), 3, 0]);

    clock.advance(market.fundingWindowMs);
    expect((await market.sweep()).unfunded).toBe(3);
    const [dueRead = 0] = rowsRead();
    const byStatus = await market.store.ordersWithStatus(["Matched", "Escrowed", "Running", "Completed"], MARKET_LIMITS.sweepMax);
    expect(dueRead).toBe(3);
    expect(byStatus).toHaveLength(MARKET_LIMITS.sweepMax);
    for (const id of due) expect((await market.getOrder(id)).status).toBe("Expired");
    expect((await market.getOrder("live-00000")).status).toBe("Matched");
    // Nothing else is due until the others' funding window closes; then all of them are.
    await market.sweep();
    expect(rowsRead()).toEqual([0]);
    clock.advance(10 * 60_000);
    await market.sweep();
    expect(rowsRead()).toEqual([MARKET_LIMITS.sweepMax]);
  });

  it("a funded, then running job is read once per change, then at its receipt or lock deadline", async () => {
    const { market, parties, clock, rowsRead } = await setup();
    await market.addOffer("a1", offer(parties.provider.address));
    const { orderId } = await market.submitOrder("o1", order(parties.buyer.address, 2));
    await market.sweep();
    expect(rowsRead()).toEqual([1]);
    await market.sweep();
    expect(rowsRead()).toEqual([0]);
    const escrow = await market.fundEscrow("f1", orderId, parties.buyer);
    await market.startJob("s1", orderId, parties.provider.address);
    await market.sweep();
    expect(rowsRead()).toEqual([1]);
    clock.set(escrow.lockedUntil.getTime() - 1);
    await market.sweep();
    expect(rowsRead()).toEqual([0]);
    clock.advance(1);
    expect((await market.sweep()).timedOut).toBe(1);
    expect(rowsRead()).toEqual([1]);
    await market.sweep();
    expect(rowsRead()).toEqual([0]);
  });

  it("orders whose chain step is under way do not starve the orders due after them", async () => {
    const { market, parties, clock, rowsRead } = await setup();
    await market.addOffer("a1", offer(parties.provider.address));
    const funded = (await market.submitOrder("o1", order(parties.buyer.address, 2))).orderId;
    const escrow = await market.fundEscrow("f1", funded, parties.buyer);
    const { orderId: victim } = await market.submitOrder("o2", order(parties.buyer.address, 2));
    const template = await market.store.getOrder(victim);
    const escrowRow = await market.store.getEscrow(escrow.id);
    if (template === undefined || escrowRow === undefined) throw new Error("the match or the escrow was not stored");
    // More matches than a sweep reads, each with a funding under way and its window closed, ahead of
    // the victim in the deadline index (due at once, ids before it).
    const stuck = MARKET_LIMITS.sweepMax + 50;
    const matchedAtMs = clock.now() - 2 * market.fundingWindowMs;
    const orders = Array.from({ length: stuck }, (_, i): OrderRow => {
      const id = `a-${String(i).padStart(5, "0")}`;
      return { ...template, id, escrowId: `esc-${id}`, job: JSON.stringify({ matchedAtMs }) };
    });
    const escrows = orders.map((o) => ({ ...escrowRow, id: o.escrowId ?? "", orderId: o.id, pending: JSON.stringify({ op: "fund" }) }));
    await market.store.writeBatch((w) => w.write({ offers: [], capacity: [], orders, escrows, events: [], commands: [] }));
    clock.advance(market.fundingWindowMs);

    expect((await market.sweep()).unfunded).toBe(0);
    expect(rowsRead()).toEqual([MARKET_LIMITS.sweepMax]);
    // The stuck ones are left for pendingRecheckMs: the next sweep reaches the rest and expires the victim.
    expect((await market.sweep()).unfunded).toBe(1);
    expect(rowsRead()).toEqual([50 + 2]);
    expect((await market.getOrder(victim)).status).toBe("Expired");
    expect((await market.getOrder("a-00000")).status).toBe("Matched");
    await market.sweep();
    expect(rowsRead()).toEqual([0]);
    // Then they are looked at again, still untouched while their step is under way.
    clock.advance(MARKET_LIMITS.pendingRecheckMs);
    expect((await market.sweep()).unfunded).toBe(0);
    expect(rowsRead()).toEqual([MARKET_LIMITS.sweepMax]);
  });
});
