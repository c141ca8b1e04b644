// Browser stand-in for the part of node:crypto that modules shared with the server use (the client
// bundles them): sha256/sha512 and HMAC-SHA256 (@noble/hashes), ed25519 keys, signatures and
// verification (@noble/curves, strict RFC 8032 as OpenSSL verifies), and random bytes from
// globalThis.crypto. Exactly that subset; anything else is absent, so a new use fails the build.
import { ed25519 } from "@noble/curves/ed25519.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { Buffer } from "buffer/"; // the npm package (the trailing slash skips Node's builtin), as its README says

type Data = string | Uint8Array;
type Encoding = "hex" | "base64";

function bytesOf(data: Data): Uint8Array {
  return typeof data === "string" ? new TextEncoder().encode(data) : data;
}

/** What the shim needs of one of noble's incremental hashes. */
interface HashState {
  update(bytes: Uint8Array): unknown;
  digest(): Uint8Array;
}

/** An incremental hash with node:crypto's update/digest, over one of noble's hashes. */
class Hash {
  constructor(private readonly state: HashState) {}

  /** Adds `data` (a string as UTF-8, node:crypto's default and the only encoding callers give). */
  update(data: Data): this {
    this.state.update(bytesOf(data));
    return this;
  }

  digest(): Buffer;
  digest(encoding: Encoding): string;
  digest(encoding?: Encoding): Buffer | string {
    const digest = Buffer.from(this.state.digest());
    return encoding === undefined ? digest : digest.toString(encoding);
  }
}

const HASHES = { sha256, sha512 } as const;

/** node:crypto createHash for "sha256" and "sha512". @throws Error (another algorithm) */
export function createHash(algorithm: string): Hash {
  const hash = HASHES[algorithm as keyof typeof HASHES] as (typeof HASHES)[keyof typeof HASHES] | undefined;
  if (hash === undefined) throw new Error(`createHash: ${algorithm} is not available in the browser build (sha256, sha512)`);
  return new Hash(hash.create());
}

/** node:crypto createHmac for "sha256". @throws Error (another algorithm) */
export function createHmac(algorithm: string, key: Uint8Array): Hash {
  if (algorithm !== "sha256") throw new Error(`createHmac: ${algorithm} is not available in the browser build (sha256)`);
  return new Hash(hmac.create(sha256, key));
}

/** node:crypto randomFillSync of a whole typed array, from the platform's CSPRNG. */
export function randomFillSync<T extends Uint8Array<ArrayBuffer>>(buffer: T): T {
  return globalThis.crypto.getRandomValues(buffer);
}

/** DER prefixes of ed25519 keys (RFC 8410): SPKI before the public key, PKCS#8 before the seed. */
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/** The 32 key bytes after `prefix` in `der`. @throws Error (another key type or encoding) */
function keyBytes(der: Uint8Array, prefix: Buffer, what: string): Uint8Array {
  if (der.length !== prefix.length + 32 || !prefix.every((byte, index) => der[index] === byte))
    throw new Error(`only ed25519 ${what} DER keys are available in the browser build`);
  return Uint8Array.from(der.subarray(prefix.length));
}

/** An ed25519 key as node:crypto's KeyObject shows it: its type, and its DER export. */
export class KeyObject {
  readonly asymmetricKeyType = "ed25519";
  private constructor(
    readonly type: "public" | "private",
    /** The public key, or the private key's 32-byte seed. */
    readonly raw: Uint8Array,
  ) {}

  /** A public key of its 32 bytes. */
  static ofPublic(publicKey: Uint8Array): KeyObject {
    return new KeyObject("public", publicKey);
  }

  /** A private key of its 32-byte seed. */
  static ofSeed(seed: Uint8Array): KeyObject {
    return new KeyObject("private", seed);
  }

  /** DER: SPKI of a public key, PKCS#8 of a private key. @throws Error (another format or type) */
  export(options: { readonly format: "der"; readonly type: "spki" | "pkcs8" }): Buffer {
    if (options.type === "spki" && this.type === "public") return Buffer.concat([SPKI_PREFIX, this.raw]);
    if (options.type === "pkcs8" && this.type === "private") return Buffer.concat([PKCS8_PREFIX, this.raw]);
    throw new Error(`a ${this.type} key exports as ${this.type === "public" ? "spki" : "pkcs8"} DER in the browser build`);
  }
}

/** node:crypto createPublicKey of an ed25519 SPKI DER key, or of a private KeyObject. @throws Error (anything else) */
export function createPublicKey(input: KeyObject | { readonly key: Uint8Array; readonly format: "der"; readonly type: "spki" }): KeyObject {
  if (input instanceof KeyObject) return input.type === "public" ? input : KeyObject.ofPublic(ed25519.getPublicKey(input.raw));
  return KeyObject.ofPublic(keyBytes(input.key, SPKI_PREFIX, "SPKI"));
}

/** node:crypto createPrivateKey of an ed25519 PKCS#8 DER key. @throws Error (anything else) */
export function createPrivateKey(input: { readonly key: Uint8Array; readonly format: "der"; readonly type: "pkcs8" }): KeyObject {
  return KeyObject.ofSeed(keyBytes(input.key, PKCS8_PREFIX, "PKCS#8"));
}

/** node:crypto generateKeyPairSync("ed25519"). @throws Error (another type) */
export function generateKeyPairSync(type: string): { readonly publicKey: KeyObject; readonly privateKey: KeyObject } {
  if (type !== "ed25519") throw new Error(`generateKeyPairSync: only ed25519 is available in the browser build`);
  const privateKey = KeyObject.ofSeed(ed25519.utils.randomSecretKey());
  return { publicKey: createPublicKey(privateKey), privateKey };
}

/** node:crypto sign(null, message, key) with an ed25519 private key. @throws Error (a public key, an algorithm) */
export function sign(algorithm: string | null, message: Uint8Array, key: KeyObject): Buffer {
  if (algorithm !== null || key.type !== "private") throw new Error("sign: ed25519 with a private key only (algorithm null)");
  return Buffer.from(ed25519.sign(message, key.raw));
}

/** node:crypto verify(null, message, key, signature) with an ed25519 public key, strict RFC 8032 like OpenSSL. @throws Error (a private key, an algorithm) */
export function verify(algorithm: string | null, message: Uint8Array, key: KeyObject, signature: Uint8Array): boolean {
  if (algorithm !== null || key.type !== "public") throw new Error("verify: ed25519 with a public key only (algorithm null)");
  return ed25519.verify(signature, message, key.raw, { zip215: false });
}
