// What the OpenAPI document says beyond the schemas: the API's description (request signatures,
// idempotency, amounts, errors, request ids), one tag per resource, the request-signature scheme
// (RFC 9421) every mutating route requires, and the shared Error component with every code. Data
// only; the server hands it to @fastify/swagger.
import { MARKET_ERROR_CODES, MARKET_ERROR_TABLE } from "../core/errors.js";
import { IDEMPOTENCY_KEY_LENGTH_MAX } from "./common.js";
import { COVERED_COMPONENTS, NONCE_LENGTH_MAX, SIGNATURE_ALGORITHM, SIGNATURE_LABEL, SIGNATURE_WINDOW_S } from "./http-signature.js";

/** A signed request as a client sends it (a buyer cancels its order), with the signature base it signed; a test verifies it. */
export const SIGNED_REQUEST_EXAMPLE = {
  method: "POST",
  path: "/v1/orders/ord_01M8S0H0X8086ZW5VS0KWVTEGC/cancel",
  body: "{}",
  headers: {
    "content-digest": "sha-256=:RBNvo1WzZ4oRRq0W9+hknpT7T8If536DEMBg9hyq/4o=:",
    "idempotency-key": "cancel-01M8S0H0",
    "signature-input":
      'molt=("@method" "@path" "content-digest" "idempotency-key");created=1796135400;keyid="AB1AZXZb5cHRcuo47am1Rrr2fQG8yusUgKpaAbdNiYHQ";nonce="Xq3vN8pLw2TzR6cYk1HbJ4";alg="ed25519"',
    signature: "molt=:mk1Kic96ijG2kf5khWG3Fq6ChnxvzO92WTA3FPlz6zYFjhuKmhHoZknxUN408DKX5/eTucYjIEu8jibOg469Cw==:",
  },
  /** When it was signed (its `created`), in ms. */
  createdMs: 1_796_135_400_000,
} as const;

/** The example's request as text, then the signature base its signature covers. */
function signedRequestText(): string {
  const { method, path, body, headers } = SIGNED_REQUEST_EXAMPLE;
  const params = headers["signature-input"].slice(`${SIGNATURE_LABEL}=`.length);
  return [
    "```http",
    `${method} ${path} HTTP/1.1`,
    "Content-Type: application/json",
    `Content-Digest: ${headers["content-digest"]}`,
    `Idempotency-Key: ${headers["idempotency-key"]}`,
    `Signature-Input: ${headers["signature-input"]}`,
    `Signature: ${headers.signature}`,
    "",
    body,
    "```",
    "",
    "The signature base it signs (UTF-8, lines joined by \\n, no final newline):",
    "",
    "```",
    `"@method": ${method}`,
    `"@path": ${path}`,
    `"content-digest": ${headers["content-digest"]}`,
    `"idempotency-key": ${headers["idempotency-key"]}`,
    `"@signature-params": ${params}`,
    "```",
  ].join("\n");
}

/** The document's description: what every request and answer of the API shares (CommonMark). */
export const API_DESCRIPTION = [
  "Order book, escrow and settlement of a GPU compute marketplace paid in MOLT (an SPL token on Solana; 1 MOLT = 10^9 base units).",
  "",
  '**Amounts** travel as decimal MOLT strings (`"12.5"`, at most 9 decimals), never as JSON numbers. **Addresses** are base58 ed25519 public keys (Solana addresses).',
  "",
  "**Signed requests.** Every POST is signed with the caller's wallet key following RFC 9421 (HTTP Message Signatures), and the signer is the caller: it owns what it creates, and only it may change it. The request carries:",
  "",
  "- `Content-Digest: sha-256=:<base64 of SHA-256 of the raw body bytes>:` (RFC 9530; an empty body is digested as zero bytes);",
  `- \`Idempotency-Key: <1..${IDEMPOTENCY_KEY_LENGTH_MAX} visible ASCII characters>\`;`,
  `- \`Signature-Input: ${SIGNATURE_LABEL}=("@method" "@path" "content-digest" "idempotency-key");created=<unix seconds>;keyid="<wallet address>";nonce="<16..${NONCE_LENGTH_MAX} base64url characters>";alg="${SIGNATURE_ALGORITHM}"\`;`,
  `- \`Signature: ${SIGNATURE_LABEL}=:<base64 of the 64-byte ed25519 signature>:\`.`,
  "",
  `The covered components are ${COVERED_COMPONENTS.map((name) => `\`${name}\``).join(", ")}, in any order (\`idempotency-key\` on every POST; other header fields may be covered too). The signature base is built as RFC 9421 section 2.5 says: one \`"<component>": <value>\` line per covered component, then \`"@signature-params": <the Signature-Input inner list as sent>\`; \`@path\` is the path without the query. \`created\` must be within ${SIGNATURE_WINDOW_S} s of the server's clock; each nonce is accepted once (across restarts and nodes); \`alg\`, if sent, is \`${SIGNATURE_ALGORITHM}\`; \`expires\`, if sent, must not be past. A request that fails any of this is 401 UNAUTHORIZED, before its body is read.`,
  "",
  "For example:",
  "",
  signedRequestText(),
  "",
  "**Idempotency.** The same Idempotency-Key from the same signer replays the first answer (nothing is done twice); the same key with another request is 422 IDEMPOTENCY_KEY_REUSED. Keys are per signer.",
  "",
  "**Chain steps.** Funding, settling, refunding, extending and accepting a dispute decision move MOLT on chain: a party whose key the server does not hold is answered 428 SIGNATURE_REQUIRED with the transaction message to sign; it repeats the request under the same Idempotency-Key with `chainSignature { message, signature }`.",
  "",
  "**Errors** are always JSON `{ code, message, details }` (the Error component lists every code and its status): bad input is a 4xx, never a 5xx; a route that exists answers other methods with 405 and an Allow header.",
  "",
  "**Request ids.** Every answer carries `X-Request-Id`: the request's own when it sent a well-formed one (1..64 of letters, digits and `-_.:`), else a fresh one; the server's log line of the request carries it as `reqId`.",
  "",
  "**Rate limits.** Requests per client address per minute are capped (429 RATE_LIMITED with `retryAfterS`); live feed connections too (429 TOO_MANY_CONNECTIONS).",
].join("\n");

/** The tags of the document, one per resource, in the order the document lists them. */
export const API_TAGS = [
  { name: "offers", description: "GPU capacity a provider lists: list, pause, resume, withdraw; the book's offers" },
  { name: "orders", description: "Job orders a buyer submits, their matches and their state" },
  { name: "jobs", description: "A matched job's run: the provider starts it, then completes or fails it with its attested proof" },
  { name: "escrows", description: "A job's money: the 2-of-3 escrow, funding, settlement and refund (steps the party co-signs on chain)" },
  { name: "disputes", description: "A contested job: the signed dispute, the arbiter's split, a party's acceptance" },
  { name: "market", description: "Market data: quotes, stats per GPU model, who the market is on chain, balances and test airdrops" },
  { name: "providers", description: "Providers' reputations: outcome counts, uptime, the estimate and its recent outcomes" },
  { name: "feed", description: "The market's event log: pages of it, and a live WebSocket feed" },
  { name: "operations", description: "Health, Prometheus metrics and this document" },
] as const;

/** The security schemes of the document: one per header a signed request carries. */
export const SECURITY_SCHEMES = {
  httpMessageSignature: {
    type: "apiKey",
    in: "header",
    name: "Signature",
    description:
      `RFC 9421 HTTP Message Signature, ed25519 with the caller's wallet key: \`${SIGNATURE_LABEL}=:<64-byte signature, base64>:\`. ` +
      `It covers ${COVERED_COMPONENTS.map((name) => `\`${name}\``).join(", ")} (any order; idempotency-key on every POST). ` +
      `Signature-Input gives the covered components and created (within ${SIGNATURE_WINDOW_S} s of the server's clock), keyid (the wallet address) and nonce (16..64 base64url characters, accepted once); ` +
      `alg ("${SIGNATURE_ALGORITHM}") and expires are optional. The signer is the caller: it owns what it creates and only it may change it.`,
  },
  signatureInput: {
    type: "apiKey",
    in: "header",
    name: "Signature-Input",
    description: `RFC 9421 Signature-Input: \`${SIGNATURE_LABEL}=("@method" "@path" "content-digest" "idempotency-key");created=<s>;keyid="<address>";nonce="<nonce>";alg="${SIGNATURE_ALGORITHM}"\``,
  },
  contentDigest: {
    type: "apiKey",
    in: "header",
    name: "Content-Digest",
    description: "RFC 9530 digest of the raw body bytes: `sha-256=:<base64>:` (sha-512 is checked too when present)",
  },
  idempotencyKey: {
    type: "apiKey",
    in: "header",
    name: "Idempotency-Key",
    description: `1..${IDEMPOTENCY_KEY_LENGTH_MAX} visible ASCII characters on every POST, covered by the signature: the same key replays the first answer; the same key with another body is a 4xx`,
  },
} as const;

/** The security requirement of a mutating route: all four headers together. */
export const SIGNED: readonly Readonly<Record<keyof typeof SECURITY_SCHEMES, readonly string[]>>[] = [
  { httpMessageSignature: [], signatureInput: [], contentDigest: [], idempotencyKey: [] },
];

/** The shared error answer: `{ code, message, details }`, with every code, its HTTP status and an example. */
export const ERROR_COMPONENT = {
  type: "object",
  required: ["code", "message", "details"],
  additionalProperties: false,
  properties: {
    code: { type: "string", enum: [...MARKET_ERROR_CODES, "INTERNAL"], description: "Stable: switch on it" },
    message: { type: "string", description: "What was wrong, and what is allowed or what to do; for people, may change" },
    details: { type: "object", additionalProperties: true, description: "The code's typed fields (names, values, limits)" },
  },
  description: [
    "Every error answer. The codes and their HTTP status:",
    "",
    "| code | status |",
    "|---|---|",
    ...MARKET_ERROR_CODES.map((code) => `| ${code} | ${MARKET_ERROR_TABLE[code].httpStatus} |`),
    "| INTERNAL | 500 (a broken server, never bad input) |",
  ].join("\n"),
  example: {
    code: "ORDER_NOT_FOUND",
    message: "order ord_01JF3Q8V6MZK2B7C9D4E5F6G7H not found; it may have been cancelled, expired or never submitted",
    details: { orderId: "ord_01JF3Q8V6MZK2B7C9D4E5F6G7H" },
  },
} as const;
