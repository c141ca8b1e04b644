// Entry "molt-market/server": the Fastify app factory, request-signature verification and the feed.
export { COVERED_COMPONENTS, NONCE_LENGTH_MAX, POST_REQUIRED_COMPONENT, REQUIRED_COMPONENTS, SIGNATURE_ALGORITHM, SIGNATURE_LABEL, SIGNATURE_LIMITS, SIGNATURE_WINDOW_S, contentDigest, newNonce, signRequest, signatureBase, verifySignature } from "./http-signature.js";
export type { SignatureHeaders, SignedRequestParts, VerifiedSignature } from "./http-signature.js";
export { NONCES_MAX, NONCES_PER_KEYID_MAX, NONCE_LIMITS, NonceStore, recordNonce, storeNonces, verifyRequest } from "./nonce-registry.js";
export type { NonceRegistry } from "./nonce-registry.js";
export { QUOTE_ORDER_ID, SERVER_LIMITS, buildApp, modelStats } from "./app.js";
export type { SettlementRouteDeps } from "./settlement-routes.js";
export type { AppDeps } from "./app.js";
