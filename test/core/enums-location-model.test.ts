// Enums (features, priorities, order and offer lifecycles), locations and GPU model names.
import { describe, expect, it } from "vitest";
import {
  FEATURES,
  Feature,
  OfferStatus,
  OrderStatus,
  PRIORITIES,
  assertOfferTransition,
  assertOrderTransition,
  canTransitionOffer,
  canTransitionOrder,
  featureMask,
  featuresOfMask,
  isFeature,
  parseFeature,
  parsePriority,
  priorityRank,
} from "../../src/core/enums.js";
import type { OfferStatus as OfferStatusT, OrderStatus as OrderStatusT } from "../../src/core/enums.js";
import { GPU_MODEL_LENGTH_MAX, normalizeGpuModel } from "../../src/core/gpu-model.js";
import {
  COUNTRY_CODE_COUNT,
  REGION_LENGTH_MAX,
  isCountryCode,
  parseCountry,
  parseLocation,
  parseLocationRequirement,
  parseRegion,
} from "../../src/core/location.js";
import { expectMarketError } from "../support/expect-error.js";

describe("features", () => {
  it("FEATURES lists the five features in bit order", () => {
    expect(FEATURES).toEqual(["NvLink", "Infiniband", "FP8", "HighBandwidthMemory", "DedicatedHost"]);
  });

  it("featureMask / featuresOfMask round-trip for all 32 masks", () => {
    const seen = new Set<string>();
    for (let mask = 0; mask < 32; mask++) {
      const features = featuresOfMask(mask);
      expect(featureMask(features)).toBe(mask);
      // In FEATURES order, without duplicates.
      expect(features).toEqual(FEATURES.filter((f) => features.includes(f)));
      expect(features).toHaveLength(
        mask
          .toString(2)
          .split("")
          .filter((b) => b === "1").length,
      );
      seen.add(features.join(","));
    }
    expect(seen.size).toBe(32);
  });

  it("featureMask sets bit i for FEATURES[i] and ignores duplicates and order", () => {
    expect(featureMask([])).toBe(0);
    expect(featureMask([Feature.NvLink])).toBe(1);
    expect(featureMask([Feature.DedicatedHost])).toBe(16);
    expect(featureMask([Feature.FP8, Feature.NvLink, Feature.FP8])).toBe(0b101);
    expect(featuresOfMask(0b11111)).toEqual(FEATURES);
  });

  it.each<[string, string]>([
    ["nvlink", "NvLink"],
    ["NVLINK", "NvLink"],
    ["NvLink", "NvLink"],
    ["fp8", "FP8"],
    ["ib", "Infiniband"],
    ["IB", "Infiniband"],
    ["infiniband", "Infiniband"],
    ["hbm", "HighBandwidthMemory"],
    ["highbandwidthmemory", "HighBandwidthMemory"],
    ["dedicated", "DedicatedHost"],
    ["dedicatedhost", "DedicatedHost"],
  ])("parseFeature(%j) -> %s", (input, feature) => {
    expect(parseFeature(input)).toBe(feature);
  });

  it.each(["", "nv-link", "warp-drive", " nvlink", "fp16", "__proto__", "constructor"])(
    "parseFeature(%j) throws INVALID_FIELD",
    (input) => {
      const e = expectMarketError(() => parseFeature(input), "INVALID_FIELD");
      expect(e.details.field).toBe("feature");
      expect(e.details.allowed).toContain("NvLink");
    },
  );

  it("parseFeature names the given field", () => {
    expect(expectMarketError(() => parseFeature("x", "features[2]"), "INVALID_FIELD").details.field).toBe("features[2]");
  });

  it("isFeature accepts only exact names", () => {
    expect(isFeature("FP8")).toBe(true);
    expect(isFeature("fp8")).toBe(false);
    expect(isFeature("ib")).toBe(false);
    expect(isFeature(1)).toBe(false);
  });
});

describe("priorities", () => {
  it("rank Low < Normal < High < Critical", () => {
    expect(PRIORITIES).toEqual(["Low", "Normal", "High", "Critical"]);
    expect(PRIORITIES.map(priorityRank)).toEqual([0, 1, 2, 3]);
  });

  it("parsePriority is case-insensitive and rejects unknown names", () => {
    expect(parsePriority("critical")).toBe("Critical");
    expect(parsePriority("LOW")).toBe("Low");
    expect(expectMarketError(() => parsePriority("Urgent"), "INVALID_FIELD").details.field).toBe("priority");
  });
});

const ORDER_STATUSES = Object.values(OrderStatus);
const ORDER_LIFECYCLE: readonly (readonly [OrderStatusT, OrderStatusT])[] = [
  ["Pending", "Matched"],
  ["Pending", "Cancelled"],
  ["Pending", "Expired"],
  ["Matched", "Escrowed"],
  ["Matched", "Expired"],
  ["Matched", "Cancelled"],
  ["Escrowed", "Running"],
  ["Escrowed", "Failed"],
  ["Running", "Completed"],
  ["Running", "Failed"],
  ["Completed", "Settled"],
  ["Completed", "Disputed"],
  ["Failed", "Refunded"],
  ["Failed", "Settled"],
  ["Failed", "Disputed"],
  ["Disputed", "Resolved"],
];
const OFFER_STATUSES = Object.values(OfferStatus);
const OFFER_LIFECYCLE: readonly (readonly [OfferStatusT, OfferStatusT])[] = [
  ["Active", "Paused"],
  ["Active", "Withdrawn"],
  ["Active", "Expired"],
  ["Paused", "Active"],
  ["Paused", "Withdrawn"],
  ["Paused", "Expired"],
];

describe("order transitions", () => {
  it("has the twelve statuses", () => {
    expect(ORDER_STATUSES).toHaveLength(12);
  });

  it("canTransitionOrder is true exactly for the lifecycle edges (all 144 pairs)", () => {
    const legal = new Set(ORDER_LIFECYCLE.map(([from, to]) => `${from}->${to}`));
    const allowed: string[] = [];
    for (const from of ORDER_STATUSES) {
      for (const to of ORDER_STATUSES) {
        const can = canTransitionOrder(from, to);
        expect(can, `${from}->${to}`).toBe(legal.has(`${from}->${to}`));
        if (can) allowed.push(`${from}->${to}`);
      }
    }
    expect(allowed.sort()).toEqual([...legal].sort());
  });

  it("assertOrderTransition passes legal edges and throws INVALID_STATE_TRANSITION for the rest", () => {
    const legal = new Set(ORDER_LIFECYCLE.map(([from, to]) => `${from}->${to}`));
    for (const from of ORDER_STATUSES) {
      for (const to of ORDER_STATUSES) {
        if (legal.has(`${from}->${to}`)) {
          expect(() => {
            assertOrderTransition(from, to);
          }).not.toThrow();
        } else {
          const e = expectMarketError(() => {
            assertOrderTransition(from, to);
          }, "INVALID_STATE_TRANSITION");
          expect(e.details).toEqual({ entity: "order", from, to });
          expect(e.httpStatus).toBe(409);
        }
      }
    }
  });

  it("terminal statuses go nowhere and nothing stays in place", () => {
    for (const terminal of ["Settled", "Refunded", "Resolved", "Cancelled", "Expired"] as const) {
      for (const to of ORDER_STATUSES) expect(canTransitionOrder(terminal, to)).toBe(false);
    }
    for (const status of ORDER_STATUSES) expect(canTransitionOrder(status, status)).toBe(false);
  });
});

describe("offer transitions", () => {
  it("canTransitionOffer is true exactly for the lifecycle edges (all 16 pairs)", () => {
    const legal = new Set(OFFER_LIFECYCLE.map(([from, to]) => `${from}->${to}`));
    for (const from of OFFER_STATUSES) {
      for (const to of OFFER_STATUSES) {
        expect(canTransitionOffer(from, to), `${from}->${to}`).toBe(legal.has(`${from}->${to}`));
        if (legal.has(`${from}->${to}`)) {
          expect(() => {
            assertOfferTransition(from, to);
          }).not.toThrow();
        } else {
          const e = expectMarketError(() => {
            assertOfferTransition(from, to);
          }, "INVALID_STATE_TRANSITION");
          expect(e.details).toEqual({ entity: "offer", from, to });
        }
      }
    }
  });
});

describe("location", () => {
  it("accepts exactly the 249 ISO 3166-1 alpha-2 codes", () => {
    expect(COUNTRY_CODE_COUNT).toBe(249);
    let accepted = 0;
    for (let a = 65; a <= 90; a++) {
      for (let b = 65; b <= 90; b++) {
        if (isCountryCode(String.fromCharCode(a, b))) accepted++;
      }
    }
    expect(accepted).toBe(249);
    for (const code of ["US", "DE", "JP", "GB", "SS", "AX", "BQ", "CW", "SX"]) expect(isCountryCode(code), code).toBe(true);
    for (const code of ["UK", "EU", "XK", "ZZ", "AA", "us"]) expect(isCountryCode(code), code).toBe(false);
  });

  it("parseCountry uppercases valid codes", () => {
    expect(parseCountry("us")).toBe("US");
    expect(parseCountry("De")).toBe("DE");
    expect(parseCountry("JP")).toBe("JP");
  });

  it.each<[string, unknown]>([
    ["XX", "XX"],
    ["USA", "USA"],
    ["empty", ""],
    ["U", "U"],
    [" US", " US"],
    ["a number", 840],
    ["null", null],
  ])("parseCountry rejects %s with INVALID_FIELD", (_name, value) => {
    const e = expectMarketError(() => parseCountry(value), "INVALID_FIELD");
    expect(e.details.field).toBe("location.country");
  });

  // parseCountry uppercases before checking, and Unicode case mapping turns some single non-ASCII
  // characters into two ASCII letters: "ß" -> "SS" (South Sudan), "ﬁ" -> "FI" (Finland).
  it('parseCountry rejects non-ASCII input that uppercases to a code ("ß" -> "SS")', () => {
    expectMarketError(() => parseCountry("ß"), "INVALID_FIELD");
    expectMarketError(() => parseCountry("ﬁ"), "INVALID_FIELD");
  });

  it("parseRegion lowercases valid names", () => {
    expect(parseRegion("US-East-1")).toBe("us-east-1");
    expect(parseRegion("eu-west-2")).toBe("eu-west-2");
    expect(parseRegion("a")).toBe("a");
    expect(parseRegion("a".repeat(REGION_LENGTH_MAX))).toBe("a".repeat(REGION_LENGTH_MAX));
  });

  it.each<[string, unknown]>([
    ["a space", "us east"],
    ["empty", ""],
    ["a leading dash", "-a"],
    ["a trailing dash", "a-"],
    ["a double dash", "us--east"],
    ["an underscore", "us_east"],
    ["65 characters", "a".repeat(REGION_LENGTH_MAX + 1)],
    ["a number", 1],
  ])("parseRegion rejects %s with INVALID_FIELD", (_name, value) => {
    const e = expectMarketError(() => parseRegion(value), "INVALID_FIELD");
    expect(e.details.field).toBe("location.region");
  });

  it("parseLocation normalizes both parts and names the bad one", () => {
    const location = parseLocation({ region: "US-West-2", country: "us" });
    expect(location).toEqual({ region: "us-west-2", country: "US" });
    expect(Object.isFrozen(location)).toBe(true);
    expect(expectMarketError(() => parseLocation({ region: "us-west-2", country: "ZZ" }), "INVALID_FIELD").details.field).toBe(
      "location.country",
    );
    expect(expectMarketError(() => parseLocation({ country: "US" }), "INVALID_FIELD").details.field).toBe("location.region");
    expect(expectMarketError(() => parseLocation(null), "INVALID_FIELD").details.field).toBe("location");
  });

  it("parseLocationRequirement needs a region or a country", () => {
    expect(expectMarketError(() => parseLocationRequirement({}), "INVALID_FIELD").details.field).toBe("requirements.location");
    expectMarketError(() => parseLocationRequirement(null), "INVALID_FIELD");
    expectMarketError(() => parseLocationRequirement("us-east-1"), "INVALID_FIELD");
    const regionOnly = parseLocationRequirement({ region: "us-east-1" });
    expect(regionOnly).toEqual({ region: "us-east-1" });
    expect("country" in regionOnly).toBe(false);
    expect(Object.isFrozen(regionOnly)).toBe(true);
    expect(parseLocationRequirement({ country: "de" })).toEqual({ country: "DE" });
    expect(parseLocationRequirement({ region: "EU-Central-1", country: "de" })).toEqual({ region: "eu-central-1", country: "DE" });
    expect(expectMarketError(() => parseLocationRequirement({ country: "XX" }), "INVALID_FIELD").details.field).toBe(
      "requirements.location.country",
    );
  });
});

describe("normalizeGpuModel", () => {
  it.each<[string, string]>([
    ["NVIDIA H100 80GB HBM3", "H100"],
    ["h100-sxm5", "H100"],
    ["H100", "H100"],
    ["H100 PCIe", "H100"],
    ["NVIDIA GeForce RTX 4090", "RTX4090"],
    ["RTX 4090", "RTX4090"],
    ["A100-SXM4-80GB", "A100"],
    ["NVIDIA A100 40GB PCIe", "A100"],
    ["AMD Instinct MI300X", "MI300X"],
    ["L40S", "L40S"],
    ["  l40s  ", "L40S"],
  ])("%j -> %s", (name, key) => {
    expect(normalizeGpuModel(name)).toBe(key);
    // A second call (served from the cache) gives the same key.
    expect(normalizeGpuModel(name)).toBe(key);
  });

  it.each<[string, unknown]>([
    ["empty", ""],
    ["only a vendor", "NVIDIA"],
    ["only noise", "NVIDIA 80GB PCIe"],
    ["only punctuation", " - "],
    ["65 characters", `H${"1".repeat(GPU_MODEL_LENGTH_MAX)}`],
    ["a control character", "H100\n"],
    ["a number", 100],
    ["null", null],
  ])("rejects %s with INVALID_FIELD", (_name, value) => {
    const e = expectMarketError(() => normalizeGpuModel(value), "INVALID_FIELD");
    expect(e.details.field).toBe("gpuCapacity.gpuModel");
  });

  it("accepts a 64-character name and names the given field on error", () => {
    expect(normalizeGpuModel(`H${"1".repeat(GPU_MODEL_LENGTH_MAX - 1)}`)).toBe(`H${"1".repeat(GPU_MODEL_LENGTH_MAX - 1)}`);
    expect(expectMarketError(() => normalizeGpuModel("", "requirements.preferredModels[3]"), "INVALID_FIELD").details.field).toBe(
      "requirements.preferredModels[3]",
    );
  });
});
