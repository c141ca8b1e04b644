// The compact encoding of what the book reads of an offer (offers.book), written with the offer so a
// rebuild decodes it instead of parsing the offer's JSON document; its migration fills it for rows
// stored before. The encoding and its decoding are pure; only the migration does I/O.
import { sql } from "kysely";
import type { Kysely, Migration } from "kysely";
import { Amount } from "../core/amount.js";
import { MarketError } from "../core/errors.js";
import type { Feature, OfferStatus } from "../core/enums.js";
import type { CapacityOffer, GpuCapacity } from "../core/types.js";
import { ImmutableDate, markValidated } from "../core/validate.js";
import { ROW_ABSENT } from "../orderbook/restore-rows.js";
import type { RestoreRows } from "../orderbook/restore-rows.js";

/**
 * The first field of every encoding: its version. A change of the format is a new version, and
 * the decoder refuses versions it does not know.
 */
const OFFER_BOOK_VERSION = "1";
/** Fields before the shape: version, price (base units), VRAM, hours, minimum commitment, createdAt ms, utilization, bandwidth. */
const NUMBER_FIELDS = 7;
const SEPARATOR = ";";
const SEPARATOR_CODE = 59;
const DIGIT_0 = 48;
const MINUS_CODE = 45;
/** Digits below which a price is exact as a double (2^53 has 16 digits). */
const EXACT_DIGITS_MAX = 15;
/** Rows read and written per statement while the migration fills the column. */
const BACKFILL_PAGE_ROWS = 1000;

/** The offer's fields the encoding holds (the rest are columns of their own: id, provider, status, GPUs, expiry). */
export interface OfferBookSource {
  readonly gpuCapacity: GpuCapacity;
  readonly pricePerHour: { readonly baseUnits: bigint };
  readonly availableHours: number;
  readonly minCommitmentHours: number;
  readonly createdAtMs: number;
  readonly features: readonly string[];
  readonly location?: { readonly region: string; readonly country: string } | undefined;
}

/**
 * An offer's book fields as one short string:
 * `1;price;vramGb;availableHours;minCommitmentHours;createdAtMs;utilization;bandwidth;[model,cc,region,country,...features]`
 * (utilization and bandwidth empty when absent; the shape part is JSON, shared by many offers).
 */
export function encodeOfferBook(offer: OfferBookSource): string {
  const capacity = offer.gpuCapacity;
  const shape = JSON.stringify([
    capacity.gpuModel,
    capacity.computeCapability ?? null,
    offer.location?.region ?? null,
    offer.location?.country ?? null,
    ...offer.features,
  ]);
  return [
    OFFER_BOOK_VERSION,
    offer.pricePerHour.baseUnits.toString(),
    capacity.vramGb,
    offer.availableHours,
    offer.minCommitmentHours,
    offer.createdAtMs,
    capacity.currentUtilization ?? "",
    capacity.memoryBandwidth ?? "",
    shape,
  ].join(SEPARATOR);
}

/** The encoding of a stored offer document (the JSON the market writes in offers.doc). @throws INVALID_AMOUNT, STORE_ERROR */
export function offerBookOfDoc(doc: string): string {
  const raw = JSON.parse(doc) as Omit<OfferBookSource, "pricePerHour" | "createdAtMs"> & { pricePerHour: string; createdAt: string };
  const createdAtMs = Date.parse(raw.createdAt);
  if (!Number.isFinite(createdAtMs))
    throw new MarketError("STORE_ERROR", { reason: `stored offer has no valid createdAt: ${raw.createdAt}` });
  return encodeOfferBook({ ...raw, pricePerHour: Amount.parse(raw.pricePerHour), createdAtMs });
}

/** The columns of a stored offer a rebuild reads beside its encoding. */
export interface OfferBookColumns {
  readonly id: string;
  readonly providerId: string;
  readonly status: string;
  readonly gpuCount: number;
  readonly expiresAtMs: number;
  /** encodeOfferBook's string. */
  readonly book: string;
}

interface Shape {
  readonly gpuModel: string;
  readonly computeCapability: string | undefined;
  readonly location: { readonly region: string; readonly country: string } | undefined;
  readonly features: readonly Feature[];
}

function corrupt(id: string, what: string): MarketError {
  return new MarketError("STORE_ERROR", { reason: `offer ${id}: malformed book encoding (${what})` });
}

/**
 * Decodes encodeOfferBook's strings back into offers (offer) or into a rebuild's columns (appendRow,
 * checked by the book as it loads them), each shape's JSON parsed once (one decoder per rebuild: it
 * keeps the shapes it met). Invariant: decode(encode(o)) holds every field of o the book reads;
 * offer() marks it validated, as the rows were written only from validated offers.
 */
export class OfferBookDecoder {
  private readonly shapes = new Map<string, Shape>();
  private readonly numbers = new Float64Array(NUMBER_FIELDS);
  /** The last read price, when it has more digits than a double holds exactly. */
  private bigPrice: bigint | undefined;
  /** appendRow's shapes, by their JSON, numbered in its RestoreRows. */
  private readonly shapeNumbers = new Map<string, number>();

  /** The offer of a stored row, with its stored status. @throws STORE_ERROR (a malformed encoding) */
  offer(row: OfferBookColumns): CapacityOffer {
    const text = row.book;
    const shape = this.shapeOf(row.id, text.slice(this.readNumbers(row.id, text)));
    const [priceF = 0, vramGb = 0, availableHours = 0, minCommitmentHours = 0, createdAtMs = 0, utilization = -1, bandwidth = -1] =
      this.numbers;
    if (priceF < 0) throw corrupt(row.id, "price");
    const gpuCapacity: { -readonly [K in keyof GpuCapacity]: GpuCapacity[K] } = {
      gpuCount: row.gpuCount,
      gpuModel: shape.gpuModel,
      vramGb,
    };
    if (shape.computeCapability !== undefined) gpuCapacity.computeCapability = shape.computeCapability;
    if (bandwidth >= 0) gpuCapacity.memoryBandwidth = bandwidth;
    if (utilization >= 0) gpuCapacity.currentUtilization = utilization;
    const offer: { -readonly [K in keyof CapacityOffer]: CapacityOffer[K] } = {
      id: row.id as CapacityOffer["id"],
      providerId: row.providerId,
      gpuCapacity: Object.freeze(gpuCapacity),
      pricePerHour: Amount.fromLamports(this.bigPrice ?? BigInt(priceF)),
      availableHours,
      minCommitmentHours,
      createdAt: new ImmutableDate(createdAtMs),
      expiresAt: new ImmutableDate(row.expiresAtMs),
      status: row.status as OfferStatus,
      features: shape.features,
    };
    if (shape.location !== undefined) offer.location = shape.location;
    return markValidated(offer, "offer");
  }

  /**
   * Appends a stored row to `rows` as columns, with its free GPUs and status (Active or Paused), from
   * its encoding or, when `row.book` is the offer's JSON document (a row stored without one), from
   * that. Each distinct shape is parsed and numbered in `rows` once (one RestoreRows per decoder).
   * @throws STORE_ERROR (a malformed encoding, a status other than Active or Paused), INVALID_AMOUNT (a document's price)
   */
  appendRow(row: OfferBookColumns & { readonly freeGpus: number }, rows: RestoreRows): void {
    const paused = row.status === "Paused";
    if (!paused && row.status !== "Active") throw corrupt(row.id, `status ${row.status}`);
    const text = row.book.startsWith("{") ? offerBookOfDoc(row.book) : row.book;
    const shapeStart = this.readNumbers(row.id, text);
    const json = text.slice(shapeStart);
    let shape = this.shapeNumbers.get(json);
    if (shape === undefined) {
      shape = rows.addShape(this.shapeOf(row.id, json));
      this.shapeNumbers.set(json, shape);
    }
    const numbers = this.numbers;
    const at = rows.next(row.id, row.providerId);
    rows.shape[at] = shape;
    rows.paused[at] = paused ? 1 : 0;
    rows.gpuCount[at] = row.gpuCount;
    rows.freeGpus[at] = row.freeGpus;
    rows.expiresAtMs[at] = row.expiresAtMs;
    if (this.bigPrice === undefined) rows.priceF[at] = numbers[0] ?? 0;
    else {
      rows.priceF[at] = Number(this.bigPrice);
      rows.exactPrices.set(at, this.bigPrice);
    }
    rows.vramGb[at] = numbers[1] ?? 0;
    rows.availableHours[at] = numbers[2] ?? 0;
    rows.minCommitmentHours[at] = numbers[3] ?? 0;
    rows.createdAtMs[at] = numbers[4] ?? 0;
    rows.utilization[at] = numbers[5] ?? ROW_ABSENT;
    rows.memoryBandwidth[at] = numbers[6] ?? ROW_ABSENT;
  }

  /**
   * Reads the encoding's numbers into `numbers` (empty fields as -1; the price also into bigPrice
   * when it has more digits than a double holds exactly) and returns where the shape starts.
   * @throws STORE_ERROR (a malformed encoding)
   */
  private readNumbers(id: string, text: string): number {
    if (text.charCodeAt(0) !== OFFER_BOOK_VERSION.charCodeAt(0) || text.charCodeAt(1) !== SEPARATOR_CODE) throw corrupt(id, "version");
    let pos = 2;
    const numbers = this.numbers;
    this.bigPrice = undefined;
    for (let field = 0; field < NUMBER_FIELDS; field++) {
      const negative = text.charCodeAt(pos) === MINUS_CODE;
      if (negative) pos++;
      const start = pos;
      let value = 0;
      let code = text.charCodeAt(pos);
      while (code !== SEPARATOR_CODE) {
        const digit = code - DIGIT_0;
        // NaN past the end of the string fails this too.
        if (!(digit >= 0 && digit <= 9)) throw corrupt(id, `field ${field + 1}`);
        value = value * 10 + digit;
        code = text.charCodeAt(++pos);
      }
      numbers[field] = pos === start ? -1 : negative ? -value : value;
      if (field === 0 && pos - start > EXACT_DIGITS_MAX) this.bigPrice = BigInt(text.slice(start, pos));
      pos++;
    }
    return pos;
  }

  private shapeOf(id: string, json: string): Shape {
    let shape = this.shapes.get(json);
    if (shape !== undefined) return shape;
    const parsed: unknown = JSON.parse(json);
    if (!Array.isArray(parsed) || parsed.length < 4 || !parsed.every((v) => v === null || typeof v === "string"))
      throw corrupt(id, "shape");
    const [gpuModel, computeCapability, region, country, ...features] = parsed as (string | null)[];
    if (gpuModel === null || gpuModel === undefined) throw corrupt(id, "model");
    shape = {
      gpuModel,
      computeCapability: computeCapability ?? undefined,
      location: region === null || region === undefined ? undefined : Object.freeze({ region, country: country ?? "" }),
      features: Object.freeze(features as Feature[]),
    };
    this.shapes.set(json, shape);
    return shape;
  }
}

/** 0008_offer_book: offers.book, filled from each stored offer's document, a page of rows per statement. */
export const OFFER_BOOK_MIGRATION: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable("offers").addColumn("book", "text").execute();
    let after = "";
    for (;;) {
      const page = await sql<{ id: string; doc: string }>`
        select id, doc from offers where id > ${after} order by id limit ${BACKFILL_PAGE_ROWS}`.execute(db);
      if (page.rows.length === 0) return;
      const values = page.rows.map((row) => sql`(${row.id}, ${offerBookOfDoc(row.doc)})`);
      // A CTE of (id, book) pairs and UPDATE ... FROM: SQLite (3.33+) and PostgreSQL both read it.
      await sql`with filled (id, book) as (values ${sql.join(values)})
        update offers set book = filled.book from filled where offers.id = filled.id`.execute(db);
      after = page.rows[page.rows.length - 1]?.id ?? after;
      if (page.rows.length < BACKFILL_PAGE_ROWS) return;
    }
  },
};
