// What one wallet may hold in the market at once, and the backing of its orders: every order is
// backed by the buyer's MOLT, so an order's worst case plus everything the buyer has committed and
// not yet funded never exceeds its balance; live offers and resting orders are capped per wallet.
// A Sybil flood of fresh wallets then needs real MOLT behind every order, and every offer it lists
// can be matched and must be served. Pure: the Marketplace brings the balance and the loads.
import { Amount } from "../core/amount.js";
import { MarketError, assertIntInRange } from "../core/errors.js";
import type { JobOrder } from "../core/types.js";
import { worstCaseCost } from "../orderbook/resting-orders.js";

/** Per-wallet bounds of a marketplace. */
export interface WalletLimits {
  /** Offers (active or paused) one provider wallet may hold. */
  readonly offersPerProviderMax: number;
  /** Orders one buyer wallet may have resting. */
  readonly restingOrdersPerBuyerMax: number;
  /** Matched orders one buyer may hold unfunded (each holds GPUs until it is funded or expires). */
  readonly unfundedMatchesPerBuyerMax: number;
  /** Orders must be backed by the buyer's MOLT balance (INSUFFICIENT_FUNDS otherwise). */
  readonly backedOrders: boolean;
}

/** Default per-wallet bounds. */
export const WALLET_LIMITS: WalletLimits = {
  offersPerProviderMax: 100,
  restingOrdersPerBuyerMax: 100,
  unfundedMatchesPerBuyerMax: 100,
  backedOrders: true,
};

/** Highest per-wallet count a market may set. */
export const WALLET_COUNT_MAX = 1_000_000;

/** The limits with `overrides` applied, checked. @throws OUT_OF_RANGE */
export function walletLimits(overrides: Partial<WalletLimits> = {}): WalletLimits {
  const limits = { ...WALLET_LIMITS, ...overrides };
  assertIntInRange("offersPerProviderMax", limits.offersPerProviderMax, 1, WALLET_COUNT_MAX);
  assertIntInRange("restingOrdersPerBuyerMax", limits.restingOrdersPerBuyerMax, 1, WALLET_COUNT_MAX);
  assertIntInRange("unfundedMatchesPerBuyerMax", limits.unfundedMatchesPerBuyerMax, 1, WALLET_COUNT_MAX);
  return limits;
}

/** Refuses another offer of a provider at its cap. @throws LIMIT_EXCEEDED */
export function checkOfferCap(liveOffers: number, limits: WalletLimits): void {
  if (liveOffers >= limits.offersPerProviderMax)
    throw new MarketError("LIMIT_EXCEEDED", { limit: "offersPerProviderMax", max: limits.offersPerProviderMax });
}

/** What a buyer has in the market that is not yet funded. */
export interface BuyerLoad {
  readonly restingCount: number;
  /** Worst-case cost of its resting orders, in base units. */
  readonly restingWorstCaseBaseUnits: bigint;
  readonly unfundedMatchCount: number;
  /** Total cost of its matched, unfunded orders, in base units. */
  readonly unfundedMatchBaseUnits: bigint;
}

/**
 * Checks a new order against its buyer's caps and balance: the order's worst-case cost plus the
 * buyer's resting and unfunded commitments must not exceed `available` (when orders are backed).
 * @throws LIMIT_EXCEEDED (restingOrdersPerBuyerMax, unfundedMatchesPerBuyerMax), INSUFFICIENT_FUNDS
 */
export function checkOrderBacking(order: JobOrder, load: BuyerLoad, available: Amount | undefined, limits: WalletLimits): void {
  if (load.restingCount >= limits.restingOrdersPerBuyerMax)
    throw new MarketError("LIMIT_EXCEEDED", { limit: "restingOrdersPerBuyerMax", max: limits.restingOrdersPerBuyerMax });
  if (load.unfundedMatchCount >= limits.unfundedMatchesPerBuyerMax)
    throw new MarketError("LIMIT_EXCEEDED", { limit: "unfundedMatchesPerBuyerMax", max: limits.unfundedMatchesPerBuyerMax });
  if (!limits.backedOrders || available === undefined) return;
  const committed = Amount.fromLamports(load.restingWorstCaseBaseUnits + load.unfundedMatchBaseUnits);
  const required = committed.add(worstCaseCost(order));
  if (available.lt(required)) {
    throw new MarketError("INSUFFICIENT_FUNDS", {
      buyerId: order.buyerId,
      required: required.toString(),
      available: available.toString(),
      committed: committed.toString(),
    });
  }
}
