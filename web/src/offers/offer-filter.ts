// The Offers table's filter and sort, pure: which offers pass the filter's fields, in what order.
// Prices compare as exact Amounts, never as floats.
import { Amount } from "../../../src/core/amount.js";
import type { OfferView } from "../../../src/contract/offers.js";

/** The filter's fields as the form holds them (text; empty = no constraint). */
export interface OfferFilter {
  readonly model: string;
  readonly minVramGb: string;
  readonly minFreeGpus: string;
  readonly maxPrice: string;
  readonly region: string;
  readonly features: readonly string[];
  readonly minReputation: string;
}

/** No constraint at all. */
export const NO_FILTER: OfferFilter = {
  model: "",
  minVramGb: "",
  minFreeGpus: "",
  maxPrice: "",
  region: "",
  features: [],
  minReputation: "",
};

/** The columns a table sorts by. */
export type OfferSortKey = "model" | "vram" | "gpus" | "price" | "region" | "reputation";

/** A sort: a column and its direction. */
export interface OfferSort {
  readonly key: OfferSortKey;
  readonly ascending: boolean;
}

function amountOrUndefined(text: string): Amount | undefined {
  try {
    return text.trim() === "" ? undefined : Amount.parse(text.trim());
  } catch {
    return undefined;
  }
}

function numberOrUndefined(text: string): number | undefined {
  const value = Number(text);
  return text.trim() === "" || !Number.isFinite(value) ? undefined : value;
}

/** Does `offer` pass every field of `filter` (an unparsable field constrains nothing)? `reputation` of its provider, 0.5 unknown. */
export function passes(offer: OfferView, filter: OfferFilter, reputation: number): boolean {
  const model = filter.model.trim().toLowerCase();
  if (model !== "" && !offer.gpuModel.toLowerCase().includes(model)) return false;
  const vram = numberOrUndefined(filter.minVramGb);
  if (vram !== undefined && offer.vramGb < vram) return false;
  const gpus = numberOrUndefined(filter.minFreeGpus);
  if (gpus !== undefined && offer.freeGpus < gpus) return false;
  const maxPrice = amountOrUndefined(filter.maxPrice);
  if (maxPrice !== undefined && Amount.parse(offer.pricePerHour).compare(maxPrice) > 0) return false;
  const region = filter.region.trim().toLowerCase();
  if (region !== "" && !(offer.region ?? "").toLowerCase().includes(region) && (offer.country ?? "").toLowerCase() !== region) return false;
  if (!filter.features.every((feature) => offer.features.includes(feature))) return false;
  const minReputation = numberOrUndefined(filter.minReputation);
  return minReputation === undefined || reputation >= minReputation;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The offers sorted by `sort` (ties by offer id, so the order is stable). A new array. */
export function sortOffers(offers: readonly OfferView[], sort: OfferSort, reputationOf: (provider: string) => number): OfferView[] {
  const by = (a: OfferView, b: OfferView): number => {
    switch (sort.key) {
      case "model":
        return compareText(a.gpuModel, b.gpuModel);
      case "vram":
        return a.vramGb - b.vramGb;
      case "gpus":
        return a.freeGpus - b.freeGpus;
      case "price":
        return Amount.parse(a.pricePerHour).compare(Amount.parse(b.pricePerHour));
      case "region":
        return compareText(a.region ?? "", b.region ?? "");
      case "reputation":
        return reputationOf(a.providerId) - reputationOf(b.providerId);
    }
  };
  return [...offers].sort((a, b) => (sort.ascending ? by(a, b) : by(b, a)) || compareText(a.offerId, b.offerId));
}
