// A signer from a Solana CLI keypair file (a JSON array of 64 bytes: the ed25519 secret seed, then
// the public key), for local networks. The key lives only in this page's memory, as a
// non-extractable WebCrypto key; nothing is written to storage. Signs with WebCrypto Ed25519.
import { MarketError } from "../../../src/core/errors.js";
import { addressFromBytes } from "../../../src/core/address.js";
import type { AsyncSigner } from "../../../src/core/signer.js";

/** Bytes in a keypair file: the 32-byte secret seed, then the 32-byte public key. */
const KEYPAIR_BYTES = 64;
const SEED_BYTES = 32;
/** Longest keypair file read (a 64-number JSON array with spaces and a newline fits well within). */
const KEYPAIR_FILE_LENGTH_MAX = 4096;
/** PKCS#8 DER of an ed25519 private key, before its 32-byte seed (RFC 8410). */
const PKCS8_ED25519_PREFIX = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20);
const ED25519 = { name: "Ed25519" } as const;

function notKeypair(reason: string): MarketError<"WALLET_ERROR"> {
  return new MarketError("WALLET_ERROR", { reason: `this file is not a Solana keypair: ${reason}` });
}

/** The 64 bytes of a keypair file's text. @throws WALLET_ERROR (not JSON, not 64 integers 0..255) */
function keypairBytes(fileText: string): Uint8Array {
  if (fileText.length > KEYPAIR_FILE_LENGTH_MAX) throw notKeypair(`it is longer than ${KEYPAIR_FILE_LENGTH_MAX} characters`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(fileText);
  } catch {
    throw notKeypair("it is not JSON (a keypair file is a JSON array of 64 numbers, as solana-keygen writes)");
  }
  if (!Array.isArray(parsed) || parsed.length !== KEYPAIR_BYTES)
    throw notKeypair(`it must be a JSON array of ${KEYPAIR_BYTES} numbers, as solana-keygen writes`);
  const bytes = new Uint8Array(KEYPAIR_BYTES);
  parsed.forEach((value: unknown, index) => {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 255)
      throw notKeypair(`its entry ${index} is ${JSON.stringify(value)}, not a byte (an integer 0..255)`);
    bytes[index] = value;
  });
  return bytes;
}

/**
 * A signer for the keypair in a Solana CLI keypair file's text. Invariant: the file's public half
 * is the public key of its secret half (checked by signing a random challenge with the secret and
 * verifying it with the public key), and the secret stays in this page's memory as a
 * non-extractable key. The address is base58 of the public key.
 * @throws WALLET_ERROR (not a keypair file, or its halves do not match)
 * @example const signer = await importKeypair(await file.text()); new MarketClient({ baseUrl, wallet: signer })
 */
export async function importKeypair(fileText: string): Promise<AsyncSigner> {
  const subtle = globalThis.crypto.subtle as typeof globalThis.crypto.subtle | undefined;
  if (subtle === undefined)
    throw new MarketError("WALLET_ERROR", {
      reason: "this page is not a secure context (https, or http on localhost), so the browser offers no WebCrypto to sign with",
    });
  const bytes = keypairBytes(fileText);
  const pkcs8 = new Uint8Array(PKCS8_ED25519_PREFIX.length + SEED_BYTES);
  pkcs8.set(PKCS8_ED25519_PREFIX);
  pkcs8.set(bytes.subarray(0, SEED_BYTES), PKCS8_ED25519_PREFIX.length);
  const publicKeyBytes = bytes.slice(SEED_BYTES);
  let keys: readonly [privateKey: Awaited<ReturnType<typeof subtle.importKey>>, publicKey: Awaited<ReturnType<typeof subtle.importKey>>];
  try {
    keys = [
      await subtle.importKey("pkcs8", pkcs8, ED25519, false, ["sign"]),
      await subtle.importKey("raw", publicKeyBytes, ED25519, true, ["verify"]),
    ];
  } catch {
    throw notKeypair("its bytes are not an ed25519 key pair");
  } finally {
    bytes.fill(0);
    pkcs8.fill(0);
  }
  const [privateKey, publicKey] = keys;
  const challenge = globalThis.crypto.getRandomValues(new Uint8Array(32));
  const proof = await subtle.sign(ED25519, privateKey, challenge);
  if (!(await subtle.verify(ED25519, publicKey, proof, challenge)))
    throw notKeypair("its public half (the last 32 bytes) is not the public key of its secret half (the first 32)");
  return {
    address: addressFromBytes(publicKeyBytes),
    sign: async (message) => new Uint8Array(await subtle.sign(ED25519, privateKey, Uint8Array.from(message))),
  };
}
