// An offer of the book's column storage as a plain object (what queries, listings and events hand
// out). Reads an OfferTable; pure.
import { Amount } from "../core/amount.js";
import { FEATURES, featuresOfMask, OfferStatus } from "../core/enums.js";
import type { Feature } from "../core/enums.js";
import type { OfferId } from "../core/ids.js";
import type { BookOffer, GpuCapacity } from "../core/types.js";
import { NO_UTILIZATION, SLOT_PAUSED } from "./offer-table.js";
import type { OfferTable } from "./offer-table.js";

/** The features of each mask, frozen: offers of one mask share their list. */
const FEATURES_BY_MASK: readonly (readonly Feature[])[] = Array.from({ length: 1 << FEATURES.length }, (_, mask) =>
  Object.freeze(featuresOfMask(mask)),
);
const NO_FEATURES: readonly Feature[] = Object.freeze([]);

/** The offer in `slot` of `table` as a plain object (its features list is shared and frozen, one per mask). Invariant: a live slot only. */
export function materializeOffer(table: OfferTable, slot: number): BookOffer {
  const gpuCapacity: { -readonly [K in keyof GpuCapacity]: GpuCapacity[K] } = {
    gpuCount: table.gpuCount[slot] ?? 0,
    gpuModel: table.modelNames.valueOf(table.modelName[slot] ?? 0),
    vramGb: table.vram[slot] ?? 0,
  };
  const computeCapability = table.computeCapability[slot] ?? 0;
  if (computeCapability !== 0) gpuCapacity.computeCapability = table.computeCapabilities.valueOf(computeCapability);
  const memoryBandwidth = table.memoryBandwidth[slot] ?? 0;
  if (memoryBandwidth !== 0) gpuCapacity.memoryBandwidth = memoryBandwidth;
  const utilization = table.utilization[slot] ?? NO_UTILIZATION;
  if (utilization !== NO_UTILIZATION) gpuCapacity.currentUtilization = utilization;
  const id = table.ids[slot] as OfferId;
  const providerId = table.providers.valueOf(table.provider[slot] ?? 0);
  const pricePerHour = Amount.fromLamports(table.price[slot] ?? 0n);
  const availableHours = table.availableHours[slot] ?? 0;
  const minCommitmentHours = table.minCommitment[slot] ?? 0;
  const createdAt = new Date(table.createdAt[slot] ?? 0);
  const expiresAt = new Date(table.expiresAt[slot] ?? 0);
  const status = table.status[slot] === SLOT_PAUSED ? OfferStatus.Paused : OfferStatus.Active;
  const features = FEATURES_BY_MASK[table.mask[slot] ?? 0] ?? NO_FEATURES;
  const freeGpuCount = table.freeGpus[slot] ?? 0;
  const region = table.region[slot] ?? 0;
  // Two literals of fixed shape (no spread): with a location and without.
  if (region === 0) {
    return {
      id,
      providerId,
      gpuCapacity,
      pricePerHour,
      availableHours,
      minCommitmentHours,
      createdAt,
      expiresAt,
      status,
      features,
      freeGpuCount,
    };
  }
  const location = { region: table.regions.valueOf(region), country: table.countries.valueOf(table.country[slot] ?? 0) };
  return {
    id,
    providerId,
    gpuCapacity,
    pricePerHour,
    availableHours,
    minCommitmentHours,
    createdAt,
    expiresAt,
    status,
    features,
    location,
    freeGpuCount,
  };
}
