// Escrow instructions (DESIGN.md trust model): an SPL Token account of the MOLT mint owned by a
// 2-of-3 SPL Token multisig of {buyer, provider, arbiter}. Both accounts are new for each escrow,
// at addresses derived from the operator's secret (no outsider can know them before the funding
// transaction shows them), created and initialized in the funding transaction itself, so that
// the buyer can prove from that message alone where its MOLT goes. The buyer pays their rent;
// the token account's comes back when the escrow closes. Builds instructions only: pure apart
// from hashing.
import { AccountRole, BASE_ACCOUNT_SIZE } from "@solana/kit";
import type { Address, Instruction, TransactionSigner } from "@solana/kit";
import { SYSTEM_PROGRAM_ADDRESS } from "@solana-program/system";
import {
  TOKEN_PROGRAM_ADDRESS,
  getCloseAccountInstruction,
  getInitializeMultisig2Instruction,
  getMultisigSize,
  getTokenSize,
} from "@solana-program/token";
import type { Amount } from "../core/amount.js";
import { MarketError } from "../core/errors.js";
import { MOLT_DECIMALS } from "../core/amount.js";
import { addressBytes } from "./address-bytes.js";
import { walletSigner } from "./signer.js";
import { transferCheckedInstruction } from "./token-instructions.js";
import type { Wallet } from "./wallet.js";

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
/** Longest escrow id an account key is derived from. */
const ESCROW_ID_LENGTH_MAX = 64;

/**
 * Lamports an account of `space` bytes needs to be rent exempt under Solana's default rent
 * ((128 + space) bytes x 3480 lamports per byte-year x 2 years), which every cluster uses: what a
 * client checks a funding's rent against without asking the chain.
 */
export function defaultRentExemptLamports(space: number): bigint {
  return (128n + BigInt(space)) * 3480n * 2n;
}

/** The keys of one escrow's two accounts: they sign only their own creation. */
export interface EscrowAccountKeys {
  readonly multisig: Wallet;
  readonly account: Wallet;
}

/**
 * The account keys of escrow `escrowId`, derived from the operator's secret: the same escrow always
 * gets the same addresses (so a funding can be rehearsed without writing anything), and no outsider
 * can know them in advance to pre-empt or poison them.
 * @throws ESCROW_ERROR (empty or over-long id)
 */
export function escrowAccountKeys(operator: Wallet, escrowId: string): EscrowAccountKeys {
  if (escrowId.length === 0 || escrowId.length > ESCROW_ID_LENGTH_MAX) {
    throw new MarketError("ESCROW_ERROR", { reason: `an escrow id is 1..${ESCROW_ID_LENGTH_MAX} characters` });
  }
  return {
    multisig: operator.derive(`molt-market/escrow/v1/multisig/${escrowId}`),
    account: operator.derive(`molt-market/escrow/v1/account/${escrowId}`),
  };
}

/** Throws ESCROW_ERROR unless buyer, provider and arbiter are three different keys. @throws ESCROW_ERROR */
export function assertDistinctParties(parties: EscrowParties): void {
  if (new Set([parties.buyer, parties.provider, parties.arbiter]).size !== 3) {
    throw new MarketError("ESCROW_ERROR", { reason: "buyer, provider and arbiter must be three different keys" });
  }
}

/** System CreateAccount's instruction index, and SPL Token InitializeAccount3's. */
const CREATE_ACCOUNT_DISCRIMINATOR = 0;
const INITIALIZE_ACCOUNT3_DISCRIMINATOR = 18;

/**
 * System CreateAccount of an account the token program owns: the instruction
 * @solana-program/system's getCreateAccountInstruction makes, without its per-call codecs and
 * base58 encoding of the owner (escrow-instructions.test.ts checks they are equal).
 */
function createTokenProgramAccount(payer: TransactionSigner, newAccount: TransactionSigner, lamports: bigint, space: number): Instruction {
  const data = new Uint8Array(52);
  const view = new DataView(data.buffer);
  view.setUint32(0, CREATE_ACCOUNT_DISCRIMINATOR, true);
  view.setBigUint64(4, lamports, true);
  view.setBigUint64(12, BigInt(space), true);
  data.set(addressBytes(TOKEN_PROGRAM_ADDRESS), 20);
  return Object.freeze({
    accounts: [
      Object.freeze({ address: payer.address, role: AccountRole.WRITABLE_SIGNER, signer: payer }),
      Object.freeze({ address: newAccount.address, role: AccountRole.WRITABLE_SIGNER, signer: newAccount }),
    ],
    byteDelta: space + BASE_ACCOUNT_SIZE,
    data,
    programAddress: SYSTEM_PROGRAM_ADDRESS,
  });
}

/** SPL Token InitializeAccount3, as @solana-program/token's getInitializeAccount3Instruction makes it (checked equal in the tests). */
function initializeTokenAccount(account: Address, mint: Address, owner: Address): Instruction {
  const data = new Uint8Array(33);
  data[0] = INITIALIZE_ACCOUNT3_DISCRIMINATOR;
  data.set(addressBytes(owner), 1);
  return Object.freeze({
    accounts: [
      Object.freeze({ address: account, role: AccountRole.WRITABLE }),
      Object.freeze({ address: mint, role: AccountRole.READONLY }),
    ],
    data,
    programAddress: TOKEN_PROGRAM_ADDRESS,
  });
}

/**
 * Instructions of a funding, in one transaction: create the multisig (the buyer pays its rent) and
 * initialize it as 2-of-3 of the parties, create the token account (the buyer pays its rent) and
 * initialize it for the mint, owned by the multisig, then move `amount` from the buyer into it.
 * Both creations fail if the address holds anything, so a successful funding proves both accounts new.
 * @throws ESCROW_ERROR (parties not distinct)
 * @example createEscrowInstructions({ keys: escrowAccountKeys(operator, escrowId), parties, mint, buyer, buyerTokenAccount, amount, rent })
 */
export function createEscrowInstructions(input: {
  readonly keys: EscrowAccountKeys;
  readonly parties: EscrowParties;
  readonly mint: Address;
  readonly buyer: TransactionSigner;
  readonly buyerTokenAccount: Address;
  readonly amount: Amount;
  readonly rent: { readonly multisigLamports: bigint; readonly accountLamports: bigint };
}): Instruction[] {
  assertDistinctParties(input.parties);
  const multisig = walletSigner(input.keys.multisig);
  const account = walletSigner(input.keys.account);
  return [
    createTokenProgramAccount(input.buyer, multisig, input.rent.multisigLamports, getMultisigSize()),
    getInitializeMultisig2Instruction({
      multisig: multisig.address,
      signers: [input.parties.buyer, input.parties.provider, input.parties.arbiter],
      m: ESCROW_SIGNATURES_REQUIRED,
    }),
    createTokenProgramAccount(input.buyer, account, input.rent.accountLamports, getTokenSize()),
    initializeTokenAccount(account.address, input.mint, multisig.address),
    transferCheckedInstruction({
      source: input.buyerTokenAccount,
      mint: input.mint,
      destination: account.address,
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
  /** Receives the account's rent when it closes (the buyer who paid it, or whoever paid for accounts this payout creates). */
  readonly rentDestination: Address;
}): Instruction[] {
  const [first, second] = input.cosigners;
  if (first.address === second.address) throw new MarketError("ESCROW_ERROR", { reason: "two different parties must co-sign" });
  if (input.payouts.length > ESCROW_PAYOUTS_MAX)
    throw new MarketError("ESCROW_ERROR", { reason: `at most ${ESCROW_PAYOUTS_MAX} payouts per settlement` });
  const multiSigners = [first, second];
  return [
    ...input.payouts
      .filter((payout) => !payout.amount.isZero())
      .map((payout) =>
        transferCheckedInstruction({
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
