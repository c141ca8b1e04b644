// Seeded books whose offers are mostly of distinct shapes, for the worst case of the offer index
// (tests and benchmarks, not shipped). high-cardinality: hundreds of models, VRAM sizes, GPU counts
// and regions, all feature sets; adversarial: the same spread, but the cheap offers fit orders badly
// (many GPUs, much VRAM, no features) and the well-fitting ones are expensive, so a price-ordered
// walk cannot stop early. Pure: same seed, same market.
import { Amount, BASE_UNITS_PER_MOLT } from "../../src/core/amount.js";
import { DAY_MS, HOUR_MS } from "../../src/core/clock.js";
import { FEATURES, Priority } from "../../src/core/enums.js";
import type { Feature } from "../../src/core/enums.js";
import { createOffer } from "../../src/core/offer.js";
import { createOrder } from "../../src/core/order.js";
import type { CapacityOffer, JobOrder } from "../../src/core/types.js";
import { seededRandom } from "./sample-market.js";

/** The two mixes that defeat shape bucketing. */
export type ShapeMix = "high-cardinality" | "adversarial";

/** Distinct values of each attribute: their product dwarfs any book, so nearly every offer is a shape of its own. */
const MODELS = 400;
const REGIONS = 500;
/** Some assigned ISO 3166-1 codes: offers spread over them. */
const COUNTRY_CODES =
  "AR AT AU BE BR CA CH CL CN CO CZ DE DK EG ES FI FR GB GR HK HU ID IE IL IN IT JP KR MX MY NL NO NZ PE PH PL PT RO SA SE SG TH TR TW UA US VN ZA".split(
    " ",
  );
const COUNTRIES = COUNTRY_CODES.length;
const VRAM_GB_TOP = 320;
const GPU_COUNT_TOP = 64;

const modelName = (i: number): string => `Accel X${i}`;
const regionName = (i: number): string => `zone-${i}`;
const countryName = (i: number): string => COUNTRY_CODES[i] ?? "US";

function featuresOf(random: () => number): Feature[] {
  return FEATURES.filter(() => random() < 0.5);
}

function milliMolt(milli: number): Amount {
  return Amount.fromLamports(BigInt(Math.max(1, Math.round(milli))) * (BASE_UNITS_PER_MOLT / 1000n));
}

/** Offers of a mix: every attribute spread wide; `providers` distinct providers (default offers / 20, at least 10). */
export function generateMixOffers(
  mix: ShapeMix,
  options: { seed: number; offers: number; nowMs: number; providers?: number },
): CapacityOffer[] {
  const random = seededRandom(options.seed);
  const providers = options.providers ?? Math.max(10, Math.floor(options.offers / 20));
  const offers = new Array<CapacityOffer>(options.offers);
  for (let i = 0; i < options.offers; i++) {
    const region = Math.floor(random() * REGIONS);
    let gpuCount = 1 + Math.floor(random() * GPU_COUNT_TOP);
    let vramGb = 8 + Math.floor(random() * (VRAM_GB_TOP - 8));
    let features = featuresOf(random);
    // 0.1..5 MOLT per GPU-hour.
    let milli = 100 + random() * 4900;
    if (mix === "adversarial" && random() < 0.9) {
      // Cheap and badly fitting: the price part says "best", every other part says "worst".
      gpuCount = 512 + Math.floor(random() * 512);
      vramGb = 1024 + Math.floor(random() * 1024);
      features = [];
      milli = 100 + random() * 900;
    } else if (mix === "adversarial") {
      milli = 3000 + random() * 2000;
    }
    const availableHours = 1 + Math.floor(random() * 720);
    offers[i] = createOffer({
      providerId: `provider-${Math.floor(random() * providers)}`,
      gpuCapacity: {
        gpuCount,
        gpuModel: modelName(Math.floor(random() * MODELS)),
        vramGb,
        currentUtilization: Math.floor(random() * 101),
      },
      pricePerHour: milliMolt(milli),
      availableHours,
      minCommitmentHours: Math.min(availableHours, random() < 0.7 ? 1 : Math.floor(random() * 8)),
      createdAt: new Date(options.nowMs - Math.floor(random() * DAY_MS)),
      expiresAt: new Date(options.nowMs + DAY_MS + Math.floor(random() * 29 * DAY_MS)),
      features,
      location: { region: regionName(region), country: countryName(region % COUNTRIES) },
    });
  }
  return offers;
}

/** Orders against a mix: every GPU count, VRAM floor, feature set and place, a third with preferred models and a few with hard filters. */
export function generateMixOrders(mix: ShapeMix, options: { seed: number; orders: number; nowMs: number }): JobOrder[] {
  const random = seededRandom(options.seed);
  const orders = new Array<JobOrder>(options.orders);
  for (let i = 0; i < options.orders; i++) {
    const minGpuCount = 1 + Math.floor(random() * (mix === "adversarial" ? 8 : 16));
    const estimatedHours = 1 + Math.floor(random() * 48);
    const where = random();
    const region = Math.floor(random() * REGIONS);
    const preferred = random() < 0.3 ? [modelName(Math.floor(random() * MODELS)), modelName(Math.floor(random() * MODELS))] : [];
    const filtered = random();
    orders[i] = createOrder({
      buyerId: `buyer-${Math.floor(random() * 5000)}`,
      requirements: {
        minGpuCount,
        minVramGb: random() < 0.2 ? 0 : 8 + Math.floor(random() * 200),
        preferredModels: preferred,
        maxPricePerHour: milliMolt(1000 + random() * 5000),
        estimatedHours,
        requiredFeatures: FEATURES.filter(() => random() < 0.2),
        ...(where < 0.2
          ? { location: { region: regionName(region) } }
          : where < 0.3
            ? { location: { country: countryName(region % COUNTRIES) } }
            : {}),
        ...(filtered < 0.1 ? { gpuModels: [modelName(Math.floor(random() * MODELS)), ...preferred] } : {}),
        ...(filtered > 0.9 ? { minReputation: 0.4 } : {}),
      },
      createdAt: new Date(options.nowMs),
      expiresAt: new Date(options.nowMs + HOUR_MS),
      priority: Priority.Normal,
    });
  }
  return orders;
}
