// A seeded generator of realistic GPU markets (model mix, GPUs per host, VRAM by model, features,
// ten regions, prices by model) and of buyer orders against them, for tests, benchmarks and scripts
// (not shipped). Pure: same seed, same market.
import { Amount, BASE_UNITS_PER_MOLT } from "../../src/core/amount.js";
import { DAY_MS, HOUR_MS } from "../../src/core/clock.js";
import { Priority } from "../../src/core/enums.js";
import type { Feature as FeatureT } from "../../src/core/enums.js";
import { createOffer } from "../../src/core/offer.js";
import { createOrder } from "../../src/core/order.js";
import type { CapacityOffer, JobOrder } from "../../src/core/types.js";

/** A small, fast, seeded PRNG (mulberry32): floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ModelProfile {
  readonly name: string;
  readonly share: number;
  readonly vramGb: readonly number[];
  /** MOLT per GPU-hour, low..high. */
  readonly price: readonly [number, number];
  readonly gpuCounts: readonly number[];
  readonly computeCapability: string;
  readonly memoryBandwidth: number;
  /** Probability of each feature. */
  readonly features: Partial<Record<FeatureT, number>>;
}

/** The model mix of the sample market. */
export const MODEL_PROFILES: readonly ModelProfile[] = [
  {
    name: "NVIDIA H100 80GB HBM3",
    share: 0.2,
    vramGb: [80],
    price: [1.9, 3.4],
    gpuCounts: [1, 2, 4, 8, 8, 8],
    computeCapability: "9.0",
    memoryBandwidth: 3350,
    features: { NvLink: 0.8, Infiniband: 0.6, FP8: 1, HighBandwidthMemory: 1, DedicatedHost: 0.3 },
  },
  {
    name: "NVIDIA H200 141GB",
    share: 0.08,
    vramGb: [141],
    price: [3.0, 4.6],
    gpuCounts: [1, 4, 8, 8],
    computeCapability: "9.0",
    memoryBandwidth: 4800,
    features: { NvLink: 0.9, Infiniband: 0.7, FP8: 1, HighBandwidthMemory: 1, DedicatedHost: 0.4 },
  },
  {
    name: "NVIDIA B200",
    share: 0.05,
    vramGb: [192],
    price: [4.5, 6.8],
    gpuCounts: [8],
    computeCapability: "10.0",
    memoryBandwidth: 8000,
    features: { NvLink: 1, Infiniband: 0.8, FP8: 1, HighBandwidthMemory: 1, DedicatedHost: 0.5 },
  },
  {
    name: "NVIDIA A100 80GB",
    share: 0.12,
    vramGb: [80],
    price: [1.0, 2.0],
    gpuCounts: [1, 2, 4, 8, 8],
    computeCapability: "8.0",
    memoryBandwidth: 2039,
    features: { NvLink: 0.6, Infiniband: 0.4, HighBandwidthMemory: 1, DedicatedHost: 0.2 },
  },
  {
    name: "NVIDIA A100 40GB",
    share: 0.07,
    vramGb: [40],
    price: [0.8, 1.5],
    gpuCounts: [1, 2, 4, 8],
    computeCapability: "8.0",
    memoryBandwidth: 1555,
    features: { NvLink: 0.5, Infiniband: 0.3, HighBandwidthMemory: 1 },
  },
  {
    name: "NVIDIA L40S",
    share: 0.12,
    vramGb: [48],
    price: [0.7, 1.3],
    gpuCounts: [1, 2, 4, 8],
    computeCapability: "8.9",
    memoryBandwidth: 864,
    features: { FP8: 1, DedicatedHost: 0.2 },
  },
  {
    name: "NVIDIA L4",
    share: 0.07,
    vramGb: [24],
    price: [0.25, 0.6],
    gpuCounts: [1, 2, 4, 8],
    computeCapability: "8.9",
    memoryBandwidth: 300,
    features: { FP8: 1 },
  },
  {
    name: "NVIDIA GeForce RTX 4090",
    share: 0.17,
    vramGb: [24],
    price: [0.3, 0.75],
    gpuCounts: [1, 1, 2, 4, 8],
    computeCapability: "8.9",
    memoryBandwidth: 1008,
    features: { FP8: 0.9, DedicatedHost: 0.5 },
  },
  {
    name: "NVIDIA GeForce RTX 5090",
    share: 0.07,
    vramGb: [32],
    price: [0.6, 1.1],
    gpuCounts: [1, 2, 4, 8],
    computeCapability: "12.0",
    memoryBandwidth: 1792,
    features: { FP8: 1, DedicatedHost: 0.5 },
  },
  {
    name: "AMD Instinct MI300X",
    share: 0.05,
    vramGb: [192],
    price: [2.2, 3.6],
    gpuCounts: [8],
    computeCapability: "9.4",
    memoryBandwidth: 5300,
    features: { Infiniband: 0.6, FP8: 1, HighBandwidthMemory: 1, DedicatedHost: 0.3 },
  },
];

/** The ten regions of the sample market and their countries. */
export const SAMPLE_REGIONS: readonly { readonly region: string; readonly country: string }[] = [
  { region: "us-east-1", country: "US" },
  { region: "us-west-2", country: "US" },
  { region: "ca-central-1", country: "CA" },
  { region: "eu-west-1", country: "IE" },
  { region: "eu-central-1", country: "DE" },
  { region: "eu-north-1", country: "SE" },
  { region: "ap-northeast-1", country: "JP" },
  { region: "ap-southeast-1", country: "SG" },
  { region: "ap-south-1", country: "IN" },
  { region: "sa-east-1", country: "BR" },
];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function pickModel(random: () => number): ModelProfile {
  let r = random();
  for (const profile of MODEL_PROFILES) {
    r -= profile.share;
    if (r < 0) return profile;
  }
  return MODEL_PROFILES[0] as ModelProfile;
}

function priceBetween(random: () => number, low: number, high: number): Amount {
  // Prices in whole thousandths of a MOLT, like a real price list.
  const milli = Math.round((low + random() * (high - low)) * 1000);
  return Amount.fromLamports(BigInt(milli) * (BASE_UNITS_PER_MOLT / 1000n));
}

/** Options of the market generator. */
export interface SampleMarketOptions {
  readonly seed: number;
  readonly offers: number;
  /** Creation time of the market, ms since the epoch. */
  readonly nowMs: number;
  /** Distinct providers (default offers / 20, at least 10). */
  readonly providers?: number;
}

/** Realistic offers: model mix, 1-8 GPUs, VRAM by model, features, ten regions, prices by model. */
export function generateOffers(options: SampleMarketOptions): CapacityOffer[] {
  const random = seededRandom(options.seed);
  const providerCount = options.providers ?? Math.max(10, Math.floor(options.offers / 20));
  const offers: CapacityOffer[] = new Array<CapacityOffer>(options.offers);
  for (let i = 0; i < options.offers; i++) {
    const profile = pickModel(random);
    const features = (Object.entries(profile.features) as [FeatureT, number][]).filter(([, p]) => random() < p).map(([f]) => f);
    const availableHours = pick(random, [24, 48, 72, 168, 168, 336, 720]);
    const createdAtMs = options.nowMs - Math.floor(random() * DAY_MS);
    offers[i] = createOffer({
      providerId: `provider-${Math.floor(random() * providerCount)
        .toString()
        .padStart(5, "0")}`,
      gpuCapacity: {
        gpuCount: pick(random, profile.gpuCounts),
        gpuModel: profile.name,
        vramGb: pick(random, profile.vramGb),
        computeCapability: profile.computeCapability,
        memoryBandwidth: profile.memoryBandwidth,
        currentUtilization: Math.floor(random() * 60),
      },
      pricePerHour: priceBetween(random, profile.price[0], profile.price[1]),
      availableHours,
      minCommitmentHours: random() < 0.7 ? 1 : pick(random, [2, 4, 8]),
      createdAt: new Date(createdAtMs),
      expiresAt: new Date(options.nowMs + DAY_MS + Math.floor(random() * 29 * DAY_MS)),
      features,
      location: pick(random, SAMPLE_REGIONS),
    });
  }
  return offers;
}

/** Realistic buyer orders against the same mix: a target model sets VRAM, price and features. */
export function generateOrders(options: { readonly seed: number; readonly orders: number; readonly nowMs: number }): JobOrder[] {
  const random = seededRandom(options.seed);
  const orders: JobOrder[] = new Array<JobOrder>(options.orders);
  for (let i = 0; i < options.orders; i++) {
    const target = pickModel(random);
    const vram = target.vramGb[0] ?? 24;
    const minGpuCount = pick(random, [1, 1, 2, 4, 8]);
    const estimatedHours = pick(random, [1, 2, 4, 8, 12, 24, 48, 72]);
    const maxPrice = target.price[0] + random() * (target.price[1] - target.price[0]) * 1.5;
    const common = (Object.entries(target.features) as [FeatureT, number][]).filter(([, p]) => p >= 0.8).map(([f]) => f);
    const requiredFeatures = common.filter(() => random() < 0.35);
    const place = pick(random, SAMPLE_REGIONS);
    const where = random();
    const maxPricePerHour = priceBetween(random, maxPrice, maxPrice);
    const budgeted = random() < 0.3;
    orders[i] = createOrder({
      buyerId: `buyer-${Math.floor(random() * 5000)}`,
      requirements: {
        minGpuCount,
        minVramGb: random() < 0.2 ? 0 : Math.min(vram, pick(random, [16, 24, 40, 48, 80, 141])),
        preferredModels: random() < 0.5 ? [target.name] : [],
        maxPricePerHour,
        estimatedHours,
        requiredFeatures,
        ...(where < 0.3 ? { location: { region: place.region } } : where < 0.4 ? { location: { country: place.country } } : {}),
      },
      ...(budgeted
        ? { maxBudget: maxPricePerHour.mul(minGpuCount * estimatedHours).sub(Amount.fromLamports(random() < 0.5 ? 1n : 0n)) }
        : {}),
      createdAt: new Date(options.nowMs),
      expiresAt: new Date(options.nowMs + HOUR_MS),
      priority: pick(random, [Priority.Low, Priority.Normal, Priority.Normal, Priority.High, Priority.Critical]),
    });
  }
  return orders;
}
