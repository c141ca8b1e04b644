// PriceList against a plain sorted array: same entries, same order, through inserts, removals,
// bulk loads and walks, for chunk sizes small enough to split often.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PriceList } from "../../src/orderbook/price-list.js";

function walk(list: PriceList): [number, number][] {
  const out: [number, number][] = [];
  for (let pos = 0; list.priceAt(pos) !== undefined; pos = list.next(pos)) out.push([list.slotAt(pos), list.priceAt(pos) ?? NaN]);
  return out;
}

const op = fc.oneof(
  fc.record({ kind: fc.constant("insert" as const), price: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ kind: fc.constant("remove" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("bulk" as const), prices: fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 10 }) }),
);

describe("PriceList", () => {
  it("holds the same entries as a sorted array, in price order, with chunks within bounds", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), fc.integer({ min: 2, max: 9 }), (ops, chunkMax) => {
        const list = new PriceList(chunkMax);
        const model: [number, number][] = [];
        let nextSlot = 0;
        for (const step of ops) {
          if (step.kind === "insert") {
            list.insert(nextSlot, step.price);
            model.push([nextSlot++, step.price]);
          } else if (step.kind === "remove") {
            const entry = model[step.pick % Math.max(1, model.length)];
            if (entry === undefined) {
              expect(list.remove(12345, 1)).toBe(false);
              continue;
            }
            expect(list.remove(entry[0], entry[1])).toBe(true);
            model.splice(model.indexOf(entry), 1);
            expect(list.remove(entry[0], entry[1])).toBe(false);
          } else {
            const slots = step.prices.map(() => nextSlot++);
            list.insertMany(slots, step.prices);
            slots.forEach((slot, i) => model.push([slot, step.prices[i] ?? 0]));
          }
          const walked = walk(list);
          expect(walked.map(([, price]) => price)).toEqual(model.map(([, price]) => price).sort((a, b) => a - b));
          expect(walked.map(([slot]) => slot).sort((a, b) => a - b)).toEqual(model.map(([slot]) => slot).sort((a, b) => a - b));
          expect(list.size).toBe(model.length);
          expect(list.headPrice()).toBe(model.length === 0 ? Infinity : Math.min(...model.map(([, price]) => price)));
          for (const chunk of list.chunks) {
            expect(chunk.slots.length).toBeGreaterThan(0);
            expect(chunk.slots.length).toBeLessThanOrEqual(chunkMax);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
