// Entry "molt-market/market": the Marketplace application service (book + store + payments) and
// the PaymentService that moves escrowed MOLT.
export { PAYMENT_DEFAULTS, PAYMENT_PERIOD_MS_MAX, PaymentService } from "../payments/payment-service.js";
export { escrowHandle } from "../payments/escrow-payout.js";
export type { EscrowStep, PaymentServiceOptions, RefundReason } from "../payments/payment-service.js";
export { Marketplace } from "./marketplace.js";
export type { MarketplaceOptions } from "./marketplace.js";
export type { MarketObserver, ObservedOutcome } from "./observer.js";
export { MARKET_LIMITS } from "./limits.js";
export type { FeedListener } from "./feed.js";
export type { JobRecord, OrderView } from "./views.js";
export type { SubmittedOrder } from "./book-commands.js";
export type { AirdropAnswer, SettleInput } from "./chain-commands.js";
export type { DisputeDecisionInput } from "./job-commands.js";
export type { SweepResult } from "./sweeper.js";
export type { WalletLimits } from "./wallet-limits.js";
