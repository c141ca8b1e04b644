// Entry "molt-market/client": the typed HTTP client that signs requests with a wallet (or any
// AsyncSigner, such as a browser wallet, with the statements it signs), the checks it
// makes before it signs a transaction, and the wire contract it shares with the server (the request
// signature scheme and the types of what it sends and receives).
export { MarketClient } from "./client.js";
export type { MarketClientOptions, MarketIdentity } from "./client.js";
export { CLIENT_ATTEMPTS_MAX } from "./transport.js";
export { SIGNING_ROUNDS_MAX } from "./chain-steps.js";
export type { ChainStepOptions, ChainStepProgress } from "./chain-steps.js";
export { checkTransactionToSign } from "./transaction-check.js";
export type { SigningExpectation } from "./transaction-check.js";
export { contentDigest } from "../contract/http-signature.js";
export { newNonce, signRequest, signRequestAsync } from "../contract/request-signing.js";
export { confirmAsync, countersignUsageReceiptAsync, openDisputeStatementAsync } from "./statement-signing.js";
export type { AsyncSigner } from "../core/signer.js";
export type { SignatureHeaders, SignedRequestParts } from "../contract/http-signature.js";
export type { ErrorAnswer } from "../contract/common.js";
export type { ChainSignatureView, EscrowView, SettleRequest } from "../contract/escrows.js";
export type { DecisionRequest } from "../contract/disputes.js";
export type {
  CountersignRecord,
  CountersignRequest,
  DecisionRecord,
  FailureRecord,
  JobView,
  ReceiptRequest,
  SettlementRecord,
  WorkloadView,
} from "../contract/jobs.js";
export type { ExtensionView } from "../contract/extension.js";
export type { CandlesView, DepthView, TradesView } from "../contract/market-history.js";
export type { ProviderView } from "../contract/providers.js";
export type {
  AirdropView,
  BalanceView,
  EventPage,
  EventView,
  HealthView,
  MarketView,
  ModelStatsView,
  StatsView,
} from "../contract/market-data.js";
export type { OfferRequest, OfferView } from "../contract/offers.js";
export type {
  ExplanationView,
  MatchView,
  OrderDeadlines,
  OrderDetails,
  OrderRequest,
  OrderStatusView,
  SubmittedOrderView,
} from "../contract/orders.js";
export type { OrderListView } from "../contract/order-list.js";
