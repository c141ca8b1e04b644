// Signing a request as http-signature.ts verifies it (RFC 9421, ed25519 with the caller's wallet
// key): the covered components, the parameters and the headers to send, with a signer that signs
// at once (a Wallet) or asynchronously (a browser wallet). Pure: no I/O.
import { getBase64Decoder } from "@solana/codecs-strings";
import { MarketError } from "../core/errors.js";
import type { Address } from "../core/address.js";
import type { AsyncSigner, Signer } from "../core/signer.js";
import { NONCE_PATTERN, SIGNATURE_ALGORITHM, SIGNATURE_LABEL, contentDigest, signatureBase } from "./http-signature.js";
import type { SignatureHeaders, SignedRequestParts } from "./http-signature.js";
import { serializeString } from "./structured-fields.js";

/** A header value signRequest can send unchanged: visible ASCII, inner spaces only. */
const HEADER_VALUE_PATTERN = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/** A fresh random nonce: 128 bits from the platform's CSPRNG (Node or a browser), unpadded base64url (RFC 4648 section 5). */
export function newNonce(): string {
  const base64 = getBase64Decoder().decode(globalThis.crypto.getRandomValues(new Uint8Array(16)));
  return base64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * The signature base of a request signed by `address` at `nowMs` with `nonce`, and how its headers
 * are made from a signature of it (what signRequest and signRequestAsync share).
 * @throws INVALID_FIELD (a nonce that is not 16..64 base64url characters, an Idempotency-Key that cannot be sent as it is)
 */
function requestToSign(
  parts: SignedRequestParts,
  address: Address,
  nowMs: number,
  nonce: string,
): { readonly base: Uint8Array; headers(signature: Uint8Array): SignatureHeaders } {
  if (!NONCE_PATTERN.test(nonce))
    throw new MarketError("INVALID_FIELD", {
      field: "nonce",
      value: JSON.stringify(nonce.slice(0, 80)),
      allowed: "16..64 base64url characters",
    });
  const key = parts.idempotencyKey;
  if (key !== undefined && !HEADER_VALUE_PATTERN.test(key))
    throw new MarketError("INVALID_FIELD", {
      field: "Idempotency-Key",
      value: JSON.stringify(key.slice(0, 80)),
      allowed: "visible ASCII characters, spaces only inside",
    });
  const digest = contentDigest(parts.body);
  const components: [string, string][] = [
    ["@method", parts.method.toUpperCase()],
    ["@path", parts.path],
    ["content-digest", digest],
  ];
  if (key !== undefined) components.push(["idempotency-key", key]);
  const params = `(${components.map(([name]) => serializeString(name)).join(" ")});created=${Math.floor(nowMs / 1000)};keyid=${serializeString(address)};nonce=${serializeString(nonce)};alg=${serializeString(SIGNATURE_ALGORITHM)}`;
  return {
    base: new TextEncoder().encode(signatureBase(components, params)),
    headers: (signature) => ({
      "content-digest": digest,
      "signature-input": `${SIGNATURE_LABEL}=${params}`,
      signature: `${SIGNATURE_LABEL}=:${getBase64Decoder().decode(signature)}:`,
      ...(key === undefined ? {} : { "idempotency-key": key }),
    }),
  };
}

/**
 * Signs a request with a wallet (any Signer): the headers to send with it (Content-Digest, Signature-Input,
 * Signature, and the Idempotency-Key it covers). Invariant: the server's verifyRequest accepts it
 * within the window.
 * @throws INVALID_FIELD (a nonce that is not 16..64 base64url characters, an Idempotency-Key that cannot be sent as it is)
 * @example fetch(url, { method: "POST", body, headers: { ...signRequest({ method: "POST", path, body, idempotencyKey }, wallet, Date.now()) } })
 */
export function signRequest(parts: SignedRequestParts, signer: Signer, nowMs: number, nonce: string = newNonce()): SignatureHeaders {
  const request = requestToSign(parts, signer.address, nowMs, nonce);
  return request.headers(signer.sign(request.base));
}

/**
 * signRequest with a signer that may sign asynchronously (a browser wallet): the same headers, once
 * it has signed. Invariant: the server's verifyRequest accepts it within the window of `nowMs`.
 * @throws INVALID_FIELD (as signRequest), what the signer throws (a wallet's refusal)
 * @example const headers = await signRequestAsync({ method: "POST", path, body, idempotencyKey }, browserSigner, Date.now())
 */
export async function signRequestAsync(
  parts: SignedRequestParts,
  signer: AsyncSigner,
  nowMs: number,
  nonce: string = newNonce(),
): Promise<SignatureHeaders> {
  const request = requestToSign(parts, signer.address, nowMs, nonce);
  return request.headers(await signer.sign(request.base));
}
