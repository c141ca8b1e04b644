// EscrowAccount: the marketplace's record of one job's escrow (who, how much, until when, at what
// rate) and the states it moves through. Pure, no I/O: a new value for every change.
import { MarketError } from "../core/errors.js";
import type { Amount } from "../core/amount.js";
import type { DisputeId, EscrowId, OfferId, OrderId } from "../core/ids.js";
import type { Address } from "../core/address.js";
import type { TransactionId } from "../core/transaction-id.js";
import type { BillingRate } from "./billing.js";

/** Where an escrow is in its life. */
export const EscrowState = {
  /** Recorded, funding not yet confirmed on chain. */
  Created: "Created",
  /** Funded on chain; only two of buyer, provider and arbiter together can move it. */
  Locked: "Locked",
  /** Settled with a charge: the provider was paid (and the buyer refunded the rest). */
  Released: "Released",
  /** Everything went back to the buyer. */
  Refunded: "Refunded",
  /** A party contests the job; the arbiter decides the split. */
  Disputed: "Disputed",
  /** The arbiter's split of a disputed escrow was paid out. */
  Resolved: "Resolved",
} as const;
/** One escrow state. */
export type EscrowState = (typeof EscrowState)[keyof typeof EscrowState];

const ESCROW_TRANSITIONS: { readonly [S in EscrowState]: readonly EscrowState[] } = {
  Created: ["Locked"],
  Locked: ["Released", "Refunded", "Disputed"],
  Disputed: ["Resolved"],
  Released: [],
  Refunded: [],
  Resolved: [],
};

/** Is `from -> to` a legal escrow transition. */
export function canTransitionEscrow(from: EscrowState, to: EscrowState): boolean {
  return ESCROW_TRANSITIONS[from].includes(to);
}

/** Throws unless `from -> to` is a legal escrow transition. @throws INVALID_STATE_TRANSITION */
export function assertEscrowTransition(from: EscrowState, to: EscrowState): void {
  if (!canTransitionEscrow(from, to)) throw new MarketError("INVALID_STATE_TRANSITION", { entity: "escrow", from, to });
}

/**
 * One job's escrow, as the spec's EscrowAccount plus what settling it needs: the arbiter, the
 * rate and fee fixed at creation, the allocated seconds, and the chain accounts once funded.
 * Invariant: amount = pricePerHour x gpuCount x allocatedSeconds / 3600 (the match's total cost).
 */
export interface EscrowAccount {
  readonly id: EscrowId;
  readonly state: EscrowState;
  readonly orderId: OrderId;
  readonly offerId: OfferId;
  readonly buyer: Address;
  readonly provider: Address;
  readonly arbiter: Address;
  /** Receives the platform fee. */
  readonly feeRecipient: Address;
  /** MOLT locked: the match's total cost. */
  readonly amount: Amount;
  readonly pricePerHour: Amount;
  readonly gpuCount: number;
  readonly allocatedSeconds: number;
  readonly feeBps: number;
  readonly rate: BillingRate;
  readonly createdAt: Date;
  /** Start + allocated hours + grace: after it, an escrow whose job never completed can be refunded. */
  readonly lockedUntil: Date;
  /** When the provider's attested proof says the job ended (set when the job completes). */
  readonly jobEndedAt?: Date;
  /** SHA-256 of the proof the job completed with: a settlement must use that same proof. */
  readonly proofDigest?: string;
  readonly disputeId?: DisputeId;
  readonly releasedAt?: Date;
  /** The funding transaction. */
  readonly transactionId?: TransactionId;
  /** The transaction that paid the escrow out. */
  readonly settlementTransactionId?: TransactionId;
  /** The escrow's token account and its multisig owner, once funded. */
  readonly chain?: { readonly address: Address; readonly multisig: Address };
}

/** The escrow moved to `to` with `changes`, frozen. @throws INVALID_STATE_TRANSITION */
export function transitionEscrow(
  escrow: EscrowAccount,
  to: EscrowState,
  changes: Partial<Omit<EscrowAccount, "state">> = {},
): EscrowAccount {
  assertEscrowTransition(escrow.state, to);
  return Object.freeze({ ...escrow, ...changes, state: to });
}

/** The role of `address` in the escrow, if it is the buyer or the provider. */
export function partyRole(escrow: EscrowAccount, address: string): "buyer" | "provider" | undefined {
  if (address === escrow.buyer) return "buyer";
  if (address === escrow.provider) return "provider";
  return undefined;
}
