// Reads of account state out of the embedded runtime, as plain values (lamports, owner, data): what
// the client and the localnet server's getAccountInfo / getProgramAccounts answer from, and token
// amounts remembered until the state changes (token-amounts.ts). Read only: never writes an
// account; no I/O.
import type { LiteSVM } from "litesvm";
import type { ReadonlyUint8Array } from "@solana/kit";
import type { Address } from "../../core/address.js";
import { addressBytes, addressOfBytes } from "../address-bytes.js";
import type { NativeSvm } from "./native-svm.js";
import { TokenAmounts } from "./token-amounts.js";

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

/** The reads of one runtime. Invariant: never changes an account; a token amount is never from before a change. */
export class RuntimeReads {
  private readonly amounts: TokenAmounts;

  constructor(
    private readonly svm: LiteSVM,
    private readonly native: NativeSvm,
  ) {
    this.amounts = new TokenAmounts(native);
  }

  /** The account at `address`, or undefined when none is there; `data` is a copy. */
  account(address: Address): RuntimeAccount | undefined {
    const found = this.native.getAccount(addressBytes(address));
    if (found === null) return undefined;
    return {
      lamports: found.lamports(),
      owner: addressOfBytes(found.owner()),
      data: Uint8Array.from(found.data()),
      executable: found.executable(),
    };
  }

  /** The base units the token account at `address` holds now (undefined: no account). @throws INVALID_ADDRESS, SolanaError (no token account) */
  tokenAmount(address: Address): bigint | undefined {
    return this.amounts.amountAt(address);
  }

  /** Lamports held at `address` (0 when no account is there). */
  lamportsOf(address: Address): bigint {
    return this.native.getBalance(addressBytes(address)) ?? 0n;
  }

  /** Every account `program` owns, with its address (a scan, as a validator without an account index does). */
  programAccounts(program: Address): ProgramAccount[] {
    return this.svm.getProgramAccounts(program).map((found) => ({ address: found.address, data: found.data, lamports: found.lamports }));
  }

  /** Lamports an account of `space` bytes needs to be rent exempt. */
  rentExemptMinimum(space: bigint): bigint {
    return this.svm.minimumBalanceForRentExemption(space);
  }
}
