// The wire contract of a job: the provider's attested execution proof it completes or fails the
// job with, and the record of what happened to the job that an order carries. Pure, no I/O.
import { Type } from "@sinclair/typebox";
import type { Static, TUnsafe } from "@sinclair/typebox";
import { GPU_COUNT_MAX, GPU_COUNT_MIN } from "../core/limits.js";
import type { Attestation, Dispute } from "../settlement/statements.js";
import { TELEMETRY_LIMITS } from "../settlement/usage-receipt.js";
import type { Telemetry, UsageReceipt } from "../settlement/usage-receipt.js";
import { AddressText, Digest, SignatureHex } from "./common.js";
import type { ExtensionRecord } from "./extension.js";
import { MODEL_TEXT_LENGTH_MAX } from "./offers.js";
import { WorkloadBody } from "./workload.js";

/** Longest id a statement names (escrow, order, offer, dispute). */
export const STATEMENT_ID_LENGTH_MAX = 64;

/** An execution proof, as the provider signs it (settlement's ExecutionProof). */
export const ProofBody = Type.Object(
  {
    escrowId: Type.String({ maxLength: STATEMENT_ID_LENGTH_MAX }),
    orderId: Type.String({ maxLength: STATEMENT_ID_LENGTH_MAX }),
    offerId: Type.String({ maxLength: STATEMENT_ID_LENGTH_MAX }),
    provider: AddressText,
    gpuModel: Type.String({ maxLength: MODEL_TEXT_LENGTH_MAX }),
    gpuCount: Type.Integer({ minimum: GPU_COUNT_MIN, maximum: GPU_COUNT_MAX }),
    startedAtMs: Type.Integer({ minimum: 0 }),
    endedAtMs: Type.Integer({ minimum: 0 }),
    exitStatus: Type.Integer({ minimum: -2147483648, maximum: 2147483647 }),
    outputDigest: Digest,
    usageDigest: Digest,
  },
  { additionalProperties: false },
);
/** The provider's signed proof (settlement's Attestation). */
export const AttestationStatement = Type.Object({ proof: ProofBody, signature: SignatureHex }, { additionalProperties: false });
/** POST /v1/orders/{id}/complete and /fail: the provider's attestation of the run. */
export const AttestationBody = Type.Object({ attestation: AttestationStatement }, { additionalProperties: false });

/** What a job's record holds as the market recorded it: typed here, sent as stored (never filtered). */
function recorded<T>(description: string): TUnsafe<T> {
  return Type.Unsafe<T>(Type.Unknown({ description }));
}
/** The arbiter's split of a dispute, waiting for a party to accept it. */
export interface DecisionRecord {
  readonly providerShare: string;
  readonly reason: string;
  readonly decidedAtMs: number;
}
/** How a job's escrow was paid out: the amounts (MOLT) and the chain transactions. */
export interface SettlementRecord {
  readonly status: string;
  readonly providerPayment: string;
  readonly platformFee: string;
  readonly buyerRefund: string;
  readonly transactions: readonly string[];
}
/** Why a job failed (ExitStatus, ProviderLost, Timeout), the attestation it failed with when the provider gave one, and the receipted seconds its escrow pays. */
export interface FailureRecord {
  readonly reason: string;
  readonly kind?: "ExitStatus" | "ProviderLost" | "Timeout";
  readonly attestation?: Attestation;
  readonly secondsRun?: number;
}
/** The buyer's countersignature of a receipt. */
export interface CountersignRecord {
  readonly sequence: number;
  readonly secondsRun: number;
  readonly signature: string;
}

/** A usage receipt, as the provider signs it (settlement's UsageReceipt). */
export const UsageReceiptStatement = Type.Object(
  {
    escrowId: Type.String({ maxLength: STATEMENT_ID_LENGTH_MAX }),
    provider: AddressText,
    sequence: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    secondsRun: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    atMs: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    telemetryDigest: Digest,
    signature: SignatureHex,
  },
  { additionalProperties: false },
);
/** Telemetry beside a receipt: per-device GPU utilization and device UUIDs (its digest is the receipt's). */
export const TelemetryBody = Type.Object(
  {
    gpuUtilizationPct: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 100 }), { maxItems: TELEMETRY_LIMITS.devicesMax })),
    deviceUuids: Type.Optional(
      Type.Array(Type.String({ maxLength: TELEMETRY_LIMITS.deviceUuidLengthMax }), { maxItems: TELEMETRY_LIMITS.devicesMax }),
    ),
  },
  { additionalProperties: false },
);
/** POST /v1/orders/{id}/receipts: the provider's receipt of a running job, with optional telemetry. */
export const ReceiptBody = Type.Object(
  { receipt: UsageReceiptStatement, telemetry: Type.Optional(TelemetryBody) },
  { additionalProperties: false },
);
/** What a provider sends with a receipt. */
export type ReceiptRequest = Static<typeof ReceiptBody>;
/** POST /v1/orders/{id}/receipts/countersign: the buyer's signature over the latest receipt (by its sequence). */
export const CountersignBody = Type.Object(
  { sequence: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }), signature: SignatureHex },
  { additionalProperties: false },
);
/** A buyer's countersignature of a receipt. */
export type CountersignRequest = Static<typeof CountersignBody>;
/** POST /v1/orders/{id}/workload: what the order runs, for its buyer or matched provider (null: none given). */
export const WorkloadAnswer = Type.Object({ orderId: Type.String(), workload: Type.Union([WorkloadBody, Type.Null()]) });
/** An order's workload, as its parties read it. */
export type WorkloadView = Static<typeof WorkloadAnswer>;

/** What happened to an order's job: start, attestation, failure, dispute, decision, settlement. */
export const JobBody = Type.Object({
  gpuModel: Type.Optional(Type.String()),
  fundedAtMs: Type.Optional(Type.Integer()),
  startedAtMs: Type.Optional(Type.Integer()),
  receipt: Type.Optional(
    recorded<UsageReceipt>(
      "the provider's latest usage receipt: { escrowId, provider, sequence, secondsRun, atMs, telemetryDigest, signature }",
    ),
  ),
  telemetry: Type.Optional(recorded<Telemetry>("the telemetry of the latest receipt: { gpuUtilizationPct?, deviceUuids? }")),
  receiptedAtMs: Type.Optional(
    Type.Integer({ description: "when the market recorded the latest receipt; the loss timeout runs from here" }),
  ),
  countersigned: Type.Optional(recorded<CountersignRecord>("the buyer's countersignature: { sequence, secondsRun, signature }")),
  successor: Type.Optional(Type.String({ description: "the order the market submitted to continue this failed job" })),
  attestation: Type.Optional(recorded<Attestation>("the provider's attestation: { proof, signature }")),
  failure: Type.Optional(recorded<FailureRecord>("why the job failed: { reason, kind?, attestation?, secondsRun? }")),
  dispute: Type.Optional(recorded<Dispute>("the signed dispute: { id, escrowId, openedBy, reason, evidence, openedAtMs, signature }")),
  decision: Type.Optional(recorded<DecisionRecord>("the arbiter's split: { providerShare, reason, decidedAtMs }")),
  settlement: Type.Optional(recorded<SettlementRecord>("the payout: { status, providerPayment, platformFee, buyerRefund, transactions }")),
  settlementDue: Type.Optional(Type.Boolean()),
  extensions: Type.Optional(
    recorded<readonly ExtensionRecord[]>("the buyer's extensions, oldest first: [{ hours, amount, atMs, transactionId? }]"),
  ),
});
/** What happened to a job, as the server reports it. */
export type JobView = Static<typeof JobBody>;
