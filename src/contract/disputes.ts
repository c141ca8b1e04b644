// The wire contract of disputes: the signed statement a buyer or provider opens one with, and the
// arbiter's decision of the split. Accepting a decision is a chain step (escrows.ts ChainStepBody).
import { Type } from "@sinclair/typebox";
import type { Static } from "@sinclair/typebox";
import { AddressText, Decimal, Digest, SignatureHex } from "./common.js";
import { STATEMENT_TEXT_BYTES_MAX } from "../settlement/statement-writer.js";
import { DISPUTE_EVIDENCE_MAX } from "../settlement/statements.js";
import { STATEMENT_ID_LENGTH_MAX } from "./jobs.js";

/** A signed dispute statement (settlement's Dispute). */
export const DisputeStatement = Type.Object(
  {
    id: Type.String({ maxLength: STATEMENT_ID_LENGTH_MAX }),
    escrowId: Type.String({ maxLength: STATEMENT_ID_LENGTH_MAX }),
    openedBy: AddressText,
    reason: Type.String({ maxLength: STATEMENT_TEXT_BYTES_MAX }),
    evidence: Type.Array(Digest, { maxItems: DISPUTE_EVIDENCE_MAX }),
    openedAtMs: Type.Integer({ minimum: 0 }),
    signature: SignatureHex,
  },
  { additionalProperties: false },
);
/** POST /v1/orders/{id}/dispute: the statement, signed by the request's signer. */
export const DisputeBody = Type.Object({ dispute: DisputeStatement }, { additionalProperties: false });

/** POST /v1/orders/{id}/dispute/decide: the arbiter's split, the provider's gross share in MOLT. */
export const DecisionBody = Type.Object(
  { providerShare: Decimal, reason: Type.String({ minLength: 1, maxLength: STATEMENT_TEXT_BYTES_MAX }) },
  { additionalProperties: false },
);
/** What the arbiter sends to decide a dispute. */
export type DecisionRequest = Static<typeof DecisionBody>;
