// The ways one key may try to move an escrow's MOLT on chain, written with @solana-program/token's
// own builders: transfer out, close, set its owner or close authority, approve a delegate, burn,
// freeze; each with the key as the authority, or with the 2-of-3 multisig as the authority and too
// few signers. And the system-program tricks open to the key the escrow addresses derive from.
// Builds instructions only.
import type { Address, Instruction, TransactionSigner } from "@solana/kit";
import { SYSTEM_PROGRAM_ADDRESS, getAssignWithSeedInstruction, getCreateAccountWithSeedInstruction, getTransferSolWithSeedInstruction } from "@solana-program/system";
import {
  AuthorityType,
  TOKEN_PROGRAM_ADDRESS,
  getApproveInstruction,
  getBurnCheckedInstruction,
  getCloseAccountInstruction,
  getFreezeAccountInstruction,
  getSetAuthorityInstruction,
  getTokenSize,
  getTransferCheckedInstruction,
  getTransferInstruction,
} from "@solana-program/token";
import { MOLT_DECIMALS } from "../../../src/core/amount.js";

/** Who signs for the escrow: one key as if it were the owner, or the multisig with the signers given. */
export type MoveAuthority = { readonly kind: "key"; readonly signer: TransactionSigner } | { readonly kind: "multisig"; readonly multisig: Address; readonly signers: readonly TransactionSigner[] };

/** The escrow under attack and where its MOLT would go. */
export interface MoveTarget {
  readonly account: Address;
  readonly mint: Address;
  /** The attacker's MOLT token account (receives transfers). */
  readonly destination: Address;
  /** The attacker's key (new owner, delegate, close destination). */
  readonly beneficiary: Address;
  /** Base units asked for. */
  readonly amount: bigint;
}

/** One token instruction against the escrow, built for an authority. */
export interface TokenMove {
  readonly name: string;
  build(target: MoveTarget, authority: MoveAuthority): Instruction;
}

/** The `authority` and `multiSigners` inputs of a token builder. */
function authorityInputs(authority: MoveAuthority): { readonly signer: Address | TransactionSigner; readonly multiSigners?: TransactionSigner[] } {
  return authority.kind === "key" ? { signer: authority.signer } : { signer: authority.multisig, multiSigners: [...authority.signers] };
}

const withSigners = (authority: MoveAuthority): { multiSigners?: TransactionSigner[] } => {
  const { multiSigners } = authorityInputs(authority);
  return multiSigners === undefined ? {} : { multiSigners };
};

/** Every token instruction that could take MOLT out of an escrow or its control away from the multisig. */
export const TOKEN_MOVES: readonly TokenMove[] = [
  {
    name: "transfer out (TransferChecked)",
    build: (t, a) => getTransferCheckedInstruction({ source: t.account, mint: t.mint, destination: t.destination, authority: authorityInputs(a).signer, amount: t.amount, decimals: MOLT_DECIMALS, ...withSigners(a) }),
  },
  {
    name: "transfer out (Transfer)",
    build: (t, a) => getTransferInstruction({ source: t.account, destination: t.destination, authority: authorityInputs(a).signer, amount: t.amount, ...withSigners(a) }),
  },
  {
    name: "approve a delegate",
    build: (t, a) => getApproveInstruction({ source: t.account, delegate: t.beneficiary, owner: authorityInputs(a).signer, amount: t.amount, ...withSigners(a) }),
  },
  {
    name: "burn",
    build: (t, a) => getBurnCheckedInstruction({ account: t.account, mint: t.mint, authority: authorityInputs(a).signer, amount: t.amount, decimals: MOLT_DECIMALS, ...withSigners(a) }),
  },
  {
    name: "set the close authority",
    build: (t, a) => getSetAuthorityInstruction({ owned: t.account, owner: authorityInputs(a).signer, authorityType: AuthorityType.CloseAccount, newAuthority: t.beneficiary, ...withSigners(a) }),
  },
  {
    name: "set the owner",
    build: (t, a) => getSetAuthorityInstruction({ owned: t.account, owner: authorityInputs(a).signer, authorityType: AuthorityType.AccountOwner, newAuthority: t.beneficiary, ...withSigners(a) }),
  },
  {
    name: "close the account",
    build: (t, a) => getCloseAccountInstruction({ account: t.account, destination: t.beneficiary, owner: authorityInputs(a).signer, ...withSigners(a) }),
  },
  {
    name: "freeze it (as freeze authority)",
    build: (t, a) => getFreezeAccountInstruction({ account: t.account, mint: t.mint, owner: authorityInputs(a).signer, ...withSigners(a) }),
  },
];

/** The escrow account's address derivation, as the key it derives from sees it. */
export interface SeededAccount {
  readonly account: Address;
  readonly base: TransactionSigner;
  readonly seed: string;
  readonly lamports: bigint;
}

/** What the base key of the derived escrow addresses could try with the system program. */
export const SEED_MOVES: readonly { readonly name: string; build(target: SeededAccount): Instruction }[] = [
  {
    name: "re-create the escrow account at its seed",
    build: (t) => getCreateAccountWithSeedInstruction({ payer: t.base, newAccount: t.account, base: t.base.address, seed: t.seed, amount: t.lamports, space: getTokenSize(), programAddress: TOKEN_PROGRAM_ADDRESS }),
  },
  {
    name: "withdraw the escrow's lamports by its seed",
    build: (t) => getTransferSolWithSeedInstruction({ source: t.account, baseAccount: t.base, destination: t.base.address, amount: t.lamports, fromSeed: t.seed, fromOwner: TOKEN_PROGRAM_ADDRESS }),
  },
  {
    name: "assign the escrow to the system program by its seed",
    build: (t) => getAssignWithSeedInstruction({ account: t.account, baseAccount: t.base, base: t.base.address, seed: t.seed, programAddress: SYSTEM_PROGRAM_ADDRESS }),
  },
];
