// RFC 9421 HTTP Message Signatures as DESIGN.md fixes them, ed25519 with the caller's wallet key
// (keyid = its address), verified as the RFC says: Signature-Input and Signature are parsed as RFC
// 8941 dictionaries and the signature base is rebuilt from the covered components and parameters
// in the order received, its @signature-params line being the inner list exactly as received.
//   Components, in any order, without component parameters: "@method", "@path", "content-digest"
//     (RFC 9530; its sha-256 must be the digest of the raw body) and, on POST, "idempotency-key";
//     other header fields may be covered too. No other derived component is accepted.
//   Parameters: created (integer, within SIGNATURE_WINDOW_S of the server's clock), keyid (the
//     wallet address, a string) and nonce (16..64 base64url characters) are required; alg is
//     optional but "ed25519" when present; expires is optional and refused once past; any other
//     parameter is allowed (it is signed, so it changes nothing it does not say).
//   Label: "molt" when the request has it, otherwise the request's only signature.
// Checking only, no I/O: the server checks with it and then records the nonce
// (src/server/nonce-registry.ts); the client signs with request-signing.ts.
import { createHash } from "node:crypto";
import { MarketError } from "../core/errors.js";
import { isAddress } from "../core/address.js";
import type { Address } from "../core/address.js";
import { verifySigned } from "../core/signer.js";
import { parseDictionary, serializeString } from "./structured-fields.js";
import type { DictionaryMember, Parameters } from "./structured-fields.js";

/** How far a signature's `created` may be from the server's clock, either way. */
export const SIGNATURE_WINDOW_S = 300;
/** The label of our signature in Signature-Input and Signature (a request with one signature may use any label). */
export const SIGNATURE_LABEL = "molt";
/** The one signature algorithm. */
export const SIGNATURE_ALGORITHM = "ed25519";
/** The components signRequest covers, in this order (the last one when an Idempotency-Key is sent). */
export const COVERED_COMPONENTS = ["@method", "@path", "content-digest", "idempotency-key"] as const;
/** The components every signature must cover, in any order. */
export const REQUIRED_COMPONENTS = ["@method", "@path", "content-digest"] as const;
/** The component a POST's signature must cover as well. */
export const POST_REQUIRED_COMPONENT = "idempotency-key";
/** Longest nonce accepted (characters). */
export const NONCE_LENGTH_MAX = 64;
/** Named bounds of what a signed request may carry. */
export const SIGNATURE_LIMITS = {
  /** Longest Signature-Input header. */
  signatureInputLengthMax: 2048,
  /** Longest Signature header (a few signatures of 64 bytes). */
  signatureLengthMax: 1024,
  /** Longest Content-Digest header. */
  contentDigestLengthMax: 512,
  /** Most components one signature covers. */
  coveredComponentsMax: 16,
} as const;

/** The parts of a request a signature covers. */
export interface SignedRequestParts {
  readonly method: string;
  /** The path, without the query. */
  readonly path: string;
  /** The raw body bytes (or text), as sent. */
  readonly body: Uint8Array | string;
  /** The Idempotency-Key to sign and send (every POST needs one). */
  readonly idempotencyKey?: string;
}

/** The headers a signed request carries. */
export interface SignatureHeaders {
  readonly "content-digest": string;
  readonly "signature-input": string;
  readonly signature: string;
  readonly "idempotency-key"?: string;
}

/** What a verified signature says. */
export interface VerifiedSignature {
  readonly keyid: Address;
  readonly nonce: string;
  readonly createdS: number;
  /** The label it was found under. */
  readonly label: string;
}

/** A signature that passed every check but the ed25519 one: what to verify, and what it says once verified. */
interface CheckedSignature extends VerifiedSignature {
  /** The signature base rebuilt as received (the signed message). */
  readonly base: Uint8Array;
  /** The 64-byte ed25519 signature. */
  readonly signature: Uint8Array;
  /** The covered component names, for the refusal's reason. */
  readonly names: readonly string[];
}

export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
/** A component name: a lower-case field name, or a derived component. */
const COMPONENT_NAME_PATTERN = /^@?[a-z0-9!#$%&'*+.^_`|~-]+$/;
/** Content-Digest algorithms checked when present (RFC 9530), and sha-256 is required. */
const DIGESTS: Readonly<Record<string, string>> = { "sha-256": "sha256", "sha-512": "sha512" };

function unauthorized(reason: string): MarketError<"UNAUTHORIZED"> {
  return new MarketError("UNAUTHORIZED", { reason });
}

/** The RFC 9530 Content-Digest of a body: `sha-256=:<base64>:`. */
export function contentDigest(body: Uint8Array | string): string {
  return `sha-256=:${createHash("sha256").update(body).digest("base64")}:`;
}

/** The RFC 9421 signature base (section 2.5): one `"name": value` line per covered component, then @signature-params. */
export function signatureBase(components: readonly (readonly [name: string, value: string])[], signatureParams: string): string {
  return [...components.map(([name, value]) => `${serializeString(name)}: ${value}`), `"@signature-params": ${signatureParams}`].join("\n");
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** One header's value, within `lengthMax`. @throws UNAUTHORIZED (missing, repeated or too long) */
function singleHeader(headers: Headers, name: string, lengthMax: number): string {
  const value = headers[name];
  if (typeof value !== "string")
    throw unauthorized(
      `the ${name} header is ${value === undefined ? "missing" : "repeated"}; sign the request (RFC 9421, ed25519 with your wallet)`,
    );
  if (value.length > lengthMax) throw unauthorized(`the ${name} header is longer than ${lengthMax} characters`);
  return value;
}

/** A header field's component value (RFC 9421 section 2.1): trimmed, several lines joined by ", ". @throws UNAUTHORIZED (absent) */
function fieldValue(headers: Headers, name: string): string {
  const value = headers[name];
  if (value === undefined) throw unauthorized(`the signature covers ${name}, which the request does not carry`);
  return (typeof value === "string" ? [value] : value).map((line) => line.trim()).join(", ");
}

/** The signature's member of a dictionary header: "molt", else the only one; a repeated label is refused. @throws UNAUTHORIZED */
function pickMember(header: string, text: string): { readonly label: string; readonly member: DictionaryMember } {
  const parsed = parseDictionary(text, { rejectRepeatedKeys: true });
  if (!parsed.ok) throw unauthorized(`${header} is not an RFC 8941 dictionary: ${parsed.reason}`);
  const own = parsed.value.get(SIGNATURE_LABEL);
  if (own !== undefined) return { label: SIGNATURE_LABEL, member: own };
  const [only, ...others] = parsed.value;
  if (only === undefined || others.length > 0) throw unauthorized(`${header} must hold one signature, or one labelled ${SIGNATURE_LABEL}`);
  return { label: only[0], member: only[1] };
}

function integerParam(params: Parameters, name: string): number | undefined {
  const value = params.get(name);
  if (value === undefined) return undefined;
  if (value.type !== "integer") throw unauthorized(`the signature parameter ${name} must be an integer`);
  return value.value;
}

function stringParam(params: Parameters, name: string): string | undefined {
  const value = params.get(name);
  if (value === undefined) return undefined;
  if (value.type !== "string") throw unauthorized(`the signature parameter ${name} must be a string`);
  return value.value;
}

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw unauthorized(`the signature parameters must include ${name} (created, keyid and nonce are required)`);
  return value;
}

/** The covered component names, in order. @throws UNAUTHORIZED (not strings, parameters, duplicates, unsupported, missing required) */
function coveredComponents(member: DictionaryMember, method: string): string[] {
  const list = member.value;
  if (list.kind !== "inner-list") throw unauthorized("the Signature-Input member must be an inner list of covered components");
  if (list.items.length > SIGNATURE_LIMITS.coveredComponentsMax)
    throw unauthorized(`a signature covers at most ${SIGNATURE_LIMITS.coveredComponentsMax} components`);
  const names: string[] = [];
  for (const item of list.items) {
    if (item.value.type !== "string" || !COMPONENT_NAME_PATTERN.test(item.value.value))
      throw unauthorized("covered components must be lower-case component names in quotes");
    if (item.params.size > 0) throw unauthorized(`component parameters (as on ${item.value.value}) are not supported`);
    const name = item.value.value;
    if (name.startsWith("@") && name !== "@method" && name !== "@path")
      throw unauthorized(`the derived component ${name} is not supported; cover @method, @path and header fields`);
    if (names.includes(name)) throw unauthorized(`the component ${name} is covered twice`);
    names.push(name);
  }
  const required: readonly string[] = method === "POST" ? [...REQUIRED_COMPONENTS, POST_REQUIRED_COMPONENT] : REQUIRED_COMPONENTS;
  const missing = required.filter((name) => !names.includes(name));
  if (missing.length > 0)
    throw unauthorized(`the signature must cover ${required.join(", ")} (in any order); it does not cover ${missing.join(", ")}`);
  return names;
}

/** Checks Content-Digest against the raw body: sha-256 required, sha-512 checked when present. @throws UNAUTHORIZED */
function checkContentDigest(headers: Headers, body: Uint8Array | string): void {
  const parsed = parseDictionary(singleHeader(headers, "content-digest", SIGNATURE_LIMITS.contentDigestLengthMax));
  if (!parsed.ok) throw unauthorized(`content-digest is not an RFC 8941 dictionary: ${parsed.reason}`);
  if (!parsed.value.has("sha-256")) throw unauthorized("content-digest must carry sha-256=:<base64>: of the body (RFC 9530)");
  for (const [algorithm, { value }] of parsed.value) {
    const hash = DIGESTS[algorithm];
    if (hash === undefined) continue;
    if (value.kind !== "item" || value.value.type !== "bytes") throw unauthorized(`content-digest ${algorithm} must be a byte sequence`);
    if (!createHash(hash).update(body).digest().equals(value.value.value)) throw unauthorized("content-digest does not match the body");
  }
}

/**
 * Every check of a request's signature but the ed25519 one: the headers parse, the components and
 * parameters are the required ones, created is within the window of `nowMs` and expires not past,
 * and the body matches its digest. Returns the signature base to verify. Pure.
 * @throws UNAUTHORIZED (with the reason)
 */
function checkSignature(
  parts: SignedRequestParts,
  headers: Headers,
  nowMs: number,
  windowS: number = SIGNATURE_WINDOW_S,
): CheckedSignature {
  const method = parts.method.toUpperCase();
  const input = pickMember("signature-input", singleHeader(headers, "signature-input", SIGNATURE_LIMITS.signatureInputLengthMax));
  const signed = pickMember("signature", singleHeader(headers, "signature", SIGNATURE_LIMITS.signatureLengthMax));
  if (signed.label !== input.label) throw unauthorized(`signature and signature-input must use the same label (${input.label})`);
  const signature = signed.member.value;
  if (signature.kind !== "item" || signature.value.type !== "bytes" || signature.value.value.length !== 64)
    throw unauthorized(`signature must be ${input.label}=:<64-byte ed25519 signature, base64>:`);
  const names = coveredComponents(input.member, method);
  const params = input.member.value.params;
  const createdS = required(integerParam(params, "created"), "created");
  const keyid = required(stringParam(params, "keyid"), "keyid");
  const nonce = required(stringParam(params, "nonce"), "nonce");
  const alg = stringParam(params, "alg");
  const expiresS = integerParam(params, "expires");
  if (alg !== undefined && alg !== SIGNATURE_ALGORITHM) throw unauthorized(`alg must be "${SIGNATURE_ALGORITHM}" when given`);
  if (!isAddress(keyid)) throw unauthorized("keyid is not a wallet address");
  if (!NONCE_PATTERN.test(nonce)) throw unauthorized(`nonce must be 16..${NONCE_LENGTH_MAX} base64url characters`);
  const nowS = Math.floor(nowMs / 1000);
  if (Math.abs(nowS - createdS) > windowS)
    throw unauthorized(`created is ${createdS - nowS} s from the server's clock; allowed: within ${windowS} s`);
  if (expiresS !== undefined && nowS > expiresS) throw unauthorized(`the signature expired ${nowS - expiresS} s ago`);
  checkContentDigest(headers, parts.body);
  const components = names.map((name): [string, string] => [
    name,
    name === "@method" ? method : name === "@path" ? parts.path : fieldValue(headers, name),
  ]);
  const base = Buffer.from(signatureBase(components, input.member.text), "utf8");
  return { keyid, nonce, createdS, label: input.label, base, signature: signature.value.value, names };
}

function signatureMismatch(checked: CheckedSignature): MarketError<"UNAUTHORIZED"> {
  return unauthorized(`the signature does not verify for keyid over ${checked.names.join(", ")} and its parameters`);
}

function verifiedOf(checked: CheckedSignature): VerifiedSignature {
  return { keyid: checked.keyid, nonce: checked.nonce, createdS: checked.createdS, label: checked.label };
}

/**
 * verifySignature with the ed25519 step done by `verify` (a worker thread's, say): the same checks,
 * the same answers. @throws UNAUTHORIZED (with the reason)
 */
export async function verifySignatureWith(
  parts: SignedRequestParts,
  headers: Headers,
  nowMs: number,
  verify: (address: Address, message: Uint8Array, signature: Uint8Array) => boolean | Promise<boolean>,
): Promise<VerifiedSignature> {
  const checked = checkSignature(parts, headers, nowMs);
  if (!(await verify(checked.keyid, checked.base, checked.signature))) throw signatureMismatch(checked);
  return verifiedOf(checked);
}

/**
 * Checks a request's signature as this module's header says, without recording its nonce: every
 * check of checkSignature, then the ed25519 signature of keyid over the signature base. Pure.
 * @throws UNAUTHORIZED (with the reason)
 */
export function verifySignature(
  parts: SignedRequestParts,
  headers: Headers,
  nowMs: number,
  windowS: number = SIGNATURE_WINDOW_S,
): VerifiedSignature {
  const checked = checkSignature(parts, headers, nowMs, windowS);
  if (!verifySigned(checked.keyid, checked.base, checked.signature)) throw signatureMismatch(checked);
  return verifiedOf(checked);
}
