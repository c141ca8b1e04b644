// The amounts of SPL Token accounts read from the embedded runtime, remembered until its state
// changes. Every method of the native runtime but the few that only read (READ_ONLY_METHODS) is
// wrapped to bump a state version first, whoever calls it (a transaction sent, failed or
// simulated, an airdrop, an account set, a slot warp, a new blockhash, a replayed log entry), so
// a change nobody listed still makes every remembered amount stale. A miss fetches the account's
// data alone (not its owner, lamports and flags, and no second copy) and reads the 8-byte amount;
// an address is base58-decoded once. For the embedded runtime only (an RPC node's state changes
// where this process cannot see); no I/O.
import { LiteSvm } from "litesvm/dist/internal.js";
import type { Address } from "../../core/address.js";
import { addressBytes } from "../address-bytes.js";
import { tokenAmountOf } from "../token-account.js";
import type { NativeSvm } from "./native-svm.js";

/** Token accounts remembered at most (then the memory starts over). */
export const TOKEN_AMOUNTS_REMEMBERED_MAX = 100_000;

/** The native runtime's methods that never change its state; any other one, known or new, counts as a change. */
export const READ_ONLY_METHODS: ReadonlySet<string> = new Set([
  "constructor",
  "getAccount",
  "getBalance",
  "getClock",
  "getComputeBudget",
  "getEpochRewards",
  "getEpochSchedule",
  "getLastRestartSlot",
  "getProgramAccounts",
  "getRent",
  "getSigverify",
  "getSlotHashes",
  "getSlotHistory",
  "getStakeHistory",
  "getTransaction",
  "latestBlockhash",
  "minimumBalanceForRentExemption",
  "saveToFile",
  "toBytes",
]);

/** A token account's bytes (kept across versions) and its amount as of `version`. */
interface RememberedAmount {
  readonly bytes: Uint8Array;
  amount: bigint | undefined;
  version: number;
}

/**
 * Token amounts by account address. Invariant: an amount is answered from memory only when it was
 * read at the current state version, and every call of a method of `native` that may change its
 * state bumps that version before it runs.
 */
export class TokenAmounts {
  private readonly remembered = new Map<string, RememberedAmount>();
  private version = 0;

  constructor(private readonly native: NativeSvm) {
    countChanges(native, () => {
      this.version++;
    });
  }

  /**
   * The base units the token account at `address` holds now, or undefined when no account is there.
   * @throws INVALID_ADDRESS (not base58 of 32 bytes), SolanaError (data that is no token account)
   */
  amountAt(address: Address): bigint | undefined {
    const known = this.remembered.get(address);
    if (known !== undefined && known.version === this.version) return known.amount;
    const bytes = known?.bytes ?? addressBytes(address);
    const found = this.native.getAccount(bytes);
    const amount = found === null ? undefined : tokenAmountOf(found.data());
    if (known !== undefined) {
      known.amount = amount;
      known.version = this.version;
      return amount;
    }
    if (this.remembered.size >= TOKEN_AMOUNTS_REMEMBERED_MAX) this.remembered.clear();
    this.remembered.set(address, { bytes, amount, version: this.version });
    return amount;
  }
}

/**
 * Wraps every method of `native` outside READ_ONLY_METHODS (on the instance, so litesvm's wrapper
 * calls go through it too) to call `onChange` before it runs; a wrapper already there is kept.
 */
function countChanges(native: NativeSvm, onChange: () => void): void {
  for (const name of Object.getOwnPropertyNames(LiteSvm.prototype)) {
    const method: unknown = Reflect.get(native, name);
    if (READ_ONLY_METHODS.has(name) || typeof method !== "function") continue;
    Reflect.set(native, name, (...args: unknown[]): unknown => {
      onChange();
      return Reflect.apply(method, native, args) as unknown;
    });
  }
}
