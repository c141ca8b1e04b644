// createOrder / parseOrder / parseRequirements: the factory that fills an order's defaults and the
// one validator every order and quote passes. Pure; time comes from the injected clock.
import type { Amount } from "./amount.js";
import { systemClock } from "./clock.js";
import type { Clock } from "./clock.js";
import { MarketError, describeValue } from "./errors.js";
import { OrderStatus, PRIORITIES, Priority } from "./enums.js";
import { normalizeGpuModel } from "./gpu-model.js";
import { assertIsOrderId, newOrderId } from "./ids.js";
import type { OrderId } from "./ids.js";
import {
  GPU_COUNT_MAX,
  GPU_COUNT_MIN,
  HOURS_MAX,
  HOURS_MIN,
  ORDER_TTL_DEFAULT_MS,
  ORDER_TTL_MAX_MS,
  PREFERRED_MODELS_MAX,
  VRAM_GB_MAX,
} from "./limits.js";
import { parseLocationRequirement } from "./location.js";
import type { LocationRequirement } from "./location.js";
import { parseGpuModels, parseMinReputation } from "./hard-filters.js";
import { parseProviderFilter } from "./provider-filter.js";
import type { JobOrder, JobRequirements, ProviderFilter } from "./types.js";
import { parseWorkload } from "./workload.js";
import {
  asRecord,
  checkExpiry,
  isValidated,
  markValidated,
  parseDate,
  parseFeatures,
  parseInt,
  parsePartyId,
  parsePositiveAmount,
} from "./validate.js";

/** What a caller gives for requirements; lists default to empty, minVramGb to 0. */
export interface RequirementsInput {
  readonly minGpuCount: number;
  readonly minVramGb?: number;
  readonly preferredModels?: readonly string[];
  readonly maxPricePerHour: Amount | string;
  readonly estimatedHours: number;
  readonly requiredFeatures?: readonly string[];
  readonly location?: LocationRequirement;
  /** Hard provider filters: the only providers taken (`allow`), those never taken (`deny`). */
  readonly providers?: ProviderFilter;
  /** Hard model filter: only offers of one of these GPU models (normalized) match. */
  readonly gpuModels?: readonly string[];
  /** Hard reputation filter: only offers of providers with at least this reputation (0..1) match. */
  readonly minReputation?: number;
}

/** What a caller gives createOrder; everything else is filled in. */
export interface CreateOrderInput {
  readonly id?: OrderId | string;
  readonly buyerId: string;
  readonly requirements: RequirementsInput;
  readonly maxBudget?: Amount | string;
  /** Default: now. */
  readonly createdAt?: Date | string;
  /** Default: createdAt + 1 hour. */
  readonly expiresAt?: Date | string;
  /** Default: Normal. */
  readonly priority?: Priority;
  readonly workload?: unknown;
  /** Default: false. */
  readonly rematch?: boolean;
  readonly successorOf?: OrderId | string;
}

/**
 * Validates requirements and returns a frozen, normalized copy. Rules: minGpuCount 1..1024,
 * minVramGb 0..2048, maxPricePerHour > 0, estimatedHours 1..8784, at most 16 preferred models,
 * features from the enum, location region and/or country, provider filters (provider-filter.ts),
 * 1..16 required GPU models and a minimum reputation in [0, 1] (hard-filters.ts).
 * @throws INVALID_FIELD, OUT_OF_RANGE, INVALID_AMOUNT, AMOUNT_OVERFLOW
 */
export function parseRequirements(value: unknown): JobRequirements {
  if (typeof value === "object" && value !== null && isValidated(value, "requirements")) return value as JobRequirements;
  const field = "requirements";
  const raw = asRecord(
    value,
    field,
    "{ minGpuCount, minVramGb, maxPricePerHour, estimatedHours, preferredModels?, requiredFeatures?, location?, providers?, gpuModels?, minReputation? }",
  );
  const preferred = raw.preferredModels ?? [];
  if (!Array.isArray(preferred) || preferred.length > PREFERRED_MODELS_MAX) {
    throw new MarketError("INVALID_FIELD", {
      field: `${field}.preferredModels`,
      value: describeValue(preferred),
      allowed: `a list of at most ${PREFERRED_MODELS_MAX} GPU model names`,
    });
  }
  const preferredModels = (preferred as unknown[]).map((model, i) => {
    normalizeGpuModel(model, `${field}.preferredModels[${i}]`);
    return (model as string).trim();
  });
  const requirements: { -readonly [K in keyof JobRequirements]: JobRequirements[K] } = {
    minGpuCount: parseInt(raw.minGpuCount, `${field}.minGpuCount`, GPU_COUNT_MIN, GPU_COUNT_MAX),
    minVramGb: parseInt(raw.minVramGb ?? 0, `${field}.minVramGb`, 0, VRAM_GB_MAX),
    preferredModels: Object.freeze(preferredModels),
    maxPricePerHour: parsePositiveAmount(raw.maxPricePerHour, `${field}.maxPricePerHour`),
    estimatedHours: parseInt(raw.estimatedHours, `${field}.estimatedHours`, HOURS_MIN, HOURS_MAX),
    requiredFeatures: Object.freeze(parseFeatures(raw.requiredFeatures ?? [], `${field}.requiredFeatures`)),
  };
  if (raw.location !== undefined) requirements.location = parseLocationRequirement(raw.location, `${field}.location`);
  const providers = raw.providers === undefined ? undefined : parseProviderFilter(raw.providers, `${field}.providers`);
  if (providers !== undefined) requirements.providers = providers;
  if (raw.gpuModels !== undefined) requirements.gpuModels = parseGpuModels(raw.gpuModels, `${field}.gpuModels`);
  if (raw.minReputation !== undefined) requirements.minReputation = parseMinReputation(raw.minReputation, `${field}.minReputation`);
  return markValidated(requirements, "requirements");
}

function parseBoolean(value: unknown, field: string): boolean {
  if (typeof value !== "boolean") throw new MarketError("INVALID_FIELD", { field, value: describeValue(value), allowed: "true or false" });
  return value;
}

/**
 * Validates a complete order and returns a frozen, normalized copy (or the same object when a
 * factory already did). A new order is Pending; expiry after creation, at most 30 days later.
 * @throws INVALID_ID, INVALID_FIELD, OUT_OF_RANGE, INVALID_AMOUNT, AMOUNT_OVERFLOW
 */
export function parseOrder(value: unknown): JobOrder {
  if (typeof value === "object" && value !== null && isValidated(value, "order")) return value as JobOrder;
  const raw = asRecord(value, "order", "a JobOrder object");
  assertIsOrderId(raw.id);
  const createdAt = parseDate(raw.createdAt, "createdAt");
  const expiresAt = parseDate(raw.expiresAt, "expiresAt");
  checkExpiry(createdAt, expiresAt, ORDER_TTL_MAX_MS, "expiresAt");
  const status = raw.status ?? OrderStatus.Pending;
  if (status !== OrderStatus.Pending) {
    throw new MarketError("INVALID_FIELD", {
      field: "status",
      value: describeValue(status),
      allowed: "Pending (a new order is always Pending)",
    });
  }
  const priority = raw.priority ?? Priority.Normal;
  if (!(PRIORITIES as readonly unknown[]).includes(priority)) {
    throw new MarketError("INVALID_FIELD", { field: "priority", value: describeValue(priority), allowed: PRIORITIES.join(", ") });
  }
  const order: { -readonly [K in keyof JobOrder]: JobOrder[K] } = {
    id: raw.id,
    buyerId: parsePartyId(raw.buyerId, "buyerId"),
    requirements: parseRequirements(raw.requirements),
    createdAt,
    expiresAt,
    status: OrderStatus.Pending,
    priority: priority as Priority,
  };
  if (raw.maxBudget !== undefined) order.maxBudget = parsePositiveAmount(raw.maxBudget, "maxBudget");
  if (raw.workload !== undefined) order.workload = parseWorkload(raw.workload);
  if (raw.rematch !== undefined) order.rematch = parseBoolean(raw.rematch, "rematch");
  if (raw.successorOf !== undefined) {
    assertIsOrderId(raw.successorOf);
    order.successorOf = raw.successorOf;
  }
  return markValidated(order, "order");
}

/**
 * Builds a valid order from what the buyer states, filling id, timestamps, status and defaults.
 * @example createOrder({ buyerId: "b1", requirements: { minGpuCount: 4, minVramGb: 40, maxPricePerHour: "15", estimatedHours: 8 } })
 * @throws INVALID_ID, INVALID_FIELD, OUT_OF_RANGE, INVALID_AMOUNT, AMOUNT_OVERFLOW
 */
export function createOrder(input: CreateOrderInput, options: { clock?: Clock } = {}): JobOrder {
  const nowMs = (options.clock ?? systemClock).now();
  const createdAt = input.createdAt === undefined ? new Date(nowMs) : parseDate(input.createdAt, "createdAt");
  return parseOrder({
    ...input,
    id: input.id ?? newOrderId(createdAt.getTime()),
    createdAt,
    expiresAt: input.expiresAt ?? new Date(createdAt.getTime() + ORDER_TTL_DEFAULT_MS),
    status: OrderStatus.Pending,
  });
}
