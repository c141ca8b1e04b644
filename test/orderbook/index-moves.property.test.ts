// The offer indexes after offers' free GPUs change in place (takeGpus and returnGpus move an indexed
// offer to its new shape and cell instead of taking it out of every index and putting it back):
// every structure still holds exactly the active offers with free GPUs, each where its current
// free GPUs, price, model and provider put it, with every derived field (heads, sizes, masks) exact.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { FINE_CLASSES, fitClassOf, maskBitOf } from "../../src/orderbook/fit-classes.js";
import { OfferSet } from "../../src/orderbook/offer-set.js";
import { SLOT_ACTIVE, SLOT_FREE } from "../../src/orderbook/offer-table.js";
import { PRICE_BUCKETS, priceBucketOf } from "../../src/orderbook/price-bucket-of.js";
import { WALK_BANDS } from "../../src/orderbook/price-buckets.js";
import type { PriceBuckets } from "../../src/orderbook/price-buckets.js";
import type { ProviderSlots } from "../../src/orderbook/provider-slots.js";
import { STATIC_BANDS, staticBandOf } from "../../src/orderbook/score.js";
import type { ShapeIndex } from "../../src/orderbook/shape-index.js";
import { PROVIDERS, offerFrom, offerSpec } from "../support/arbitraries.js";

/** The fields of ShapeBands this test reads (protected and private there). */
interface BandsView {
  readonly shapeSize: Int32Array;
  readonly shapeMinPrice: Float64Array;
  readonly shapeBands: Uint32Array;
  readonly bandLists: number[][];
  readonly bandPrices: number[][];
  readonly bandHeadPrice: Float64Array;
  readonly slotShape: Int32Array;
  readonly slotBand: Uint8Array;
}

/** OfferSet's private indexes, read by this test only. */
interface IndexesView {
  readonly regionIndex: ShapeIndex;
  readonly anyRegionIndex: ShapeIndex;
  readonly providerSlots: ProviderSlots;
  readonly priceBuckets: PriceBuckets;
}

type Step =
  | { readonly kind: "take" | "give" | "pause" | "activate" | "drop"; readonly pick: number; readonly gpus: number }
  | { readonly kind: "reputation"; readonly provider: string; readonly value: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constantFrom("take" as const, "give" as const), pick: fc.nat(), gpus: fc.integer({ min: 1, max: 8 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom("pause" as const, "activate" as const, "drop" as const),
      pick: fc.nat(),
      gpus: fc.constant(0),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("reputation" as const),
      provider: fc.constantFrom(...PROVIDERS),
      value: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  },
);

function apply(set: OfferSet, epochs: Map<number, number>, live: readonly number[], s: Step): void {
  const t = set.table;
  if (s.kind === "reputation") {
    set.setReputation(s.provider, s.value);
    return;
  }
  const slot = live[s.pick % Math.max(1, live.length)];
  if (slot === undefined || t.status[slot] === SLOT_FREE || t.epoch[slot] !== epochs.get(slot)) return;
  const free = t.freeGpus[slot] ?? 0;
  const held = (t.gpuCount[slot] ?? 0) - free;
  if (s.kind === "take" && free >= s.gpus) set.takeGpus(slot, s.gpus);
  else if (s.kind === "give" && held >= s.gpus) expect(set.returnGpus(slot, t.epoch[slot] ?? 0, s.gpus)).toBe(true);
  else if (s.kind === "pause" && t.status[slot] === SLOT_ACTIVE) set.pause(slot);
  else if (s.kind === "activate" && t.status[slot] !== SLOT_ACTIVE) set.activate(slot);
  else if (s.kind === "drop") {
    set.drop(slot);
    expect(set.returnGpus(slot, epochs.get(slot) ?? 0, 1)).toBe(false);
  }
}

/** Adds `what` to `problems` unless `ok`. */
function note(problems: string[], ok: boolean, what: string): void {
  if (!ok) problems.push(what);
}

/** Checks one shape index's lists against the table: each indexed slot once, in its current shape and band, sorted, heads exact. */
function checkBands(set: OfferSet, index: ShapeIndex, indexed: ReadonlySet<number>, problems: string[]): void {
  const view = index as unknown as BandsView;
  const t = set.table;
  const seen = new Set<number>();
  for (let shape = 0; shape < index.shapes.count; shape++) {
    let size = 0;
    let bands = 0;
    let min = Infinity;
    for (let band = 0; band < STATIC_BANDS; band++) {
      const at = shape * STATIC_BANDS + band;
      const list = view.bandLists[at] ?? [];
      const prices = view.bandPrices[at] ?? [];
      note(problems, prices.length === list.length, `band ${at}: prices beside slots`);
      list.forEach((slot, i) => {
        note(problems, !seen.has(slot), `slot ${slot} twice in the bands`);
        seen.add(slot);
        note(problems, prices[i] === t.priceF[slot], `slot ${slot}: price beside it`);
        note(problems, i === 0 || (prices[i] ?? 0) <= (prices[i - 1] ?? 0), `band ${at}: sorted, dearest first`);
        note(problems, index.shapes.shapeOf(slot) === shape, `slot ${slot}: in its current shape`);
        note(problems, staticBandOf(index.staticUnitsOf(slot)) === band, `slot ${slot}: in its band`);
        note(problems, view.slotShape[slot] === shape && view.slotBand[slot] === band, `slot ${slot}: shape and band kept`);
      });
      note(problems, view.bandHeadPrice[at] === (prices[prices.length - 1] ?? Infinity), `band ${at}: head price`);
      size += list.length;
      if (list.length > 0) bands |= 1 << band;
      min = Math.min(min, prices[prices.length - 1] ?? Infinity);
    }
    note(problems, view.shapeSize[shape] === size, `shape ${shape}: size`);
    note(problems, view.shapeBands[shape] === bands >>> 0, `shape ${shape}: band bits`);
    note(problems, view.shapeMinPrice[shape] === min, `shape ${shape}: cheapest price`);
  }
  note(problems, seen.size === indexed.size && [...seen].every((slot) => indexed.has(slot)), "bands hold the indexed slots");
}

/** Checks the price buckets against the table: each indexed slot once, in the cell and bucket its free GPUs, VRAM, band and price make. */
function checkBuckets(set: OfferSet, buckets: PriceBuckets, indexed: ReadonlySet<number>, problems: string[]): void {
  const t = set.table;
  const anyRegion = (set as unknown as IndexesView).anyRegionIndex;
  const seen = new Set<number>();
  for (let cell = 0; cell < FINE_CLASSES * WALK_BANDS; cell++) {
    const keys = buckets.bucketsOf(cell);
    const lists = buckets.listsOf(cell);
    const masks = buckets.maskSetsOf(cell);
    note(problems, lists.length === keys.length && masks.length === keys.length, `cell ${cell}: lists beside buckets`);
    let size = 0;
    keys.forEach((bucket, i) => {
      note(problems, i === 0 || bucket > (keys[i - 1] ?? 0), `cell ${cell}: buckets ascending`);
      const list = lists[i] ?? [];
      note(problems, list.length > 0, `cell ${cell}: no empty bucket`);
      for (const slot of list) {
        note(problems, !seen.has(slot), `slot ${slot} twice in the buckets`);
        seen.add(slot);
        note(problems, priceBucketOf(t.priceF[slot] ?? 0) === bucket, `slot ${slot}: in its price's bucket`);
        const band = Math.floor((staticBandOf(anyRegion.staticUnitsOf(slot)) * WALK_BANDS) / STATIC_BANDS);
        note(
          problems,
          cell === fitClassOf(t.freeGpus[slot] ?? 0, t.vram[slot] ?? 0) * WALK_BANDS + band,
          `slot ${slot}: in its current cell`,
        );
        const bit = maskBitOf(t.mask[slot] ?? 0);
        note(problems, ((masks[i] ?? 0) & bit) !== 0 && (buckets.maskSetOf(cell) & bit) !== 0, `slot ${slot}: its mask in the sets`);
      }
      size += list.length;
    });
    note(problems, buckets.sizeOf(cell) === size, `cell ${cell}: size`);
    note(problems, buckets.firstBucket(cell) === (keys[0] ?? PRICE_BUCKETS), `cell ${cell}: first bucket`);
    const fine = Math.floor(cell / WALK_BANDS);
    note(problems, ((buckets.bandsOf(fine) >>> (cell % WALK_BANDS)) & 1) === (size > 0 ? 1 : 0), `cell ${cell}: band bit`);
  }
  note(problems, seen.size === indexed.size && [...seen].every((slot) => indexed.has(slot)), "buckets hold the indexed slots");
  checkGroups(buckets.modelSlots, t.model, indexed, problems);
}

/** Checks slot lists keyed by a column (models, providers): each holds exactly the indexed slots of its key. */
function checkGroups(lists: ProviderSlots, key: Uint16Array | Uint32Array, indexed: ReadonlySet<number>, problems: string[]): void {
  const groups = new Map<number, number[]>();
  for (const slot of indexed) groups.set(key[slot] ?? 0, [...(groups.get(key[slot] ?? 0) ?? []), slot]);
  let held = 0;
  for (const [value, slots] of groups) {
    const got = [...lists.viewOf(value)].sort((a, b) => a - b);
    held += got.length;
    note(problems, got.join() === slots.join(), `list ${value}: its indexed slots`);
  }
  note(problems, held === indexed.size, "lists hold the indexed slots");
}

function checkAll(set: OfferSet): void {
  const t = set.table;
  const indexed = new Set<number>();
  const problems: string[] = [];
  for (let slot = 0; slot < t.highWater; slot++) {
    if (t.status[slot] === SLOT_ACTIVE && (t.freeGpus[slot] ?? 0) > 0) indexed.add(slot);
    note(problems, set.isIndexed(slot) === indexed.has(slot), `slot ${slot}: indexed iff active with free GPUs`);
  }
  const view = set as unknown as IndexesView;
  checkBands(set, view.regionIndex, indexed, problems);
  checkBands(set, view.anyRegionIndex, indexed, problems);
  checkBuckets(set, view.priceBuckets, indexed, problems);
  checkGroups(view.providerSlots, t.provider, indexed, problems);
  expect(problems).toEqual([]);
}

describe("offer indexes under changes of free GPUs", () => {
  it("hold exactly the active offers with free GPUs, each in its current shape, band, cell and bucket", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(offerSpec, fc.integer({ min: 0, max: 8 }), fc.boolean()), { minLength: 1, maxLength: 60 }),
        fc.array(step, { maxLength: 60 }),
        (offers, steps) => {
          const clock = new ManualClock(Date.parse("2026-11-23T00:00:00Z"));
          const set = new OfferSet(10_000, 4096);
          const epochs = new Map<number, number>();
          const live: number[] = [];
          for (const [spec, taken, paused] of offers) {
            const offer = offerFrom(spec, clock);
            const slot = set.store(offer, Math.max(0, offer.gpuCapacity.gpuCount - taken), paused);
            epochs.set(slot, set.table.epoch[slot] ?? 0);
            live.push(slot);
          }
          checkAll(set);
          for (const s of steps) {
            apply(set, epochs, live, s);
            checkAll(set);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
