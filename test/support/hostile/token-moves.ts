// The ways one key may try to move an escrow's MOLT on chain, written with @solana-program/token's
// own builders: transfer out, close, set its owner or close authority, approve a delegate, burn,
// freeze; each with the key as the authority, or with the 2-of-3 multisig as the authority and too
// few signers. And what the holder of an escrow account's own derived key could try with the system
// program, or anyone by initializing the accounts anew. Builds instructions only.
import type { Address, Instruction, TransactionSigner } from "@solana/kit";
import {
  SYSTEM_PROGRAM_ADDRESS,
  getAllocateInstruction,
  getAssignInstruction,
  getCreateAccountInstruction,
  getTransferSolInstruction,
} from "@solana-program/system";
import {
  AuthorityType,
  TOKEN_PROGRAM_ADDRESS,
  getApproveInstruction,
  getBurnCheckedInstruction,
  getCloseAccountInstruction,
  getFreezeAccountInstruction,
  getInitializeAccount3Instruction,
  getInitializeMultisig2Instruction,
  getSetAuthorityInstruction,
  getTransferCheckedInstruction,
  getTransferInstruction,
} from "@solana-program/token";
import { MOLT_DECIMALS } from "../../../src/core/amount.js";

/** Who signs for the escrow: one key as if it were the owner, or the multisig with the signers given. */
export type MoveAuthority =
  | { readonly kind: "key"; readonly signer: TransactionSigner }
  | { readonly kind: "multisig"; readonly multisig: Address; readonly signers: readonly TransactionSigner[] };

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
function authorityInputs(authority: MoveAuthority): {
  readonly signer: Address | TransactionSigner;
  readonly multiSigners?: TransactionSigner[];
} {
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
    build: (t, a) =>
      getTransferCheckedInstruction({
        source: t.account,
        mint: t.mint,
        destination: t.destination,
        authority: authorityInputs(a).signer,
        amount: t.amount,
        decimals: MOLT_DECIMALS,
        ...withSigners(a),
      }),
  },
  {
    name: "transfer out (Transfer)",
    build: (t, a) =>
      getTransferInstruction({
        source: t.account,
        destination: t.destination,
        authority: authorityInputs(a).signer,
        amount: t.amount,
        ...withSigners(a),
      }),
  },
  {
    name: "approve a delegate",
    build: (t, a) =>
      getApproveInstruction({
        source: t.account,
        delegate: t.beneficiary,
        owner: authorityInputs(a).signer,
        amount: t.amount,
        ...withSigners(a),
      }),
  },
  {
    name: "burn",
    build: (t, a) =>
      getBurnCheckedInstruction({
        account: t.account,
        mint: t.mint,
        authority: authorityInputs(a).signer,
        amount: t.amount,
        decimals: MOLT_DECIMALS,
        ...withSigners(a),
      }),
  },
  {
    name: "set the close authority",
    build: (t, a) =>
      getSetAuthorityInstruction({
        owned: t.account,
        owner: authorityInputs(a).signer,
        authorityType: AuthorityType.CloseAccount,
        newAuthority: t.beneficiary,
        ...withSigners(a),
      }),
  },
  {
    name: "set the owner",
    build: (t, a) =>
      getSetAuthorityInstruction({
        owned: t.account,
        owner: authorityInputs(a).signer,
        authorityType: AuthorityType.AccountOwner,
        newAuthority: t.beneficiary,
        ...withSigners(a),
      }),
  },
  {
    name: "close the account",
    build: (t, a) =>
      getCloseAccountInstruction({ account: t.account, destination: t.beneficiary, owner: authorityInputs(a).signer, ...withSigners(a) }),
  },
  {
    name: "freeze it (as freeze authority)",
    build: (t, a) => getFreezeAccountInstruction({ account: t.account, mint: t.mint, owner: authorityInputs(a).signer, ...withSigners(a) }),
  },
];

/** One of an escrow's two accounts, as the operator who derives its key (escrowAccountKeys) sees it. */
export interface DerivedAccount {
  readonly address: Address;
  /** The account's own key, derived from the operator's secret: it signed the account's creation. */
  readonly key: TransactionSigner;
  /** The operator, who pays and receives. */
  readonly operator: TransactionSigner;
  readonly lamports: bigint;
  readonly space: number;
}

/** What the holder of an escrow account's own key could try with the system program on that account. */
export const SYSTEM_MOVES: readonly { readonly name: string; build(target: DerivedAccount): Instruction }[] = [
  {
    name: "withdraw its lamports",
    build: (t) => getTransferSolInstruction({ source: t.key, destination: t.operator.address, amount: t.lamports }),
  },
  {
    name: "assign it to the system program",
    build: (t) => getAssignInstruction({ account: t.key, programAddress: SYSTEM_PROGRAM_ADDRESS }),
  },
  {
    name: "assign it to a program of the operator's choosing",
    build: (t) => getAssignInstruction({ account: t.key, programAddress: t.operator.address }),
  },
  {
    name: "allocate it anew",
    build: (t) => getAllocateInstruction({ newAccount: t.key, space: BigInt(t.space) }),
  },
  {
    name: "create it again",
    build: (t) =>
      getCreateAccountInstruction({
        payer: t.operator,
        newAccount: t.key,
        lamports: t.lamports,
        space: t.space,
        programAddress: TOKEN_PROGRAM_ADDRESS,
      }),
  },
];

/** The escrow's two accounts initialized anew for the operator (no signer: the token program alone decides). */
export const REINITIALIZE_MOVES: readonly {
  readonly name: string;
  build(target: { readonly account: Address; readonly multisig: Address; readonly mint: Address; readonly operator: Address }): Instruction;
}[] = [
  {
    name: "initialize the escrow account anew, owned by the operator",
    build: (t) => getInitializeAccount3Instruction({ account: t.account, mint: t.mint, owner: t.operator }),
  },
  {
    name: "initialize the multisig anew, 1-of-1 of the operator",
    build: (t) => getInitializeMultisig2Instruction({ multisig: t.multisig, signers: [t.operator], m: 1 }),
  },
];
