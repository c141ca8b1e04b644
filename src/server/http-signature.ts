// RFC 9421 HTTP Message Signatures as DESIGN.md fixes them: ed25519 with the caller's wallet key
// (keyid = its address), covering @method, @path, content-digest (RFC 9530, sha-256), created and
// nonce; a 5-minute window; each nonce accepted once. Building and checking only: no I/O.
import { createHash, randomBytes } from "node:crypto";
import { MarketError } from "../core/errors.js";
import { isAddress } from "../chain/address.js";
import type { Address } from "../chain/address.js";
import { Wallet } from "../chain/wallet.js";

/** How far a signature's `created` may be from the server's clock, either way. */
export const SIGNATURE_WINDOW_S = 300;
/** The label of our signature in Signature-Input and Signature. */
export const SIGNATURE_LABEL = "molt";
/** The components every request signature covers, in this order. */
export const COVERED_COMPONENTS = ["@method", "@path", "content-digest"] as const;
/** Longest nonce accepted (characters). */
export const NONCE_LENGTH_MAX = 64;
/** Nonces remembered at once; more (a flood within one window) are refused until old ones age out. */
export const NONCES_MAX = 1_000_000;

/** The parts of a request a signature covers. */
export interface SignedRequestParts {
  readonly method: string;
  /** The path, without the query. */
  readonly path: string;
  readonly body: Uint8Array | string;
}

/** The headers a signed request carries. */
export interface SignatureHeaders {
  readonly "content-digest": string;
  readonly "signature-input": string;
  readonly signature: string;
}

const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
const INPUT_PATTERN = new RegExp(`^${SIGNATURE_LABEL}=\\("@method" "@path" "content-digest"\\);created=(\\d{1,12});keyid="([1-9A-HJ-NP-Za-km-z]{32,44})";nonce="([A-Za-z0-9_-]{16,64})";alg="ed25519"$`);
const SIGNATURE_PATTERN = new RegExp(`^${SIGNATURE_LABEL}=:([A-Za-z0-9+/]{86}==):$`);

function unauthorized(reason: string): MarketError<"UNAUTHORIZED"> {
  return new MarketError("UNAUTHORIZED", { reason });
}

/** The RFC 9530 Content-Digest of a body: `sha-256=:<base64>:`. */
export function contentDigest(body: Uint8Array | string): string {
  return `sha-256=:${createHash("sha256").update(body).digest("base64")}:`;
}

/** The signature parameters, serialized as RFC 9421 writes them. */
function signatureParams(createdS: number, keyid: string, nonce: string): string {
  return `(${COVERED_COMPONENTS.map((c) => `"${c}"`).join(" ")});created=${createdS};keyid="${keyid}";nonce="${nonce}";alg="ed25519"`;
}

/** The RFC 9421 signature base of a request (section 2.5): one line per covered component, then @signature-params. */
export function signatureBase(parts: SignedRequestParts, digest: string, params: string): string {
  return [`"@method": ${parts.method.toUpperCase()}`, `"@path": ${parts.path}`, `"content-digest": ${digest}`, `"@signature-params": ${params}`].join("\n");
}

function verifies(keyid: Address, base: string, signatureBase64: string): boolean {
  try {
    return Wallet.verify(keyid, Buffer.from(base, "utf8"), Buffer.from(signatureBase64, "base64"));
  } catch {
    return false;
  }
}

/** A fresh random nonce (128 bits, base64url). */
export function newNonce(): string {
  return randomBytes(16).toString("base64url");
}

/**
 * Signs a request with a wallet: the three headers to send with it.
 * @throws INVALID_FIELD (a nonce that is not 16..64 base64url characters)
 * @example fetch(url, { method: "POST", body, headers: { ...signRequest({ method: "POST", path, body }, wallet, Date.now()) } })
 */
export function signRequest(parts: SignedRequestParts, wallet: Wallet, nowMs: number, nonce: string = newNonce()): SignatureHeaders {
  if (!NONCE_PATTERN.test(nonce)) throw new MarketError("INVALID_FIELD", { field: "nonce", value: JSON.stringify(nonce.slice(0, 80)), allowed: "16..64 base64url characters" });
  const digest = contentDigest(parts.body);
  const params = signatureParams(Math.floor(nowMs / 1000), wallet.address, nonce);
  const signature = Buffer.from(wallet.sign(Buffer.from(signatureBase(parts, digest, params), "utf8"))).toString("base64");
  return { "content-digest": digest, "signature-input": `${SIGNATURE_LABEL}=${params}`, signature: `${SIGNATURE_LABEL}=:${signature}:` };
}

/** Remembers nonces for one window, so a signed request is accepted once. */
export class NonceStore {
  private readonly seen = new Map<string, number>();

  constructor(private readonly windowS: number = SIGNATURE_WINDOW_S) {}

  /** Records `nonce` of `keyid` seen at `nowS`; false if it was seen within the window. */
  accept(keyid: string, nonce: string, nowS: number): boolean {
    this.prune(nowS);
    const key = `${keyid}/${nonce}`;
    if (this.seen.has(key)) return false;
    if (this.seen.size >= NONCES_MAX) return false;
    this.seen.set(key, nowS);
    return true;
  }

  /** Nonces remembered now. */
  get size(): number {
    return this.seen.size;
  }

  private prune(nowS: number): void {
    // Insertion order is time order (nowS never goes back far): drop from the front.
    for (const [key, at] of this.seen) {
      if (at > nowS - 2 * this.windowS) return;
      this.seen.delete(key);
    }
  }
}

/**
 * Checks a request's signature: the headers are well formed, the body matches its digest, created is
 * within the window of `nowMs`, the nonce is new, and the ed25519 signature of keyid verifies over the
 * signature base. Returns the signer's address.
 * @throws UNAUTHORIZED (with the reason)
 */
export function verifyRequest(parts: SignedRequestParts, headers: Readonly<Record<string, string | string[] | undefined>>, nowMs: number, nonces: NonceStore, windowS: number = SIGNATURE_WINDOW_S): Address {
  const header = (name: string): string => {
    const value = headers[name];
    if (typeof value !== "string") throw unauthorized(`the ${name} header is ${value === undefined ? "missing" : "repeated"}; sign the request (RFC 9421, ed25519 with your wallet)`);
    return value;
  };
  const input = INPUT_PATTERN.exec(header("signature-input"));
  if (input === null) throw unauthorized(`signature-input must be ${SIGNATURE_LABEL}=("@method" "@path" "content-digest");created=<unix seconds>;keyid="<address>";nonce="<16..64 base64url>";alg="ed25519"`);
  const [, createdText = "", keyid = "", nonce = ""] = input;
  const signature = SIGNATURE_PATTERN.exec(header("signature"));
  if (signature === null) throw unauthorized(`signature must be ${SIGNATURE_LABEL}=:<64-byte ed25519 signature, base64>:`);
  const digest = contentDigest(parts.body);
  if (header("content-digest") !== digest) throw unauthorized("content-digest does not match the body");
  if (!isAddress(keyid)) throw unauthorized("keyid is not a wallet address");
  const nowS = Math.floor(nowMs / 1000);
  const createdS = Number(createdText);
  if (Math.abs(nowS - createdS) > windowS) throw unauthorized(`created is ${createdS - nowS} s from the server's clock; allowed: within ${windowS} s`);
  const base = signatureBase(parts, digest, signatureParams(createdS, keyid, nonce));
  if (!verifies(keyid, base, signature[1] ?? "")) throw unauthorized("the signature does not verify for keyid over this method, path and body");
  if (!nonces.accept(keyid, nonce, nowS)) throw unauthorized("this nonce was used already; sign each request with a new nonce");
  return keyid;
}
