// Address: a Solana account address, base58 of 32 bytes (the branded Address of kit's leaf package @solana/addresses), with
// MarketError-speaking helpers. Pure, no I/O.
import { getAddressDecoder, getAddressEncoder, isAddress as kitIsAddress } from "@solana/addresses";
import type { Address } from "@solana/addresses";
import { MarketError } from "./errors.js";

export type { Address } from "@solana/addresses";

/** Longest string looked at as an address. */
const ADDRESS_TEXT_MAX = 64;

/** Valid addresses remembered, so the callers a server sees again and again are not decoded each time. */
export const VALID_ADDRESSES_CACHED_MAX = 10_000;
const validAddresses = new Set<string>();

/** Is `value` a valid address: base58 that decodes to exactly 32 bytes. */
export function isAddress(value: unknown): value is Address {
  if (typeof value !== "string" || value.length > ADDRESS_TEXT_MAX) return false;
  if (validAddresses.has(value)) return true;
  if (!kitIsAddress(value)) return false;
  if (validAddresses.size >= VALID_ADDRESSES_CACHED_MAX) validAddresses.delete(validAddresses.values().next().value ?? "");
  validAddresses.add(value);
  return true;
}

/** Throws unless `value` is a valid address. @throws INVALID_ADDRESS */
export function assertIsAddress(value: unknown): asserts value is Address {
  if (isAddress(value)) return;
  const text = typeof value === "string" ? value.slice(0, ADDRESS_TEXT_MAX) : typeof value;
  const reason =
    typeof value !== "string"
      ? "not a string"
      : /[^1-9A-HJ-NP-Za-km-z]/.test(value)
        ? "not base58 (0, O, I and l are not base58 digits)"
        : "does not decode to 32 bytes";
  throw new MarketError("INVALID_ADDRESS", { value: text, reason });
}

/**
 * Checks and converts a string to an Address. @throws INVALID_ADDRESS
 * @example parseAddress("11111111111111111111111111111111") // the system program
 */
export function parseAddress(value: unknown): Address {
  assertIsAddress(value);
  return value;
}

/** The address of 32 public-key bytes. @throws INVALID_ADDRESS when not 32 bytes */
export function addressFromBytes(bytes: Uint8Array): Address {
  if (bytes.length !== 32)
    throw new MarketError("INVALID_ADDRESS", { value: `${bytes.length} bytes`, reason: "an address is exactly 32 bytes" });
  return getAddressDecoder().decode(bytes);
}

/** The 32 bytes of an address. */
export function addressToBytes(value: Address): Uint8Array {
  return Uint8Array.from(getAddressEncoder().encode(value));
}

/** A short form for people: first and last 4 characters ("FVen…S96Z"). */
export function shortAddress(value: Address): string {
  return `${value.slice(0, 4)}…${value.slice(-4)}`;
}
