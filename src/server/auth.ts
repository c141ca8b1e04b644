// Who sent a request: JSON bodies are kept as raw bytes for the content digest, and every POST is
// authenticated (RFC 9421 signature, Idempotency-Key, nonce recorded once) before its body is
// validated. Plumbing only: the signature scheme is the contract's (src/contract/http-signature.ts).
import type { FastifyInstance, FastifyRequest } from "fastify";
import { MarketError } from "../core/errors.js";
import type { Address } from "../core/address.js";
import type { Clock } from "../core/clock.js";
import { verifySignatureWith } from "../contract/http-signature.js";
import { verifySigned } from "../core/signer.js";
import { SERVER_LIMITS } from "./limits.js";
import { recordNonce } from "./nonce-registry.js";
import type { NonceRegistry } from "./nonce-registry.js";

/** The signer of a mutating request and its market idempotency key (`<caller>:<Idempotency-Key>`). */
export interface RequestAuth {
  readonly caller: Address;
  readonly key: string;
}

declare module "fastify" {
  interface FastifyRequest {
    /** The raw body bytes, for the content digest. */
    rawBody?: Buffer;
    /** The signer and market idempotency key of a mutating request, set before validation. */
    auth?: RequestAuth;
  }
}

/**
 * Makes JSON the only body, its raw bytes kept for the content digest. Any other content type
 * (Fastify's text/plain parser included) is refused before authentication, so no body reaches a
 * route without its bytes checked; a request with no body and no content type has rawBody unset.
 */
export function acceptJsonOnly(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (request, _payload, done) => {
    done(
      new MarketError("UNSUPPORTED_MEDIA_TYPE", {
        contentType: (request.headers["content-type"] ?? "none").slice(0, SERVER_LIMITS.contentTypeEchoLengthMax),
        allowed: "application/json",
      }),
      undefined,
    );
  });
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (request, body: Buffer, done) => {
    request.rawBody = body;
    if (body.length === 0) {
      done(null, {});
      return;
    }
    try {
      done(null, JSON.parse(body.toString("utf8")) as unknown);
    } catch {
      done(new MarketError("INVALID_FIELD", { field: "body", value: `${body.length} bytes`, allowed: "a JSON document" }), undefined);
    }
  });
}

/** Verifies an ed25519 signature of `address` over `message`: on this thread (verifySigned) or on a VerifyPool's. */
export type SignatureVerifier = (address: Address, message: Uint8Array, signature: Uint8Array) => boolean | Promise<boolean>;

/**
 * Authenticates every POST before its body is validated (a forged request learns nothing about
 * schemas): checks the signature over the raw body bytes and the Idempotency-Key (the ed25519 step
 * through `verify`, verifySigned by default), then records the nonce. A refused request records
 * nothing. @throws UNAUTHORIZED, INVALID_FIELD, STORE_ERROR
 */
export function authenticatePosts(
  app: FastifyInstance,
  deps: { readonly clock: Clock; readonly nonces: NonceRegistry; readonly verify?: SignatureVerifier },
): void {
  const verify = deps.verify ?? verifySigned;
  app.addHook("preValidation", async (request) => {
    if (request.method !== "POST") return;
    const path = request.url.split("?")[0] ?? request.url;
    const nowMs = deps.clock.now();
    const verified = await verifySignatureWith(
      { method: request.method, path, body: request.rawBody ?? "" },
      request.headers,
      nowMs,
      verify,
    );
    const key = request.headers["idempotency-key"];
    if (typeof key !== "string" || key.length === 0 || key.length > SERVER_LIMITS.idempotencyKeyLengthMax) {
      throw new MarketError("INVALID_FIELD", {
        field: "Idempotency-Key",
        value: typeof key === "string" ? `${key.length} characters` : "missing",
        allowed: `one header of 1..${SERVER_LIMITS.idempotencyKeyLengthMax} characters on every POST`,
      });
    }
    await recordNonce(deps.nonces, verified, nowMs);
    // Keys are per caller: one caller's key never answers another's request.
    request.auth = { caller: verified.keyid, key: `${verified.keyid}:${key}` };
  });
}

/** The signer and key of an authenticated request. @throws UNAUTHORIZED (the request was not authenticated) */
export function authOf(request: FastifyRequest): RequestAuth {
  if (request.auth === undefined) throw new MarketError("UNAUTHORIZED", { reason: "the request is not signed" });
  return request.auth;
}

/** A command that takes no body: a request without one is validated as `{}`, so EmptyBody refuses any field. */
export function bodyless(request: FastifyRequest, _reply: unknown, done: () => void): void {
  if (request.body === undefined) request.body = {};
  done();
}
