// RFC 9421 request signatures: a signed request verifies once; components and parameters are read
// in the order received (unknown parameters signed along, alg optional, expires honoured); forged,
// mutated, stale, future, expired, re-keyed and replayed requests are all refused with UNAUTHORIZED,
// and a refused request burns no nonce.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Wallet } from "../../src/chain/wallet.js";
import { isMarketError } from "../../src/core/errors.js";
import { SIGNATURE_WINDOW_S, contentDigest, signatureBase, verifySignature } from "../../src/contract/http-signature.js";
import { signRequest } from "../../src/contract/request-signing.js";
import type { SignatureHeaders, SignedRequestParts } from "../../src/contract/http-signature.js";
import { NonceStore, verifyRequest } from "../../src/server/nonce-registry.js";

const NOW_MS = Date.parse("2026-11-24T00:00:00Z");
const NOW_S = NOW_MS / 1000;
const alice = Wallet.generate();
const mallory = Wallet.generate();
const request: SignedRequestParts = {
  method: "POST",
  path: "/v1/orders",
  body: JSON.stringify({ requirements: { minGpuCount: 4 } }),
  idempotencyKey: "key-1",
};
const NONCE = "AAAAAAAAAAAAAAAAAAAAAA";

async function refusal(
  parts: SignedRequestParts,
  headers: Record<string, string | undefined>,
  nonces: NonceStore,
  nowMs = NOW_MS,
): Promise<string | undefined> {
  try {
    await verifyRequest(parts, headers, nowMs, nonces);
    return undefined;
  } catch (e) {
    if (isMarketError(e, "UNAUTHORIZED")) return e.details.reason;
    throw e;
  }
}

/**
 * Signs by hand: `components` in this order, `params` as written after the inner list, under
 * `label`, the way any RFC 9421 signer may write them.
 */
function signByHand(
  wallet: Wallet,
  components: readonly string[],
  params: string,
  options: { readonly label?: string; readonly parts?: SignedRequestParts } = {},
): Record<string, string> {
  const parts = options.parts ?? request;
  const label = options.label ?? "molt";
  const headers: Record<string, string> = {
    "content-digest": contentDigest(parts.body),
    "idempotency-key": parts.idempotencyKey ?? "",
    "content-type": "application/json",
  };
  const value = (name: string): string => (name === "@method" ? parts.method : name === "@path" ? parts.path : (headers[name] ?? ""));
  const input = `(${components.map((c) => `"${c}"`).join(" ")})${params}`;
  const signature = Buffer.from(
    wallet.sign(
      Buffer.from(
        signatureBase(
          components.map((c) => [c, value(c)]),
          input,
        ),
      ),
    ),
  ).toString("base64");
  return { ...headers, "signature-input": `${label}=${input}`, signature: `${label}=:${signature}:` };
}

const ALL = ["@method", "@path", "content-digest", "idempotency-key"];
const params = (extra = ""): string => `;created=${NOW_S};keyid="${alice.address}";nonce="${NONCE}"${extra}`;

function reason(parts: SignedRequestParts, headers: Record<string, string | undefined>, nowMs = NOW_MS): string | undefined {
  try {
    verifySignature(parts, headers, nowMs);
    return undefined;
  } catch (e) {
    if (isMarketError(e, "UNAUTHORIZED")) return e.details.reason;
    throw e;
  }
}

describe("HTTP message signatures (RFC 9421, ed25519)", () => {
  it("a signed request verifies to its wallet's address, once", async () => {
    const nonces = new NonceStore();
    const headers = signRequest(request, alice, NOW_MS);
    expect(headers["idempotency-key"]).toBe("key-1");
    expect(await verifyRequest(request, { ...headers }, NOW_MS + 1000, nonces)).toBe(alice.address);
    expect(await refusal(request, { ...headers }, nonces)).toMatch(/nonce was used/);
    expect(nonces.size).toBe(1);
  });

  it("builds the signature base of RFC 9421 section 2.5 and the RFC 9530 digest", () => {
    const headers = signRequest(request, alice, NOW_MS, NONCE);
    const input = headers["signature-input"].slice("molt=".length);
    expect(input).toBe(
      `("@method" "@path" "content-digest" "idempotency-key");created=${NOW_S};keyid="${alice.address}";nonce="${NONCE}";alg="ed25519"`,
    );
    expect(contentDigest("")).toBe("sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:");
    const base = signatureBase(
      [
        ["@method", "POST"],
        ["@path", "/v1/orders"],
        ["content-digest", headers["content-digest"]],
        ["idempotency-key", "key-1"],
      ],
      input,
    );
    expect(base).toBe(
      [
        `"@method": POST`,
        `"@path": /v1/orders`,
        `"content-digest": ${headers["content-digest"]}`,
        `"idempotency-key": key-1`,
        `"@signature-params": ${input}`,
      ].join("\n"),
    );
    const signature = Buffer.from(headers.signature.slice("molt=:".length, -1), "base64");
    expect(Wallet.verify(alice.address, Buffer.from(base), signature)).toBe(true);
  });

  it("reads components and parameters in the order received: any order, alg optional, unknown parameters signed along", () => {
    const cases: [readonly string[], string][] = [
      [["idempotency-key", "content-digest", "@path", "@method"], `;nonce="${NONCE}";keyid="${alice.address}";created=${NOW_S}`],
      [ALL, params(`;alg="ed25519";tag="molt-cli";expires=${NOW_S + 60}`)],
      [[...ALL, "content-type"], `;keyid="${alice.address}";custom=?1;created=${NOW_S};nonce="${NONCE}";weight=1.5`],
    ];
    for (const [components, text] of cases)
      expect(verifySignature(request, signByHand(alice, components, text), NOW_MS).keyid, text).toBe(alice.address);
    // Any single label; with several, ours ("molt") is the one checked.
    expect(verifySignature(request, signByHand(alice, ALL, params(), { label: "sig1" }), NOW_MS).label).toBe("sig1");
    const ours = signByHand(alice, ALL, params());
    const both = {
      ...ours,
      "signature-input": `proxy=("@method");created=1, ${ours["signature-input"]}`,
      signature: `proxy=:${Buffer.alloc(64).toString("base64")}:, ${ours.signature}`,
    };
    expect(verifySignature(request, both, NOW_MS).label).toBe("molt");
  });

  it("refuses what the rules exclude, each with its reason", () => {
    const refusals: [Record<string, string | undefined>, RegExp][] = [
      [signByHand(alice, ["@method", "@path", "content-digest"], params()), /does not cover idempotency-key/],
      [signByHand(alice, ["@method", "content-digest", "idempotency-key"], params()), /does not cover @path/],
      [signByHand(alice, [...ALL, "@method"], params()), /covered twice/],
      [signByHand(alice, [...ALL, "@authority"], params()), /derived component @authority is not supported/],
      [
        {
          ...signByHand(alice, ALL, params()),
          "signature-input": `molt=("@method" "@path" "content-digest";sf "idempotency-key")${params()}`,
        },
        /component parameters/,
      ],
      [signByHand(alice, ALL, params(';alg="rsa-pss-sha512"')), /alg must be "ed25519"/],
      [signByHand(alice, ALL, `;created="${NOW_S}";keyid="${alice.address}";nonce="${NONCE}"`), /created must be an integer/],
      [signByHand(alice, ALL, `;created=${NOW_S};keyid="${alice.address}"`), /must include nonce/],
      [signByHand(alice, ALL, `;created=${NOW_S};nonce="${NONCE}"`), /must include keyid/],
      [signByHand(alice, ALL, `;keyid="${alice.address}";nonce="${NONCE}"`), /must include created/],
      [signByHand(alice, ALL, params(`;expires=${NOW_S - 1}`)), /expired 1 s ago/],
      [signByHand(alice, ALL, `;created=${NOW_S};keyid="${alice.address}";nonce="short"`), /nonce must be/],
      [
        { ...signByHand(alice, ALL, params(), { label: "a" }), signature: signByHand(alice, ALL, params(), { label: "b" }).signature },
        /same label/,
      ],
      [
        {
          ...signByHand(alice, ALL, params()),
          "signature-input": `x=("@method");created=1, ${signByHand(alice, ALL, params(), { label: "y" })["signature-input"]}`,
        },
        /one signature, or one labelled molt/,
      ],
      [{ ...signByHand(alice, ALL, params()), "signature-input": `molt=("@method" "@path"` }, /not an RFC 8941 dictionary/],
      [
        ((h) => ({ ...h, "signature-input": `${h["signature-input"]}, ${h["signature-input"]}` }))(signByHand(alice, ALL, params())),
        /the key molt is repeated/,
      ],
      [((h) => ({ ...h, signature: `${h.signature}, ${h.signature}` }))(signByHand(alice, ALL, params())), /the key molt is repeated/],
      [{ ...signByHand(alice, ALL, params()), "signature-input": `molt=${"x".repeat(3000)}` }, /longer than 2048/],
      [{ ...signByHand(alice, ALL, params()), "content-digest": "sha-256=:AAAA:" }, /content-digest does not match the body/],
      [{ ...signByHand(alice, ALL, params()), "content-digest": "md5=:AAAA:" }, /must carry sha-256/],
      [{ ...signByHand(alice, [...ALL, "x-extra"], params()) }, /covers x-extra, which the request does not carry/],
    ];
    for (const [headers, pattern] of refusals) expect(reason(request, headers), pattern.source).toMatch(pattern);
  });

  it("refuses stale and future signatures, missing and malformed headers", async () => {
    const nonces = new NonceStore();
    const stale = signRequest(request, alice, NOW_MS - (SIGNATURE_WINDOW_S + 1) * 1000);
    expect(await refusal(request, { ...stale }, nonces)).toMatch(/created is -301 s/);
    const future = signRequest(request, alice, NOW_MS + (SIGNATURE_WINDOW_S + 1) * 1000);
    expect(await refusal(request, { ...future }, nonces)).toMatch(/created is 301 s/);
    const good = signRequest(request, alice, NOW_MS);
    expect(await refusal(request, { ...good, signature: undefined }, nonces)).toMatch(/signature header is missing/);
    expect(await refusal(request, { ...good, "signature-input": good["signature-input"].replace(';alg="ed25519"', "") }, nonces)).toMatch(
      /does not verify/,
    );
    expect(await refusal(request, { ...good, "content-digest": contentDigest("{}") }, nonces)).toMatch(/content-digest/);
    expect(await refusal(request, { ...good, "idempotency-key": "key-2" }, nonces)).toMatch(/does not verify/);
    expect(await refusal({ ...request, idempotencyKey: "key-2" }, { ...good, "idempotency-key": undefined }, nonces)).toMatch(
      /does not carry/,
    );
    expect(nonces.size).toBe(0);
  });

  it("a thousand forged, mutated and replayed requests are all refused, and burn no nonce", async () => {
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
      fc.record({ kind: fc.constant("key-bit"), bit: fc.nat(8 * 5 - 1) }),
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
    expect(await verifyRequest(request, { ...replayed }, NOW_MS, nonces)).toBe(alice.address);
    await fc.assert(
      fc.asyncProperty(mutation, async ({ kind, bit }) => {
        const headers =
          kind === "replay"
            ? replayed
            : signRequest(
                request,
                kind === "wrong-key" ? mallory : alice,
                kind === "stale" ? NOW_MS - bit * 1000 : kind === "future" ? NOW_MS + bit * 1000 : NOW_MS,
              );
        let parts = request;
        let sent: Record<string, string | undefined> = { ...headers };
        if (kind === "signature-bit") sent = { ...headers, signature: flipSignature(headers, bit) };
        if (kind === "body-bit") parts = { ...request, body: flip(String(request.body), bit) };
        if (kind === "path-bit") parts = { ...request, path: flip(request.path, bit) };
        if (kind === "key-bit") sent = { ...headers, "idempotency-key": flip(request.idempotencyKey ?? "", bit) };
        if (kind === "method") parts = { ...request, method: ["GET", "PUT", "DELETE", "PATCH"][bit] ?? "GET" };
        if (kind === "wrong-key")
          sent = { ...headers, "signature-input": headers["signature-input"].replace(mallory.address, alice.address) };
        if (kind === "keyid-swap")
          sent = { ...headers, "signature-input": headers["signature-input"].replace(alice.address, mallory.address) };
        if (kind === "other-endpoint")
          parts = { ...request, path: ["/v1/offers", "/v1/orders/ord_x/cancel", "/v1/escrows"][bit] ?? "/v1/offers" };
        const before = nonces.size;
        expect(await refusal(parts, sent, nonces), kind).toBeDefined();
        expect(nonces.size).toBe(before);
        refused++;
      }),
      { numRuns: 1200 },
    );
    expect(refused).toBeGreaterThanOrEqual(1000);
  });
});
