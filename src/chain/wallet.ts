// Wallet: an ed25519 keypair in the Solana CLI keypair file format (a JSON array of 64 bytes: the
// 32-byte seed, then the 32-byte public key). Signs with Node's crypto. Reads and writes only the
// files it is given; never lets the secret reach a log, an error or JSON.
import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, sign as cryptoSign } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { inspect } from "node:util";
import { MarketError } from "../core/errors.js";
import type { Address } from "../core/address.js";
import { addressOfBytes } from "./address-bytes.js";
import { verifySigned } from "../core/signer.js";
import type { Signer } from "../core/signer.js";

/** Largest wallet file read (a keypair file is about 250 bytes). */
export const WALLET_FILE_BYTES_MAX = 4096;
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
/**
 * The x a JWK import needs and ignores for a private key (the public key comes from the seed): 32
 * zero bytes in base64url, written out, so that loading this module encodes nothing (the
 * dashboard's Buffer has no base64url).
 */
const PLACEHOLDER_X = "A".repeat(43);

/**
 * The key and its public bytes from a seed. A JWK import is about 20x faster than a PKCS#8 DER one
 * (OpenSSL 3's decoder lookup costs a millisecond); should a Node version refuse it, or take the
 * public key from the placeholder instead of the seed, the DER import is used.
 */
function keysFromSeed(seed: Uint8Array): { readonly privateKey: KeyObject; readonly publicKey: Uint8Array } {
  try {
    const privateKey = createPrivateKey({
      key: { kty: "OKP", crv: "Ed25519", d: Buffer.from(seed).toString("base64url"), x: PLACEHOLDER_X },
      format: "jwk",
    });
    const { x } = privateKey.export({ format: "jwk" });
    if (x !== undefined && x !== PLACEHOLDER_X) return { privateKey, publicKey: Uint8Array.from(Buffer.from(x, "base64url")) };
  } catch {
    // falls through to the DER import
  }
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: "der", type: "pkcs8" });
  const der = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  return { privateKey, publicKey: Uint8Array.from(der.subarray(der.length - 32)) };
}

/**
 * An ed25519 keypair whose address is base58 of its public key.
 * Invariant: the public key is the one derived from the seed (checked when loaded).
 * @example const wallet = Wallet.generate(); wallet.save("buyer.json"); Wallet.fromFile("buyer.json").address
 */
export class Wallet implements Signer {
  readonly address: Address;
  readonly publicKey: Uint8Array;
  readonly #privateKey: KeyObject;
  readonly #seed: Uint8Array;

  private constructor(seed: Uint8Array) {
    this.#seed = Uint8Array.from(seed);
    const keys = keysFromSeed(this.#seed);
    this.#privateKey = keys.privateKey;
    this.publicKey = keys.publicKey;
    this.address = addressOfBytes(this.publicKey);
  }

  /** A new random keypair. */
  static generate(): Wallet {
    const { privateKey } = generateKeyPairSync("ed25519");
    const der = privateKey.export({ format: "der", type: "pkcs8" });
    return new Wallet(der.subarray(der.length - 32));
  }

  /** From a 32-byte seed. @throws WALLET_ERROR */
  static fromSeed(seed: Uint8Array): Wallet {
    if (seed.length !== 32) throw new MarketError("WALLET_ERROR", { reason: `a seed is 32 bytes, got ${seed.length}` });
    return new Wallet(seed);
  }

  /** From the 64 bytes of a Solana CLI keypair (seed then public key). @throws WALLET_ERROR */
  static fromBytes(bytes: Uint8Array | readonly number[], path?: string): Wallet {
    const where = path === undefined ? {} : { path };
    if (bytes.length !== 64) throw new MarketError("WALLET_ERROR", { ...where, reason: `a keypair is 64 bytes, got ${bytes.length}` });
    if (!Array.from(bytes).every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
      throw new MarketError("WALLET_ERROR", { ...where, reason: "every element must be a byte, 0..255" });
    }
    const all = Uint8Array.from(bytes);
    const wallet = new Wallet(all.subarray(0, 32));
    if (!Buffer.from(wallet.publicKey).equals(Buffer.from(all.subarray(32)))) {
      throw new MarketError("WALLET_ERROR", {
        ...where,
        reason: "the public key (bytes 32..63) does not belong to the secret key (bytes 0..31)",
      });
    }
    return wallet;
  }

  /** Reads a Solana CLI keypair file. @throws WALLET_ERROR (missing, unreadable, too large, not a keypair) */
  static fromFile(path: string): Wallet {
    let text: string;
    try {
      if (statSync(path).size > WALLET_FILE_BYTES_MAX)
        throw new MarketError("WALLET_ERROR", { path, reason: `larger than ${WALLET_FILE_BYTES_MAX} bytes` });
      text = readFileSync(path, "utf8");
    } catch (e) {
      if (e instanceof MarketError) throw e;
      const code = (e as { code?: string }).code;
      throw new MarketError("WALLET_ERROR", {
        path,
        reason: code === "ENOENT" ? "no such file; create one with `molt-market wallet new`" : `cannot read it (${code ?? "error"})`,
      });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new MarketError("WALLET_ERROR", { path, reason: "not JSON" }); // no cause: it would quote the secret
    }
    if (!Array.isArray(parsed)) throw new MarketError("WALLET_ERROR", { path, reason: "not a JSON array of 64 bytes" });
    return Wallet.fromBytes(parsed as number[], path);
  }

  /**
   * Writes the keypair file with mode 0600; never replaces a file unless `overwrite`.
   * @throws WALLET_ERROR (exists, cannot write)
   */
  save(path: string, options: { overwrite?: boolean } = {}): void {
    const bytes = [...this.#seed, ...this.publicKey];
    try {
      writeFileSync(path, `${JSON.stringify(bytes)}\n`, { mode: 0o600, flag: options.overwrite === true ? "w" : "wx" });
      chmodSync(path, 0o600); // an overwritten file keeps its old mode otherwise
    } catch (e) {
      const code = (e as { code?: string }).code;
      throw new MarketError("WALLET_ERROR", {
        path,
        reason: code === "EEXIST" ? "the file exists; pass overwrite to replace it" : `cannot write it (${code ?? "error"})`,
      });
    }
  }

  /**
   * A keypair derived from this wallet's secret and `label` (HMAC-SHA256 of the label, keyed by the
   * seed, as the new seed): the same label always gives the same keypair, and no one without this
   * wallet's secret can compute its address.
   */
  derive(label: string): Wallet {
    return new Wallet(Uint8Array.from(createHmac("sha256", this.#seed).update(label, "utf8").digest()));
  }

  /** The ed25519 signature (64 bytes) of `message`. */
  sign(message: Uint8Array): Uint8Array {
    return Uint8Array.from(cryptoSign(null, message, this.#privateKey));
  }

  /** Does `signature` sign `message` for `address`. Never throws for malformed input: false. */
  static verify(address: Address, message: Uint8Array, signature: Uint8Array): boolean {
    return verifySigned(address, message, signature);
  }

  /** JSON shows the address only. */
  toJSON(): { address: Address } {
    return { address: this.address };
  }

  /** The address. */
  toString(): string {
    return this.address;
  }

  /** console.log and util.inspect show the address only. */
  [inspect.custom](): string {
    return `Wallet(${this.address})`;
  }
}
