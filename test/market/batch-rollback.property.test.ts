// BatchBuilder.rollback takes back exactly what the refused command changed: after any sequence of
// commands, some refused, every lookup a later command makes (orders, escrows, stored answers, a
// buyer's orders) answers what the rows the batch kept say. The model rebuilds those answers from the
// kept rows, as rollback itself did before it kept an undo log.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BatchBuilder } from "../../src/market/batch.js";
import { orderRow } from "../support/order-row.js";

type Step =
  | { readonly kind: "order"; readonly id: number; readonly buyer: number }
  | { readonly kind: "status"; readonly id: number; readonly status: string }
  | { readonly kind: "escrow"; readonly id: number; readonly state: string }
  | { readonly kind: "command"; readonly key: number; readonly response: string };

const order = (id: number, buyer: number, status: string) => orderRow(`o${id}`, `b${buyer}`, status);

function apply(batch: BatchBuilder, step: Step): void {
  if (step.kind === "order") batch.putOrder(order(step.id, step.buyer, "Pending"));
  if (step.kind === "status") batch.setOrderStatus(`o${step.id}`, step.status);
  if (step.kind === "escrow") batch.putEscrow({ id: `e${step.id}`, orderId: `o${step.id}`, state: step.state, doc: "{}", pending: null });
  if (step.kind === "command") batch.putCommand({ key: `k${step.key}`, requestHash: "h", response: step.response, atMs: 0 });
}

/** What every lookup answers, for ids 0..5 and buyers 0..2. */
function lookups(batch: BatchBuilder) {
  const ids = [0, 1, 2, 3, 4, 5];
  return {
    orders: ids.map((i) => batch.orderById.get(`o${i}`)?.status),
    escrows: ids.map((i) => batch.escrowById.get(`e${i}`)?.state),
    commands: ids.map((i) => batch.commandByKey.get(`k${i}`)?.response),
    buyers: [0, 1, 2].map((b) =>
      batch
        .ordersOfBuyer(`b${b}`)
        .map((o) => `${o.id}:${o.status}`)
        .sort(),
    ),
  };
}

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("order" as const), id: fc.integer({ min: 0, max: 5 }), buyer: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constant("status" as const), id: fc.integer({ min: 0, max: 5 }), status: fc.constantFrom("Matched", "Cancelled") }),
  fc.record({ kind: fc.constant("escrow" as const), id: fc.integer({ min: 0, max: 5 }), state: fc.constantFrom("Locked", "Released") }),
  fc.record({ kind: fc.constant("command" as const), key: fc.integer({ min: 0, max: 5 }), response: fc.constantFrom("a", "b") }),
);

describe("BatchBuilder.rollback", () => {
  it("leaves every lookup as the kept commands alone would", () => {
    // Each command: its steps, and whether it is refused (rolled back after them).
    const command = fc.tuple(fc.array(step, { minLength: 1, maxLength: 4 }), fc.boolean());
    fc.assert(
      fc.property(fc.array(command, { maxLength: 30 }), (commands) => {
        const batch = new BatchBuilder(0, "n", 0);
        const kept = new BatchBuilder(0, "n", 0);
        for (const [steps, refused] of commands) {
          const mark = batch.mark();
          for (const s of steps) apply(batch, s);
          if (refused) batch.rollback(mark);
          else for (const s of steps) apply(kept, s);
          expect(lookups(batch)).toEqual(lookups(kept));
        }
      }),
    );
  });
});
