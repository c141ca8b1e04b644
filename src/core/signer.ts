// Signer: the small interface a signed statement needs (an address and an ed25519 signature of a
// message), its asynchronous form (AsyncSigner: a browser wallet that asks its user), and
// verification of such a signature against an address. A Wallet is both. Pure: signature checks only.
import { createPublicKey, verify as cryptoVerify } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { addressToBytes } from "./address.js";
import type { Address } from "./address.js";

/** A key that signs messages with ed25519 for `address`. */
export interface Signer {
  readonly address: Address;
  /** The 64-byte ed25519 signature of `message`. */
  sign(message: Uint8Array): Uint8Array;
}

/** A key that signs for `address`, possibly asynchronously (a browser wallet asks its user). */
export interface AsyncSigner {
  readonly address: Address;
  /** The 64-byte ed25519 signature of `message` (request signature bases, signed statements). */
  sign(message: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /** The 64-byte signature of a Solana transaction message, for keys that sign transactions by another path (Wallet Standard signTransaction); absent: `sign`. */
  signTransactionMessage?(message: Uint8Array): Promise<Uint8Array>;
}

const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
/** Public keys kept ready for verification (a server sees the same callers again and again). */
export const PUBLIC_KEYS_CACHED_MAX = 10_000;
const publicKeys = new Map<string, KeyObject>();

/** The verification key of an address, from a bounded cache (oldest entry dropped first). @throws on a malformed address */
function publicKeyOf(address: Address): KeyObject {
  let key = publicKeys.get(address);
  if (key === undefined) {
    key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, addressToBytes(address)]), format: "der", type: "spki" });
    if (publicKeys.size >= PUBLIC_KEYS_CACHED_MAX) publicKeys.delete(publicKeys.keys().next().value ?? "");
    publicKeys.set(address, key);
  }
  return key;
}

/**
 * Does `signature` verify for `address` over `message` (ed25519). Never throws: a malformed
 * address or signature is simply false.
 * @example verifySigned(wallet.address, message, wallet.sign(message)) // true
 */
export function verifySigned(address: Address, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  try {
    return cryptoVerify(null, message, publicKeyOf(address), signature);
  } catch {
    return false;
  }
}
