// Entry "molt-market/market": the Marketplace application service (book + store + payments) and
// the PaymentService that moves escrowed MOLT.
export { PAYMENT_DEFAULTS, PAYMENT_PERIOD_MS_MAX, PaymentService, escrowHandle } from "../payments/payment-service.js";
export type { EscrowStep, PaymentServiceOptions, RefundReason } from "../payments/payment-service.js";
export { MARKET_LIMITS, Marketplace } from "./marketplace.js";
export type { FeedListener, JobRecord, MarketplaceOptions, OrderView } from "./marketplace.js";
