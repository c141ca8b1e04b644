// Reads of account state out of the embedded runtime, as plain values (lamports, owner, data): what
// the client and the localnet server's getAccountInfo / getProgramAccounts answer from. Read only:
// never writes an account; no I/O.
import type { LiteSVM } from "litesvm";
import type { ReadonlyUint8Array } from "@solana/kit";
import type { Address } from "../../core/address.js";
import { addressBytes, addressOfBytes } from "../address-bytes.js";
import type { NativeSvm } from "./native-svm.js";

/** An account as the runtime holds it; `data` is a copy, so changing it changes nothing on chain. */
export interface RuntimeAccount {
  readonly lamports: bigint;
  readonly owner: Address;
  readonly data: Uint8Array;
  readonly executable: boolean;
}

/** An account a program owns, with its address. */
export interface ProgramAccount {
  readonly address: Address;
  readonly data: ReadonlyUint8Array;
  readonly lamports: bigint;
}

/** The account at `address` in `native`, or undefined when none is there. */
export function accountAt(native: NativeSvm, address: Address): RuntimeAccount | undefined {
  const found = native.getAccount(addressBytes(address));
  if (found === null) return undefined;
  return {
    lamports: found.lamports(),
    owner: addressOfBytes(found.owner()),
    data: Uint8Array.from(found.data()),
    executable: found.executable(),
  };
}

/** Every account `program` owns in `svm`, with its address (a scan, as a validator without an account index does). */
export function programAccountsOf(svm: LiteSVM, program: Address): ProgramAccount[] {
  return svm.getProgramAccounts(program).map((found) => ({ address: found.address, data: found.data, lamports: found.lamports }));
}
