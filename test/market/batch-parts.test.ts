// BatchBuilder.takeWrites: the parts of a batch, taken at any points between commands, hold every
// row once and in order, a sweeper deadline is dropped only for a later write of its order, and a
// rollback never reaches back into rows already taken.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BatchBuilder } from "../../src/market/batch.js";
import type { BatchWrites } from "../../src/store/store.js";
import { orderRow } from "../support/order-row.js";

const order = (id: string, status: string) => orderRow(id, "buyer", status);

/** One command's rows: an order write, a status change, a deadline, or an event; `refused` rolls it back. */
type Step = { readonly kind: "order" | "status" | "due" | "event"; readonly id: number; readonly refused: boolean };

function apply(batch: BatchBuilder, step: Step): void {
  const mark = batch.mark();
  const id = `o${step.id}`;
  if (step.kind === "order") batch.putOrder(order(id, "Pending"));
  if (step.kind === "status") batch.setOrderStatus(id, "Cancelled");
  if (step.kind === "due") batch.setOrderDue(id, 1000 + step.id);
  batch.marketEvent({ type: "Noted", entityId: id });
  if (step.refused) batch.rollback(mark);
}

/** The parts as one: each list concatenated, the deadlines as a store applies them (the last per order). */
function joined(parts: readonly BatchWrites[]) {
  const dues = new Map<string, number | null>();
  for (const part of parts) {
    // A part's order writes and status changes come before its deadlines, and reset a deadline set earlier.
    for (const row of part.orders) dues.set(row.id, null);
    for (const change of part.orderStatuses ?? []) dues.set(change.id, null);
    for (const due of part.orderDues ?? []) dues.set(due.id, due.dueAtMs);
  }
  return {
    orders: parts.flatMap((p) => p.orders.map((o) => o.id)),
    statuses: parts.flatMap((p) => (p.orderStatuses ?? []).map((c) => c.id)),
    events: parts.flatMap((p) => p.events.map((e) => e.seq)),
    dues: [...dues].sort(([a], [b]) => a.localeCompare(b)),
  };
}

describe("BatchBuilder.takeWrites", () => {
  it("parts taken between any commands store what the whole batch stores", () => {
    const step = fc.record({
      kind: fc.constantFrom("order" as const, "status" as const, "due" as const, "event" as const),
      id: fc.integer({ min: 0, max: 5 }),
      refused: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(fc.tuple(step, fc.boolean()), { maxLength: 40 }), (steps) => {
        const whole = new BatchBuilder(0, "n", 0);
        const inParts = new BatchBuilder(0, "n", 0);
        const parts: BatchWrites[] = [];
        for (const [s, cut] of steps) {
          apply(whole, s);
          apply(inParts, s);
          if (cut) parts.push(inParts.takeWrites());
        }
        parts.push(inParts.takeWrites());
        expect(joined(parts)).toEqual(joined([whole.takeWrites()]));
        expect(joined([inParts.takeWrites()]).events).toEqual([]);
      }),
    );
  });

  it("refuses to roll back past rows already taken", () => {
    const batch = new BatchBuilder(0, "n", 0);
    const mark = batch.mark();
    batch.marketEvent({ type: "Noted", entityId: "a" });
    batch.takeWrites();
    expect(() => {
      batch.rollback(mark);
    }).toThrow("rollback past rows already written");
    const later = batch.mark();
    batch.marketEvent({ type: "Noted", entityId: "b" });
    batch.rollback(later);
    expect(batch.takeWrites().events).toEqual([]);
  });
});
