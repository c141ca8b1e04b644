// The explanation of a miss in people's words: the error code it stands for, the constraint that
// emptied the order's results, a sentence, and the nearest offer (miss-diagnosis.ts finds them).
// Pure over the offer set, no I/O.
import { AMOUNT_MAX_BASE_UNITS, Amount } from "../core/amount.js";
import { featuresOfMask } from "../core/enums.js";
import type { Feature } from "../core/enums.js";
import type { OfferId } from "../core/ids.js";
import type { JobRequirements } from "../core/types.js";
import type { OfferSet } from "./offer-set.js";
import { MISS_SCAN_SLOTS_MAX } from "./miss-diagnosis.js";
import type { MissConstraint, MissFinding } from "./miss-diagnosis.js";

/** The offer nearest to passing the constraint that emptied an order's results. */
export interface NearestOffer {
  readonly offerId: OfferId;
  readonly providerId: string;
  readonly gpuModel: string;
  readonly freeGpuCount: number;
  readonly vramGb: number;
  readonly features: readonly Feature[];
  readonly pricePerHour: Amount;
  readonly region?: string;
  readonly availableHours: number;
  readonly minCommitmentHours: number;
  readonly providerReputation: number;
}

/**
 * Why an order or quote found no offer. Invariant: code is PRICE_EXCEEDS_BUDGET iff the constraint
 * is "price" or "budget" (an offer satisfies everything but what it costs), else NO_MATCHING_OFFERS.
 */
export interface MissExplanation {
  readonly code: "NO_MATCHING_OFFERS" | "PRICE_EXCEEDS_BUDGET";
  readonly constraint: MissConstraint;
  readonly message: string;
  readonly nearest?: NearestOffer;
  /** Models, regions or countries on offer, for those constraints (at most MISS_LIST_MAX). */
  readonly onOffer: readonly string[];
  /** No offer held now (active or paused), even with all its GPUs free, could fill the order: it waits for a new offer. */
  readonly restsIndefinitely: boolean;
  /** The diagnosis looked at the whole book (false past MISS_SCAN_SLOTS_MAX offer slots). */
  readonly complete: boolean;
}

function nearestOf(offers: OfferSet, slot: number): NearestOffer | undefined {
  if (slot < 0) return undefined;
  const t = offers.table;
  const region = t.region[slot] ?? 0;
  return {
    offerId: t.ids[slot] as OfferId,
    providerId: t.providers.valueOf(t.provider[slot] ?? 0),
    gpuModel: t.modelNames.valueOf(t.modelName[slot] ?? 0),
    freeGpuCount: t.freeGpus[slot] ?? 0,
    vramGb: t.vram[slot] ?? 0,
    features: featuresOfMask(t.mask[slot] ?? 0),
    pricePerHour: Amount.fromLamports(t.price[slot] ?? 0n),
    ...(region === 0 ? {} : { region: t.regions.valueOf(region) }),
    availableHours: t.availableHours[slot] ?? 0,
    minCommitmentHours: t.minCommitment[slot] ?? 0,
    providerReputation: offers.reputations.valueOf(t.provider[slot] ?? 0),
  };
}

/** "8 x H100 at 2.5": free GPUs, model and price per GPU-hour of an offer. */
function offerText(n: NearestOffer): string {
  return `${n.freeGpuCount} x ${n.gpuModel} at ${n.pricePerHour.toString()}`;
}

function sentence(
  constraint: MissConstraint,
  n: NearestOffer | undefined,
  r: JobRequirements,
  maxBudget: Amount | undefined,
  onOffer: readonly string[],
): string {
  const near = n === undefined ? "" : offerText(n);
  const listed = onOffer.length === 0 ? "none" : onOffer.join(", ");
  switch (constraint) {
    case "offers":
      return "no offer is active with free GPUs";
    case "gpuModels":
      return `no offer of model ${(r.gpuModels ?? []).join(" or ")} (models on offer: ${listed})`;
    case "gpuCount":
      return `no offer has ${r.minGpuCount} free GPUs (largest: ${near})`;
    case "vram":
      return `no offer has ${r.minVramGb} GB of VRAM per GPU (largest: ${n?.vramGb ?? 0} GB, ${near})`;
    case "features":
      return `no offer has all of ${r.requiredFeatures.join(", ")} (nearest: ${near}, with ${n === undefined || n.features.length === 0 ? "none" : n.features.join(", ")})`;
    case "region":
      return `no offer in region ${r.location?.region ?? ""} (regions on offer: ${listed})`;
    case "country":
      return `no offer in country ${r.location?.country ?? ""} (countries on offer: ${listed})`;
    case "providers":
      return r.providers?.allow !== undefined
        ? `no offer of the allowed providers fits (nearest: ${near} from ${n?.providerId ?? ""})`
        : `only denied providers have an offer that fits (nearest: ${near} from ${n?.providerId ?? ""})`;
    case "reputation":
      return `no offer's provider has reputation ${r.minReputation ?? 0} or more (highest: ${n?.providerReputation ?? 0}, ${near})`;
    case "hours":
      return `no offer takes a ${r.estimatedHours}-hour job (nearest: ${near}, for ${n?.minCommitmentHours ?? 0}..${n?.availableHours ?? 0} h)`;
    case "price":
      return `cheapest match costs ${n?.pricePerHour.toString() ?? ""} per GPU-hour, above your ${r.maxPricePerHour.toString()} (${near})`;
    case "budget": {
      const total = (n?.pricePerHour.baseUnits ?? 0n) * BigInt(r.minGpuCount) * BigInt(r.estimatedHours);
      return maxBudget === undefined || total > AMOUNT_MAX_BASE_UNITS
        ? `cheapest match costs more than the largest amount there is in all (${near})`
        : `cheapest match costs ${Amount.fromLamports(total).toString()} MOLT in all, above your budget ${maxBudget.toString()} (${near})`;
    }
  }
}

/** The explanation of a diagnosed miss (miss-diagnosis.ts), with its sentence and nearest offer. */
export function explanationOf(
  offers: OfferSet,
  finding: MissFinding,
  requirements: JobRequirements,
  maxBudget: Amount | undefined,
): MissExplanation {
  const nearest = nearestOf(offers, finding.nearestSlot);
  const { constraint, onOffer, restsIndefinitely, complete } = finding;
  let message = sentence(constraint, nearest, requirements, maxBudget, onOffer);
  if (restsIndefinitely) message += "; no offer in the book could fill it even with all its GPUs free: it waits for a new offer";
  if (!complete) message += ` (judged from the first ${MISS_SCAN_SLOTS_MAX} offers of a larger book)`;
  return {
    code: constraint === "price" || constraint === "budget" ? "PRICE_EXCEEDS_BUDGET" : "NO_MATCHING_OFFERS",
    constraint,
    message,
    ...(nearest === undefined ? {} : { nearest }),
    onOffer,
    restsIndefinitely,
    complete,
  };
}
