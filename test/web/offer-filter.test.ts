// The Offers page's pure parts: which offers pass the filter (prices compared exactly, an
// unparsable field constraining nothing), the sort with its stable tie-break, and the quote form's
// query and order.
import { describe, expect, it } from "vitest";
import type { OfferView } from "../../src/contract/offers.js";
import { NO_FILTER, passes, sortOffers } from "../../web/src/offers/offer-filter.js";
import { orderOf, quoteQuery } from "../../web/src/offers/quote-fields.js";

function offer(id: string, patch: Partial<OfferView>): OfferView {
  return {
    offerId: id,
    providerId: `prov-${id}`,
    status: "Active",
    gpuModel: "NVIDIA H100 80GB",
    gpuCount: 8,
    freeGpus: 8,
    vramGb: 80,
    pricePerHour: "2",
    availableHours: 24,
    minCommitmentHours: 1,
    features: [],
    createdAt: "2026-12-01T00:00:00.000Z",
    expiresAt: "2026-12-08T00:00:00.000Z",
    ...patch,
  };
}

describe("offer filter", () => {
  const a = offer("a", {
    gpuModel: "NVIDIA A100 40GB",
    vramGb: 40,
    freeGpus: 2,
    pricePerHour: "1.000000001",
    region: "eu-west-1",
    country: "IE",
  });
  const b = offer("b", { pricePerHour: "1", features: ["NvLink", "FP8"], region: "us-east-1", country: "US" });

  it("applies each field, prices to the base unit", () => {
    expect(passes(a, NO_FILTER, 0.5)).toBe(true);
    expect(passes(a, { ...NO_FILTER, model: "a100" }, 0.5)).toBe(true);
    expect(passes(b, { ...NO_FILTER, model: "a100" }, 0.5)).toBe(false);
    expect(passes(a, { ...NO_FILTER, maxPrice: "1" }, 0.5)).toBe(false);
    expect(passes(b, { ...NO_FILTER, maxPrice: "1" }, 0.5)).toBe(true);
    expect(passes(a, { ...NO_FILTER, minVramGb: "41" }, 0.5)).toBe(false);
    expect(passes(a, { ...NO_FILTER, minFreeGpus: "3" }, 0.5)).toBe(false);
    expect(passes(a, { ...NO_FILTER, region: "IE" }, 0.5)).toBe(true);
    expect(passes(a, { ...NO_FILTER, region: "us-" }, 0.5)).toBe(false);
    expect(passes(b, { ...NO_FILTER, features: ["FP8"] }, 0.5)).toBe(true);
    expect(passes(a, { ...NO_FILTER, features: ["FP8"] }, 0.5)).toBe(false);
    expect(passes(a, { ...NO_FILTER, minReputation: "0.6" }, 0.5)).toBe(false);
    expect(passes(a, { ...NO_FILTER, minReputation: "0.6" }, 0.7)).toBe(true);
  });

  it("treats a field it cannot read as no constraint", () => {
    expect(passes(a, { ...NO_FILTER, maxPrice: "cheap", minVramGb: "x", minReputation: "?" }, 0)).toBe(true);
  });

  it("sorts by a column either way, ties by offer id", () => {
    const c = offer("c", { pricePerHour: "1" });
    const reputation = (provider: string): number => (provider === "prov-a" ? 0.9 : 0.5);
    expect(sortOffers([a, c, b], { key: "price", ascending: true }, reputation).map((o) => o.offerId)).toEqual(["b", "c", "a"]);
    expect(sortOffers([a, c, b], { key: "price", ascending: false }, reputation).map((o) => o.offerId)).toEqual(["a", "b", "c"]);
    expect(sortOffers([b, c, a], { key: "reputation", ascending: false }, reputation).map((o) => o.offerId)).toEqual(["a", "b", "c"]);
    expect(sortOffers([b, a], { key: "vram", ascending: true }, reputation).map((o) => o.offerId)).toEqual(["a", "b"]);
  });
});

describe("quote fields", () => {
  const fields = { gpus: "2", vram: "0", hours: "3", maxPrice: " 2.5 ", models: "H100, A100,", features: "NvLink", region: " eu-west-1 " };

  it("make the quote's query, leaving out what is empty", () => {
    expect(quoteQuery(fields, 10)).toEqual({
      gpus: "2",
      vram: undefined,
      hours: "3",
      maxPrice: "2.5",
      models: "H100,A100",
      features: "NvLink",
      region: "eu-west-1",
      limit: 10,
    });
  });

  it("make the order with the same requirements, and refuse an unknown feature", () => {
    expect(orderOf(fields)).toEqual({
      requirements: {
        minGpuCount: 2,
        minVramGb: 0,
        maxPricePerHour: "2.5",
        estimatedHours: 3,
        gpuModels: ["H100", "A100"],
        requiredFeatures: ["NvLink"],
        location: { region: "eu-west-1" },
      },
    });
    expect(() => orderOf({ ...fields, features: "Teleport" })).toThrow(expect.objectContaining({ code: "INVALID_FIELD" }) as Error);
  });
});
