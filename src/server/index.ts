// Entry "molt-market/server": the Fastify app factory and its bounds, and the server's side of
// request signatures (verification with the nonce registry). Routes are the app's business: they
// are not exported. The signature scheme itself, shared with the client, is the contract's.
export {
  COVERED_COMPONENTS,
  NONCE_LENGTH_MAX,
  POST_REQUIRED_COMPONENT,
  REQUIRED_COMPONENTS,
  SIGNATURE_ALGORITHM,
  SIGNATURE_LABEL,
  SIGNATURE_LIMITS,
  SIGNATURE_WINDOW_S,
  contentDigest,
  signatureBase,
  verifySignature,
} from "../contract/http-signature.js";
export { newNonce, signRequest } from "../contract/request-signing.js";
export type { SignatureHeaders, SignedRequestParts, VerifiedSignature } from "../contract/http-signature.js";
export { NONCES_MAX, NONCES_PER_KEYID_MAX, NONCE_LIMITS, NonceStore, recordNonce, storeNonces, verifyRequest } from "./nonce-registry.js";
export type { NonceRegistry } from "./nonce-registry.js";
export { buildApp } from "./app.js";
export type { AppDeps } from "./app.js";
export type { AppLogger, LogLevel } from "./request-log.js";
export { SERVER_LIMITS } from "./limits.js";
export { QUOTE_ORDER_ID, modelStats } from "../contract/market-data.js";
