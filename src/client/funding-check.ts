// What a buyer proves from a funding transaction's message alone before it signs: its MOLT goes,
// in exactly the escrowed amount, to a token account of the MOLT mint that this same message
// creates and initializes, owned by a multisig that this same message creates and initializes as
// 2-of-3 of exactly {buyer, provider, arbiter}. An initialization fails on chain unless its account
// is new, so a message that lands cannot send the MOLT anywhere else. Its key may otherwise only
// pay the two accounts' rent, exactly as Solana's default rent computes it. A deposit into a funded
// escrow (an extension) is one transfer of exactly its cost into the escrow's account. Pure.
import { SYSTEM_PROGRAM_ADDRESS, getCreateAccountInstructionDataDecoder } from "@solana-program/system";
import {
  TOKEN_PROGRAM_ADDRESS,
  getInitializeAccount3InstructionDataDecoder,
  getInitializeMultisig2InstructionDataDecoder,
  getMultisigSize,
  getTokenSize,
  getTransferCheckedInstructionDataDecoder,
} from "@solana-program/token";
import { Amount } from "../core/amount.js";
import { MarketError } from "../core/errors.js";
import { ESCROW_SIGNATURES_REQUIRED, defaultRentExemptLamports } from "../chain/escrow-instructions.js";

/** What a funding must do: move `amount` of `mint` from `signer` into a new 2-of-3 escrow of signer, provider and arbiter. */
export interface FundingExpectation {
  readonly kind: "fund";
  readonly signer: string;
  readonly amount: Amount;
  readonly mint: string;
  readonly provider: string;
  readonly arbiter: string;
}

/** What a deposit into a funded escrow (a job's extension) must do: move exactly `amount` of `mint` from `source` (the signer's token account) to `escrow`'s token account. */
export interface DepositExpectation {
  readonly kind: "deposit";
  readonly signer: string;
  readonly amount: Amount;
  readonly mint: string;
  readonly source: string;
  readonly escrow: string;
}

/** One compiled instruction, as the message decoder gives it. */
export interface CompiledInstruction {
  readonly programAddressIndex: number;
  readonly accountIndices?: readonly number[];
  readonly data?: ArrayLike<number>;
}

/** SPL Token instruction tags the check reads. */
const TOKEN_TAGS = { initializeAccount3: 18, initializeMultisig2: 19, transferChecked: 12 } as const;
/** The System program's CreateAccount discriminator (a u32). */
const SYSTEM_CREATE_ACCOUNT = 0;

function refuse(reason: string): never {
  throw new MarketError("ESCROW_ERROR", { reason: `refused to sign the server's transaction: ${reason}` });
}

function decoded<T>(decode: () => T, what: string): T {
  try {
    return decode();
  } catch {
    return refuse(`its ${what} is malformed`);
  }
}

/**
 * Checks a funding message (already decoded) and says in words what signing it does.
 * @throws ESCROW_ERROR (anything else asked of the key, the MOLT going elsewhere, a wrong multisig)
 */
export function checkFunding(
  accounts: readonly string[],
  signerCount: number,
  instructions: readonly CompiledInstruction[],
  expectation: FundingExpectation,
): string {
  const signerIndex = accounts.indexOf(expectation.signer);
  const at = (index: number | undefined): string => accounts[index ?? -1] ?? "?";
  if (accounts.indexOf(expectation.provider) >= 0 && accounts.indexOf(expectation.provider) < signerCount)
    refuse("the provider signs it too, which would let it move the escrow with you");
  let transfer: { readonly destination: string; readonly amount: Amount } | undefined;
  let rentLamports = 0n;
  const created = new Map<string, number>();
  const tokenAccounts = new Map<string, { readonly mint: string; readonly owner: string }>();
  const multisigs = new Map<string, { readonly m: number; readonly members: readonly string[] }>();
  for (const instruction of instructions) {
    const indices = instruction.accountIndices ?? [];
    const program = at(instruction.programAddressIndex);
    const data = Uint8Array.from(instruction.data ?? []);
    if (program === TOKEN_PROGRAM_ADDRESS && data[0] === TOKEN_TAGS.initializeAccount3) {
      const { owner } = decoded(() => getInitializeAccount3InstructionDataDecoder().decode(data), "account initialization");
      tokenAccounts.set(at(indices[0]), { mint: at(indices[1]), owner });
    } else if (program === TOKEN_PROGRAM_ADDRESS && data[0] === TOKEN_TAGS.initializeMultisig2) {
      const { m } = decoded(() => getInitializeMultisig2InstructionDataDecoder().decode(data), "multisig initialization");
      if (indices[0] === signerIndex) refuse("it makes this wallet's own account a multisig");
      multisigs.set(at(indices[0]), { m, members: indices.slice(1).map(at) });
      continue; // naming this wallet as a member gives no one its authority
    }
    if (!indices.includes(signerIndex)) continue;
    if (
      program === SYSTEM_PROGRAM_ADDRESS &&
      indices.length === 2 &&
      indices[0] === signerIndex &&
      indices[1] !== signerIndex &&
      data[0] === SYSTEM_CREATE_ACCOUNT
    ) {
      // Paying an escrow account's rent: a new account of the token program, of a multisig's or a token account's size, at exactly the rent.
      const { lamports, space, programAddress } = decoded(() => getCreateAccountInstructionDataDecoder().decode(data), "account creation");
      const size = Number(space);
      if (programAddress !== TOKEN_PROGRAM_ADDRESS || (size !== getMultisigSize() && size !== getTokenSize()))
        refuse("it makes this wallet pay for an account that is not an escrow account");
      if (lamports !== defaultRentExemptLamports(size))
        refuse(`it makes this wallet pay ${lamports} lamports for an account whose rent is ${defaultRentExemptLamports(size)}`);
      created.set(at(indices[1]), size);
      rentLamports += lamports;
      continue;
    }
    // TransferChecked: source, mint, destination, authority (this wallet, alone).
    if (
      program !== TOKEN_PROGRAM_ADDRESS ||
      data[0] !== TOKEN_TAGS.transferChecked ||
      indices[3] !== signerIndex ||
      indices.length !== 4 ||
      transfer !== undefined
    ) {
      refuse("it asks more of this wallet than one transfer into the escrow and its accounts' rent");
    }
    if (at(indices[1]) !== expectation.mint) refuse(`it transfers a token of mint ${at(indices[1])}, not MOLT (${expectation.mint})`);
    const amount = Amount.fromLamports(decoded(() => getTransferCheckedInstructionDataDecoder().decode(data), "transfer").amount);
    if (!amount.equals(expectation.amount))
      refuse(`it transfers ${amount.toString()} MOLT, the escrow is ${expectation.amount.toString()} MOLT`);
    transfer = { destination: at(indices[2]), amount };
  }
  if (transfer === undefined) return refuse("it does not fund the escrow");
  const account = tokenAccounts.get(transfer.destination);
  if (account === undefined || created.get(transfer.destination) !== getTokenSize())
    refuse(`it sends the MOLT to ${transfer.destination}, which it does not create as the escrow's new token account`);
  if (account.mint !== expectation.mint) refuse(`the escrow account it creates is of mint ${account.mint}, not MOLT`);
  const multisig = multisigs.get(account.owner);
  if (multisig === undefined || created.get(account.owner) !== getMultisigSize())
    refuse(`the escrow account's owner ${account.owner} is not a multisig it creates`);
  const expected = [expectation.signer, expectation.provider, expectation.arbiter];
  if (
    multisig.m !== ESCROW_SIGNATURES_REQUIRED ||
    multisig.members.length !== 3 ||
    new Set(multisig.members).size !== 3 ||
    !expected.every((key) => multisig.members.includes(key))
  ) {
    refuse(
      `the escrow's owner is a ${multisig.m}-of-${multisig.members.length} multisig of ${multisig.members.join(", ")}, not 2-of-3 of you, the provider ${expectation.provider} and the arbiter ${expectation.arbiter}`,
    );
  }
  const sol = (lamports: bigint): string => Amount.fromLamports(lamports).toString();
  return `moves ${transfer.amount.toString()} MOLT from your wallet into escrow ${transfer.destination}, owned 2-of-3 by you, the provider and the arbiter, and pays ${sol(rentLamports)} SOL of rent for its two accounts (the token account's ${sol(defaultRentExemptLamports(getTokenSize()))} SOL comes back when it closes)`;
}

/**
 * Checks a deposit message (already decoded): its one use of the signer's key is one TransferChecked
 * of exactly the expected MOLT from its token account into the escrow's, signed by it alone; says in words what signing does.
 * @throws ESCROW_ERROR (anything else asked of the key, another amount, mint, source or destination)
 */
export function checkDeposit(
  accounts: readonly string[],
  instructions: readonly CompiledInstruction[],
  expectation: DepositExpectation,
): string {
  const signerIndex = accounts.indexOf(expectation.signer);
  const at = (index: number | undefined): string => accounts[index ?? -1] ?? "?";
  let transferred: Amount | undefined;
  for (const instruction of instructions) {
    const indices = instruction.accountIndices ?? [];
    if (!indices.includes(signerIndex)) continue;
    const data = Uint8Array.from(instruction.data ?? []);
    // TransferChecked: source, mint, destination, authority (this wallet, alone).
    if (
      at(instruction.programAddressIndex) !== TOKEN_PROGRAM_ADDRESS ||
      data[0] !== TOKEN_TAGS.transferChecked ||
      indices.length !== 4 ||
      indices.indexOf(signerIndex) !== 3 ||
      transferred !== undefined
    ) {
      refuse("it asks more of this wallet than one transfer into the escrow");
    }
    if (at(indices[1]) !== expectation.mint) refuse(`it transfers a token of mint ${at(indices[1])}, not MOLT (${expectation.mint})`);
    if (at(indices[0]) !== expectation.source) refuse(`it transfers from ${at(indices[0])}, not from this wallet's MOLT account`);
    if (at(indices[2]) !== expectation.escrow) refuse(`it sends the MOLT to ${at(indices[2])}, not to escrow ${expectation.escrow}`);
    const amount = Amount.fromLamports(decoded(() => getTransferCheckedInstructionDataDecoder().decode(data), "transfer").amount);
    if (!amount.equals(expectation.amount))
      refuse(`it transfers ${amount.toString()} MOLT, the extension costs ${expectation.amount.toString()} MOLT`);
    transferred = amount;
  }
  if (transferred === undefined) return refuse(`it does not deposit into escrow ${expectation.escrow}`);
  return `moves ${transferred.toString()} MOLT from your wallet into escrow ${expectation.escrow}, to pay for the job's extension`;
}
