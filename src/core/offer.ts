// createOffer / parseOffer: the factory that fills an offer's defaults and the one validator every
// offer passes before it enters a book. Pure; time comes from the injected clock.
import type { Amount } from "./amount.js";
import { systemClock } from "./clock.js";
import type { Clock } from "./clock.js";
import { MarketError, describeValue } from "./errors.js";
import { OfferStatus } from "./enums.js";
import { assertIsOfferId, newOfferId } from "./ids.js";
import type { OfferId } from "./ids.js";
import { normalizeGpuModel } from "./gpu-model.js";
import {
  COMPUTE_CAPABILITY_LENGTH_MAX,
  GPU_COUNT_MAX,
  GPU_COUNT_MIN,
  HOURS_MAX,
  HOURS_MIN,
  MEMORY_BANDWIDTH_MAX,
  OFFER_TTL_DEFAULT_MS,
  OFFER_TTL_MAX_MS,
  UTILIZATION_MAX,
  VRAM_GB_MAX,
  VRAM_GB_MIN,
} from "./limits.js";
import { parseLocation } from "./location.js";
import type { Location } from "./location.js";
import type { CapacityOffer, GpuCapacity } from "./types.js";
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

/** What a caller gives createOffer; everything else is filled in. */
export interface CreateOfferInput {
  readonly id?: OfferId | string;
  readonly providerId: string;
  readonly gpuCapacity: GpuCapacity;
  /** An Amount or a decimal MOLT string. */
  readonly pricePerHour: Amount | string;
  readonly availableHours: number;
  /** Default 1 (0 allowed: no minimum). */
  readonly minCommitmentHours?: number;
  /** Default: now. */
  readonly createdAt?: Date | string;
  /** Default: createdAt + 7 days. */
  readonly expiresAt?: Date | string;
  readonly features?: readonly string[];
  readonly location?: Location;
}

const COMPUTE_CAPABILITY_PATTERN = /^\d{1,2}\.\d{1,2}$/;

function parseGpuCapacity(value: unknown): GpuCapacity {
  const field = "gpuCapacity";
  const raw = asRecord(value, field, "{ gpuCount, gpuModel, vramGb, computeCapability?, memoryBandwidth?, currentUtilization? }");
  normalizeGpuModel(raw.gpuModel, `${field}.gpuModel`);
  const capacity: { -readonly [K in keyof GpuCapacity]: GpuCapacity[K] } = {
    gpuCount: parseInt(raw.gpuCount, `${field}.gpuCount`, GPU_COUNT_MIN, GPU_COUNT_MAX),
    gpuModel: (raw.gpuModel as string).trim(),
    vramGb: parseInt(raw.vramGb, `${field}.vramGb`, VRAM_GB_MIN, VRAM_GB_MAX),
  };
  if (raw.computeCapability !== undefined) {
    const cc = raw.computeCapability;
    if (typeof cc !== "string" || cc.length > COMPUTE_CAPABILITY_LENGTH_MAX || !COMPUTE_CAPABILITY_PATTERN.test(cc)) {
      throw new MarketError("INVALID_FIELD", {
        field: `${field}.computeCapability`,
        value: describeValue(cc),
        allowed: 'major.minor, like "9.0"',
      });
    }
    capacity.computeCapability = cc;
  }
  if (raw.memoryBandwidth !== undefined) {
    capacity.memoryBandwidth = parseInt(raw.memoryBandwidth, `${field}.memoryBandwidth`, 1, MEMORY_BANDWIDTH_MAX);
  }
  if (raw.currentUtilization !== undefined) {
    capacity.currentUtilization = parseInt(raw.currentUtilization, `${field}.currentUtilization`, 0, UTILIZATION_MAX);
  }
  return Object.freeze(capacity);
}

/**
 * Validates a complete offer and returns a frozen, normalized copy (or the same object when a
 * factory already did). Rules: GPU count 1..1024, VRAM 1..2048 GB, price > 0, hours 1..8784,
 * min commitment 0..availableHours, expiry after creation (<= 366 days), features from the enum,
 * country ISO 3166-1 alpha-2.
 * @throws INVALID_ID, INVALID_FIELD, OUT_OF_RANGE, INVALID_AMOUNT, AMOUNT_OVERFLOW
 */
export function parseOffer(value: unknown): CapacityOffer {
  if (typeof value === "object" && value !== null && isValidated(value, "offer")) return value as CapacityOffer;
  const raw = asRecord(value, "offer", "a CapacityOffer object");
  assertIsOfferId(raw.id);
  const availableHours = parseInt(raw.availableHours, "availableHours", HOURS_MIN, HOURS_MAX);
  const createdAt = parseDate(raw.createdAt, "createdAt");
  const expiresAt = parseDate(raw.expiresAt, "expiresAt");
  checkExpiry(createdAt, expiresAt, OFFER_TTL_MAX_MS, "expiresAt");
  const status = raw.status ?? OfferStatus.Active;
  if (status !== OfferStatus.Active) {
    throw new MarketError("INVALID_FIELD", {
      field: "status",
      value: describeValue(status),
      allowed: "Active (a new offer is always Active)",
    });
  }
  const offer: { -readonly [K in keyof CapacityOffer]: CapacityOffer[K] } = {
    id: raw.id,
    providerId: parsePartyId(raw.providerId, "providerId"),
    gpuCapacity: parseGpuCapacity(raw.gpuCapacity),
    pricePerHour: parsePositiveAmount(raw.pricePerHour, "pricePerHour"),
    availableHours,
    minCommitmentHours: parseInt(raw.minCommitmentHours ?? 1, "minCommitmentHours", 0, availableHours),
    createdAt,
    expiresAt,
    status: OfferStatus.Active,
    features: Object.freeze(parseFeatures(raw.features ?? [], "features")),
  };
  if (raw.location !== undefined) offer.location = parseLocation(raw.location);
  return markValidated(offer, "offer");
}

/**
 * Builds a valid offer from what the provider states, filling id, timestamps, status and defaults.
 * @example createOffer({ providerId: "p1", gpuCapacity: { gpuCount: 8, gpuModel: "H100", vramGb: 80 }, pricePerHour: "2.5", availableHours: 24 })
 * @throws INVALID_ID, INVALID_FIELD, OUT_OF_RANGE, INVALID_AMOUNT, AMOUNT_OVERFLOW
 */
export function createOffer(input: CreateOfferInput, options: { clock?: Clock } = {}): CapacityOffer {
  const nowMs = (options.clock ?? systemClock).now();
  const createdAt = input.createdAt === undefined ? new Date(nowMs) : parseDate(input.createdAt, "createdAt");
  return parseOffer({
    ...input,
    id: input.id ?? newOfferId(createdAt.getTime()),
    createdAt,
    expiresAt: input.expiresAt ?? new Date(createdAt.getTime() + OFFER_TTL_DEFAULT_MS),
    status: OfferStatus.Active,
  });
}
