// Address text <-> 32 bytes for the embedded chain's hot path: the addresses a chain sees again and
// again (its mint, the token program, the operator, parties, token accounts) are converted once
// and remembered; the rest go through the base58 codec of base58.ts. Pure, no I/O.
import { MarketError } from "../core/errors.js";
import type { Address } from "../core/address.js";
import { base58Decode, base58Encode } from "./base58.js";

/** Addresses remembered at most, each way (then that memory starts over). */
export const ADDRESS_BYTES_REMEMBERED_MAX = 10_000;
const ADDRESS_BYTES = 32;

/** Bytes of addresses converted already. Shared and never handed out to be changed. */
const bytesByAddress = new Map<string, Uint8Array>();
/** Addresses of bytes converted already, by their first 6 bytes (the rest is compared on a hit). */
const addressesByPrefix = new Map<number, { readonly bytes: Uint8Array; readonly address: Address }>();

function rememberBytes(address: string, bytes: Uint8Array): void {
  if (bytesByAddress.size >= ADDRESS_BYTES_REMEMBERED_MAX) bytesByAddress.clear();
  bytesByAddress.set(address, bytes);
}

/** The first 6 bytes as one number (exact below 2^53). */
function prefixOf(bytes: Uint8Array): number {
  return (
    (bytes[0] ?? 0) +
    (bytes[1] ?? 0) * 2 ** 8 +
    (bytes[2] ?? 0) * 2 ** 16 +
    (bytes[3] ?? 0) * 2 ** 24 +
    (bytes[4] ?? 0) * 2 ** 32 +
    (bytes[5] ?? 0) * 2 ** 40
  );
}

/**
 * The 32 bytes of `address` (the same as kit's address encoder gives). The array is shared: a
 * caller copies it before changing it.
 * @throws INVALID_ADDRESS (not base58 of 32 bytes)
 */
export function addressBytes(address: string): Uint8Array {
  const known = bytesByAddress.get(address);
  if (known !== undefined) return known;
  const bytes = decodedBytes(address);
  rememberBytes(address, bytes);
  return bytes;
}

/**
 * The 32 bytes of a base58 value used once (a blockhash), decoded without being remembered.
 * @throws INVALID_ADDRESS (not base58 of 32 bytes)
 */
export function decodedBytes(text: string): Uint8Array {
  const bytes = base58Decode(text);
  if (bytes?.length !== ADDRESS_BYTES) {
    throw new MarketError("INVALID_ADDRESS", {
      value: text.slice(0, 64),
      reason: bytes === undefined ? "not base58" : "does not decode to 32 bytes",
    });
  }
  return bytes;
}

/**
 * The address of 32 bytes (the same as kit's address decoder gives), remembered both ways.
 * @throws INVALID_ADDRESS (not 32 bytes)
 */
export function addressOfBytes(bytes: Uint8Array): Address {
  if (bytes.length !== ADDRESS_BYTES)
    throw new MarketError("INVALID_ADDRESS", { value: `${bytes.length} bytes`, reason: "an address is exactly 32 bytes" });
  const prefix = prefixOf(bytes);
  const known = addressesByPrefix.get(prefix);
  if (known !== undefined && Buffer.compare(known.bytes, bytes) === 0) return known.address;
  const address = base58Encode(bytes) as Address;
  const copy = Uint8Array.from(bytes);
  if (addressesByPrefix.size >= ADDRESS_BYTES_REMEMBERED_MAX) addressesByPrefix.clear();
  addressesByPrefix.set(prefix, { bytes: copy, address });
  if (!bytesByAddress.has(address)) rememberBytes(address, copy);
  return address;
}
