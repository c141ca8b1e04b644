// Address text <-> 32 bytes for the embedded chain's hot path: the addresses a chain sees again and
// again (its mint, the token program, the operator, parties, token accounts) are converted once
// and remembered; the rest go through the base58 codec of base58.ts. Pure, no I/O.
import { MarketError } from "../core/errors.js";
import type { Address } from "../core/address.js";
import { base58Decode, base58Encode } from "./base58.js";

/** Address texts whose bytes are remembered at most (then the memory starts over). */
export const ADDRESS_BYTES_REMEMBERED_MAX = 10_000;
const ADDRESS_BYTES = 32;

/** Bytes of addresses converted already. Shared and never handed out to be changed. */
const bytesByAddress = new Map<string, Uint8Array>();

function remember(address: string, bytes: Uint8Array): void {
  if (bytesByAddress.size >= ADDRESS_BYTES_REMEMBERED_MAX) bytesByAddress.clear();
  bytesByAddress.set(address, bytes);
}

/**
 * The 32 bytes of `address` (the same as kit's address encoder gives). The array is shared: a
 * caller copies it before changing it.
 * @throws INVALID_ADDRESS (not base58 of 32 bytes)
 */
export function addressBytes(address: string): Uint8Array {
  const known = bytesByAddress.get(address);
  if (known !== undefined) return known;
  const bytes = base58Decode(address);
  if (bytes?.length !== ADDRESS_BYTES) {
    throw new MarketError("INVALID_ADDRESS", {
      value: address.slice(0, 64),
      reason: bytes === undefined ? "not base58" : "does not decode to 32 bytes",
    });
  }
  remember(address, bytes);
  return bytes;
}

/**
 * The address of 32 bytes (the same as kit's address decoder gives); remembers the pair when `remember` is set.
 * @throws INVALID_ADDRESS (not 32 bytes)
 */
export function addressOfBytes(bytes: Uint8Array, options: { readonly remember?: boolean } = {}): Address {
  if (bytes.length !== ADDRESS_BYTES)
    throw new MarketError("INVALID_ADDRESS", { value: `${bytes.length} bytes`, reason: "an address is exactly 32 bytes" });
  const address = base58Encode(bytes) as Address;
  if (options.remember === true && !bytesByAddress.has(address)) remember(address, Uint8Array.from(bytes));
  return address;
}
