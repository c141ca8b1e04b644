// The compact offer encoding (offers.book): it gives back every field the book reads, refuses a
// malformed string, is written with every offer, filled by migration 0008 for offers stored before
// it, and a rebuild from it (or from the document of a row without one) is the same book. SQLite and PostgreSQL.
import type { Kysely } from "kysely";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { Amount } from "../../src/core/amount.js";
import { HOUR_MS, ManualClock } from "../../src/core/clock.js";
import { createOffer } from "../../src/core/offer.js";
import type { CapacityOffer } from "../../src/core/types.js";
import { OfferBookDecoder, encodeOfferBook, offerBookOfDoc } from "../../src/store/offer-book.js";
import { rejectionCode } from "../support/error-code.js";
import { openMarket, openParties } from "../support/market.js";
import { rawDbFactories } from "../support/raw-db.js";
import { generateOffers } from "../support/sample-market.js";

/** An offer's stored columns and encoding, as the market writes them. */
function storedOf(offer: CapacityOffer, status = "Active") {
  return {
    id: offer.id,
    providerId: offer.providerId,
    status,
    gpuCount: offer.gpuCapacity.gpuCount,
    expiresAtMs: offer.expiresAt.getTime(),
    book: encodeOfferBook({ ...offer, createdAtMs: offer.createdAt.getTime() }),
  };
}

/** What the book reads of an offer, as plain JSON. */
const bookFields = (offer: CapacityOffer): unknown => JSON.parse(JSON.stringify({ ...offer, features: [...offer.features].sort() }));

describe("offer book encoding", () => {
  const NOW_MS = 1_800_000_000_000;
  const edgeCases: CapacityOffer[] = [
    // No location, compute capability, bandwidth or utilization; no features; a price past 2^53 base units.
    createOffer({
      providerId: "p-edge",
      gpuCapacity: { gpuCount: 1, gpuModel: 'odd "model"; with; separators', vramGb: 1 },
      pricePerHour: Amount.fromLamports((1n << 64n) - 1n),
      availableHours: 8784,
      minCommitmentHours: 0,
      createdAt: new Date(NOW_MS),
    }),
    createOffer({
      providerId: "p-edge-2",
      gpuCapacity: { gpuCount: 1024, gpuModel: "H100", vramGb: 2048, currentUtilization: 0, memoryBandwidth: 1 },
      pricePerHour: Amount.fromLamports(1n),
      availableHours: 1,
      createdAt: new Date(NOW_MS),
      location: { region: "eu-west-1", country: "IE" },
      features: ["NvLink"],
    }),
  ];

  it("decodes every field the book reads, for the sample market's mix and edge cases", () => {
    const decoder = new OfferBookDecoder();
    for (const offer of [...generateOffers({ seed: 3, offers: 500, nowMs: NOW_MS }), ...edgeCases]) {
      const decoded = decoder.offer(storedOf(offer));
      expect(bookFields(decoded)).toEqual(bookFields(offer));
      expect(decoded.pricePerHour.baseUnits).toBe(offer.pricePerHour.baseUnits);
    }
  });

  it("keeps a paused offer's status", () => {
    const [offer] = edgeCases;
    if (offer === undefined) throw new Error("no edge case");
    expect(new OfferBookDecoder().offer(storedOf(offer, "Paused")).status).toBe("Paused");
  });

  it("gives the same string from a stored document as from the offer", () => {
    for (const offer of [...generateOffers({ seed: 4, offers: 50, nowMs: NOW_MS }), ...edgeCases]) {
      expect(offerBookOfDoc(JSON.stringify(offer))).toBe(storedOf(offer).book);
    }
  });

  it("refuses a malformed string with STORE_ERROR", async () => {
    const [offer] = edgeCases;
    if (offer === undefined) throw new Error("no edge case");
    const good = storedOf(offer);
    for (const book of ["2;" + good.book.slice(2), good.book.replace(";", ";x"), good.book.slice(0, good.book.indexOf("[")) + "{}", "1;"]) {
      expect(await rejectionCode(Promise.resolve().then(() => new OfferBookDecoder().offer({ ...good, book })))).toBe("STORE_ERROR");
    }
  });
});

const factories = await rawDbFactories("Offer book encoding", "offer-book");

/** Every offer's book column, by id. */
async function booksOf(raw: Kysely<unknown>): Promise<Map<string, string | null>> {
  const rows = await sql<{ id: string; book: string | null }>`select id, book from offers order by id`.execute(raw);
  return new Map(rows.rows.map((r) => [r.id, r.book]));
}

for (const factory of factories) {
  describe(`offer book column on ${factory().name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    it(
      "is written with each offer, filled by 0008 for older rows, and rebuilds the same book (also from documents)",
      { timeout: 60_000 },
      async () => {
        const db = factory();
        const parties = await openParties();
        cleanups.push(async () => {
          parties.chain.close();
          await db.dispose();
        });
        const market = await openMarket(await db.open(), parties);
        const ids: string[] = [];
        for (const [i, [model, gpus, location]] of (
          [
            ["NVIDIA H100 80GB", 8, { region: "us-east-1", country: "US" }],
            ["RTX 4090", 2, undefined],
            ["A100", 4, { region: "eu-west-1", country: "IE" }],
          ] as const
        ).entries()) {
          const { offerId } = await market.addOffer(`offer-${i}`, {
            providerId: parties.provider.address,
            gpuCapacity: { gpuCount: gpus, gpuModel: model, vramGb: 24, computeCapability: "8.9", currentUtilization: 10 * i },
            pricePerHour: "1.5",
            availableHours: 48,
            features: i === 0 ? ["NvLink", "FP8"] : [],
            ...(location === undefined ? {} : { location }),
          });
          ids.push(offerId);
        }
        await market.pauseOffer("pause-1", ids[1] ?? "", parties.provider.address);
        await market.submitOrder("order-0", {
          buyerId: parties.buyer.address,
          requirements: { minGpuCount: 3, minVramGb: 0, maxPricePerHour: "2", estimatedHours: 2 },
        });
        const snapshot = JSON.stringify(market.book.snapshot());
        await market.close();

        const raw = db.raw();
        const written = await booksOf(raw);
        expect([...written.values()].every((book) => book !== null && book.startsWith("1;"))).toBe(true);

        // Rows without an encoding (as a writer that leaves it out stores them): rebuilt from their documents.
        await sql`update offers set book = null`.execute(raw);
        const fromDocs = await openMarket(await db.open(), parties);
        expect(JSON.stringify(fromDocs.book.snapshot())).toBe(snapshot);
        await fromDocs.close();

        // The store as it was before 0008: no column, neither it nor any later migration applied
        // (0010 only sets a page fill on PostgreSQL, which it sets again); reopening fills it.
        await db.ddl(raw, async (conn) => {
          await sql`alter table offers drop column book`.execute(conn);
          await sql`drop index events_type_seq`.execute(conn);
          await sql`delete from kysely_migration where name >= '0008_offer_book'`.execute(conn);
        });
        const reopened = await openMarket(await db.open(), parties);
        expect(JSON.stringify(reopened.book.snapshot())).toBe(snapshot);
        await reopened.close();
        expect(await booksOf(raw)).toEqual(written);
        await raw.destroy();
      },
    );
  });
}

for (const factory of factories) {
  describe(`rebuild from offer rows on ${factory().name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    it(
      "holds the live offers with their status and free GPUs, none withdrawn or expired, from encodings and documents mixed",
      { timeout: 60_000 },
      async () => {
        const db = factory();
        const parties = await openParties();
        cleanups.push(async () => {
          parties.chain.close();
          await db.dispose();
        });
        const clock = new ManualClock(Date.now());
        const market = await openMarket(await db.open(), parties, clock);
        const ids: string[] = [];
        for (let i = 0; i < 8; i++) {
          const { offerId } = await market.addOffer(`offer-${i}`, {
            providerId: parties.provider.address,
            gpuCapacity: { gpuCount: 1 + i, gpuModel: i % 2 === 0 ? "H100" : "RTX 4090", vramGb: 24 + i, memoryBandwidth: 1000 * (i + 1) },
            pricePerHour: `${1 + i / 4}`,
            availableHours: 48,
            // Offers 6 and 7 expire in an hour; the others in a week.
            expiresAt: new Date(clock.now() + (i >= 6 ? HOUR_MS : 7 * 24 * HOUR_MS)),
            features: i % 3 === 0 ? ["NvLink"] : [],
            ...(i % 2 === 0 ? { location: { region: "eu-west-1", country: "IE" } } : {}),
          });
          ids.push(offerId);
        }
        await market.pauseOffer("pause-1", ids[1] ?? "", parties.provider.address);
        await market.pauseOffer("pause-2", ids[2] ?? "", parties.provider.address);
        await market.withdrawOffer("withdraw-3", ids[3] ?? "", parties.provider.address);
        await market.withdrawOffer("withdraw-2", ids[2] ?? "", parties.provider.address);
        clock.advance(2 * HOUR_MS);
        await market.sweep();
        const snapshot = market.book.snapshot();
        const offers = snapshot.offers.map((o) => market.book.getOffer(o.id));
        await market.close();
        expect(snapshot.offers.map((o) => [o.id, o.status])).toEqual(
          [
            [ids[0], "Active"],
            [ids[1], "Paused"],
            [ids[4], "Active"],
            [ids[5], "Active"],
          ].sort(),
        );

        // Some rows keep only their document, as rows written before the encoding (one of them expired).
        const raw = db.raw();
        await sql`update offers set book = null where id in (${sql.join([ids[0], ids[1], ids[6]])})`.execute(raw);
        await raw.destroy();
        const reopened = await openMarket(await db.open(), parties, clock);
        expect(reopened.book.snapshot()).toEqual(snapshot);
        expect(snapshot.offers.map((o) => reopened.book.getOffer(o.id))).toEqual(offers);
        await reopened.close();
      },
    );
  });
}
