// Unit tests of explaining a miss (miss-diagnosis.ts, miss-explanation.ts): per constraint, the
// one named, its code, its sentence and the nearest offer; the order constraints are applied in;
// whether an order could ever be filled; and the hard filters' validation.
import { describe, expect, it } from "vitest";
import { Amount } from "../../src/core/amount.js";
import { ManualClock } from "../../src/core/clock.js";
import { GPU_MODELS_MAX } from "../../src/core/limits.js";
import { createOffer } from "../../src/core/offer.js";
import { createOrder, parseRequirements } from "../../src/core/order.js";
import type { RequirementsInput } from "../../src/core/order.js";
import { MISS_SCAN_SLOTS_MAX } from "../../src/orderbook/miss-diagnosis.js";
import { OrderBook } from "../../src/orderbook/order-book.js";
import { expectMarketError } from "../support/expect-error.js";

const T0 = Date.parse("2026-11-23T00:00:00Z");

interface OfferInput {
  readonly providerId?: string;
  readonly gpuCount?: number;
  readonly gpuModel?: string;
  readonly vramGb?: number;
  readonly price?: string;
  readonly availableHours?: number;
  readonly minCommitmentHours?: number;
  readonly features?: readonly string[];
  readonly region?: string;
}

function offerOf(clock: ManualClock, o: OfferInput = {}) {
  return createOffer(
    {
      providerId: o.providerId ?? "p-one",
      gpuCapacity: { gpuCount: o.gpuCount ?? 8, gpuModel: o.gpuModel ?? "H100", vramGb: o.vramGb ?? 80 },
      pricePerHour: o.price ?? "2.5",
      availableHours: o.availableHours ?? 24,
      ...(o.minCommitmentHours === undefined ? {} : { minCommitmentHours: o.minCommitmentHours }),
      ...(o.features === undefined ? {} : { features: o.features }),
      ...(o.region === undefined ? {} : { location: { region: o.region, country: "US" } }),
    },
    { clock },
  );
}

/** A book of two offers: 8 x H100 at 2.5 in us-east-1 (nvlink) and 4 x A100 at 1.5 in us-west-2, 40 GB. */
function smallBook(): { clock: ManualClock; book: OrderBook } {
  const clock = new ManualClock(T0);
  const book = new OrderBook({ clock });
  book.addOffer(offerOf(clock, { providerId: "p-one", region: "us-east-1", features: ["NvLink"] }));
  book.addOffer(offerOf(clock, { providerId: "p-two", gpuModel: "A100", gpuCount: 4, vramGb: 40, price: "1.5", region: "us-west-2" }));
  return { clock, book };
}

function explain(book: OrderBook, requirements: Partial<RequirementsInput>, maxBudget?: string) {
  const valid = parseRequirements({ minGpuCount: 1, maxPricePerHour: "10", estimatedHours: 4, ...requirements });
  return book.explainMiss(valid, maxBudget === undefined ? undefined : Amount.parse(maxBudget));
}

describe("explaining a miss, per constraint", () => {
  it("no miss: undefined", () => {
    expect(explain(smallBook().book, { minGpuCount: 4 })).toBeUndefined();
  });

  it("an empty book", () => {
    const e = explain(new OrderBook({ clock: new ManualClock(T0) }), {});
    expect(e?.constraint).toBe("offers");
    expect(e?.code).toBe("NO_MATCHING_OFFERS");
    expect(e?.restsIndefinitely).toBe(true);
  });

  it("GPU count: names the largest offer", () => {
    const e = explain(smallBook().book, { minGpuCount: 64 });
    expect(e).toMatchObject({ code: "NO_MATCHING_OFFERS", constraint: "gpuCount", restsIndefinitely: true });
    expect(e?.message).toMatch(/^no offer has 64 free GPUs \(largest: 8 x H100 at 2\.5\)/);
    expect(e?.nearest?.freeGpuCount).toBe(8);
  });

  it("VRAM: names the largest VRAM on offer", () => {
    const e = explain(smallBook().book, { minVramGb: 141 });
    expect(e?.constraint).toBe("vram");
    expect(e?.message).toMatch(/^no offer has 141 GB of VRAM per GPU \(largest: 80 GB, 8 x H100 at 2\.5\)/);
  });

  it("model: lists the models on offer", () => {
    const e = explain(smallBook().book, { gpuModels: ["RTX 5090"] });
    expect(e).toMatchObject({ constraint: "gpuModels", code: "NO_MATCHING_OFFERS", restsIndefinitely: true });
    expect(e?.onOffer).toEqual(["H100", "A100"]);
    expect(e?.message).toMatch(/^no offer of model RTX 5090 \(models on offer: H100, A100\)/);
  });

  it("features: names the offer with most of them", () => {
    const e = explain(smallBook().book, { requiredFeatures: ["NvLink", "Infiniband"] as never });
    expect(e?.constraint).toBe("features");
    expect(e?.nearest?.providerId).toBe("p-one");
    expect(e?.message).toMatch(/no offer has all of NvLink, Infiniband \(nearest: 8 x H100 at 2\.5, with NvLink\)/);
  });

  it("region and country, known or never seen", () => {
    const mars = explain(smallBook().book, { location: { region: "mars" } });
    expect(mars?.constraint).toBe("region");
    expect(mars?.message).toMatch(/^no offer in region mars \(regions on offer: us-east-1, us-west-2\)/);
    // Constraints apply in order: only the 8-GPU offer has 6 GPUs, and it is elsewhere.
    const west = explain(smallBook().book, { minGpuCount: 6, location: { region: "us-west-2" } });
    expect(west?.constraint).toBe("region");
    expect(west?.onOffer).toEqual(["us-east-1"]);
    const de = explain(smallBook().book, { location: { country: "DE" } });
    expect(de?.constraint).toBe("country");
    expect(de?.message).toMatch(/countries on offer: US/);
  });

  it("providers: allow and deny", () => {
    // p-two has 4 GPUs, p-one 8: the count leaves p-one, whom the filters refuse.
    const allow = explain(smallBook().book, { minGpuCount: 8, providers: { allow: ["p-two"] } });
    expect(allow?.constraint).toBe("providers");
    expect(allow?.nearest?.providerId).toBe("p-one");
    const allowed = explain(smallBook().book, { minGpuCount: 4, minVramGb: 80, providers: { allow: ["p-two"] } });
    expect(allowed?.constraint).toBe("providers");
    const small = explain(smallBook().book, { minGpuCount: 8, gpuModels: ["A100"], providers: { allow: ["p-two"] } });
    expect(small?.constraint).toBe("gpuCount"); // the model leaves p-two's 4 GPUs
    const onlyDenied = explain(smallBook().book, { gpuModels: ["H100"], providers: { deny: ["p-one"] } });
    expect(onlyDenied?.constraint).toBe("providers");
    expect(onlyDenied?.message).toMatch(/^only denied providers have an offer that fits \(nearest: 8 x H100 at 2\.5 from p-one\)/);
    const unknown = explain(smallBook().book, { providers: { allow: ["p-nobody"] } });
    expect(unknown?.constraint).toBe("providers");
    expect(unknown?.message).toMatch(/^no offer of the allowed providers fits/);
  });

  it("reputation: names the highest", () => {
    const { book } = smallBook();
    book.setProviderReputation("p-one", 0.7);
    const e = explain(book, { minReputation: 0.9 });
    expect(e?.constraint).toBe("reputation");
    expect(e?.message).toMatch(/^no offer's provider has reputation 0\.9 or more \(highest: 0\.7, 8 x H100 at 2\.5\)/);
    expect(explain(book, { minReputation: 0.7 })).toBeUndefined();
  });

  it("hours and commitment", () => {
    const long = explain(smallBook().book, { estimatedHours: 100 });
    expect(long?.constraint).toBe("hours");
    expect(long?.message).toMatch(/^no offer takes a 100-hour job \(nearest: .* for 1\.\.24 h\)/);
    const clock = new ManualClock(T0);
    const book = new OrderBook({ clock });
    book.addOffer(offerOf(clock, { minCommitmentHours: 12 }));
    expect(explain(book, { estimatedHours: 4 })?.message).toMatch(/for 12\.\.24 h/);
  });

  it("price per GPU-hour: PRICE_EXCEEDS_BUDGET with the cheapest match", () => {
    const e = explain(smallBook().book, { minGpuCount: 8, maxPricePerHour: "2" });
    expect(e).toMatchObject({ code: "PRICE_EXCEEDS_BUDGET", constraint: "price", restsIndefinitely: true });
    expect(e?.message).toMatch(/^cheapest match costs 2\.5 per GPU-hour, above your 2 \(8 x H100 at 2\.5\)/);
  });

  it("budget: PRICE_EXCEEDS_BUDGET with the cheapest total", () => {
    const e = explain(smallBook().book, { minGpuCount: 4, estimatedHours: 10 }, "50");
    expect(e).toMatchObject({ code: "PRICE_EXCEEDS_BUDGET", constraint: "budget" });
    expect(e?.message).toMatch(/^cheapest match costs 60 MOLT in all, above your budget 50/);
  });

  it("capacity held by a job: the order could be filled later, so it does not rest indefinitely", () => {
    const { clock, book } = smallBook();
    const taken = book.submitOrder(
      createOrder({ buyerId: "b", requirements: { minGpuCount: 8, maxPricePerHour: "5", estimatedHours: 4 } }, { clock }),
    );
    expect(taken.status).toBe("Matched");
    const e = explain(book, { minGpuCount: 8 });
    expect(e?.constraint).toBe("gpuCount");
    expect(e?.restsIndefinitely).toBe(false);
    expect(e?.message).not.toMatch(/waits for a new offer/);
  });

  it("quoteOrder: matches, or none with the explanation", () => {
    const { clock, book } = smallBook();
    const hit = book.quoteOrder(
      createOrder({ buyerId: "b", requirements: { minGpuCount: 1, maxPricePerHour: "5", estimatedHours: 1 } }, { clock }),
    );
    expect(hit.matches.length).toBe(2);
    expect(hit.explanation).toBeUndefined();
    const miss = book.quoteOrder(
      createOrder(
        { buyerId: "b", requirements: { minGpuCount: 1, maxPricePerHour: "5", estimatedHours: 1, gpuModels: ["RTX 5090"] } },
        { clock },
      ),
    );
    expect(miss.matches).toEqual([]);
    expect(miss.explanation?.constraint).toBe("gpuModels");
  });
});

describe("hard filters gpuModels and minReputation", () => {
  it("gpuModels matches normalized names, any of, and never a model outside them", () => {
    const { book } = smallBook();
    const models = (gpuModels: string[]): string[] =>
      book
        .bestOffers(parseRequirements({ minGpuCount: 1, maxPricePerHour: "10", estimatedHours: 1, gpuModels }), 10)
        .map((o) => o.gpuCapacity.gpuModel);
    expect(models(["nvidia h100 80gb"])).toEqual(["H100"]);
    expect(models(["a100", "H100"]).sort()).toEqual(["A100", "H100"]);
    expect(models(["RTX 5090"])).toEqual([]);
  });

  it("an order for a model the book lacks rests and is served when such an offer arrives", () => {
    const { clock, book } = smallBook();
    const order = createOrder(
      { buyerId: "b", requirements: { minGpuCount: 1, maxPricePerHour: "5", estimatedHours: 1, gpuModels: ["RTX 5090"] } },
      { clock },
    );
    expect(book.submitOrder(order).status).toBe("Pending");
    book.addOffer(offerOf(clock, { providerId: "p-new", gpuModel: "NVIDIA GeForce RTX 5090", vramGb: 32, price: "1" }));
    expect(book.getMatch(order.id).providerId).toBe("p-new");
  });

  it("an order resting for want of reputation is served when its provider's reputation reaches the floor", () => {
    const { clock, book } = smallBook();
    const order = createOrder(
      { buyerId: "b", requirements: { minGpuCount: 8, maxPricePerHour: "5", estimatedHours: 1, minReputation: 0.8 } },
      { clock },
    );
    expect(book.submitOrder(order).status).toBe("Pending");
    book.setProviderReputation("p-one", 0.7);
    expect(book.pendingOrders().map((o) => o.id)).toEqual([order.id]);
    book.setProviderReputation("p-one", 0.8);
    expect(book.getMatch(order.id).providerId).toBe("p-one");
    expect(book.pendingOrders()).toEqual([]);
  });

  it("validation: lists of 1..GPU_MODELS_MAX model names, a reputation in [0, 1]", () => {
    const base = { minGpuCount: 1, maxPricePerHour: "1", estimatedHours: 1 };
    expectMarketError(() => parseRequirements({ ...base, gpuModels: [] }), "INVALID_FIELD");
    expectMarketError(() => parseRequirements({ ...base, gpuModels: "H100" }), "INVALID_FIELD");
    expectMarketError(
      () => parseRequirements({ ...base, gpuModels: Array.from({ length: GPU_MODELS_MAX + 1 }, (_, i) => `M${i}`) }),
      "INVALID_FIELD",
    );
    expectMarketError(() => parseRequirements({ ...base, gpuModels: [""] }), "INVALID_FIELD");
    expectMarketError(() => parseRequirements({ ...base, minReputation: 1.5 }), "OUT_OF_RANGE");
    expectMarketError(() => parseRequirements({ ...base, minReputation: "0.5" }), "OUT_OF_RANGE");
    expect(parseRequirements({ ...base, gpuModels: [" H100 ", "h100", "A100"] }).gpuModels).toEqual(["H100", "A100"]);
  });
});

describe("a miss in a book larger than the diagnosis looks at", () => {
  it("is judged from the first MISS_SCAN_SLOTS_MAX offers, says so, and never claims the order could never be filled", () => {
    const clock = new ManualClock(T0);
    const book = new OrderBook({ clock, limits: { offersMax: MISS_SCAN_SLOTS_MAX + 100 } });
    for (let i = 0; i < MISS_SCAN_SLOTS_MAX + 10; i++) book.addOffer(offerOf(clock, { providerId: `p-${i % 97}`, gpuCount: 1 }));
    // 64 GPUs: no offer of the book has them, yet the diagnosis saw only part of it.
    const order = createOrder(
      { buyerId: "b", requirements: { minGpuCount: 64, minVramGb: 40, maxPricePerHour: "3", estimatedHours: 1 } },
      { clock },
    );
    const { matches, explanation } = book.quoteOrder(order);
    expect(matches).toEqual([]);
    expect(explanation).toMatchObject({ code: "NO_MATCHING_OFFERS", constraint: "gpuCount", complete: false, restsIndefinitely: false });
    expect(explanation?.message).toContain(`judged from the first ${MISS_SCAN_SLOTS_MAX} offers`);
  });
});
