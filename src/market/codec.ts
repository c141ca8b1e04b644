// JSON forms of what the store keeps: offers, orders, matches, escrows and book events, with
// amounts as decimal strings and bigints as strings, and their exact inverses. Pure, no I/O.
import { Amount } from "../core/amount.js";
import { parseOffer } from "../core/offer.js";
import { parseOrder } from "../core/order.js";
import type { BookOffer, JobOrder, OrderMatch } from "../core/types.js";
import { ImmutableDate } from "../core/validate.js";
import type { BookEventBody } from "../orderbook/events.js";
import type { EscrowAccount } from "../settlement/escrow-account.js";

/** A stored order back as a JobOrder with the stored status. @throws validation codes */
export function decodeOrder(doc: string, status: string): JobOrder {
  // An order is validated as it was submitted (Pending); its stored status is set afterwards.
  const order = parseOrder({ ...(JSON.parse(doc) as object), status: "Pending" });
  return status === "Pending" ? order : Object.freeze({ ...order, status: status as JobOrder["status"] });
}

/** A match as JSON data: what JSON.stringify writes of an OrderMatch, amounts as decimal strings. */
export type MatchJson = Omit<OrderMatch, "pricePerHour" | "totalCost"> & { readonly pricePerHour: string; readonly totalCost: string };

/** A match as JSON data, fields in the same order JSON.stringify writes them. */
export function matchToJson(match: OrderMatch): MatchJson {
  return { ...match, pricePerHour: match.pricePerHour.toJSON(), totalCost: match.totalCost.toJSON() };
}

/** The inverse of matchToJson: amounts as Amount. @throws INVALID_AMOUNT */
export function matchFromJson(raw: MatchJson): OrderMatch {
  return Object.freeze({ ...raw, pricePerHour: Amount.parse(raw.pricePerHour), totalCost: Amount.parse(raw.totalCost) });
}

/** A stored match back, amounts as Amount. */
export function decodeMatch(json: string): OrderMatch {
  return matchFromJson(JSON.parse(json) as MatchJson);
}

/** A stored match's total cost in base units, without building the match (a buyer's unfunded matches are summed on every order it submits). @throws INVALID_AMOUNT */
export function matchTotalCostBaseUnits(json: string): bigint {
  return Amount.parse((JSON.parse(json) as Pick<MatchJson, "totalCost">).totalCost).baseUnits;
}

/** An escrow as JSON: amounts and the rate as strings, times as epoch ms. */
export function encodeEscrow(escrow: EscrowAccount): string {
  return JSON.stringify({
    ...escrow,
    rate: { ratePerSecond: escrow.rate.ratePerSecond.toString(), feeRatePerSecond: escrow.rate.feeRatePerSecond.toString() },
    createdAt: escrow.createdAt.getTime(),
    lockedUntil: escrow.lockedUntil.getTime(),
    ...(escrow.jobEndedAt === undefined ? {} : { jobEndedAt: escrow.jobEndedAt.getTime() }),
    ...(escrow.releasedAt === undefined ? {} : { releasedAt: escrow.releasedAt.getTime() }),
  });
}

/** The inverse of encodeEscrow. */
export function decodeEscrow(json: string): EscrowAccount {
  const raw = JSON.parse(json) as Record<string, unknown> & {
    rate: { ratePerSecond: string; feeRatePerSecond: string };
    amount: string;
    pricePerHour: string;
    createdAt: number;
    lockedUntil: number;
    jobEndedAt?: number;
    releasedAt?: number;
  };
  const escrow = {
    ...raw,
    amount: Amount.parse(raw.amount),
    pricePerHour: Amount.parse(raw.pricePerHour),
    rate: Object.freeze({ ratePerSecond: BigInt(raw.rate.ratePerSecond), feeRatePerSecond: BigInt(raw.rate.feeRatePerSecond) }),
    createdAt: new ImmutableDate(raw.createdAt),
    lockedUntil: new ImmutableDate(raw.lockedUntil),
    ...(raw.jobEndedAt === undefined ? {} : { jobEndedAt: new ImmutableDate(raw.jobEndedAt) }),
    ...(raw.releasedAt === undefined ? {} : { releasedAt: new ImmutableDate(raw.releasedAt) }),
  };
  return Object.freeze(escrow) as unknown as EscrowAccount;
}

/** A book event as stored in the feed (amounts and dates as strings). */
export function encodeBookEvent(event: BookEventBody): string {
  return JSON.stringify(event);
}

/** A stored book event from its parsed JSON form, ready for OrderBook.apply. @throws validation codes */
export function bookEventOf(raw: { type: string } & Record<string, unknown>): BookEventBody {
  switch (raw.type) {
    case "OfferAdded": {
      const offer = raw.offer as { status: string; freeGpuCount: number };
      const decoded: BookOffer = { ...parseOffer(offer), freeGpuCount: offer.freeGpuCount };
      return { type: "OfferAdded", offer: decoded };
    }
    case "OrderRested":
      return { type: "OrderRested", order: decodeOrder(JSON.stringify(raw.order), "Pending") };
    case "OrderMatched":
      return {
        type: "OrderMatched",
        order: decodeOrder(JSON.stringify(raw.order), "Matched"),
        match: decodeMatch(JSON.stringify(raw.match)),
      };
    case "AllocationExtended":
      return { ...(raw as unknown as BookEventBody & { type: "AllocationExtended" }), totalCost: Amount.parse(String(raw.totalCost)) };
    default:
      return raw as unknown as BookEventBody;
  }
}
