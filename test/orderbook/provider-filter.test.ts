// Unit tests of the hard provider filters (requirements.providers.allow / deny): matching at once,
// quotes, resting orders served later, and the validation of the lists.
import { describe, expect, it } from "vitest";
import { Amount } from "../../src/core/amount.js";
import { ManualClock } from "../../src/core/clock.js";
import { PROVIDER_FILTER_MAX } from "../../src/core/limits.js";
import { createOffer } from "../../src/core/offer.js";
import { createOrder, parseRequirements } from "../../src/core/order.js";
import type { RequirementsInput } from "../../src/core/order.js";
import type { ProviderFilter } from "../../src/core/types.js";
import { OrderBook } from "../../src/orderbook/order-book.js";
import { expectMarketError, fieldOf } from "../support/expect-error.js";

const T0 = Date.parse("2026-11-23T00:00:00Z");

function offer(clock: ManualClock, providerId: string, molt: number, gpuCount = 8) {
  return createOffer(
    { providerId, gpuCapacity: { gpuCount, gpuModel: "H100", vramGb: 80 }, pricePerHour: Amount.fromMolt(molt), availableHours: 24 },
    { clock },
  );
}

function requirements(providers?: unknown): RequirementsInput {
  return {
    minGpuCount: 4,
    minVramGb: 40,
    maxPricePerHour: Amount.fromMolt(15),
    estimatedHours: 8,
    ...(providers === undefined ? {} : { providers: providers as ProviderFilter }),
  };
}

function order(clock: ManualClock, providers?: ProviderFilter) {
  return createOrder({ buyerId: "buyer-1", requirements: requirements(providers) }, { clock });
}

/** A book with offers of p-cheap (8), p-mid (10) and p-dear (12 MOLT/GPU-h), 8 GPUs each. */
function threeProviders(): { clock: ManualClock; book: OrderBook } {
  const clock = new ManualClock(T0);
  const book = new OrderBook({ clock });
  book.addOffer(offer(clock, "p-cheap", 8));
  book.addOffer(offer(clock, "p-mid", 10));
  book.addOffer(offer(clock, "p-dear", 12));
  return { clock, book };
}

const providersOf = (book: OrderBook, filter: ProviderFilter): string[] =>
  book.bestOffers(parseRequirements(requirements(filter)), 10).map((o) => o.providerId);

describe("provider filters in matching", () => {
  it("a denied provider's cheaper offer is skipped and the next best matches", () => {
    const { clock, book } = threeProviders();
    expect(providersOf(book, {})).toEqual(["p-cheap", "p-mid", "p-dear"]);
    expect(providersOf(book, { deny: ["p-cheap"] })).toEqual(["p-mid", "p-dear"]);
    const quote = book.matchOrder(order(clock, { deny: ["p-cheap"] }), 10);
    expect(quote.map((m) => m.providerId)).toEqual(["p-mid", "p-dear"]);
    const result = book.submitOrder(order(clock, { deny: ["p-cheap"] }));
    expect(result.status).toBe("Matched");
    expect(result.status === "Matched" ? result.match.providerId : undefined).toBe("p-mid");
  });

  it("allow restricts matches to the listed providers", () => {
    const { clock, book } = threeProviders();
    expect(providersOf(book, { allow: ["p-dear"] })).toEqual(["p-dear"]);
    expect(providersOf(book, { allow: ["p-dear", "p-mid"] })).toEqual(["p-mid", "p-dear"]);
    expect(providersOf(book, { allow: ["p-dear", "p-mid"], deny: ["p-cheap"] })).toEqual(["p-mid", "p-dear"]);
    const result = book.submitOrder(order(clock, { allow: ["p-dear"] }));
    expect(result.status === "Matched" ? result.match.providerId : undefined).toBe("p-dear");
  });

  it("an allow list of providers the book never saw matches nothing; a deny of one costs nothing", () => {
    const { book } = threeProviders();
    expect(providersOf(book, { allow: ["p-nobody"] })).toEqual([]);
    expect(providersOf(book, { allow: ["p-nobody", "p-mid"] })).toEqual(["p-mid"]);
    expect(providersOf(book, { deny: ["p-nobody"] })).toEqual(["p-cheap", "p-mid", "p-dear"]);
  });

  it("a resting order with a deny is not served by the denied provider's new offer, but is by another's", () => {
    const clock = new ManualClock(T0);
    const book = new OrderBook({ clock });
    book.addOffer(offer(clock, "p-denied", 8, 2)); // too small for the order; the provider is known from here on
    const resting = order(clock, { deny: ["p-denied"] });
    expect(book.submitOrder(resting).status).toBe("Pending");
    book.addOffer(offer(clock, "p-denied", 5));
    expect(book.getOrder(resting.id).status).toBe("Pending");
    book.addOffer(offer(clock, "p-other", 11));
    expect(book.getOrder(resting.id).status).toBe("Matched");
    expect(book.getMatch(resting.id).providerId).toBe("p-other");
  });

  it("a resting order denying a provider the book did not know yet is never served by its later offers", () => {
    const clock = new ManualClock(T0);
    const book = new OrderBook({ clock });
    const resting = order(clock, { deny: ["p-late"] });
    expect(book.submitOrder(resting).status).toBe("Pending");
    book.addOffer(offer(clock, "p-late", 5));
    expect(book.getOrder(resting.id).status).toBe("Pending");
    book.addOffer(offer(clock, "p-other", 9));
    expect(book.getMatch(resting.id).providerId).toBe("p-other");
  });

  it("a resting order allowing only providers the book did not know yet is served once one of them offers", () => {
    const clock = new ManualClock(T0);
    const book = new OrderBook({ clock });
    const resting = order(clock, { allow: ["p-late", "p-later"] });
    expect(book.submitOrder(resting).status).toBe("Pending");
    book.addOffer(offer(clock, "p-other", 5));
    expect(book.getOrder(resting.id).status).toBe("Pending");
    book.addOffer(offer(clock, "p-later", 9));
    expect(book.getMatch(resting.id).providerId).toBe("p-later");
  });

  it("GPUs a denied provider gets back do not serve the resting order", () => {
    const clock = new ManualClock(T0);
    const book = new OrderBook({ clock });
    book.addOffer(offer(clock, "p-denied", 8, 4));
    const first = book.submitOrder(order(clock));
    expect(first.status).toBe("Matched");
    const resting = order(clock, { deny: ["p-denied"] });
    expect(book.submitOrder(resting).status).toBe("Pending");
    book.releaseAllocation(first.orderId);
    expect(book.getOrder(resting.id).status).toBe("Pending");
  });
});

describe("provider filter validation", () => {
  const parse = (providers: unknown) => parseRequirements(requirements(providers));

  it("normalizes: deduplicated, frozen, an empty deny or an empty filter dropped", () => {
    const valid = parse({ allow: ["a", "b", "a"], deny: ["c", "c"] });
    expect(valid.providers).toEqual({ allow: ["a", "b"], deny: ["c"] });
    expect(Object.isFrozen(valid.providers)).toBe(true);
    expect(Object.isFrozen(valid.providers?.allow)).toBe(true);
    expect(parse({ deny: [] }).providers).toBeUndefined();
    expect(parse({}).providers).toBeUndefined();
    expect(parse({ allow: Array.from({ length: PROVIDER_FILTER_MAX }, (_, i) => `p-${i}`) }).providers?.allow).toHaveLength(
      PROVIDER_FILTER_MAX,
    );
  });

  it("refuses too many ids with INVALID_FIELD", () => {
    const many = Array.from({ length: PROVIDER_FILTER_MAX + 1 }, (_, i) => `p-${i}`);
    expect(fieldOf(expectMarketError(() => parse({ allow: many }), "INVALID_FIELD"))).toBe("requirements.providers.allow");
    expect(fieldOf(expectMarketError(() => parse({ deny: many }), "INVALID_FIELD"))).toBe("requirements.providers.deny");
  });

  it("refuses an empty allow list with INVALID_FIELD", () => {
    expect(fieldOf(expectMarketError(() => parse({ allow: [] }), "INVALID_FIELD"))).toBe("requirements.providers.allow");
  });

  it("refuses an id in both lists with INVALID_FIELD saying so", () => {
    const e = expectMarketError(() => parse({ allow: ["a", "b"], deny: ["b"] }), "INVALID_FIELD");
    expect(fieldOf(e)).toBe("requirements.providers.deny");
    expect(e.message).toMatch(/both allowed and denied/);
    expect(e.message).toContain("b");
  });

  it("refuses bad ids, non-lists and unknown keys with INVALID_FIELD", () => {
    expect(fieldOf(expectMarketError(() => parse({ deny: ["ok", " padded"] }), "INVALID_FIELD"))).toBe("requirements.providers.deny[1]");
    expect(fieldOf(expectMarketError(() => parse({ deny: [""] }), "INVALID_FIELD"))).toBe("requirements.providers.deny[0]");
    expect(fieldOf(expectMarketError(() => parse({ allow: ["x".repeat(129)] }), "INVALID_FIELD"))).toBe("requirements.providers.allow[0]");
    expect(fieldOf(expectMarketError(() => parse({ deny: "p-1" }), "INVALID_FIELD"))).toBe("requirements.providers.deny");
    expect(fieldOf(expectMarketError(() => parse(["p-1"]), "INVALID_FIELD"))).toBe("requirements.providers");
    expect(fieldOf(expectMarketError(() => parse({ block: ["p-1"] }), "INVALID_FIELD"))).toBe("requirements.providers.block");
  });

  it("survives a JSON round trip (how the store keeps orders)", () => {
    const clock = new ManualClock(T0);
    const submitted = order(clock, { allow: ["a"], deny: ["b"] });
    const again = parseRequirements(JSON.parse(JSON.stringify(submitted.requirements)));
    expect(again.providers).toEqual({ allow: ["a"], deny: ["b"] });
  });
});
