// The price walk's bounds against the reference scan: books whose free GPUs and VRAM sit on the
// edges of its fit classes (fit-classes.ts), whose providers' reputations and offers' utilizations
// spread over its bands, with prices inside one bucket and across buckets, changed after they are
// indexed (GPUs taken, offers paused and withdrawn, reputations set), so classes, bands and first
// buckets move; queries at the same edges. Every query walks by price (shapeWalkShapesMax 0).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Amount } from "../../src/core/amount.js";
import { HOUR_MS, ManualClock } from "../../src/core/clock.js";
import { FEATURES } from "../../src/core/enums.js";
import type { Feature } from "../../src/core/enums.js";
import { createOffer } from "../../src/core/offer.js";
import { createOrder } from "../../src/core/order.js";
import type { BookOffer, CapacityOffer, JobRequirements } from "../../src/core/types.js";
import { OrderBook } from "../../src/orderbook/order-book.js";
import { referenceScan } from "../support/reference-scan.js";
import type { ReferenceOffer } from "../support/reference-scan.js";

const T0 = Date.parse("2026-11-23T00:00:00Z");
const PROVIDERS = ["p-0", "p-1", "p-2", "p-3", "p-4", "p-5"];
/** Counts on both sides of the fine classes' edges (4 per power of two) and of the powers of two. */
const GPU_EDGES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 19, 20, 23, 24, 31, 32, 33, 47, 48, 64, 65];
const VRAM_EDGES = [1, 7, 8, 9, 15, 16, 20, 23, 24, 31, 32, 40, 47, 48, 63, 64, 65, 79, 80, 95, 96, 127, 128, 160, 192, 256];
/** 1 MOLT and neighbours inside its price bucket (about 1 % wide) and across a few buckets. */
const BASE_PRICE = 1_000_000_000n;

const features: fc.Arbitrary<Feature[]> = fc.subarray([...FEATURES]);

const offerSpec = fc.record({
  providerId: fc.constantFrom(...PROVIDERS),
  gpuCount: fc.constantFrom(...GPU_EDGES),
  vramGb: fc.constantFrom(...VRAM_EDGES),
  priceDelta: fc.oneof(fc.integer({ min: -3_000_000, max: 3_000_000 }), fc.integer({ min: -400_000_000, max: 2_000_000_000 })),
  utilization: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
  features,
  availableHours: fc.constantFrom(4, 24, 100),
  model: fc.constantFrom("H100", "A100", "L40S", "RTX 4090", "MI300X", "B200"),
  ageMs: fc.nat({ max: 5000 }),
});

type OfferSpec = typeof offerSpec extends fc.Arbitrary<infer T> ? T : never;

/**
 * Offers crowded into a few cells and price buckets: cells far above the walk's small-cell size,
 * buckets above the size under which a bucket's feature masks are recounted after a removal.
 */
const crowdedOfferSpec: fc.Arbitrary<OfferSpec> = offerSpec.chain((spec) =>
  fc
    .record({
      gpuCount: fc.constantFrom(8, 9),
      vramGb: fc.constantFrom(80, 95),
      priceDelta: fc.integer({ min: -2_000_000, max: 2_000_000 }),
      utilization: fc.constantFrom(undefined, 0, 3),
    })
    .map((crowded) => ({ ...spec, ...crowded })),
);

function offerOf(spec: OfferSpec): CapacityOffer {
  return createOffer({
    providerId: spec.providerId,
    gpuCapacity: {
      gpuCount: spec.gpuCount,
      gpuModel: spec.model,
      vramGb: spec.vramGb,
      ...(spec.utilization === undefined ? {} : { currentUtilization: spec.utilization }),
    },
    pricePerHour: Amount.fromLamports(BASE_PRICE + BigInt(spec.priceDelta)),
    availableHours: spec.availableHours,
    minCommitmentHours: 1,
    createdAt: new Date(T0 - spec.ageMs),
    expiresAt: new Date(T0 + 10 * HOUR_MS),
    features: spec.features,
  });
}

const querySpec = fc.record({
  minGpuCount: fc.constantFrom(...GPU_EDGES.filter((count) => count <= 33)),
  minVramGb: fc.oneof(fc.constant(0), fc.constantFrom(...VRAM_EDGES)),
  maxPricePerHour: fc.constantFrom("1", "1.01", "1.5", "3", "20"),
  estimatedHours: fc.constantFrom(1, 8, 48),
  requiredFeatures: fc.subarray([...FEATURES], { maxLength: 3 }),
  preferredModels: fc.subarray(["H100", "MI300X"]),
});

/** What happens to the book after its offers are indexed. */
const changeSpec = fc.oneof(
  fc.record({ kind: fc.constant("take" as const), pick: fc.nat(), gpus: fc.constantFrom(1, 2, 3, 4, 8) }),
  fc.record({ kind: fc.constant("pause" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("withdraw" as const), pick: fc.nat() }),
  fc.record({
    kind: fc.constant("reputation" as const),
    provider: fc.constantFrom(...PROVIDERS),
    value: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
);

type ChangeSpec = typeof changeSpec extends fc.Arbitrary<infer T> ? T : never;

function change(book: OrderBook, clock: ManualClock, spec: ChangeSpec): void {
  if (spec.kind === "reputation") {
    book.setProviderReputation(spec.provider, spec.value);
    return;
  }
  const active = book.activeOffers();
  const offer = active[spec.pick % Math.max(1, active.length)];
  if (offer === undefined) return;
  if (spec.kind === "pause") book.pauseOffer(offer.id);
  else if (spec.kind === "withdraw") book.removeOffer(offer.id);
  else if (offer.freeGpuCount >= spec.gpus) {
    // An order only this offer can take: its GPUs leave the offer, which moves to a lower class.
    book.submitOrder(
      createOrder(
        {
          buyerId: "taker",
          requirements: {
            minGpuCount: spec.gpus,
            maxPricePerHour: "100",
            estimatedHours: 1,
            providers: { allow: [offer.providerId] },
            gpuModels: [offer.gpuCapacity.gpuModel],
          },
        },
        { clock },
      ),
    );
  }
}

function referenceView(book: OrderBook): ReferenceOffer[] {
  return book
    .activeOffers()
    .map((offer: BookOffer) => ({ offer, freeGpuCount: offer.freeGpuCount, reputation: book.providerReputation(offer.providerId) }));
}

/** Books of `offers`, changed after they are indexed, each query checked against the reference scan before and after. */
function checkAgainstScan(offers: fc.Arbitrary<OfferSpec[]>, numRuns: number): void {
  fc.assert(
    fc.property(
      offers,
      fc.array(fc.tuple(fc.constantFrom(...PROVIDERS), fc.double({ min: 0, max: 1, noNaN: true })), { maxLength: 6 }),
      fc.array(changeSpec, { maxLength: 30 }),
      fc.array(querySpec, { minLength: 1, maxLength: 6 }),
      fc.integer({ min: 1, max: 6 }),
      (offers, reputations, changes, queries, limit) => {
        const clock = new ManualClock(T0);
        const book = new OrderBook({ clock, limits: { shapeWalkShapesMax: 0 } });
        for (const [provider, reputation] of reputations) book.setProviderReputation(provider, reputation);
        book.addOffers(offers.map((spec) => offerOf(spec)));
        const check = (): void => {
          const view = referenceView(book);
          for (const query of queries) {
            const requirements: JobRequirements = createOrder({ buyerId: "b", requirements: query }, { clock }).requirements;
            const expected = referenceScan(view, requirements, undefined, clock.now(), limit);
            const got = book.bestOffers(requirements, limit);
            expect(got.map((o) => o.id)).toEqual(expected.map((r) => r.offer.offer.id));
          }
        };
        check();
        for (const spec of changes) change(book, clock, spec);
        check();
      },
    ),
    { numRuns },
  );
}

describe("price walk", () => {
  it("answers exactly as the reference scan at the edges of its classes, bands and buckets, before and after changes", () => {
    checkAgainstScan(fc.array(offerSpec, { minLength: 20, maxLength: 200 }), 250);
  });

  it("answers exactly as the reference scan when cells and buckets are crowded, before and after changes", () => {
    checkAgainstScan(fc.array(crowdedOfferSpec, { minLength: 60, maxLength: 300 }), 100);
  });
});
