// createOffer / parseOffer / createOrder / parseOrder: defaults, normalization, freezing, and the
// boundary of every client-set field (each error naming its field).
import { describe, expect, it } from "vitest";
import { Amount } from "../../src/core/amount.js";
import { DAY_MS, HOUR_MS, ManualClock } from "../../src/core/clock.js";
import type { MarketErrorCode } from "../../src/core/errors.js";
import type { Priority } from "../../src/core/enums.js";
import { isOfferId, isOrderId, newOfferId, newOrderId } from "../../src/core/ids.js";
import {
  OFFER_TTL_DEFAULT_MS,
  OFFER_TTL_MAX_MS,
  ORDER_TTL_DEFAULT_MS,
  ORDER_TTL_MAX_MS,
  PARTY_ID_LENGTH_MAX,
  PREFERRED_MODELS_MAX,
} from "../../src/core/limits.js";
import { createOffer, parseOffer } from "../../src/core/offer.js";
import type { CreateOfferInput } from "../../src/core/offer.js";
import { createOrder, parseOrder, parseRequirements } from "../../src/core/order.js";
import type { CreateOrderInput, RequirementsInput } from "../../src/core/order.js";
import type { GpuCapacity } from "../../src/core/types.js";
import { isValidated } from "../../src/core/validate.js";
import { expectMarketError, fieldOf } from "../support/expect-error.js";

const T0 = Date.parse("2026-03-01T12:00:00.000Z");
const clock = new ManualClock(T0);

function offerInput(patch: Partial<CreateOfferInput> = {}): CreateOfferInput {
  return {
    providerId: "provider-1",
    gpuCapacity: { gpuCount: 8, gpuModel: "NVIDIA H100 80GB HBM3", vramGb: 80 },
    pricePerHour: "2.5",
    availableHours: 24,
    ...patch,
  };
}

function withCapacity(patch: Partial<GpuCapacity>): CreateOfferInput {
  return offerInput({ gpuCapacity: { gpuCount: 8, gpuModel: "H100", vramGb: 80, ...patch } });
}

function orderInput(patch: Partial<CreateOrderInput> = {}): CreateOrderInput {
  return { buyerId: "buyer-1", requirements: { minGpuCount: 4, maxPricePerHour: "15", estimatedHours: 8 }, ...patch };
}

function withRequirements(patch: Partial<RequirementsInput>): CreateOrderInput {
  return orderInput({ requirements: { minGpuCount: 4, maxPricePerHour: "15", estimatedHours: 8, ...patch } });
}

const at = (ms: number): Date => new Date(ms);

describe("createOffer", () => {
  it("fills id, timestamps, status and defaults from the clock", () => {
    const offer = createOffer(offerInput(), { clock });
    expect(isOfferId(offer.id)).toBe(true);
    expect(offer.createdAt.getTime()).toBe(T0);
    expect(offer.expiresAt.getTime()).toBe(T0 + OFFER_TTL_DEFAULT_MS);
    expect(OFFER_TTL_DEFAULT_MS).toBe(7 * DAY_MS);
    expect(offer.status).toBe("Active");
    expect(offer.minCommitmentHours).toBe(1);
    expect(offer.features).toEqual([]);
    expect(offer.location).toBeUndefined();
    expect(offer.providerId).toBe("provider-1");
    expect(offer.availableHours).toBe(24);
    expect(offer.pricePerHour).toBeInstanceOf(Amount);
    expect(offer.pricePerHour.toString()).toBe("2.5");
    expect(offer.gpuCapacity).toEqual({ gpuCount: 8, gpuModel: "NVIDIA H100 80GB HBM3", vramGb: 80 });
  });

  it("follows the clock and gives each offer a new id", () => {
    const c = new ManualClock(T0);
    const first = createOffer(offerInput(), { clock: c });
    c.advance(HOUR_MS);
    const second = createOffer(offerInput(), { clock: c });
    expect(second.createdAt.getTime()).toBe(T0 + HOUR_MS);
    expect(second.expiresAt.getTime()).toBe(T0 + HOUR_MS + OFFER_TTL_DEFAULT_MS);
    expect(second.id).not.toBe(first.id);
  });

  it("takes createdAt, expiresAt, id and minCommitmentHours when given", () => {
    const id = newOfferId(T0);
    const offer = createOffer(
      offerInput({ id, createdAt: "2026-03-02T00:00:00Z", expiresAt: at(Date.parse("2026-03-03T00:00:00Z")), minCommitmentHours: 0 }),
      { clock },
    );
    expect(offer.id).toBe(id);
    expect(offer.createdAt.toISOString()).toBe("2026-03-02T00:00:00.000Z");
    expect(offer.expiresAt.toISOString()).toBe("2026-03-03T00:00:00.000Z");
    expect(offer.minCommitmentHours).toBe(0);
    expectMarketError(() => createOffer(offerInput({ id: "ofr_bad" }), { clock }), "INVALID_ID");
    expectMarketError(() => createOffer(offerInput({ id: String(newOrderId(T0)) }), { clock }), "INVALID_ID");
  });

  it("normalizes features (case, aliases, duplicates) into FEATURES order", () => {
    const offer = createOffer(offerInput({ features: ["fp8", "NvLink", "FP8", "ib", "nvlink", "dedicated"] }), { clock });
    expect(offer.features).toEqual(["NvLink", "Infiniband", "FP8", "DedicatedHost"]);
  });

  it("normalizes the location and trims the model name", () => {
    const offer = createOffer(
      offerInput({ location: { region: "US-East-1", country: "us" }, gpuCapacity: { gpuCount: 1, gpuModel: "  L40S ", vramGb: 48 } }),
      { clock },
    );
    expect(offer.location).toEqual({ region: "us-east-1", country: "US" });
    expect(offer.gpuCapacity.gpuModel).toBe("L40S");
  });

  it("keeps optional capacity fields", () => {
    const offer = createOffer(withCapacity({ computeCapability: "9.0", memoryBandwidth: 3350, currentUtilization: 0 }), { clock });
    expect(offer.gpuCapacity).toEqual({
      gpuCount: 8,
      gpuModel: "H100",
      vramGb: 80,
      computeCapability: "9.0",
      memoryBandwidth: 3350,
      currentUtilization: 0,
    });
  });

  it("returns a frozen offer with frozen parts, marked as validated", () => {
    const offer = createOffer(offerInput({ features: ["nvlink"], location: { region: "eu-west-1", country: "IE" } }), { clock });
    expect(Object.isFrozen(offer)).toBe(true);
    expect(Object.isFrozen(offer.gpuCapacity)).toBe(true);
    expect(Object.isFrozen(offer.features)).toBe(true);
    expect(Object.isFrozen(offer.location)).toBe(true);
    expect(() => offer.createdAt.setTime(0)).toThrow(TypeError);
    expect(() => offer.expiresAt.setUTCFullYear(2030)).toThrow(TypeError);
    expect(isValidated(offer, "offer")).toBe(true);
    expect(isValidated(offer, "order")).toBe(false);
    expect(() => {
      (offer as unknown as { status: string }).status = "Paused";
    }).toThrow(TypeError);
    expect(() => {
      (offer.features as string[]).push("FP8");
    }).toThrow(TypeError);
    expect(() => {
      (offer.gpuCapacity as { gpuCount: number }).gpuCount = 1024;
    }).toThrow(TypeError);
    expect(offer.status).toBe("Active");
  });

  // Object.freeze does not protect a Date's internal time value, so a "frozen" offer's
  // createdAt/expiresAt can still be changed with setTime (markValidated claims a deep freeze).
  it("the timestamps of a frozen offer cannot be changed", () => {
    const offer = createOffer(offerInput(), { clock });
    const expiresAt = offer.expiresAt.getTime();
    try {
      offer.expiresAt.setTime(expiresAt + 365 * DAY_MS);
    } catch {
      // A throw here would be the correct behaviour.
    }
    expect(offer.expiresAt.getTime()).toBe(expiresAt);
  });

  it("does not freeze or change the caller's input", () => {
    const input = { ...offerInput(), features: ["fp8", "nvlink"] };
    const offer = createOffer(input, { clock });
    expect(Object.isFrozen(input)).toBe(false);
    expect(Object.isFrozen(input.gpuCapacity)).toBe(false);
    expect(Object.isFrozen(input.features)).toBe(false);
    expect(input.features).toEqual(["fp8", "nvlink"]);
    expect(offer.gpuCapacity).not.toBe(input.gpuCapacity);
  });
});

interface Rejection {
  readonly name: string;
  readonly input: CreateOfferInput;
  readonly code: MarketErrorCode;
  readonly field?: string;
}

const OFFER_REJECTIONS: readonly Rejection[] = [
  { name: "gpuCount 0", input: withCapacity({ gpuCount: 0 }), code: "OUT_OF_RANGE", field: "gpuCapacity.gpuCount" },
  { name: "gpuCount 1025", input: withCapacity({ gpuCount: 1025 }), code: "OUT_OF_RANGE", field: "gpuCapacity.gpuCount" },
  { name: "gpuCount 1.5", input: withCapacity({ gpuCount: 1.5 }), code: "OUT_OF_RANGE", field: "gpuCapacity.gpuCount" },
  { name: "vramGb 0", input: withCapacity({ vramGb: 0 }), code: "OUT_OF_RANGE", field: "gpuCapacity.vramGb" },
  { name: "vramGb 2049", input: withCapacity({ vramGb: 2049 }), code: "OUT_OF_RANGE", field: "gpuCapacity.vramGb" },
  { name: "gpuModel NVIDIA", input: withCapacity({ gpuModel: "NVIDIA" }), code: "INVALID_FIELD", field: "gpuCapacity.gpuModel" },
  { name: "pricePerHour 0", input: offerInput({ pricePerHour: "0" }), code: "INVALID_FIELD", field: "pricePerHour" },
  { name: "pricePerHour zero Amount", input: offerInput({ pricePerHour: Amount.zero() }), code: "INVALID_FIELD", field: "pricePerHour" },
  { name: "pricePerHour abc", input: offerInput({ pricePerHour: "abc" }), code: "INVALID_AMOUNT" },
  { name: "pricePerHour -1", input: offerInput({ pricePerHour: "-1" }), code: "INVALID_AMOUNT" },
  {
    name: "pricePerHour a number",
    input: offerInput({ pricePerHour: 2.5 as unknown as string }),
    code: "INVALID_FIELD",
    field: "pricePerHour",
  },
  { name: "availableHours 0", input: offerInput({ availableHours: 0 }), code: "OUT_OF_RANGE", field: "availableHours" },
  { name: "availableHours 8785", input: offerInput({ availableHours: 8785 }), code: "OUT_OF_RANGE", field: "availableHours" },
  {
    name: "minCommitmentHours > availableHours",
    input: offerInput({ availableHours: 10, minCommitmentHours: 11 }),
    code: "OUT_OF_RANGE",
    field: "minCommitmentHours",
  },
  { name: "minCommitmentHours -1", input: offerInput({ minCommitmentHours: -1 }), code: "OUT_OF_RANGE", field: "minCommitmentHours" },
  { name: "expiresAt = createdAt", input: offerInput({ expiresAt: at(T0) }), code: "INVALID_FIELD", field: "expiresAt" },
  { name: "expiresAt < createdAt", input: offerInput({ expiresAt: at(T0 - 1) }), code: "INVALID_FIELD", field: "expiresAt" },
  {
    name: "expiresAt 366 days + 1 ms later",
    input: offerInput({ expiresAt: at(T0 + OFFER_TTL_MAX_MS + 1) }),
    code: "INVALID_FIELD",
    field: "expiresAt",
  },
  { name: "expiresAt not a date", input: offerInput({ expiresAt: "next tuesday" }), code: "INVALID_FIELD", field: "expiresAt" },
  { name: "createdAt not a date", input: offerInput({ createdAt: "yesterday" }), code: "INVALID_FIELD", field: "createdAt" },
  { name: "providerId empty", input: offerInput({ providerId: "" }), code: "INVALID_FIELD", field: "providerId" },
  { name: "providerId padded", input: offerInput({ providerId: " padded" }), code: "INVALID_FIELD", field: "providerId" },
  { name: "providerId trailing space", input: offerInput({ providerId: "padded " }), code: "INVALID_FIELD", field: "providerId" },
  {
    name: "providerId 129 chars",
    input: offerInput({ providerId: "p".repeat(PARTY_ID_LENGTH_MAX + 1) }),
    code: "INVALID_FIELD",
    field: "providerId",
  },
  { name: "providerId control char", input: offerInput({ providerId: "a\u0000b" }), code: "INVALID_FIELD", field: "providerId" },
  { name: "unknown feature", input: offerInput({ features: ["NvLink", "warp-drive"] }), code: "INVALID_FIELD", field: "features[1]" },
  {
    name: "location country ZZ",
    input: offerInput({ location: { region: "us-east-1", country: "ZZ" } }),
    code: "INVALID_FIELD",
    field: "location.country",
  },
  {
    name: "location region bad",
    input: offerInput({ location: { region: "us east", country: "US" } }),
    code: "INVALID_FIELD",
    field: "location.region",
  },
  {
    name: "currentUtilization 101",
    input: withCapacity({ currentUtilization: 101 }),
    code: "OUT_OF_RANGE",
    field: "gpuCapacity.currentUtilization",
  },
  {
    name: "currentUtilization -1",
    input: withCapacity({ currentUtilization: -1 }),
    code: "OUT_OF_RANGE",
    field: "gpuCapacity.currentUtilization",
  },
  { name: "memoryBandwidth 0", input: withCapacity({ memoryBandwidth: 0 }), code: "OUT_OF_RANGE", field: "gpuCapacity.memoryBandwidth" },
  {
    name: "computeCapability nine",
    input: withCapacity({ computeCapability: "nine" }),
    code: "INVALID_FIELD",
    field: "gpuCapacity.computeCapability",
  },
  {
    name: "computeCapability 9",
    input: withCapacity({ computeCapability: "9" }),
    code: "INVALID_FIELD",
    field: "gpuCapacity.computeCapability",
  },
];

describe("createOffer boundaries", () => {
  it.each(OFFER_REJECTIONS)("rejects $name with $code", ({ input, code, field }) => {
    const e = expectMarketError(() => createOffer(input, { clock }), code);
    if (field !== undefined) expect(fieldOf(e)).toBe(field);
  });

  it("INVALID_AMOUNT for a malformed price carries the input", () => {
    const e = expectMarketError(() => createOffer(offerInput({ pricePerHour: "abc" }), { clock }), "INVALID_AMOUNT");
    expect(e.details.input).toBe("abc");
  });

  it("OUT_OF_RANGE details give the bounds", () => {
    const e = expectMarketError(() => createOffer(withCapacity({ gpuCount: 1025 }), { clock }), "OUT_OF_RANGE");
    expect(e.details).toEqual({ field: "gpuCapacity.gpuCount", value: "1025", min: "1", max: "1024" });
    const m = expectMarketError(() => createOffer(offerInput({ availableHours: 10, minCommitmentHours: 11 }), { clock }), "OUT_OF_RANGE");
    expect(m.details).toMatchObject({ min: "0", max: "10" });
  });

  it.each<[string, CreateOfferInput]>([
    ["gpuCount 1", withCapacity({ gpuCount: 1 })],
    ["gpuCount 1024", withCapacity({ gpuCount: 1024 })],
    ["vramGb 1", withCapacity({ vramGb: 1 })],
    ["vramGb 2048", withCapacity({ vramGb: 2048 })],
    ["pricePerHour 0.000000001", offerInput({ pricePerHour: "0.000000001" })],
    ["pricePerHour as Amount", offerInput({ pricePerHour: Amount.fromMolt(3) })],
    ["availableHours 1", offerInput({ availableHours: 1 })],
    ["availableHours 8784", offerInput({ availableHours: 8784 })],
    ["minCommitmentHours = availableHours", offerInput({ availableHours: 10, minCommitmentHours: 10 })],
    ["expiresAt createdAt + 1 ms", offerInput({ expiresAt: at(T0 + 1) })],
    ["expiresAt exactly 366 days later", offerInput({ expiresAt: at(T0 + OFFER_TTL_MAX_MS) })],
    ["providerId 128 chars", offerInput({ providerId: "p".repeat(PARTY_ID_LENGTH_MAX) })],
    ["providerId with inner spaces", offerInput({ providerId: "acme gpu co" })],
    ["currentUtilization 100", withCapacity({ currentUtilization: 100 })],
    ["computeCapability 10.0", withCapacity({ computeCapability: "10.0" })],
  ])("accepts %s", (_name, input) => {
    const offer = createOffer(input, { clock });
    expect(offer.status).toBe("Active");
    expect(offer.gpuCapacity.gpuCount).toBe(input.gpuCapacity.gpuCount);
    expect(offer.gpuCapacity.vramGb).toBe(input.gpuCapacity.vramGb);
    expect(offer.availableHours).toBe(input.availableHours);
    expect(offer.providerId).toBe(input.providerId);
  });
});

describe("createOrder", () => {
  it("fills id, timestamps, status, priority and requirement defaults", () => {
    const order = createOrder(orderInput(), { clock });
    expect(isOrderId(order.id)).toBe(true);
    expect(order.status).toBe("Pending");
    expect(order.priority).toBe("Normal");
    expect(order.createdAt.getTime()).toBe(T0);
    expect(order.expiresAt.getTime()).toBe(T0 + HOUR_MS);
    expect(ORDER_TTL_DEFAULT_MS).toBe(HOUR_MS);
    expect(order.maxBudget).toBeUndefined();
    expect(order.buyerId).toBe("buyer-1");
    const r = order.requirements;
    expect(r.minGpuCount).toBe(4);
    expect(r.minVramGb).toBe(0);
    expect(r.preferredModels).toEqual([]);
    expect(r.requiredFeatures).toEqual([]);
    expect(r.location).toBeUndefined();
    expect(r.estimatedHours).toBe(8);
    expect(r.maxPricePerHour.toString()).toBe("15");
  });

  it("returns a frozen order with frozen requirements and lists", () => {
    const order = createOrder(withRequirements({ preferredModels: ["H100"], requiredFeatures: ["fp8"], location: { country: "us" } }), {
      clock,
    });
    expect(Object.isFrozen(order)).toBe(true);
    expect(Object.isFrozen(order.requirements)).toBe(true);
    expect(Object.isFrozen(order.requirements.preferredModels)).toBe(true);
    expect(Object.isFrozen(order.requirements.requiredFeatures)).toBe(true);
    expect(Object.isFrozen(order.requirements.location)).toBe(true);
    expect(isValidated(order, "order")).toBe(true);
    expect(isValidated(order.requirements, "requirements")).toBe(true);
    expect(() => {
      (order as unknown as { status: string }).status = "Matched";
    }).toThrow(TypeError);
  });

  it("normalizes requirements", () => {
    const order = createOrder(
      withRequirements({
        minVramGb: 0,
        preferredModels: [" H100 ", "RTX 4090"],
        requiredFeatures: ["dedicated", "hbm", "HighBandwidthMemory"],
        location: { region: "US-East-1" },
      }),
      { clock },
    );
    expect(order.requirements.minVramGb).toBe(0);
    expect(order.requirements.preferredModels).toEqual(["H100", "RTX 4090"]);
    expect(order.requirements.requiredFeatures).toEqual(["HighBandwidthMemory", "DedicatedHost"]);
    expect(order.requirements.location).toEqual({ region: "us-east-1" });
  });

  it("takes priority, maxBudget and expiresAt when given", () => {
    for (const priority of ["Low", "Normal", "High", "Critical"] as const) {
      expect(createOrder(orderInput({ priority }), { clock }).priority).toBe(priority);
    }
    const order = createOrder(orderInput({ maxBudget: "480", expiresAt: at(T0 + ORDER_TTL_MAX_MS) }), { clock });
    expect(order.maxBudget?.toString()).toBe("480");
    expect(order.expiresAt.getTime()).toBe(T0 + 30 * DAY_MS);
  });

  it.each<[string, CreateOrderInput, MarketErrorCode, string | undefined]>([
    ["minGpuCount 0", withRequirements({ minGpuCount: 0 }), "OUT_OF_RANGE", "requirements.minGpuCount"],
    ["minGpuCount 1025", withRequirements({ minGpuCount: 1025 }), "OUT_OF_RANGE", "requirements.minGpuCount"],
    ["minVramGb -1", withRequirements({ minVramGb: -1 }), "OUT_OF_RANGE", "requirements.minVramGb"],
    ["minVramGb 2049", withRequirements({ minVramGb: 2049 }), "OUT_OF_RANGE", "requirements.minVramGb"],
    ["estimatedHours 0", withRequirements({ estimatedHours: 0 }), "OUT_OF_RANGE", "requirements.estimatedHours"],
    ["estimatedHours 8785", withRequirements({ estimatedHours: 8785 }), "OUT_OF_RANGE", "requirements.estimatedHours"],
    ["maxPricePerHour 0", withRequirements({ maxPricePerHour: "0" }), "INVALID_FIELD", "requirements.maxPricePerHour"],
    ["maxPricePerHour 1e3", withRequirements({ maxPricePerHour: "1e3" }), "INVALID_AMOUNT", undefined],
    [
      "17 preferredModels",
      withRequirements({ preferredModels: Array.from({ length: PREFERRED_MODELS_MAX + 1 }, () => "H100") }),
      "INVALID_FIELD",
      "requirements.preferredModels",
    ],
    [
      "a preferred model that names no GPU",
      withRequirements({ preferredModels: ["H100", "NVIDIA"] }),
      "INVALID_FIELD",
      "requirements.preferredModels[1]",
    ],
    [
      "an unknown required feature",
      withRequirements({ requiredFeatures: ["quantum"] }),
      "INVALID_FIELD",
      "requirements.requiredFeatures[0]",
    ],
    ["an empty location requirement", withRequirements({ location: {} }), "INVALID_FIELD", "requirements.location"],
    ["maxBudget 0", orderInput({ maxBudget: "0" }), "INVALID_FIELD", "maxBudget"],
    ["maxBudget malformed", orderInput({ maxBudget: "1.0000000001" }), "INVALID_AMOUNT", undefined],
    ["expiry 30 days + 1 ms later", orderInput({ expiresAt: at(T0 + ORDER_TTL_MAX_MS + 1) }), "INVALID_FIELD", "expiresAt"],
    ["expiry = createdAt", orderInput({ expiresAt: at(T0) }), "INVALID_FIELD", "expiresAt"],
    ["priority Urgent", orderInput({ priority: "Urgent" as Priority }), "INVALID_FIELD", "priority"],
    ["priority lowercase", orderInput({ priority: "high" as Priority }), "INVALID_FIELD", "priority"],
    ["buyerId empty", orderInput({ buyerId: "" }), "INVALID_FIELD", "buyerId"],
    ["an offer id as order id", orderInput({ id: String(newOfferId(T0)) }), "INVALID_ID", undefined],
  ])("rejects %s with %s", (_name, input, code, field) => {
    const e = expectMarketError(() => createOrder(input, { clock }), code);
    if (field !== undefined) expect(fieldOf(e)).toBe(field);
  });

  it("accepts the edges: 16 preferred models, minGpuCount 1 and 1024, minVramGb 2048", () => {
    const models = Array.from({ length: PREFERRED_MODELS_MAX }, (_, i) => `H${100 + i}`);
    expect(createOrder(withRequirements({ preferredModels: models }), { clock }).requirements.preferredModels).toEqual(models);
    expect(createOrder(withRequirements({ minGpuCount: 1 }), { clock }).requirements.minGpuCount).toBe(1);
    expect(createOrder(withRequirements({ minGpuCount: 1024 }), { clock }).requirements.minGpuCount).toBe(1024);
    expect(createOrder(withRequirements({ minVramGb: 2048 }), { clock }).requirements.minVramGb).toBe(2048);
  });
});

describe("parseOffer", () => {
  function plainOffer(): Record<string, unknown> {
    return {
      id: newOfferId(T0),
      providerId: "provider-2",
      gpuCapacity: { gpuCount: 4, gpuModel: "A100-SXM4-80GB", vramGb: 80, computeCapability: "8.0" },
      pricePerHour: "1.75",
      availableHours: 48,
      minCommitmentHours: 2,
      createdAt: "2026-03-01T12:00:00.000Z",
      expiresAt: "2026-03-05T12:00:00.000Z",
      status: "Active",
      features: ["nvlink", "ib"],
      location: { region: "EU-West-1", country: "ie" },
    };
  }

  it("validates a plain object and returns a frozen, normalized copy", () => {
    const input = plainOffer();
    const offer = parseOffer(input);
    expect(offer).not.toBe(input);
    expect(Object.isFrozen(input)).toBe(false);
    expect(Object.isFrozen(offer)).toBe(true);
    expect(Object.isFrozen(offer.gpuCapacity)).toBe(true);
    expect(Object.isFrozen(offer.features)).toBe(true);
    expect(isValidated(offer, "offer")).toBe(true);
    expect(offer.id).toBe(input.id);
    expect(offer.createdAt).toBeInstanceOf(Date);
    expect(offer.createdAt.getTime()).toBe(Date.parse("2026-03-01T12:00:00.000Z"));
    expect(offer.expiresAt.getTime()).toBe(Date.parse("2026-03-05T12:00:00.000Z"));
    expect(offer.pricePerHour.toString()).toBe("1.75");
    expect(offer.features).toEqual(["NvLink", "Infiniband"]);
    expect(offer.location).toEqual({ region: "eu-west-1", country: "IE" });
    expect(offer.minCommitmentHours).toBe(2);
    expect(offer.gpuCapacity.computeCapability).toBe("8.0");
    // A validated result is returned as-is the second time.
    expect(parseOffer(offer)).toBe(offer);
  });

  it("returns a factory result unchanged (same object)", () => {
    const offer = createOffer(offerInput(), { clock });
    expect(parseOffer(offer)).toBe(offer);
  });

  it("validates a frozen plain object that no factory built", () => {
    const frozen = Object.freeze(plainOffer());
    const offer = parseOffer(frozen);
    expect(offer).not.toBe(frozen);
    expect(isValidated(offer, "offer")).toBe(true);
    expectMarketError(() => parseOffer(Object.freeze({ ...plainOffer(), availableHours: 0 })), "OUT_OF_RANGE");
  });

  it("rejects status Paused (a new offer is always Active)", () => {
    const e = expectMarketError(() => parseOffer({ ...plainOffer(), status: "Paused" }), "INVALID_FIELD");
    expect(e.details.field).toBe("status");
  });

  it("rejects a missing id, a missing expiry and non-objects", () => {
    const withoutId = plainOffer();
    delete withoutId.id;
    expectMarketError(() => parseOffer(withoutId), "INVALID_ID");
    const withoutExpiry = plainOffer();
    delete withoutExpiry.expiresAt;
    expect(expectMarketError(() => parseOffer(withoutExpiry), "INVALID_FIELD").details.field).toBe("expiresAt");
    expect(expectMarketError(() => parseOffer(null), "INVALID_FIELD").details.field).toBe("offer");
    expect(expectMarketError(() => parseOffer([]), "INVALID_FIELD").details.field).toBe("offer");
    expect(expectMarketError(() => parseOffer({ ...plainOffer(), gpuCapacity: "8x H100" }), "INVALID_FIELD").details.field).toBe(
      "gpuCapacity",
    );
  });

  // The "already validated" shortcut checks only the shared VALIDATED mark, not which factory set
  // it, so any validated object (an order, an order's requirements) passes parseOffer unchecked and
  // comes back typed as a CapacityOffer.
  it("rejects a validated order (the validated shortcut is not per kind)", () => {
    const order = createOrder(orderInput(), { clock });
    expectMarketError(() => parseOffer(order), "INVALID_ID");
  });
});

describe("parseOrder / parseRequirements", () => {
  function plainOrder(): Record<string, unknown> {
    return {
      id: newOrderId(T0),
      buyerId: "buyer-2",
      requirements: { minGpuCount: 2, maxPricePerHour: "3", estimatedHours: 4 },
      createdAt: T0,
      expiresAt: T0 + HOUR_MS,
      status: "Pending",
      priority: "High",
    };
  }

  it("validates a plain object into a frozen copy, and returns factory results unchanged", () => {
    const input = plainOrder();
    const order = parseOrder(input);
    expect(order).not.toBe(input);
    expect(Object.isFrozen(order)).toBe(true);
    expect(order.priority).toBe("High");
    expect(order.requirements.minVramGb).toBe(0);
    expect(order.createdAt.getTime()).toBe(T0);
    expect(parseOrder(order)).toBe(order);
    const created = createOrder(orderInput(), { clock });
    expect(parseOrder(created)).toBe(created);
    expect(parseRequirements(created.requirements)).toBe(created.requirements);
  });

  it("rejects a status other than Pending", () => {
    expect(expectMarketError(() => parseOrder({ ...plainOrder(), status: "Matched" }), "INVALID_FIELD").details.field).toBe("status");
  });

  it("rejects a requirements value that is not an object", () => {
    expect(expectMarketError(() => parseRequirements("4x H100"), "INVALID_FIELD").details.field).toBe("requirements");
    expect(
      expectMarketError(
        () => parseRequirements({ minGpuCount: 1, maxPricePerHour: "1", estimatedHours: 1, preferredModels: "H100" }),
        "INVALID_FIELD",
      ).details.field,
    ).toBe("requirements.preferredModels");
  });

  // Same shortcut as parseOffer: a validated offer is returned by parseOrder as if it were an order.
  it("rejects a validated offer (the validated shortcut is not per kind)", () => {
    const offer = createOffer(offerInput(), { clock });
    expectMarketError(() => parseOrder(offer), "INVALID_ID");
  });
});
