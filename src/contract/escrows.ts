// The wire contract of a job's money: an escrow as the server shows it, the chain co-signature a
// step that sends a transaction takes, the settle request with the buyer's confirmation, and the
// mapper from an EscrowAccount. Pure, no I/O.
import { Type } from "@sinclair/typebox";
import type { Static } from "@sinclair/typebox";
import { HOURS_MAX } from "../core/limits.js";
import type { EscrowAccount } from "../settlement/escrow-account.js";
import { AddressText, Base64, Digest, SignatureHex } from "./common.js";
import { STATEMENT_TEXT_BYTES_MAX } from "../settlement/statement-writer.js";
import { STATEMENT_ID_LENGTH_MAX } from "./jobs.js";

/** Longest base64 transaction message a party co-signs (a Solana transaction is at most 1232 bytes). */
export const CHAIN_MESSAGE_BASE64_LENGTH_MAX = 1700;
/** An ed25519 signature in base64 (64 bytes, padded). */
export const CHAIN_SIGNATURE_BASE64_LENGTH_MAX = 88;
const SECONDS_PER_HOUR = 3600;

/** A party's signature over the transaction message SIGNATURE_REQUIRED handed out. */
export const ChainSignature = Type.Object(
  { message: Base64(CHAIN_MESSAGE_BASE64_LENGTH_MAX), signature: Base64(CHAIN_SIGNATURE_BASE64_LENGTH_MAX) },
  {
    additionalProperties: false,
    description:
      "The transaction message from SIGNATURE_REQUIRED's details.message, unchanged, and the party's ed25519 signature over it, both base64",
  },
);
/** A chain co-signature as the client sends it. */
export type ChainSignatureView = Static<typeof ChainSignature>;
/** The body of a step that sends a chain transaction: none at first, then the party's co-signature. */
export const ChainStepBody = Type.Object({ chainSignature: Type.Optional(ChainSignature) }, { additionalProperties: false });

/** The buyer's signed acceptance or rejection of a proof and the seconds it bills (settlement's Confirmation). */
export const ConfirmationBody = Type.Object(
  {
    escrowId: Type.String({ maxLength: STATEMENT_ID_LENGTH_MAX }),
    proofDigest: Digest,
    buyer: AddressText,
    accepted: Type.Boolean(),
    billedSeconds: Type.Integer({ minimum: 0, maximum: HOURS_MAX * SECONDS_PER_HOUR }),
    reason: Type.String({ maxLength: STATEMENT_TEXT_BYTES_MAX }),
    signature: SignatureHex,
  },
  { additionalProperties: false },
);
/** POST /v1/orders/{id}/settle: the hours to bill, the buyer's confirmation, the party's co-signature. */
export const SettleBody = Type.Object(
  {
    actualHours: Type.Optional(
      Type.String({
        pattern: "^\\d{1,4}(\\.\\d{1,9})?$",
        description:
          "hours to bill, as a decimal string (whole seconds); absent, the provider's attested time. Only the provider may bill less than it attested",
      }),
    ),
    confirmation: Type.Optional(ConfirmationBody),
    chainSignature: Type.Optional(ChainSignature),
  },
  { additionalProperties: false },
);
/** What a settle request carries. */
export type SettleRequest = Static<typeof SettleBody>;

/** A job's escrow (amounts in MOLT, times ISO 8601). */
export const EscrowBody = Type.Object({
  escrowId: Type.String(),
  state: Type.String({ description: "Created, Locked, Released, Refunded, Disputed or Resolved" }),
  orderId: Type.String(),
  offerId: Type.String(),
  buyer: Type.String(),
  provider: Type.String(),
  arbiter: Type.String(),
  feeRecipient: Type.String(),
  amount: Type.String(),
  pricePerHour: Type.String(),
  gpuCount: Type.Integer(),
  allocatedSeconds: Type.Integer(),
  feeBps: Type.Integer(),
  ratePerSecond: Type.String({ description: "base units per second for all the job's GPUs" }),
  feeRatePerSecond: Type.String({ description: "the platform fee's part of each second, base units" }),
  mint: Type.String({ description: "the MOLT mint" }),
  createdAt: Type.String(),
  lockedUntil: Type.String(),
  address: Type.String({ description: "the escrow's token account" }),
  multisig: Type.String({ description: "its 2-of-3 owner: buyer, provider, arbiter" }),
  jobEndedAt: Type.Optional(Type.String()),
  proofDigest: Type.Optional(Type.String()),
  disputeId: Type.Optional(Type.String()),
  releasedAt: Type.Optional(Type.String()),
  transactionId: Type.Optional(Type.String()),
  settlementTransactionId: Type.Optional(Type.String()),
});
/** A job's escrow, as the server reports it. */
export type EscrowView = Static<typeof EscrowBody>;

/** Where an escrow is on chain: its token account, the multisig that owns it, and the MOLT mint. */
export interface EscrowChainFacts {
  readonly address: string;
  readonly multisig: string;
  readonly mint: string;
}

/** An escrow as JSON, with where it is on chain. */
export function escrowJson(escrow: EscrowAccount, chain: EscrowChainFacts): EscrowView {
  const optional = (name: string, value: { toString(): string } | Date | undefined): Record<string, string> =>
    value === undefined ? {} : { [name]: value instanceof Date ? value.toISOString() : value.toString() };
  return {
    escrowId: escrow.id,
    state: escrow.state,
    orderId: escrow.orderId,
    offerId: escrow.offerId,
    buyer: escrow.buyer,
    provider: escrow.provider,
    arbiter: escrow.arbiter,
    feeRecipient: escrow.feeRecipient,
    amount: escrow.amount.toString(),
    pricePerHour: escrow.pricePerHour.toString(),
    gpuCount: escrow.gpuCount,
    allocatedSeconds: escrow.allocatedSeconds,
    feeBps: escrow.feeBps,
    ratePerSecond: escrow.rate.ratePerSecond.toString(),
    feeRatePerSecond: escrow.rate.feeRatePerSecond.toString(),
    mint: chain.mint,
    createdAt: escrow.createdAt.toISOString(),
    lockedUntil: escrow.lockedUntil.toISOString(),
    address: chain.address,
    multisig: chain.multisig,
    ...optional("jobEndedAt", escrow.jobEndedAt),
    ...optional("proofDigest", escrow.proofDigest),
    ...optional("disputeId", escrow.disputeId),
    ...optional("releasedAt", escrow.releasedAt),
    ...optional("transactionId", escrow.transactionId),
    ...optional("settlementTransactionId", escrow.settlementTransactionId),
  };
}
