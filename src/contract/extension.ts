// The wire contract of a job's extension: the buyer's request for N more hours (with its chain
// co-signature on the second round), the record each extension leaves in the job, and the answer.
// Pure, no I/O.
import { Type } from "@sinclair/typebox";
import type { Static } from "@sinclair/typebox";
import { HOURS_MAX, HOURS_MIN } from "../core/limits.js";
import type { EscrowAccount } from "../settlement/escrow-account.js";
import { ChainSignature } from "./escrows.js";

/** One extension as the job record keeps it: hours added, MOLT deposited (decimal), when, and the deposit's transaction (absent when reconciled after a crash). */
export interface ExtensionRecord {
  readonly hours: number;
  readonly amount: string;
  readonly atMs: number;
  readonly transactionId?: string;
}

/** POST /v1/orders/{id}/extend: whole hours to add, then (second round) the buyer's co-signature of the deposit. */
export const ExtendBody = Type.Object(
  {
    hours: Type.Integer({ minimum: HOURS_MIN, maximum: HOURS_MAX, description: "whole hours to add to the job" }),
    chainSignature: Type.Optional(ChainSignature),
  },
  { additionalProperties: false },
);
/** The answer of an extension: what was added, and the escrow's terms now. */
export const ExtensionBody = Type.Object({
  orderId: Type.String(),
  escrowId: Type.String(),
  addedHours: Type.Integer({ description: "hours this extension added" }),
  addedMolt: Type.String({ description: "MOLT this extension deposited into the escrow" }),
  amount: Type.String({ description: "MOLT the escrow holds for the job now" }),
  allocatedSeconds: Type.Integer({ description: "the job's allocation now" }),
  lockedUntil: Type.String({ description: "ISO 8601: when an unfinished job's escrow may be refunded, now" }),
  transactionId: Type.Optional(Type.String({ description: "the deposit's transaction (absent when recorded by reconciliation)" })),
});
/** An extension, as the server reports it. */
export type ExtensionView = Static<typeof ExtensionBody>;

/** An extension as JSON: `extension` and the escrow it grew. */
export function extensionJson(escrow: EscrowAccount, extension: ExtensionRecord): ExtensionView {
  return {
    orderId: escrow.orderId,
    escrowId: escrow.id,
    addedHours: extension.hours,
    addedMolt: extension.amount,
    amount: escrow.amount.toString(),
    allocatedSeconds: escrow.allocatedSeconds,
    lockedUntil: escrow.lockedUntil.toISOString(),
    ...(extension.transactionId === undefined ? {} : { transactionId: extension.transactionId }),
  };
}
