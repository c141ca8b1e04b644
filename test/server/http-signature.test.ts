// RFC 9421 request signatures: a signed request verifies once; forged, mutated, stale, future and
// replayed requests are all refused with UNAUTHORIZED, and a refused request burns no nonce.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Wallet } from "../../src/chain/wallet.js";
import { isMarketError } from "../../src/core/errors.js";
import { NonceStore, SIGNATURE_WINDOW_S, contentDigest, signRequest, signatureBase, verifyRequest } from "../../src/server/http-signature.js";
import type { SignatureHeaders, SignedRequestParts } from "../../src/server/http-signature.js";

const NOW_MS = Date.parse("2026-11-24T00:00:00Z");
const alice = Wallet.generate();
const mallory = Wallet.generate();
const request: SignedRequestParts = { method: "POST", path: "/v1/orders", body: JSON.stringify({ requirements: { minGpuCount: 4 } }) };

function refusal(parts: SignedRequestParts, headers: Record<string, string | undefined>, nonces: NonceStore, nowMs = NOW_MS): string | undefined {
  try {
    verifyRequest(parts, headers, nowMs, nonces);
    return undefined;
  } catch (e) {
    if (isMarketError(e, "UNAUTHORIZED")) return e.details.reason;
    throw e;
  }
}

describe("HTTP message signatures (RFC 9421, ed25519)", () => {
  it("a signed request verifies to its wallet's address, once", () => {
    const nonces = new NonceStore();
    const headers = signRequest(request, alice, NOW_MS);
    expect(verifyRequest(request, { ...headers }, NOW_MS + 1000, nonces)).toBe(alice.address);
    expect(refusal(request, { ...headers }, nonces)).toMatch(/nonce was used/);
    expect(nonces.size).toBe(1);
  });

  it("builds the signature base of RFC 9421 section 2.5 and the RFC 9530 digest", () => {
    const headers = signRequest(request, alice, NOW_MS, "AAAAAAAAAAAAAAAAAAAAAA");
    const params = headers["signature-input"].slice("molt=".length);
    expect(params).toBe(`("@method" "@path" "content-digest");created=${NOW_MS / 1000};keyid="${alice.address}";nonce="AAAAAAAAAAAAAAAAAAAAAA";alg="ed25519"`);
    expect(contentDigest("")).toBe("sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:");
    expect(signatureBase(request, headers["content-digest"], params)).toBe(
      [`"@method": POST`, `"@path": /v1/orders`, `"content-digest": ${headers["content-digest"]}`, `"@signature-params": ${params}`].join("\n"),
    );
    const signature = Buffer.from(headers.signature.slice("molt=:".length, -1), "base64");
    expect(Wallet.verify(alice.address, Buffer.from(signatureBase(request, headers["content-digest"], params)), signature)).toBe(true);
  });

  it("refuses stale and future signatures, missing and malformed headers", () => {
    const nonces = new NonceStore();
    const stale = signRequest(request, alice, NOW_MS - (SIGNATURE_WINDOW_S + 1) * 1000);
    expect(refusal(request, { ...stale }, nonces)).toMatch(/created is -301 s/);
    const future = signRequest(request, alice, NOW_MS + (SIGNATURE_WINDOW_S + 1) * 1000);
    expect(refusal(request, { ...future }, nonces)).toMatch(/created is 301 s/);
    const good = signRequest(request, alice, NOW_MS);
    expect(refusal(request, { ...good, signature: undefined }, nonces)).toMatch(/signature header is missing/);
    expect(refusal(request, { ...good, "signature-input": good["signature-input"].replace(";alg=\"ed25519\"", "") }, nonces)).toMatch(/signature-input must be/);
    expect(refusal(request, { ...good, "content-digest": contentDigest("{}") }, nonces)).toMatch(/content-digest/);
    expect(nonces.size).toBe(0);
  });

  it("a thousand forged, mutated and replayed requests are all refused, and burn no nonce", () => {
    const nonces = new NonceStore();
    const flip = (text: string, bit: number): string => {
      const bytes = Buffer.from(text, "utf8");
      const index = Math.floor(bit / 8) % bytes.length;
      bytes[index] = (bytes[index] ?? 0) ^ (1 << (bit % 8));
      return bytes.toString("latin1");
    };
    const flipSignature = (headers: SignatureHeaders, bit: number): string => {
      const raw = Buffer.from(headers.signature.slice("molt=:".length, -1), "base64");
      raw[Math.floor(bit / 8) % 64] = (raw[Math.floor(bit / 8) % 64] ?? 0) ^ (1 << (bit % 8));
      return `molt=:${raw.toString("base64")}:`;
    };
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant("signature-bit"), bit: fc.nat(511) }),
      fc.record({ kind: fc.constant("body-bit"), bit: fc.nat(8 * 40) }),
      fc.record({ kind: fc.constant("path-bit"), bit: fc.nat(8 * 10) }),
      fc.record({ kind: fc.constant("method"), bit: fc.constantFrom(0, 1, 2, 3) }),
      fc.record({ kind: fc.constant("wrong-key"), bit: fc.nat(0) }),
      fc.record({ kind: fc.constant("keyid-swap"), bit: fc.nat(0) }),
      fc.record({ kind: fc.constant("replay"), bit: fc.nat(0) }),
      fc.record({ kind: fc.constant("other-endpoint"), bit: fc.constantFrom(0, 1, 2) }),
      fc.record({ kind: fc.constant("stale"), bit: fc.integer({ min: SIGNATURE_WINDOW_S + 1, max: 100_000 }) }),
      fc.record({ kind: fc.constant("future"), bit: fc.integer({ min: SIGNATURE_WINDOW_S + 1, max: 100_000 }) }),
    );
    let refused = 0;
    const replayed = signRequest(request, alice, NOW_MS);
    expect(verifyRequest(request, { ...replayed }, NOW_MS, nonces)).toBe(alice.address);
    fc.assert(
      fc.property(mutation, ({ kind, bit }) => {
        const headers = kind === "replay" ? replayed : signRequest(request, kind === "wrong-key" ? mallory : alice, kind === "stale" ? NOW_MS - bit * 1000 : kind === "future" ? NOW_MS + bit * 1000 : NOW_MS);
        let parts = request;
        let sent: Record<string, string> = { ...headers };
        if (kind === "signature-bit") sent = { ...headers, signature: flipSignature(headers, bit) };
        if (kind === "body-bit") parts = { ...request, body: flip(String(request.body), bit) };
        if (kind === "path-bit") parts = { ...request, path: flip(request.path, bit) };
        if (kind === "method") parts = { ...request, method: ["GET", "PUT", "DELETE", "PATCH"][bit] ?? "GET" };
        if (kind === "wrong-key") sent = { ...headers, "signature-input": headers["signature-input"].replace(mallory.address, alice.address) };
        if (kind === "keyid-swap") sent = { ...headers, "signature-input": headers["signature-input"].replace(alice.address, mallory.address) };
        if (kind === "other-endpoint") parts = { ...request, path: ["/v1/offers", "/v1/orders/ord_x/cancel", "/v1/escrows"][bit] ?? "/v1/offers" };
        const before = nonces.size;
        expect(refusal(parts, sent, nonces), kind).toBeDefined();
        expect(nonces.size).toBe(before);
        refused++;
      }),
      { numRuns: 1200 },
    );
    expect(refused).toBeGreaterThanOrEqual(1000);
  });
});
