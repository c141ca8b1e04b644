// Public library entry of molt-market: the core domain, the order book, the chain, settlement, payments, the store and the marketplace.
export { Amount, AMOUNT_MAX_BASE_UNITS, BASE_UNITS_PER_MOLT, MOLT_DECIMALS } from "./core/amount.js";
export { DAY_MS, HOUR_MS, ManualClock, systemClock } from "./core/clock.js";
export type { Clock } from "./core/clock.js";
export { MARKET_ERROR_CODES, MARKET_ERROR_TABLE, MarketError, isMarketError } from "./core/errors.js";
export type { MarketErrorCode, MarketErrorDetails } from "./core/errors.js";
export {
  FEATURES, Feature, OfferStatus, OrderStatus, PRIORITIES, Priority, assertOfferTransition, assertOrderTransition,
  canTransitionOffer, canTransitionOrder, featureMask, featuresOfMask, isFeature, parseFeature, parsePriority, priorityRank,
} from "./core/enums.js";
export { normalizeGpuModel } from "./core/gpu-model.js";
export {
  ID_PREFIXES, assertIsDisputeId, assertIsEscrowId, assertIsOfferId, assertIsOrderId, idTimestampMs, isDisputeId, isEscrowId,
  isOfferId, isOrderId, newDisputeId, newEscrowId, newOfferId, newOrderId, offerId, orderId,
} from "./core/ids.js";
export type { DisputeId, EscrowId, OfferId, OrderId } from "./core/ids.js";
export * as limits from "./core/limits.js";
export { isCountryCode, parseCountry, parseLocation, parseLocationRequirement, parseRegion } from "./core/location.js";
export type { Location, LocationRequirement } from "./core/location.js";
export { createOffer, parseOffer } from "./core/offer.js";
export type { CreateOfferInput } from "./core/offer.js";
export { createOrder, parseOrder, parseRequirements } from "./core/order.js";
export type { CreateOrderInput, RequirementsInput } from "./core/order.js";
export type { BookOffer, CapacityOffer, GpuCapacity, JobOrder, JobRequirements, OrderMatch, ScoreBreakdown } from "./core/types.js";
export type { BookEvent, BookEventType, BookListener } from "./orderbook/events.js";
export { ORDER_BOOK_LIMITS, OrderBook, RESULT_LIMIT_DEFAULT } from "./orderbook/order-book.js";
export type { BookSnapshot, ExpiryResult, OrderBookLimits, OrderBookOptions, SubmitOrderResult } from "./orderbook/order-book.js";
export { REPUTATION_DEFAULT, SCORE_WEIGHTS } from "./orderbook/score.js";
export { addressFromBytes, addressToBytes, assertIsAddress, isAddress, parseAddress, shortAddress } from "./core/address.js";
export type { Address } from "./core/address.js";
export { NETWORK_NAMES, Network, chainEnvironment, explorerUrl } from "./chain/network.js";
export type { ChainEnvironment, NetworkName } from "./chain/network.js";
export { isTransactionId, parseTransactionId, transactionIdFromBytes } from "./core/transaction-id.js";
export type { TransactionId } from "./core/transaction-id.js";
export { Wallet } from "./chain/wallet.js";
export { PresentedSignature, TRANSACTION_MESSAGE_BYTES_MAX, presentedBlockhash, walletSigner } from "./chain/signer.js";
export type { MessageSigner } from "./chain/signer.js";
export {
  ESCROW_PAYOUTS_MAX, ESCROW_SIGNATURES_REQUIRED, assertDistinctParties, createEscrowInstructions, defaultRentExemptLamports, escrowAccountKeys,
  payoutInstructions,
} from "./chain/escrow-instructions.js";
export type { EscrowParties, EscrowPayout } from "./chain/escrow-instructions.js";
export { EmbeddedMoltClient, MINT_SEED } from "./chain/embedded/embedded-client.js";
export { AIRDROP_MAX, MEMO_LENGTH_MAX, MoltTokenClient } from "./chain/token-client.js";
export type { EmbeddedClientOptions } from "./chain/embedded/embedded-client.js";
export type { Transaction, TransactionStatus, TransactionType } from "./chain/transaction.js";
export type { EscrowHandle, MoltClient, SettlementPayout } from "./chain/molt-client.js";
export { LAMPORT_AIRDROP_MAX, RPC_BODY_BYTES_MAX, startLocalnet } from "./chain/localnet/rpc-server.js";
export type { Localnet } from "./chain/localnet/rpc-server.js";
export { CONFIRM_TIMEOUT_MS_DEFAULT, RpcMoltClient, SEND_ATTEMPTS_MAX } from "./chain/rpc/rpc-client.js";
export type { RpcClientOptions } from "./chain/rpc/rpc-client.js";
export {
  DISPUTE_EVIDENCE_MAX, DOMAIN_TAGS, STATEMENT_TEXT_BYTES_MAX, attest, attestationMessage, confirm, confirmationMessage, disputeMessage,
  encodeExecutionProof, openDisputeStatement, proofDigest, verifyAttestation, verifyConfirmation, verifyDispute,
} from "./settlement/statements.js";
export type { Attestation, Confirmation, Dispute, ExecutionProof } from "./settlement/statements.js";
export { FEE_BPS_MAX, SECONDS_PER_HOUR, billSeconds, billingRate, hoursToSeconds, splitCharge } from "./settlement/billing.js";
export type { BillingRate, ChargeSplit } from "./settlement/billing.js";
export { EscrowState, assertEscrowTransition, canTransitionEscrow } from "./settlement/escrow-account.js";
export type { EscrowAccount } from "./settlement/escrow-account.js";
export { checkAttestation, proofSeconds, settleJob } from "./settlement/settle-job.js";
export type { JobSettlementInput, SettlementResult, SettlementStatus, SettlementTerms } from "./settlement/settle-job.js";
export { checkDisputeOpening, disputeDeadlineMs, resolveDisputeSplit } from "./settlement/dispute.js";
export type { DisputeDecision, DisputeResolution } from "./settlement/dispute.js";
export { PAYMENT_DEFAULTS, PAYMENT_PERIOD_MS_MAX, PaymentService, escrowHandle } from "./payments/payment-service.js";
export type { EscrowStep, PaymentServiceOptions, RefundReason } from "./payments/payment-service.js";
export { BULK_ROWS_MAX, SqlStore } from "./store/sql-store.js";
export { MIGRATIONS } from "./store/migrations.js";
export { AUTOCHECKPOINT_PAGES, CHECKPOINT_INTERVAL_MS, SqliteCheckpointer } from "./store/sqlite-checkpointer.js";
export type { BatchWrites, CapacityDelta, CommandRow, EscrowRow, EventRow, NonceLimits, NonceVerdict, OfferRow, OrderRow, StatusChange, Store, StoreWriter, StoredBook } from "./store/store.js";
export { NONCE_PRUNE_EVERY_CALLS } from "./store/nonce-table.js";
export { MARKET_LIMITS, Marketplace } from "./market/marketplace.js";
export type { FeedListener, JobRecord, MarketplaceOptions, OrderView } from "./market/marketplace.js";
export { decodeBookEvent, decodeEscrow, decodeMatch, decodeOrder, encodeBookEvent, encodeEscrow } from "./market/codec.js";
export { COVERED_COMPONENTS, NONCE_LENGTH_MAX, POST_REQUIRED_COMPONENT, REQUIRED_COMPONENTS, SIGNATURE_ALGORITHM, SIGNATURE_LABEL, SIGNATURE_LIMITS, SIGNATURE_WINDOW_S, contentDigest, newNonce, signRequest, signatureBase, verifySignature } from "./server/http-signature.js";
export type { SignatureHeaders, SignedRequestParts, VerifiedSignature } from "./server/http-signature.js";
export { NONCES_MAX, NONCES_PER_KEYID_MAX, NONCE_LIMITS, NonceStore, recordNonce, storeNonces, verifyRequest } from "./server/nonce-registry.js";
export type { NonceRegistry } from "./server/nonce-registry.js";
export { QUOTE_ORDER_ID, SERVER_LIMITS, buildApp, modelStats } from "./server/app.js";
export { OFFER_PAGE_MAX, matchJson, offerJson, orderJson, registerSettlementRoutes } from "./server/settlement-routes.js";
export type { SettlementRouteDeps } from "./server/settlement-routes.js";
export type { AppDeps } from "./server/app.js";
export { CLIENT_ATTEMPTS_MAX, MarketClient, SIGNING_ROUNDS_MAX } from "./client/client.js";
export type { ChainStepProgress, EscrowView, MarketClientOptions, MatchView, OfferRequest, OfferView, OrderDetails, OrderRequest } from "./client/client.js";
export { checkTransactionToSign } from "./client/transaction-check.js";
export type { SigningExpectation } from "./client/transaction-check.js";
export { FEED_LIMITS, registerFeed } from "./server/feed.js";
