// Entry "molt-market": the pure core of the market (amounts, ids, addresses, the domain types,
// errors), the order book and settlement math and statements. Loads no native module, no server,
// no database driver: safe to import in any process, a browser bundle included.
export { Amount, AMOUNT_MAX_BASE_UNITS, BASE_UNITS_PER_MOLT, MOLT_DECIMALS } from "./core/amount.js";
export { DAY_MS, HOUR_MS, ManualClock, systemClock } from "./core/clock.js";
export type { Clock } from "./core/clock.js";
export { MARKET_ERROR_CODES, MARKET_ERROR_TABLE, MarketError, isMarketError } from "./core/errors.js";
export type { MarketErrorCode, MarketErrorDetails } from "./core/errors.js";
export {
  FEATURES,
  Feature,
  OfferStatus,
  OrderStatus,
  PRIORITIES,
  Priority,
  assertOfferTransition,
  assertOrderTransition,
  canTransitionOffer,
  canTransitionOrder,
  featureMask,
  featuresOfMask,
  isFeature,
  parseFeature,
  parsePriority,
  priorityRank,
} from "./core/enums.js";
export { normalizeGpuModel } from "./core/gpu-model.js";
export {
  ID_PREFIXES,
  assertIsDisputeId,
  assertIsEscrowId,
  assertIsOfferId,
  assertIsOrderId,
  idTimestampMs,
  isDisputeId,
  isEscrowId,
  isOfferId,
  isOrderId,
  newDisputeId,
  newEscrowId,
  newOfferId,
  newOrderId,
  offerId,
  orderId,
} from "./core/ids.js";
export type { DisputeId, EscrowId, OfferId, OrderId } from "./core/ids.js";
export * as limits from "./core/limits.js";
export { isCountryCode, parseCountry, parseLocation, parseLocationRequirement, parseRegion } from "./core/location.js";
export type { Location, LocationRequirement } from "./core/location.js";
export { createOffer, parseOffer } from "./core/offer.js";
export type { CreateOfferInput } from "./core/offer.js";
export { createOrder, parseOrder, parseRequirements } from "./core/order.js";
export type { CreateOrderInput, RequirementsInput } from "./core/order.js";
export { WORKLOAD_LIMITS, parseWorkload } from "./core/workload.js";
export type { Workload } from "./core/workload.js";
export type {
  BookOffer,
  CapacityOffer,
  GpuCapacity,
  JobOrder,
  JobRequirements,
  OrderMatch,
  ProviderFilter,
  ScoreBreakdown,
} from "./core/types.js";
export type { BookEvent, BookEventType, BookListener } from "./orderbook/events.js";
export { ORDER_BOOK_LIMITS, OrderBook, RESULT_LIMIT_DEFAULT } from "./orderbook/order-book.js";
export type { BookSnapshot, ExpiryResult, OrderBookLimits, OrderBookOptions, SubmitOrderResult } from "./orderbook/order-book.js";
export { REPUTATION_DEFAULT, SCORE_WEIGHTS } from "./orderbook/score.js";
export { addressFromBytes, addressToBytes, assertIsAddress, isAddress, parseAddress, shortAddress } from "./core/address.js";
export type { Address } from "./core/address.js";
export { verifySigned } from "./core/signer.js";
export type { Signer } from "./core/signer.js";
export { isTransactionId, parseTransactionId, transactionIdFromBytes } from "./core/transaction-id.js";
export type { TransactionId } from "./core/transaction-id.js";
export {
  DISPUTE_EVIDENCE_MAX,
  DOMAIN_TAGS,
  attest,
  attestationMessage,
  confirm,
  confirmationMessage,
  disputeMessage,
  encodeExecutionProof,
  openDisputeStatement,
  proofDigest,
  verifyAttestation,
  verifyConfirmation,
  verifyDispute,
} from "./settlement/statements.js";
export { STATEMENT_TEXT_BYTES_MAX } from "./settlement/statement-writer.js";
export {
  RECEIPT_CLOCK_SKEW_MS,
  TELEMETRY_LIMITS,
  checkUsageReceipt,
  countersignUsageReceipt,
  receiptCountersignMessage,
  signUsageReceipt,
  telemetryDigest,
  usageReceiptMessage,
  verifyReceiptCountersign,
  verifyUsageReceipt,
} from "./settlement/usage-receipt.js";
export type { Telemetry, UsageReceipt, UsageReceiptCheck } from "./settlement/usage-receipt.js";
export type { Attestation, Confirmation, Dispute, ExecutionProof } from "./settlement/statements.js";
export { FEE_BPS_MAX, SECONDS_PER_HOUR, billSeconds, billingRate, hoursToSeconds, splitCharge } from "./settlement/billing.js";
export type { BillingRate, ChargeSplit } from "./settlement/billing.js";
export { EscrowState, assertEscrowTransition, canTransitionEscrow } from "./settlement/escrow-account.js";
export type { EscrowAccount } from "./settlement/escrow-account.js";
export { checkAttestation, proofSeconds, settleJob } from "./settlement/settle-job.js";
export type { JobSettlementInput, SettlementResult, SettlementStatus, SettlementTerms } from "./settlement/settle-job.js";
export { checkDisputeOpening, disputeDeadlineMs, resolveDisputeSplit } from "./settlement/dispute.js";
export type { DisputeDecision, DisputeResolution } from "./settlement/dispute.js";
