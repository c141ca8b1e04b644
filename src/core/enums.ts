// The enums of the spec (Feature, Priority, OrderStatus, OfferStatus) and their legal transitions.
// Pure, no I/O.
import { MarketError, describeValue } from "./errors.js";

/** GPU host features an offer has and an order may require. */
export const Feature = {
  NvLink: "NvLink",
  Infiniband: "Infiniband",
  FP8: "FP8",
  HighBandwidthMemory: "HighBandwidthMemory",
  DedicatedHost: "DedicatedHost",
} as const;
/** One feature. */
export type Feature = (typeof Feature)[keyof typeof Feature];
/** Every feature, in bit order (bit i of a feature mask is FEATURES[i]). */
export const FEATURES: readonly Feature[] = Object.values(Feature);
const FEATURE_BY_LOWER = new Map<string, Feature>(FEATURES.map((f) => [f.toLowerCase(), f]));
for (const [alias, feature] of [
  ["ib", Feature.Infiniband],
  ["hbm", Feature.HighBandwidthMemory],
  ["dedicated", Feature.DedicatedHost],
] as const) {
  FEATURE_BY_LOWER.set(alias, feature);
}

/** Is `value` exactly a Feature name. */
export function isFeature(value: unknown): value is Feature {
  return typeof value === "string" && (FEATURES as readonly string[]).includes(value);
}

/** Reads a feature name case-insensitively ("nvlink", "FP8", "ib"). @throws INVALID_FIELD */
export function parseFeature(value: string, field = "feature"): Feature {
  const feature = FEATURE_BY_LOWER.get(value.toLowerCase());
  if (feature === undefined) {
    throw new MarketError("INVALID_FIELD", { field, value: describeValue(value), allowed: FEATURES.join(", ") });
  }
  return feature;
}

/** The bitmask of a feature list (bit i = FEATURES[i]). */
export function featureMask(features: readonly Feature[]): number {
  let mask = 0;
  for (const feature of features) mask |= 1 << FEATURES.indexOf(feature);
  return mask;
}

/** The features of a bitmask, in FEATURES order. */
export function featuresOfMask(mask: number): Feature[] {
  return FEATURES.filter((_, bit) => (mask & (1 << bit)) !== 0);
}

/** Order priority: resting orders are served by priority, then age. */
export const Priority = { Low: "Low", Normal: "Normal", High: "High", Critical: "Critical" } as const;
/** One priority. */
export type Priority = (typeof Priority)[keyof typeof Priority];
/** Priorities from lowest to highest; the index is the rank. */
export const PRIORITIES: readonly Priority[] = Object.values(Priority);

/** Rank of a priority: Low 0 .. Critical 3. */
export function priorityRank(priority: Priority): number {
  return PRIORITIES.indexOf(priority);
}

/** Reads a priority case-insensitively. @throws INVALID_FIELD */
export function parsePriority(value: string): Priority {
  const found = PRIORITIES.find((p) => p.toLowerCase() === value.toLowerCase());
  if (found === undefined) {
    throw new MarketError("INVALID_FIELD", { field: "priority", value: describeValue(value), allowed: PRIORITIES.join(", ") });
  }
  return found;
}

/** Lifecycle of a job order. */
export const OrderStatus = {
  Pending: "Pending",
  Matched: "Matched",
  Escrowed: "Escrowed",
  Running: "Running",
  Completed: "Completed",
  Settled: "Settled",
  Failed: "Failed",
  Refunded: "Refunded",
  Disputed: "Disputed",
  Resolved: "Resolved",
  Cancelled: "Cancelled",
  Expired: "Expired",
} as const;
/** One order status. */
export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];

/** Lifecycle of a capacity offer. */
export const OfferStatus = { Active: "Active", Paused: "Paused", Withdrawn: "Withdrawn", Expired: "Expired" } as const;
/** One offer status. */
export type OfferStatus = (typeof OfferStatus)[keyof typeof OfferStatus];

const ORDER_TRANSITIONS: { readonly [S in OrderStatus]: readonly OrderStatus[] } = {
  Pending: ["Matched", "Cancelled", "Expired"],
  // Matched -> Expired: the buyer did not fund the escrow within the market's funding window.
  // Matched -> Cancelled: the buyer withdraws a match it has not funded (its GPUs return at once).
  Matched: ["Escrowed", "Expired", "Cancelled"],
  // Escrowed -> Failed: the job never started before the escrow's lockedUntil (the sweeper's timeout).
  Escrowed: ["Running", "Failed"],
  Running: ["Completed", "Failed"],
  Completed: ["Settled", "Disputed"],
  // Failed -> Settled: a lost provider's escrow pays its receipted seconds and refunds the rest.
  Failed: ["Refunded", "Settled", "Disputed"],
  Disputed: ["Resolved"],
  Settled: [],
  Refunded: [],
  Resolved: [],
  Cancelled: [],
  Expired: [],
};

const OFFER_TRANSITIONS: { readonly [S in OfferStatus]: readonly OfferStatus[] } = {
  Active: ["Paused", "Withdrawn", "Expired"],
  Paused: ["Active", "Withdrawn", "Expired"],
  Withdrawn: [],
  Expired: [],
};

/** Is `from -> to` a legal order transition (DESIGN.md lifecycle). */
export function canTransitionOrder(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}

/** Throws unless `from -> to` is a legal order transition. @throws INVALID_STATE_TRANSITION */
export function assertOrderTransition(from: OrderStatus, to: OrderStatus): void {
  if (!canTransitionOrder(from, to)) throw new MarketError("INVALID_STATE_TRANSITION", { entity: "order", from, to });
}

/** Is `from -> to` a legal offer transition. */
export function canTransitionOffer(from: OfferStatus, to: OfferStatus): boolean {
  return OFFER_TRANSITIONS[from].includes(to);
}

/** Throws unless `from -> to` is a legal offer transition. @throws INVALID_STATE_TRANSITION */
export function assertOfferTransition(from: OfferStatus, to: OfferStatus): void {
  if (!canTransitionOffer(from, to)) throw new MarketError("INVALID_STATE_TRANSITION", { entity: "offer", from, to });
}
