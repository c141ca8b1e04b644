// A stored order row for tests and benches of a batch's rows: only its id, buyer and status matter.
import type { OrderRow } from "../../src/store/store.js";

/** An order row of `buyerId` in `status`, with no match, escrow or job. */
export function orderRow(id: string, buyerId: string, status: string): OrderRow {
  return { id, buyerId, status, offerId: null, expiresAtMs: 0, doc: "{}", match: null, escrowId: null, job: null };
}
