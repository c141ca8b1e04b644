// fast-check arbitraries for offers, orders and book commands over small domains, so that ties in
// price, age and score are common and every rule gets exercised.
import fc from "fast-check";
import { Amount } from "../../src/core/amount.js";
import { HOUR_MS } from "../../src/core/clock.js";
import type { Clock, ManualClock } from "../../src/core/clock.js";
import { FEATURES, PRIORITIES } from "../../src/core/enums.js";
import type { Feature, Priority } from "../../src/core/enums.js";
import { createOffer } from "../../src/core/offer.js";
import { createOrder } from "../../src/core/order.js";
import { isMarketError } from "../../src/core/errors.js";
import type { OfferId } from "../../src/core/ids.js";
import type { CapacityOffer, JobOrder } from "../../src/core/types.js";
import type { OrderBook } from "../../src/orderbook/order-book.js";

export const T0 = Date.parse("2026-11-23T00:00:00Z");
const MODELS = [
  { name: "NVIDIA H100 80GB", vram: [80] },
  { name: "A100", vram: [40, 80] },
  { name: "RTX 4090", vram: [24] },
  { name: "L40S", vram: [48] },
] as const;
const PLACES = [
  { region: "us-east-1", country: "US" },
  { region: "us-west-2", country: "US" },
  { region: "eu-central-1", country: "DE" },
] as const;
const PROVIDERS = ["p-alpha", "p-beta", "p-gamma", "p-delta"];

const features: fc.Arbitrary<Feature[]> = fc.subarray([...FEATURES]);

/** A price from a small set (many ties), or occasionally any base-unit amount. */
const price = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("0.5", "1", "1.5", "2", "2.5", "3", "4") },
  { weight: 1, arbitrary: fc.bigInt({ min: 1n, max: 5_000_000_000n }).map((b) => Amount.fromLamports(b).toString()) },
);

export interface OfferSpec {
  readonly providerId: string;
  readonly model: number;
  readonly vramPick: number;
  readonly gpuCount: number;
  readonly price: string;
  readonly availableHours: number;
  readonly minCommitmentHours: number;
  readonly features: Feature[];
  readonly place: number;
  readonly utilization: number | undefined;
  readonly ageMs: number;
  readonly ttlHours: number;
  /** Overrides of the model's name and VRAM (wide and adversarial specs): shapes of their own. */
  readonly modelName?: string;
  readonly vramGb?: number;
}

export const offerSpec: fc.Arbitrary<OfferSpec> = fc.record({
  providerId: fc.constantFrom(...PROVIDERS),
  model: fc.nat({ max: MODELS.length - 1 }),
  vramPick: fc.nat({ max: 1 }),
  gpuCount: fc.integer({ min: 1, max: 8 }),
  price,
  availableHours: fc.constantFrom(8, 24, 100, 100),
  minCommitmentHours: fc.constantFrom(0, 1, 1, 4, 8),
  features,
  place: fc.integer({ min: -1, max: PLACES.length - 1 }),
  utilization: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
  ageMs: fc.constantFrom(0, 1000, 60_000),
  ttlHours: fc.constantFrom(1, 2, 10),
});

/** Builds an offer from a spec at the clock's now. */
export function offerFrom(spec: OfferSpec, clock: Clock): CapacityOffer {
  const model = MODELS[spec.model] ?? MODELS[0];
  const place = PLACES[spec.place];
  const minCommitmentHours = Math.min(spec.minCommitmentHours, spec.availableHours);
  const createdAt = clock.now() - spec.ageMs;
  return createOffer({
    providerId: spec.providerId,
    gpuCapacity: {
      gpuCount: spec.gpuCount,
      gpuModel: spec.modelName ?? model.name,
      vramGb: spec.vramGb ?? model.vram[spec.vramPick % model.vram.length] ?? 80,
      ...(spec.utilization === undefined ? {} : { currentUtilization: spec.utilization }),
    },
    pricePerHour: spec.price,
    availableHours: spec.availableHours,
    minCommitmentHours,
    createdAt: new Date(createdAt),
    expiresAt: new Date(clock.now() + spec.ttlHours * HOUR_MS),
    features: spec.features,
    ...(place === undefined ? {} : { location: place }),
  });
}

/** Models beyond MODELS: no order prefers them, some filters name none of them. */
const EXTRA_MODEL_NAMES = ["Accel X1", "Accel X2", "Accel X3", "Accel X4"];

/**
 * A high-cardinality offer: any VRAM size, up to 32 GPUs, eight models, so most offers of a book
 * are a shape of their own (the worst case of the shape index).
 */
export const wideOfferSpec: fc.Arbitrary<OfferSpec> = fc
  .tuple(
    offerSpec,
    fc.integer({ min: 1, max: 160 }),
    fc.integer({ min: 1, max: 32 }),
    fc.constantFrom(...MODELS.map((m) => m.name), ...EXTRA_MODEL_NAMES),
  )
  .map(([spec, vramGb, gpuCount, modelName]) => ({ ...spec, vramGb, gpuCount, modelName }));

/**
 * An adversarial offer: mostly cheap and fitting orders badly (many GPUs, much VRAM, no features),
 * else expensive and fitting, so the cheapest offers are rarely the best.
 */
export const adversarialOfferSpec: fc.Arbitrary<OfferSpec> = fc
  .tuple(wideOfferSpec, fc.boolean(), fc.boolean(), fc.integer({ min: 100, max: 1024 }))
  .map(([spec, cheap, alsoCheap, big]) =>
    cheap || alsoCheap
      ? { ...spec, price: "0.5", gpuCount: big, vramGb: 2 * big, features: [] }
      : { ...spec, price: spec.price === "0.5" ? "4" : spec.price },
  );

export interface OrderSpec {
  readonly minGpuCount: number;
  readonly minVramGb: number;
  readonly maxPrice: string;
  readonly estimatedHours: number;
  readonly requiredFeatures: Feature[];
  readonly location: number;
  readonly preferred: number[];
  readonly budget: string | undefined;
  readonly priority: Priority;
  readonly ttlHours: number;
}

export const orderSpec: fc.Arbitrary<OrderSpec> = fc.record({
  minGpuCount: fc.constantFrom(1, 1, 1, 2, 2, 3, 4, 8),
  minVramGb: fc.constantFrom(0, 0, 24, 40, 48, 80),
  maxPrice: fc.oneof({ weight: 4, arbitrary: fc.constantFrom("1.5", "2", "3", "4", "5", "10") }, { weight: 1, arbitrary: price }),
  estimatedHours: fc.constantFrom(1, 2, 4, 8, 24),
  requiredFeatures: fc.oneof(fc.constant([]), fc.subarray([...FEATURES], { maxLength: 2 })) as fc.Arbitrary<Feature[]>,
  location: fc.integer({ min: -1, max: 6 }),
  preferred: fc.subarray([0, 1, 2, 3]),
  budget: fc.option(fc.constantFrom("1", "5", "20", "100", "1000"), { nil: undefined }),
  priority: fc.constantFrom(...PRIORITIES),
  ttlHours: fc.constantFrom(1, 3),
});

/** Builds an order from a spec at the clock's now. */
export function orderFrom(spec: OrderSpec, clock: Clock): JobOrder {
  const place = PLACES[spec.location % PLACES.length];
  const location =
    spec.location < 0 || place === undefined
      ? undefined
      : spec.location < 3
        ? { region: place.region }
        : spec.location < 6
          ? { country: place.country }
          : { region: place.region, country: place.country };
  return createOrder(
    {
      buyerId: "buyer-1",
      requirements: {
        minGpuCount: spec.minGpuCount,
        minVramGb: spec.minVramGb,
        maxPricePerHour: spec.maxPrice,
        estimatedHours: spec.estimatedHours,
        requiredFeatures: spec.requiredFeatures,
        preferredModels: spec.preferred.map((i) => (MODELS[i] ?? MODELS[0]).name),
        ...(location === undefined ? {} : { location }),
      },
      ...(spec.budget === undefined ? {} : { maxBudget: spec.budget }),
      priority: spec.priority,
      expiresAt: new Date(clock.now() + spec.ttlHours * HOUR_MS),
    },
    { clock },
  );
}

/** One command of a book driven at random: add, submit, change an offer, cancel, release, expire, reputation. */
export const bookCommand = fc.oneof(
  { weight: 5, arbitrary: offerSpec.map((spec) => ({ kind: "add" as const, spec })) },
  { weight: 8, arbitrary: orderSpec.map((spec) => ({ kind: "submit" as const, spec })) },
  { weight: 1, arbitrary: fc.nat().map((pick) => ({ kind: "remove" as const, pick })) },
  { weight: 1, arbitrary: fc.nat().map((pick) => ({ kind: "pause" as const, pick })) },
  { weight: 1, arbitrary: fc.nat().map((pick) => ({ kind: "resume" as const, pick })) },
  { weight: 2, arbitrary: fc.nat().map((pick) => ({ kind: "cancel" as const, pick })) },
  { weight: 4, arbitrary: fc.nat().map((pick) => ({ kind: "release" as const, pick })) },
  { weight: 1, arbitrary: fc.constantFrom(10 * 60_000, 61 * 60_000, 3 * 3_600_000).map((ms) => ({ kind: "expire" as const, ms })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...PROVIDERS), fc.double({ min: 0, max: 1, noNaN: true }))
      .map(([provider, value]) => ({ kind: "reputation" as const, provider, value })),
  },
);

/**
 * Removes, pauses or resumes the offer `pick` chooses among `offerIds`. A refusal an offer in
 * another state gets (OFFER_NOT_FOUND, INVALID_STATE_TRANSITION, EXPIRED) is expected; any other
 * error is thrown.
 */
export function changeOffer(book: OrderBook, kind: "remove" | "pause" | "resume", pick: number, offerIds: readonly OfferId[]): void {
  const id = offerIds[pick % Math.max(1, offerIds.length)];
  if (id === undefined) return;
  try {
    if (kind === "remove") book.removeOffer(id);
    else if (kind === "pause") book.pauseOffer(id);
    else book.resumeOffer(id);
  } catch (e) {
    if (!(isMarketError(e, "OFFER_NOT_FOUND") || isMarketError(e, "INVALID_STATE_TRANSITION") || isMarketError(e, "EXPIRED"))) throw e;
  }
}

/** Releases the allocation `pick` chooses among the book's active matches, if any. */
export function releaseOne(book: OrderBook, pick: number): void {
  const matches = book.activeMatches();
  const match = matches[pick % Math.max(1, matches.length)];
  if (match !== undefined) book.releaseAllocation(match.orderId);
}

/** One command bookCommand draws. */
export type BookCommand = typeof bookCommand extends fc.Arbitrary<infer C> ? C : never;

/** What a book driven by bookCommand has been given so far: the offers added and the orders submitted, for later picks. */
export interface DrivenBook {
  readonly offerIds: OfferId[];
  readonly submitted: JobOrder[];
}

/**
 * Runs one bookCommand on `book` (the clock moves on `expire`). A refusal a command may meet in the
 * book's state (a cancel of an order that matched or is gone) is expected; any other error is thrown.
 */
export function runBookCommand(book: OrderBook, command: BookCommand, driven: DrivenBook, clock: ManualClock): void {
  switch (command.kind) {
    case "add":
      driven.offerIds.push(book.addOffer(offerFrom(command.spec, clock)));
      return;
    case "submit": {
      const order = orderFrom(command.spec, clock);
      book.submitOrder(order);
      driven.submitted.push(order);
      return;
    }
    case "remove":
    case "pause":
    case "resume":
      changeOffer(book, command.kind, command.pick, driven.offerIds);
      return;
    case "cancel": {
      const order = driven.submitted[command.pick % Math.max(1, driven.submitted.length)];
      if (order === undefined) return;
      try {
        book.cancelOrder(order.id);
      } catch (e) {
        if (!isMarketError(e, "ORDER_NOT_FOUND") && !isMarketError(e, "INVALID_STATE_TRANSITION")) throw e;
      }
      return;
    }
    case "release":
      releaseOne(book, command.pick);
      return;
    case "expire":
      clock.advance(command.ms);
      book.expire();
      return;
    case "reputation":
      book.setProviderReputation(command.provider, command.value);
      return;
  }
}

export { PROVIDERS };
