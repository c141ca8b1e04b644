// The Store contract of a party's order list, on every implementation: a buyer's and a provider's
// orders newest first, by status, paged without repeats or gaps, and any page equal to the same
// page of a filter over every row.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OrderStatus } from "../../src/core/enums.js";
import type { OrderRow } from "../../src/store/store.js";
import { offer, order, useFreshStores, write } from "./store.contract.js";
import type { FreshStores } from "./store.contract.js";

/** Runs the order-list contract against fresh, migrated stores from `fresh`. */
export function orderListContract(name: string, fresh: FreshStores): void {
  describe(`Store contract, a party's orders: ${name}`, () => {
    const store = useFreshStores(fresh);

    it("a party's orders: a buyer's and a provider's (by their matched offers), newest first, by status, paged without repeats or gaps", async () => {
      const { store: s } = await store();
      const mine = (id: string, status: string, offerId: string | null, buyerId = "b1"): OrderRow => ({
        ...order(id, status, offerId),
        buyerId,
      });
      await write(s, {
        offers: [offer("o1"), { ...offer("o2"), providerId: "p2" }],
        orders: [
          mine("r01", "Pending", null),
          mine("r02", "Matched", "o1"),
          mine("r03", "Settled", "o2"),
          mine("r04", "Cancelled", null),
          mine("r05", "Running", "o1", "b2"),
          mine("r06", "Expired", "o1"),
        ],
      });
      const ids = (rows: readonly OrderRow[]): string[] => rows.map((o) => o.id);
      expect(ids(await s.listOrders({ buyerId: "b1", limit: 10 }))).toEqual(["r06", "r04", "r03", "r02", "r01"]);
      expect(ids(await s.listOrders({ providerId: "p1", limit: 10 }))).toEqual(["r06", "r05", "r02"]);
      expect(ids(await s.listOrders({ providerId: "p2", limit: 10 }))).toEqual(["r03"]);
      expect(ids(await s.listOrders({ buyerId: "b1", providerId: "p1", limit: 10 }))).toEqual(["r06", "r02"]);
      expect(ids(await s.listOrders({ buyerId: "b1", statuses: ["Pending", "Settled"], limit: 10 }))).toEqual(["r03", "r01"]);
      expect(await s.listOrders({ buyerId: "b1", statuses: [], limit: 10 })).toEqual([]);
      expect(await s.listOrders({ buyerId: "nobody", limit: 10 })).toEqual([]);
      const first = await s.listOrders({ buyerId: "b1", limit: 2 });
      const second = await s.listOrders({ buyerId: "b1", beforeId: first[first.length - 1]?.id ?? "", limit: 2 });
      const third = await s.listOrders({ buyerId: "b1", beforeId: second[second.length - 1]?.id ?? "", limit: 2 });
      expect([...ids(first), ...ids(second), ...ids(third)]).toEqual(["r06", "r04", "r03", "r02", "r01"]);
      expect((await s.listOrders({ buyerId: "b1", limit: 1 }))[0]).toEqual(mine("r06", "Expired", "o1"));
      // A status named twice is read once.
      expect(ids(await s.listOrders({ buyerId: "b1", statuses: ["Settled", "Pending", "Settled"], limit: 10 }))).toEqual(["r03", "r01"]);
    });

    it("a buyer's orders of every status, interleaved in time, page newest first through each status's index range", async () => {
      const { store: s } = await store();
      const statuses = Object.values(OrderStatus);
      // 3 orders per status, ids in time order across statuses (t00 oldest), and another buyer's in between.
      const rows = Array.from({ length: 3 * statuses.length }, (_, i) => ({
        ...order(`t${String(i).padStart(2, "0")}`, statuses[(i * 5) % statuses.length] ?? "Pending", null),
        buyerId: "b1",
      }));
      await write(s, { orders: [...rows, ...rows.map((row) => ({ ...row, id: `${row.id}x`, buyerId: "b2" }))] });
      const newestFirst = rows.map((row) => row.id).reverse();
      const pages: string[] = [];
      for (let beforeId: string | undefined; ;) {
        const page = await s.listOrders({ buyerId: "b1", limit: 7, ...(beforeId === undefined ? {} : { beforeId }) });
        pages.push(...page.map((row) => row.id));
        if (page.length < 7) break;
        beforeId = page[page.length - 1]?.id;
      }
      expect(pages).toEqual(newestFirst);
      const running = rows
        .filter((row) => row.status === "Running" || row.status === "Refunded")
        .map((row) => row.id)
        .reverse();
      expect((await s.listOrders({ buyerId: "b1", statuses: ["Refunded", "Running"], limit: 100 })).map((row) => row.id)).toEqual(running);
    });

    it("any page of a party's orders equals the same page of a filter over every row (buyer, provider, statuses, before, limit)", async () => {
      const { store: s } = await store();
      const statuses = Object.values(OrderStatus);
      const offers = Array.from({ length: 6 }, (_, i) => ({ ...offer(`of${i}`), providerId: `p${i % 3}` }));
      // A fixed pseudo-random market: 240 orders of 3 buyers over every status, matched to offers of 3 providers or resting.
      let seed = 7;
      const next = (n: number): number => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) % n;
      const rows: OrderRow[] = Array.from({ length: 240 }, (_, i) => {
        const matched = next(4) > 0;
        return {
          ...order(`q${String(i).padStart(3, "0")}`, statuses[next(statuses.length)] ?? "Pending", matched ? `of${next(6)}` : null),
          buyerId: `b${next(3)}`,
        };
      });
      await write(s, { offers, orders: rows });
      const providerOf = new Map(offers.map((o) => [o.id, o.providerId]));
      const query = fc.record(
        {
          buyerId: fc.constantFrom("b0", "b1", "b2", "nobody"),
          providerId: fc.constantFrom("p0", "p1", "p2"),
          statuses: fc.array(fc.constantFrom(...statuses, "Unknown"), { maxLength: 4 }),
          beforeId: fc.integer({ min: 0, max: 250 }).map((i) => `q${String(i).padStart(3, "0")}`),
          limit: fc.integer({ min: 1, max: 30 }),
        },
        { requiredKeys: ["limit"] },
      );
      await fc.assert(
        fc.asyncProperty(query, async (q) => {
          if (q.buyerId === undefined && q.providerId === undefined) return;
          const expected = rows
            .filter(
              (row) =>
                (q.buyerId === undefined || row.buyerId === q.buyerId) &&
                (q.providerId === undefined || (row.offerId !== null && providerOf.get(row.offerId) === q.providerId)) &&
                (q.statuses === undefined || (q.statuses as readonly string[]).includes(row.status)) &&
                (q.beforeId === undefined || row.id < q.beforeId),
            )
            .map((row) => row.id)
            .sort()
            .reverse()
            .slice(0, q.limit);
          expect((await s.listOrders(q)).map((row) => row.id)).toEqual(expected);
        }),
        { numRuns: 150 },
      );
    });
  });
}
