// The bulk restore from columns (OrderBook.restoreRows, fed by OfferBookDecoder.appendRow): for any
// stored offers, Active or Paused, with any free GPUs, stored with the compact encoding or with only
// their JSON document, loaded in pages of any size, the book equals the one built by applying each
// offer's OfferAdded (the replica path) and the one restoreOffers builds; bad rows are refused whole.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HOUR_MS, ManualClock } from "../../src/core/clock.js";
import { OfferStatus } from "../../src/core/enums.js";
import type { CapacityOffer } from "../../src/core/types.js";
import { OrderBook } from "../../src/orderbook/order-book.js";
import { RestoreRows } from "../../src/orderbook/restore-rows.js";
import { OfferBookDecoder, encodeOfferBook } from "../../src/store/offer-book.js";
import { expectMarketError } from "../support/expect-error.js";
import { T0, offerFrom, offerSpec, orderFrom, orderSpec, wideOfferSpec } from "../support/arbitraries.js";

interface Stored {
  readonly offer: CapacityOffer;
  readonly status: "Active" | "Paused";
  readonly freeGpus: number;
  /** Stored without the compact encoding: only the offer's JSON document. */
  readonly asDocument: boolean;
}

/** The row a store hands to a rebuild for `stored`. */
function rowOf({ offer, status, freeGpus, asDocument }: Stored) {
  return {
    id: offer.id,
    providerId: offer.providerId,
    status,
    gpuCount: offer.gpuCapacity.gpuCount,
    freeGpus,
    expiresAtMs: offer.expiresAt.getTime(),
    book: asDocument ? JSON.stringify(offer) : encodeOfferBook({ ...offer, createdAtMs: offer.createdAt.getTime() }),
  };
}

/** Loads `stored` through restoreRows, `pageSize` rows at a time, into a new book. */
function restoredFromRows(clock: ManualClock, stored: readonly Stored[], pageSize: number): OrderBook {
  const book = new OrderBook({ clock });
  const decoder = new OfferBookDecoder();
  const rows = new RestoreRows();
  for (let from = 0; from < stored.length; from += pageSize) {
    rows.clear();
    for (const entry of stored.slice(from, from + pageSize)) decoder.appendRow(rowOf(entry), rows);
    book.restoreRows(rows, { defer: true });
  }
  book.finishRestore();
  return book;
}

const storedArb = fc.record({
  spec: fc.oneof(offerSpec, wideOfferSpec),
  paused: fc.boolean(),
  freeShare: fc.double({ min: 0, max: 1, noNaN: true }),
  asDocument: fc.boolean(),
});

describe("OrderBook.restoreRows", () => {
  it("builds the book that applying each offer builds, and restoreOffers too, from encodings and documents, in pages of any size", () => {
    fc.assert(
      fc.property(
        fc.array(storedArb, { minLength: 1, maxLength: 50 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(orderSpec, { minLength: 1, maxLength: 4 }),
        (specs, pageSize, probeSpecs) => {
          const clock = new ManualClock(T0);
          const stored: Stored[] = specs.map(({ spec, paused, freeShare, asDocument }) => {
            const offer = offerFrom(spec, clock);
            const freeGpus = Math.floor(freeShare * offer.gpuCapacity.gpuCount);
            return { offer, status: paused ? "Paused" : "Active", freeGpus, asDocument };
          });
          const applied = new OrderBook({ clock });
          for (const { offer, status, freeGpus } of stored) {
            applied.apply({ type: "OfferAdded", offer: { ...offer, status: OfferStatus[status], freeGpuCount: freeGpus } });
          }
          const restored = new OrderBook({ clock });
          restored.restoreOffers(
            stored.map(({ offer, status, freeGpus }) => ({
              offer: status === "Paused" ? { ...offer, status: OfferStatus.Paused } : offer,
              freeGpuCount: freeGpus,
            })),
          );
          const fromRows = restoredFromRows(clock, stored, pageSize);

          expect(fromRows.snapshot()).toEqual(applied.snapshot());
          expect(fromRows.snapshot()).toEqual(restored.snapshot());
          for (const { offer } of stored) expect(fromRows.getOffer(offer.id)).toEqual(applied.getOffer(offer.id));
          for (const probe of probeSpecs.map((spec) => orderFrom(spec, clock))) {
            expect(fromRows.matchOrder(probe, 5)).toEqual(applied.matchOrder(probe, 5));
          }
          // The same offers expire from both books.
          clock.advance(3 * HOUR_MS);
          expect(fromRows.expire().offers.sort()).toEqual(applied.expire().offers.sort());
          expect(fromRows.snapshot()).toEqual(applied.snapshot());
        },
      ),
      { numRuns: 150 },
    );
  });

  it("refuses a page with a bad row whole: more free GPUs than GPUs, an id held already or twice, a price of 0", () => {
    const clock = new ManualClock(T0);
    const offers = fc.sample(offerSpec, { numRuns: 6, seed: 11 }).map((spec) => offerFrom(spec, clock));
    const [first, second, third] = offers;
    if (first === undefined || second === undefined || third === undefined) throw new Error("no offers");
    const book = new OrderBook({ clock });
    const decoder = new OfferBookDecoder();
    const rows = new RestoreRows();
    const load = (entries: readonly Stored[]): void => {
      rows.clear();
      for (const entry of entries) decoder.appendRow(rowOf(entry), rows);
      book.restoreRows(rows);
    };
    const stored = (offer: CapacityOffer, freeGpus = offer.gpuCapacity.gpuCount): Stored => ({
      offer,
      status: "Active",
      freeGpus,
      asDocument: false,
    });
    load([stored(first)]);
    const before = book.snapshot();
    const [probeSpec] = fc.sample(orderSpec, { numRuns: 1, seed: 3 });
    if (probeSpec === undefined) throw new Error("no order");
    const probe = orderFrom(probeSpec, clock);
    const matchesBefore = book.matchOrder(probe, 5);

    expectMarketError(() => {
      load([stored(second), stored(third, third.gpuCapacity.gpuCount + 1)]);
    }, "OUT_OF_RANGE");
    expectMarketError(() => {
      load([stored(second), stored(first)]);
    }, "DUPLICATE_ID");
    expectMarketError(() => {
      load([stored(second), stored(third), stored(second)]);
    }, "DUPLICATE_ID");
    rows.clear();
    decoder.appendRow({ ...rowOf(stored(second)), book: rowOf(stored(second)).book.replace(/^1;\d+;/, "1;0;") }, rows);
    expectMarketError(() => {
      book.restoreRows(rows);
    }, "INVALID_AMOUNT");

    expect(book.snapshot()).toEqual(before);
    expect(book.matchOrder(probe, 5)).toEqual(matchesBefore);
    // The book takes the refused offers afterwards, as if never offered.
    load([stored(second), stored(third)]);
    expect(book.snapshot().offers.map((o) => o.id)).toEqual([first.id, second.id, third.id].sort());
  });

  it("reads only Active and Paused rows: the decoder refuses any other status with STORE_ERROR", () => {
    const clock = new ManualClock(T0);
    const [spec] = fc.sample(offerSpec, { numRuns: 1, seed: 5 });
    if (spec === undefined) throw new Error("no offer");
    const row = rowOf({ offer: offerFrom(spec, clock), status: "Active", freeGpus: 1, asDocument: false });
    for (const status of ["Withdrawn", "Expired", "active"]) {
      expectMarketError(() => {
        new OfferBookDecoder().appendRow({ ...row, status }, new RestoreRows());
      }, "STORE_ERROR");
    }
  });
});
