// Escrow instructions (DESIGN.md trust model): an SPL Token account of the MOLT mint owned by a
// 2-of-3 SPL Token multisig of {buyer, provider, arbiter}. Both accounts are created with a seed
// from the operator's address, so their addresses are derived, not stored: one multisig per
// (buyer, provider, arbiter), reused; one token account per escrow, closed after the final
// transfer so its rent returns. Builds instructions only: pure apart from hashing.
import { createHash } from "node:crypto";
import { createAddressWithSeed, getBase58Decoder } from "@solana/kit";
import type { Address, Instruction, TransactionSigner } from "@solana/kit";
import { getCreateAccountWithSeedInstruction } from "@solana-program/system";
import {
  TOKEN_PROGRAM_ADDRESS,
  getCloseAccountInstruction,
  getInitializeAccount3Instruction,
  getInitializeMultisig2Instruction,
  getMultisigSize,
  getTokenSize,
  getTransferCheckedInstruction,
} from "@solana-program/token";
import type { Amount } from "../core/amount.js";
import { MarketError } from "../core/errors.js";
import { MOLT_DECIMALS } from "../core/amount.js";
import { addressToBytes } from "./address.js";

/** The three keys of an escrow; any two of them move its funds. */
export interface EscrowParties {
  readonly buyer: Address;
  readonly provider: Address;
  readonly arbiter: Address;
}

/** Signatures an escrow's multisig needs. */
export const ESCROW_SIGNATURES_REQUIRED = 2;
/** Payouts one settlement transaction may make (payment, fee, refund, with room for a dispute split). */
export const ESCROW_PAYOUTS_MAX = 4;
/** A seed of createAccountWithSeed is at most 32 characters. */
const SEED_LENGTH_MAX = 32;

/** Seed of the multisig of three parties: base58 of a hash of their keys, 32 characters. */
export function multisigSeed(parties: EscrowParties): string {
  const keys = [parties.buyer, parties.provider, parties.arbiter];
  if (new Set(keys).size !== keys.length) {
    throw new MarketError("ESCROW_ERROR", { reason: "buyer, provider and arbiter must be three different keys" });
  }
  const digest = createHash("sha256");
  for (const key of keys) digest.update(addressToBytes(key));
  return getBase58Decoder().decode(digest.digest()).slice(0, SEED_LENGTH_MAX);
}

/** Seed of an escrow's token account: its id (at most 32 characters). @throws ESCROW_ERROR */
export function escrowSeed(escrowId: string): string {
  if (escrowId.length === 0 || escrowId.length > SEED_LENGTH_MAX) {
    throw new MarketError("ESCROW_ERROR", { reason: `an escrow id used as a seed is 1..${SEED_LENGTH_MAX} characters` });
  }
  return escrowId;
}

/** Where the multisig of these parties lives, for this operator. @throws ESCROW_ERROR */
export function multisigAddress(operator: Address, parties: EscrowParties): Promise<Address> {
  return createAddressWithSeed({ baseAddress: operator, programAddress: TOKEN_PROGRAM_ADDRESS, seed: multisigSeed(parties) });
}

/** Where the token account of this escrow lives, for this operator. @throws ESCROW_ERROR */
export function escrowAddress(operator: Address, escrowId: string): Promise<Address> {
  return createAddressWithSeed({ baseAddress: operator, programAddress: TOKEN_PROGRAM_ADDRESS, seed: escrowSeed(escrowId) });
}

/** Instructions that create and initialize the 2-of-3 multisig (send once per party triple). */
export async function createMultisigInstructions(input: {
  readonly operator: TransactionSigner;
  readonly parties: EscrowParties;
  readonly rentLamports: bigint;
}): Promise<Instruction[]> {
  const multisig = await multisigAddress(input.operator.address, input.parties);
  return [
    getCreateAccountWithSeedInstruction({
      payer: input.operator,
      newAccount: multisig,
      base: input.operator.address,
      seed: multisigSeed(input.parties),
      amount: input.rentLamports,
      space: getMultisigSize(),
      programAddress: TOKEN_PROGRAM_ADDRESS,
    }),
    getInitializeMultisig2Instruction({
      multisig,
      signers: [input.parties.buyer, input.parties.provider, input.parties.arbiter],
      m: ESCROW_SIGNATURES_REQUIRED,
    }),
  ];
}

/** Instructions that create the escrow's token account (owner: the multisig) and fund it from the buyer. */
export async function createEscrowInstructions(input: {
  readonly operator: TransactionSigner;
  readonly escrowId: string;
  readonly mint: Address;
  readonly multisig: Address;
  readonly rentLamports: bigint;
  readonly buyer: TransactionSigner;
  readonly buyerTokenAccount: Address;
  readonly amount: Amount;
}): Promise<Instruction[]> {
  const escrow = await escrowAddress(input.operator.address, input.escrowId);
  return [
    getCreateAccountWithSeedInstruction({
      payer: input.operator,
      newAccount: escrow,
      base: input.operator.address,
      seed: escrowSeed(input.escrowId),
      amount: input.rentLamports,
      space: getTokenSize(),
      programAddress: TOKEN_PROGRAM_ADDRESS,
    }),
    getInitializeAccount3Instruction({ account: escrow, mint: input.mint, owner: input.multisig }),
    getTransferCheckedInstruction({
      source: input.buyerTokenAccount,
      mint: input.mint,
      destination: escrow,
      authority: input.buyer,
      amount: input.amount.baseUnits,
      decimals: MOLT_DECIMALS,
    }),
  ];
}

/** One transfer out of an escrow. */
export interface EscrowPayout {
  readonly destination: Address;
  readonly amount: Amount;
}

/**
 * Instructions that pay an escrow out (release, refund, settlement split or dispute split) and close
 * its token account, all co-signed by two of the three parties. Zero payouts are skipped.
 * Invariant: the payouts must add up to everything the escrow holds, or the close fails on chain
 * and the whole transaction moves nothing.
 * @throws ESCROW_ERROR (not exactly two distinct co-signers, too many payouts)
 */
export function payoutInstructions(input: {
  readonly escrow: Address;
  readonly mint: Address;
  readonly multisig: Address;
  readonly cosigners: readonly [TransactionSigner, TransactionSigner];
  readonly payouts: readonly EscrowPayout[];
  /** Receives the account's rent when it closes (the operator who paid it). */
  readonly rentDestination: Address;
}): Instruction[] {
  const [first, second] = input.cosigners;
  if (first.address === second.address) throw new MarketError("ESCROW_ERROR", { reason: "two different parties must co-sign" });
  if (input.payouts.length > ESCROW_PAYOUTS_MAX) throw new MarketError("ESCROW_ERROR", { reason: `at most ${ESCROW_PAYOUTS_MAX} payouts per settlement` });
  const multiSigners = [first, second];
  return [
    ...input.payouts
      .filter((payout) => !payout.amount.isZero())
      .map((payout) =>
        getTransferCheckedInstruction({
          source: input.escrow,
          mint: input.mint,
          destination: payout.destination,
          authority: input.multisig,
          amount: payout.amount.baseUnits,
          decimals: MOLT_DECIMALS,
          multiSigners,
        }),
      ),
    getCloseAccountInstruction({ account: input.escrow, destination: input.rentDestination, owner: input.multisig, multiSigners }),
  ];
}
