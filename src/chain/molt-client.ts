// MoltClient: what molt-market needs of the MOLT token on Solana, whatever runs the chain (the
// embedded runtime, or a validator over RPC). Every backend passes the same contract test suite.
// Types only.
import type { Amount } from "../core/amount.js";
import type { Address } from "../core/address.js";
import type { EscrowParties } from "./escrow-instructions.js";
import type { Network } from "./network.js";
import type { Transaction } from "./transaction.js";
import type { TransactionId } from "../core/transaction-id.js";
import type { MessageSigner } from "./signer.js";

/** An escrow on chain: its token account, the 2-of-3 multisig that owns it, and who is in it. */
export interface EscrowHandle {
  readonly escrowId: string;
  readonly address: Address;
  readonly multisig: Address;
  readonly parties: EscrowParties;
  readonly amount: Amount;
}

/** One payout of a settlement: MOLT to an owner (its token account is created when needed). */
export interface SettlementPayout {
  readonly owner: Address;
  readonly amount: Amount;
}

/** The MOLT token operations of a chain backend. */
export interface MoltClient {
  readonly network: Network;
  readonly mint: Address;
  /** MOLT held by an owner. */
  balance(owner: Address): Promise<Amount>;
  /** SOL held at an address, in lamports (0 when no account is there): what pays rent and fees. */
  lamportsOf(address: Address): Promise<bigint>;
  /** Moves MOLT between owners. */
  transfer(from: MessageSigner, to: Address, amount: Amount, memo?: string): Promise<Transaction>;
  /** Mints test MOLT; refused on mainnet. */
  airdrop(to: Address, amount: Amount): Promise<Transaction>;
  getTransaction(id: TransactionId): Promise<Transaction | undefined>;
  /** Creates the escrow account (and the parties' multisig when new) and funds it from the buyer, in one transaction. */
  createEscrow(input: {
    readonly escrowId: string;
    readonly buyer: MessageSigner;
    readonly provider: Address;
    readonly arbiter: Address;
    readonly amount: Amount;
  }): Promise<{ readonly escrow: EscrowHandle; readonly transaction: Transaction }>;
  /** More MOLT from the buyer into an escrow that is funded already (one transfer, signed by the buyer alone). */
  depositToEscrow(escrow: EscrowHandle, buyer: MessageSigner, amount: Amount): Promise<Transaction>;
  /** Everything to the provider; signed by provider and arbiter. */
  releaseEscrow(escrow: EscrowHandle, provider: MessageSigner, arbiter: MessageSigner): Promise<Transaction>;
  /** Everything back to the buyer; signed by buyer and arbiter. */
  refundEscrow(escrow: EscrowHandle, buyer: MessageSigner, arbiter: MessageSigner): Promise<Transaction>;
  /** Several payouts that add up to the escrow, in one transaction; signed by two of the three parties. */
  settleEscrow(
    escrow: EscrowHandle,
    cosigners: readonly [MessageSigner, MessageSigner],
    payouts: readonly SettlementPayout[],
  ): Promise<Transaction>;
  /** Where the escrow of these parties and id lives (whether or not it exists yet). */
  escrowHandleFor(input: {
    readonly escrowId: string;
    readonly buyer: Address;
    readonly provider: Address;
    readonly arbiter: Address;
    readonly amount: Amount;
  }): Promise<EscrowHandle>;
  /** MOLT in an escrow, or undefined once it is closed. */
  escrowBalance(escrow: EscrowHandle): Promise<Amount | undefined>;
}
