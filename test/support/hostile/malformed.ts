// Malformed requests as fast-check arbitraries, each a variant of a route's valid request that the
// server must refuse: a body with one field broken (wrong type, amount out of range, negative,
// fractional, unicode digits, deep nesting, a field added or missing), a body that is not the
// route's document, garbled signature headers and Idempotency-Keys, wrong content types,
// truncated JSON, oversized bodies, bad path parameters and query strings. Pure: builds requests.
import fc from "fast-check";
import { Wallet } from "../../../src/chain/wallet.js";
import { contentDigest } from "../../../src/contract/http-signature.js";
import { signedPost } from "./requests.js";
import type { RawRequest } from "./requests.js";
import { HOSTILE_ROUTES, pathOf, urlOf } from "./routes.js";
import type { HostileRoute, QueryKind, RouteFixture } from "./routes.js";

/** Largest body the server reads (SERVER_LIMITS.bodyBytesMax). */
const BODY_BYTES_MAX = 64 * 1024;
/** Fields holding MOLT amounts or hours as decimal strings. */
const DECIMAL_FIELDS = new Set(["pricePerHour", "maxPricePerHour", "maxBudget", "molt", "providerShare", "actualHours"]);
/** Free-text fields: any string up to their limit is valid, so only wrong types and excess length break them. */
const TEXT_FIELDS = new Set(["gpuModel", "reason"]);

/** Never a MOLT amount: signs, too many decimals, over 2^64 - 1 base units, exponents, unicode digits, padding. */
export const BAD_DECIMALS: readonly unknown[] = [
  "-1",
  "-0.5",
  "1.0000000001",
  "0.0000000001",
  "18446744073.709551616",
  "99999999999999999999",
  "100000000000000000000000",
  "1e3",
  "0x10",
  " 2.5",
  "2.5 ",
  "+2.5",
  ".5",
  "5.",
  "",
  "NaN",
  "Infinity",
  "２.５",
  "٢",
  "2,5",
  "2.5\n",
  "2..5",
  "1.2.3",
  "2\u200b5",
  "1_000",
  2.5,
  -1,
  0,
  1e308,
  null,
  true,
  [],
  {},
];
/** Never a valid integer field here: fractions, negatives, beyond every maximum, other types. */
const BAD_INTS: readonly unknown[] = [1.5, -1, -0.5, 1e308, -1e308, 2 ** 53 + 1, 2 ** 64, "8", "", null, true, false, [], {}, [8]];
const BAD_STRINGS: readonly unknown[] = [
  null,
  7,
  -1,
  1e308,
  true,
  [],
  {},
  ["x"],
  "",
  "ü".repeat(300),
  "\u0000",
  "x".repeat(300),
  "😀",
  "'; drop table orders; --",
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = readonly (string | number)[];

function pathsOf(value: Json, at: Path = []): Path[] {
  if (value === null || typeof value !== "object") return [at];
  const children = Array.isArray(value)
    ? value.map((child, i) => pathsOf(child, [...at, i]))
    : Object.entries(value).map(([key, child]) => pathsOf(child, [...at, key]));
  return [at, ...children.flat()];
}

function get(value: Json, path: Path): Json {
  return path.reduce<Json>((node, key) => (node as Record<string | number, Json>)[key] ?? null, value);
}

/** A copy of `value` with the node at `path` replaced. */
function edit(value: Json, path: Path, replace: (node: Json) => Json): Json {
  const [head, ...rest] = path;
  if (head === undefined) return replace(value);
  const copy = (Array.isArray(value) ? [...value] : { ...(value as Record<string, Json>) }) as Record<string | number, Json>;
  copy[head] = edit(copy[head] ?? null, rest, replace);
  return copy;
}

/** An own property, even one named __proto__. */
function withField(node: Json, name: string, field: Json): Json {
  const copy = { ...(node as Record<string, Json>) };
  Object.defineProperty(copy, name, { value: field, enumerable: true, configurable: true, writable: true });
  return copy;
}

const nested = (depth: number, kind: "array" | "object"): string =>
  kind === "array" ? `${"[".repeat(depth)}${"]".repeat(depth)}` : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
const extraName = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "prototype", "buyerId", "providerId", "status", "isAdmin", "escrowAmount"),
  fc.string({ minLength: 1, maxLength: 12 }).map((s) => `x-${s}`),
);
/** Stands for raw nested JSON text in a document until it is written out (JSON.stringify would recurse as deep). */
const DEEP = "\u0000deep";

/** One field of a valid body broken: every variant is invalid by construction. */
function brokenBody(template: Json): fc.Arbitrary<string> {
  const paths = pathsOf(template);
  return fc.constantFrom(...paths).chain((path) => {
    const node = get(template, path);
    const name = String(path.at(-1) ?? "");
    const isObject = node !== null && typeof node === "object" && !Array.isArray(node);
    const bad: fc.Arbitrary<Json>[] = [];
    if (isObject) {
      bad.push(
        fc.constantFrom<Json>(null, "object", 1, [], true),
        fc.tuple(extraName, fc.jsonValue({ maxDepth: 2 })).map(([key, value]) => withField(node, key, value as Json)),
      );
      const keys = Object.keys(node);
      if (keys.length > 0)
        bad.push(fc.constantFrom(...keys).map((key) => Object.fromEntries(Object.entries(node).filter(([name]) => name !== key))));
    } else if (DECIMAL_FIELDS.has(name)) bad.push(fc.constantFrom(...(BAD_DECIMALS as Json[])));
    else if (typeof node === "number") bad.push(fc.constantFrom(...(BAD_INTS as Json[])));
    else if (TEXT_FIELDS.has(name)) bad.push(fc.constantFrom<Json>(null, 7, true, [], {}, "x".repeat(300), "é".repeat(257)));
    else if (Array.isArray(node))
      bad.push(
        fc.constantFrom<Json>(
          "evidence",
          null,
          1,
          {},
          ["not a digest"],
          Array.from({ length: 17 }, () => "a".repeat(64)),
        ),
      );
    else
      bad.push(
        fc.constantFrom(...(BAD_STRINGS as Json[])),
        fc.string({ unit: "grapheme", maxLength: 40 }).filter((s) => s !== node),
      );
    const replacements = fc.oneof(...bad).map((value) => ({ value, raw: "" }));
    const deep = fc
      .tuple(fc.integer({ min: 2, max: 20_000 }), fc.constantFrom("array" as const, "object" as const))
      .map(([depth, kind]) => ({ value: DEEP, raw: nested(depth, kind) }));
    return (path.length > 0 ? fc.oneof(replacements, deep) : replacements).map(({ value, raw }) => {
      const text = JSON.stringify(path.length === 0 ? value : edit(template, path, () => value));
      return raw === "" ? text : text.replace(JSON.stringify(DEEP), raw);
    });
  });
}

/** A route's valid POST, signed by its owner. */
export function validPost(route: HostileRoute, f: RouteFixture, body?: string): RawRequest {
  return signedPost(route.owner(f), urlOf(route, f), body ?? (route.body === undefined ? "" : JSON.stringify(route.body(f))));
}

const postRoutes = HOSTILE_ROUTES.filter((route) => route.method === "POST");
const bodyRoutes = postRoutes.filter((route) => route.body !== undefined);
const paramRoutes = HOSTILE_ROUTES.filter((route) => route.param !== undefined);
const queryRoutes = HOSTILE_ROUTES.filter((route) => route.query !== undefined);

/** A body route's document with one field broken, signed by the route's owner. */
export const malformedBody = (f: RouteFixture): fc.Arbitrary<RawRequest> =>
  fc.constantFrom(...bodyRoutes).chain((route) => brokenBody(route.body?.(f) as Json).map((body) => validPost(route, f, body)));

/** A body route given something that is not its document at all. */
export const foreignBody = (f: RouteFixture): fc.Arbitrary<RawRequest> =>
  fc
    .tuple(
      fc.constantFrom(...bodyRoutes),
      fc.oneof(
        fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
        fc.constantFrom("[]", "null", "true", '"text"', "1e999", "-0", "[{}]", '{"a":1,"a":2}'),
      ),
    )
    .map(([route, body]) => validPost(route, f, body === "{}" ? "[]" : body));

/** What an attacker does to the headers of a valid signed request. */
const HEADER_ATTACKS: readonly { readonly name: string; readonly apply: (request: RawRequest, f: RouteFixture) => RawRequest }[] = [
  ...["signature", "signature-input", "content-digest", "idempotency-key"].flatMap((header) => [
    {
      name: `${header} missing`,
      apply: (r: RawRequest) => ({ ...r, headers: Object.fromEntries(Object.entries(r.headers).filter(([name]) => name !== header)) }),
    },
    { name: `${header} empty`, apply: (r: RawRequest) => ({ ...r, headers: { ...r.headers, [header]: "" } }) },
  ]),
  // A header sent twice reaches the server as one value joined by ", " (as Node's parser and inject do):
  // for an Idempotency-Key that is just another key; for the signature headers, structured-field
  // dictionaries where the last member of a name wins (RFC 8941), so the second copy is the bad one.
  {
    name: "signature twice, the second wrong",
    apply: (r) => ({
      ...r,
      headers: {
        ...r.headers,
        signature: [String(r.headers.signature), signedPost(Wallet.generate(), r.url, String(r.body ?? "")).headers.signature as string],
      },
    }),
  },
  {
    name: "signature-input twice, the second another nonce",
    apply: (r) => ({
      ...r,
      headers: {
        ...r.headers,
        "signature-input": [
          String(r.headers["signature-input"]),
          String(r.headers["signature-input"]).replace(/nonce="[^"]+"/, 'nonce="BBBBBBBBBBBBBBBBBBBBBB"'),
        ],
      },
    }),
  },
  {
    name: "content-digest twice, the second of another body",
    apply: (r) => ({
      ...r,
      headers: { ...r.headers, "content-digest": [String(r.headers["content-digest"]), contentDigest(`${String(r.body ?? "")} `)] },
    }),
  },
  { name: "idempotency-key of 101 characters", apply: (r) => ({ ...r, headers: { ...r.headers, "idempotency-key": "k".repeat(101) } }) },
  { name: "idempotency-key of 5000 characters", apply: (r) => ({ ...r, headers: { ...r.headers, "idempotency-key": "k".repeat(5000) } }) },
  {
    name: "one signature byte flipped",
    apply: (r) => ({
      ...r,
      headers: { ...r.headers, signature: String(r.headers.signature).replace(/:(.)/, (_m, c: string) => `:${c === "A" ? "B" : "A"}`) },
    }),
  },
  {
    name: "signature truncated",
    apply: (r) => ({ ...r, headers: { ...r.headers, signature: String(r.headers.signature).replace(/.{6}:$/, ":") } }),
  },
  // Labels are the signer's choice (RFC 9421), but Signature and Signature-Input must name the same one.
  {
    name: "labels that differ",
    apply: (r) => ({ ...r, headers: { ...r.headers, signature: String(r.headers.signature).replace(/^[a-z0-9]+=/, "other=") } }),
  },
  {
    name: "alg rsa",
    apply: (r) => ({
      ...r,
      headers: { ...r.headers, "signature-input": String(r.headers["signature-input"]).replace('alg="ed25519"', 'alg="rsa-pss-sha512"') },
    }),
  },
  {
    name: "covered components dropped",
    apply: (r) => ({
      ...r,
      headers: { ...r.headers, "signature-input": String(r.headers["signature-input"]).replace(' "content-digest"', "") },
    }),
  },
  {
    name: "keyid of another wallet",
    apply: (r) => ({
      ...r,
      headers: {
        ...r.headers,
        "signature-input": String(r.headers["signature-input"]).replace(/keyid="[^"]+"/, `keyid="${Wallet.generate().address}"`),
      },
    }),
  },
  {
    name: "keyid not an address",
    apply: (r) => ({
      ...r,
      headers: { ...r.headers, "signature-input": String(r.headers["signature-input"]).replace(/keyid="[^"]+"/, 'keyid="0OIl0OIl"') },
    }),
  },
  {
    name: "created moved an hour back",
    apply: (r) => ({
      ...r,
      headers: {
        ...r.headers,
        "signature-input": String(r.headers["signature-input"]).replace(/created=(\d+)/, (_m, s: string) => `created=${Number(s) - 3600}`),
      },
    }),
  },
  {
    name: "nonce changed",
    apply: (r) => ({
      ...r,
      headers: {
        ...r.headers,
        "signature-input": String(r.headers["signature-input"]).replace(/nonce="[^"]+"/, 'nonce="AAAAAAAAAAAAAAAAAAAAAA"'),
      },
    }),
  },
  {
    name: "digest of another body",
    apply: (r) => ({ ...r, headers: { ...r.headers, "content-digest": contentDigest(`${String(r.body ?? "")} `) } }),
  },
  {
    name: "signed for another path",
    apply: (r, f) => signedPost(f.attacker, r.url, String(r.body ?? ""), { signedPath: "/v1/elsewhere" }),
  },
  { name: "signed an hour ago", apply: (r, f) => signedPost(f.attacker, r.url, String(r.body ?? ""), { nowMs: Date.now() - 3_600_000 }) },
  { name: "signed an hour ahead", apply: (r, f) => signedPost(f.attacker, r.url, String(r.body ?? ""), { nowMs: Date.now() + 3_600_000 }) },
  {
    name: "signed by a key the keyid does not name",
    apply: (r) => ({
      ...r,
      headers: { ...r.headers, signature: signedPost(Wallet.generate(), r.url, String(r.body ?? "")).headers.signature as string },
    }),
  },
  {
    name: "unsigned",
    apply: (r) => ({ ...r, headers: { "content-type": "application/json", "idempotency-key": String(r.headers["idempotency-key"]) } }),
  },
];

/** A route's valid signed request with its signature or Idempotency-Key attacked. */
export const malformedHeaders = (f: RouteFixture): fc.Arbitrary<RawRequest> =>
  fc
    .tuple(fc.constantFrom(...postRoutes), fc.constantFrom(...HEADER_ATTACKS))
    .map(([route, attack]) => attack.apply(validPost(route, f), f));

const CONTENT_TYPES = [
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/octet-stream",
  "application/jsonp",
  "application/xml",
  "application/json-patch+json",
  "application/json, text/plain",
];

/** Valid documents in the wrong content type, cut short, or over the body limit. */
export const malformedEnvelope = (f: RouteFixture): fc.Arbitrary<RawRequest> =>
  fc.constantFrom(...bodyRoutes).chain((route) => {
    const body = JSON.stringify(route.body?.(f));
    return fc.oneof(
      fc.constantFrom(...CONTENT_TYPES).map((type) => {
        const r = validPost(route, f, body);
        return { ...r, headers: { ...r.headers, "content-type": type } };
      }),
      fc.integer({ min: 1, max: Math.max(1, body.length - 1) }).map((cut) => validPost(route, f, body.slice(0, cut))),
      fc
        .integer({ min: BODY_BYTES_MAX + 1, max: 4 * BODY_BYTES_MAX })
        .map((size) => validPost(route, f, `${body.slice(0, -1)},"pad":"${"x".repeat(size)}"}`)),
    );
  });

const BAD_IDS = [
  "x".repeat(65),
  "x".repeat(101),
  "x".repeat(2000),
  encodeURIComponent("ord_é"),
  encodeURIComponent("😀"),
  "%2F..%2F..%2Fetc%2Fpasswd",
  "..",
  "%20",
  "%ZZ",
  "%E0%A4%A",
  "ord_00000000000000000000000000",
  "0OIl0OIl0OIl0OIl0OIl0OIl0OIl0OIl",
  "1111111111111111111111111111111",
  "",
];

/** Path parameters with a NUL byte (PostgreSQL refuses NUL in text: a store must not turn that into a 5xx) or another control character. */
export const PATH_CONTROL_IDS = ["%00", "a%00b", "ord_%00", "%01", "ord_%0A", "%1B%5B31m", "%7F", "ord_%C2%85"] as const;

/** A route's request with `id` as its path parameter, signed by its owner when it is a POST. */
export function withParam(route: HostileRoute, f: RouteFixture, id: string): RawRequest {
  const url = pathOf(route, f, id);
  return route.method === "GET"
    ? { method: "GET", url, headers: {} }
    : signedPost(route.owner(f), url, JSON.stringify(route.body?.(f) ?? {}));
}

/** Routes with a path parameter, given a bad one; and paths and methods no route serves. */
export const malformedPath = (f: RouteFixture): fc.Arbitrary<RawRequest> =>
  fc.oneof(
    fc.tuple(fc.constantFrom(...paramRoutes), fc.constantFrom(...BAD_IDS)).map(([route, id]) => withParam(route, f, id)),
    fc
      .tuple(fc.constantFrom("PUT", "DELETE", "PATCH"), fc.constantFrom(...HOSTILE_ROUTES))
      .map(([method, route]) => ({ method, url: urlOf(route, f), headers: {} })),
    fc
      .constantFrom("/v1/nope", "/v2/offers", "/v1/orders/x/y/z", "/v1/offers/x/explode", "/%ZZ", "/v1/orders/%")
      .map((url) => ({ method: "GET", url, headers: {} })),
  );

function badQueryValues(kind: QueryKind): string[] {
  if (kind === "int") return ["-1", "1.5", "abc", "1e3", "0x10", "", "１", "9999999999", " 1", "+1"];
  if (kind === "decimal") return BAD_DECIMALS.filter((v) => typeof v === "string");
  if (kind === "seq") return ["-1", "1.5", "abc", "9".repeat(16), ""];
  if (kind === "address") return ["0OIl0OIl0OIl0OIl0OIl0OIl0OIl0OIl", "abc", "", "1".repeat(45), "ü".repeat(40)];
  return ["x".repeat(kind.text.maxLength + 1), ...(kind.text.minLength > 0 ? ["x".repeat(kind.text.minLength - 1)] : [])];
}

/** A read's valid query with one parameter broken, repeated, bracketed, unknown or missing. */
export const malformedQuery = (f: RouteFixture): fc.Arbitrary<RawRequest> =>
  fc.constantFrom(...queryRoutes).chain((route) => {
    const { valid, kinds } = route.query ?? { valid: {}, kinds: {} };
    const base = pathOf(route, f);
    const url = (params: [string, string][]): RawRequest => ({
      method: "GET",
      url: `${base}?${params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&")}`,
      headers: {},
    });
    const entries = Object.entries(valid);
    const variants: fc.Arbitrary<RawRequest>[] = [
      fc
        .constantFrom(...Object.entries(kinds))
        .chain(([name, kind]) =>
          fc.constantFrom(...badQueryValues(kind)).map((bad) => url([...entries.filter(([k]) => k !== name), [name, bad]])),
        ),
      fc
        .constantFrom(...Object.keys(kinds))
        .map((name) => url([...entries.filter(([k]) => k !== name), [name, valid[name] ?? "1"], [name, valid[name] ?? "1"]])),
      fc.constantFrom(...Object.keys(kinds)).map((name) => ({
        ...url(entries.filter(([k]) => k !== name)),
        url: `${url(entries.filter(([k]) => k !== name)).url}&${name}[]=1`,
      })),
      fc.string({ minLength: 1, maxLength: 10 }).map((name) => url([...entries, [`x-${name}`, "1"]])),
    ];
    const required =
      route.template === "/v1/matches" ? ["buyer"] : Object.keys(valid).filter((name) => ["gpus", "maxPrice", "hours"].includes(name));
    if (required.length > 0) variants.push(fc.constantFrom(...required).map((name) => url(entries.filter(([k]) => k !== name))));
    return fc.oneof(...variants);
  });
