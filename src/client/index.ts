// Entry "molt-market/client": the typed HTTP client that signs requests with a wallet, and the
// checks it makes before it signs a transaction.
export { CLIENT_ATTEMPTS_MAX, MarketClient, SIGNING_ROUNDS_MAX } from "./client.js";
export type { ChainStepProgress, EscrowView, MarketClientOptions, MatchView, OfferRequest, OfferView, OrderDetails, OrderRequest } from "./client.js";
export { checkTransactionToSign } from "./transaction-check.js";
export type { SigningExpectation } from "./transaction-check.js";
