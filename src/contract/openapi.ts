// What the OpenAPI document says beyond the schemas: one tag per resource, and the request-signature
// scheme (RFC 9421) every mutating route requires. Data only; the server hands it to @fastify/swagger.
import { IDEMPOTENCY_KEY_LENGTH_MAX } from "./common.js";
import { COVERED_COMPONENTS, SIGNATURE_ALGORITHM, SIGNATURE_LABEL, SIGNATURE_WINDOW_S } from "./http-signature.js";

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
  { name: "operations", description: "Health, metrics and this document" },
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
