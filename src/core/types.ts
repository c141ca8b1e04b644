// The domain types of the spec in camelCase: offers, orders, requirements, matches. Types only.
import type { Amount } from "./amount.js";
import type { Feature, OfferStatus, OrderStatus, Priority } from "./enums.js";
import type { OfferId, OrderId } from "./ids.js";
import type { Location, LocationRequirement } from "./location.js";
import type { Workload } from "./workload.js";

/** The GPUs of an offer. */
export interface GpuCapacity {
  /** Number of GPUs offered. */
  readonly gpuCount: number;
  /** GPU model name as the provider wrote it ("NVIDIA H100 80GB"). */
  readonly gpuModel: string;
  /** VRAM per GPU in GB. */
  readonly vramGb: number;
  /** CUDA compute capability ("9.0"). */
  readonly computeCapability?: string;
  /** Memory bandwidth in GB/s. */
  readonly memoryBandwidth?: number;
  /** Current utilization reported by the provider, 0..100. */
  readonly currentUtilization?: number;
}

/** A provider's listing of GPU capacity. */
export interface CapacityOffer {
  readonly id: OfferId;
  readonly providerId: string;
  readonly gpuCapacity: GpuCapacity;
  /** Price per GPU-hour. */
  readonly pricePerHour: Amount;
  /** Longest job the offer takes, in hours. */
  readonly availableHours: number;
  /** Shortest job the offer takes, in hours. */
  readonly minCommitmentHours: number;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly status: OfferStatus;
  readonly features: readonly Feature[];
  readonly location?: Location;
}

/** An offer as the book holds it: the listing plus how many of its GPUs are free now. */
export interface BookOffer extends CapacityOffer {
  readonly freeGpuCount: number;
}

/** What a job needs. */
export interface JobRequirements {
  readonly minGpuCount: number;
  /** Minimum VRAM per GPU in GB (0: any). */
  readonly minVramGb: number;
  /** Soft preference: raises the score, does not filter. */
  readonly preferredModels: readonly string[];
  /** Highest acceptable price per GPU-hour. */
  readonly maxPricePerHour: Amount;
  readonly estimatedHours: number;
  readonly requiredFeatures: readonly Feature[];
  readonly location?: LocationRequirement;
  /** Hard provider filters: an offer matches only if its provider is in `allow` (when given) and not in `deny`. */
  readonly providers?: ProviderFilter;
  /** Hard model filter: an offer matches only if its normalized GPU model is one of these (as given, trimmed; any of). */
  readonly gpuModels?: readonly string[];
  /** Hard reputation filter: an offer matches only if its provider's reputation is >= this, in [0, 1]. */
  readonly minReputation?: number;
}

/**
 * Which providers an order accepts: `allow` (non-empty when given) lists the only ones, `deny`
 * those never taken. Invariant (parseRequirements): ids are valid party ids, without repeats, at
 * most PROVIDER_FILTER_MAX each, and no id is in both lists.
 */
export interface ProviderFilter {
  readonly allow?: readonly string[];
  readonly deny?: readonly string[];
}

/** A buyer's request for compute. */
export interface JobOrder {
  readonly id: OrderId;
  readonly buyerId: string;
  readonly requirements: JobRequirements;
  /** Highest acceptable total cost (price x GPUs x hours); none when absent. */
  readonly maxBudget?: Amount;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly status: OrderStatus;
  readonly priority: Priority;
  /** What the matched provider runs (shown to the buyer and that provider only). */
  readonly workload?: Workload;
  /** When its job fails (provider lost or non-zero exit), the market submits a successor order for the remaining hours. */
  readonly rematch?: boolean;
  /** The order whose failed job this one continues (set by the market's re-match, never by a client). */
  readonly successorOf?: OrderId;
}

/** The parts a match score is made of: each weighted part, and their sum. */
export interface ScoreBreakdown {
  /** Weight x (1 - price / maxPrice). */
  readonly priceHeadroom: number;
  /** Weight x (GPUs wanted / GPUs free on the offer). */
  readonly gpuFit: number;
  /** Weight x (VRAM wanted / VRAM per GPU); full when the order names no VRAM. */
  readonly vramFit: number;
  /** Weight when the offer's model is one the order prefers. */
  readonly preferredModel: number;
  /** Weight x (features beyond those required / all features). */
  readonly extraFeatures: number;
  /** Weight x provider reputation (0..1). */
  readonly reputation: number;
  /** Weight x (1 - utilization / 100). */
  readonly utilization: number;
  /** The score, in [0, 1]. */
  readonly total: number;
}

/** An order matched to an offer: what was allocated and at what cost. */
export interface OrderMatch {
  readonly orderId: OrderId;
  readonly offerId: OfferId;
  readonly providerId: string;
  /** GPUs allocated: exactly the order's minGpuCount. */
  readonly gpuCount: number;
  readonly pricePerHour: Amount;
  /** Hours allocated: the order's estimatedHours. */
  readonly hours: number;
  /** price x gpuCount x hours. */
  readonly totalCost: Amount;
  /** Match score in [0, 1]. */
  readonly score: number;
  readonly scoreBreakdown: ScoreBreakdown;
}
