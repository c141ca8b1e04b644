// Builds and signs a version-0 transaction without lookup tables, byte for byte as kit's
// createTransactionMessage -> compileTransaction -> signTransactionMessageWithSigners ->
// getTransactionEncoder pipeline does (same account order, header, encoding and signatures), but
// synchronously, with remembered address bytes and the parties' own keys (walletSigner's
// MessageSigners): the embedded chain's hot path. Pure apart from signing.
import { AccountRole, getAddressComparator, isSignerRole, isWritableRole, mergeRoles } from "@solana/kit";
import type { Address, Instruction } from "@solana/kit";
import { MarketError } from "../core/errors.js";
import { addressBytes, decodedBytes } from "./address-bytes.js";
import { messageSignerOf } from "./signer.js";
import type { MessageSigner } from "./signer.js";

/** Solana's limits on one transaction message (kit refuses the same). */
export const MESSAGE_ACCOUNTS_MAX = 64;
export const MESSAGE_SIGNERS_MAX = 12;
export const MESSAGE_INSTRUCTIONS_MAX = 64;
const SIGNATURE_BYTES = 64;
const VERSION_0_PREFIX = 0x80;

/** The message header: how many of the static accounts sign, and which are read-only. */
export interface MessageHeader {
  readonly numSignerAccounts: number;
  readonly numReadonlySignerAccounts: number;
  readonly numReadonlyNonSignerAccounts: number;
}

/** A built, fully signed transaction and what its runtime bookkeeping needs of its message. */
export interface BuiltTransaction {
  readonly messageBytes: Uint8Array;
  /** Signature count, signatures, then the message: what the runtime executes and the log keeps. */
  readonly wire: Uint8Array;
  /** Signatures by signer address, in the header's order (what kit's Transaction holds). */
  readonly signatures: Readonly<Record<string, Uint8Array>>;
  readonly staticAccounts: readonly Address[];
  readonly staticAccountBytes: readonly Uint8Array[];
  readonly header: MessageHeader;
  readonly instructions: readonly { readonly programAddressIndex: number }[];
  readonly lifetimeToken: string;
}

/** Kit compares addresses with this collator when it orders accounts of the same role. */
const compareAddresses = getAddressComparator();

function refuse(reason: string): never {
  throw new MarketError("CHAIN_ERROR", { reason });
}

/** Each account's merged role (kit's address map, without lookup tables); the fee payer stays first. */
function rolesOf(feePayer: Address, instructions: readonly Instruction[]): Map<Address, AccountRole> {
  const roles = new Map<Address, AccountRole>([[feePayer, AccountRole.WRITABLE_SIGNER]]);
  const programs = new Set<Address>();
  for (const instruction of instructions) {
    const program = instruction.programAddress;
    programs.add(program);
    const role = roles.get(program);
    if (role !== undefined && isWritableRole(role)) refuse(`program ${program} is invoked and writable (or pays the fee)`);
    if (role === undefined) roles.set(program, AccountRole.READONLY);
    for (const account of instruction.accounts ?? []) {
      if (account.address === feePayer) continue;
      const known = roles.get(account.address);
      if (programs.has(account.address) && isWritableRole(account.role)) refuse(`program ${account.address} is invoked and writable`);
      roles.set(account.address, known === undefined ? account.role : mergeRoles(known, account.role));
    }
  }
  return roles;
}

/** Kit's order: fee payer, then signers before others, writable before read-only, then by address. */
function orderedAccounts(feePayer: Address, roles: Map<Address, AccountRole>): Address[] {
  return [...roles.keys()].sort((left, right) => {
    if (left === feePayer) return -1;
    if (right === feePayer) return 1;
    const leftRole = roles.get(left) ?? AccountRole.READONLY;
    const rightRole = roles.get(right) ?? AccountRole.READONLY;
    if (isSignerRole(leftRole) !== isSignerRole(rightRole)) return isSignerRole(leftRole) ? -1 : 1;
    if (isWritableRole(leftRole) !== isWritableRole(rightRole)) return isWritableRole(leftRole) ? -1 : 1;
    return compareAddresses(left, right);
  });
}

/** Who signs for each address: the fee payer, then each instruction's signers in order (the first one given wins). */
function signersOf(feePayer: MessageSigner, instructions: readonly Instruction[]): Map<string, MessageSigner> {
  const signers = new Map<string, MessageSigner>([[feePayer.address, feePayer]]);
  for (const instruction of instructions) {
    for (const account of instruction.accounts ?? []) {
      if (!("signer" in account) || signers.has(account.address)) continue;
      const signer = messageSignerOf(account.signer);
      if (signer === undefined) refuse(`the signer of ${account.address} was not made by walletSigner`);
      signers.set(account.address, signer);
    }
  }
  return signers;
}

/** Solana's compact-u16 length prefix. */
function pushShortU16(out: number[], value: number): void {
  let rest = value;
  for (;;) {
    const low = rest & 0x7f;
    rest >>>= 7;
    if (rest === 0) {
      out.push(low);
      return;
    }
    out.push(low | 0x80);
  }
}

function pushBytes(out: number[], bytes: Uint8Array): void {
  for (const byte of bytes) out.push(byte);
}

/**
 * Builds the message of `instructions` paid by `feePayer` on `blockhash`, and signs it with the fee
 * payer and each signer its instructions name (in kit's signer order, so the first signer that
 * cannot sign throws as it would there). Invariant: the bytes are those kit's pipeline produces.
 * @throws CHAIN_ERROR (over Solana's limits, a writable program, a signer not from walletSigner), INVALID_ADDRESS, SIGNATURE_REQUIRED (a presented signature for another message)
 */
export function buildSignedTransaction(input: {
  readonly feePayer: MessageSigner;
  readonly blockhash: string;
  readonly instructions: readonly Instruction[];
}): BuiltTransaction {
  const { feePayer, instructions } = input;
  if (instructions.length > MESSAGE_INSTRUCTIONS_MAX) refuse(`more than ${MESSAGE_INSTRUCTIONS_MAX} instructions`);
  const roles = rolesOf(feePayer.address, instructions);
  const staticAccounts = orderedAccounts(feePayer.address, roles);
  if (staticAccounts.length > MESSAGE_ACCOUNTS_MAX) refuse(`more than ${MESSAGE_ACCOUNTS_MAX} accounts`);
  const header = { numSignerAccounts: 0, numReadonlySignerAccounts: 0, numReadonlyNonSignerAccounts: 0 };
  for (const address of staticAccounts) {
    const role = roles.get(address) ?? AccountRole.READONLY;
    if (isSignerRole(role)) {
      header.numSignerAccounts++;
      if (!isWritableRole(role)) header.numReadonlySignerAccounts++;
    } else if (!isWritableRole(role)) header.numReadonlyNonSignerAccounts++;
  }
  if (header.numSignerAccounts > MESSAGE_SIGNERS_MAX) refuse(`more than ${MESSAGE_SIGNERS_MAX} signers`);
  const indexOf = new Map(staticAccounts.map((address, index) => [address, index]));
  const staticAccountBytes = staticAccounts.map((address) => addressBytes(address));
  const out: number[] = [VERSION_0_PREFIX, header.numSignerAccounts, header.numReadonlySignerAccounts, header.numReadonlyNonSignerAccounts];
  pushShortU16(out, staticAccounts.length);
  for (const bytes of staticAccountBytes) pushBytes(out, bytes);
  // A blockhash is used once: decoded, not remembered (it would push the cached addresses out).
  pushBytes(out, decodedBytes(input.blockhash));
  pushShortU16(out, instructions.length);
  const compiled = instructions.map((instruction) => {
    const programAddressIndex = indexOf.get(instruction.programAddress) ?? 0;
    out.push(programAddressIndex);
    const accounts = instruction.accounts ?? [];
    if (accounts.length > 255) refuse("more than 255 accounts in one instruction");
    pushShortU16(out, accounts.length);
    for (const account of accounts) out.push(indexOf.get(account.address) ?? 0);
    const data = instruction.data ?? new Uint8Array();
    pushShortU16(out, data.length);
    for (const byte of data) out.push(byte);
    return { programAddressIndex };
  });
  pushShortU16(out, 0); // no address lookup tables
  const messageBytes = Uint8Array.from(out);
  const signed = new Map<string, Uint8Array>();
  for (const [address, signer] of signersOf(feePayer, instructions)) signed.set(address, signer.sign(messageBytes));
  const prefix: number[] = [];
  pushShortU16(prefix, header.numSignerAccounts);
  const wire = new Uint8Array(prefix.length + header.numSignerAccounts * SIGNATURE_BYTES + messageBytes.length);
  wire.set(prefix, 0);
  const signatures: Record<string, Uint8Array> = {};
  for (let i = 0; i < header.numSignerAccounts; i++) {
    const address = staticAccounts[i] ?? refuse("a signer is missing");
    const signature = signed.get(address) ?? refuse(`transaction is missing a signature for ${address}`);
    signatures[address] = signature;
    wire.set(signature, prefix.length + i * SIGNATURE_BYTES);
  }
  wire.set(messageBytes, prefix.length + header.numSignerAccounts * SIGNATURE_BYTES);
  return {
    messageBytes,
    wire,
    signatures,
    staticAccounts,
    staticAccountBytes,
    header,
    instructions: compiled,
    lifetimeToken: input.blockhash,
  };
}
