// Loads a market file (JSON: { offers: [...] }) into an order book, validating every offer with
// the offer factory. Reads one file; bounded in size and count.
import { readFileSync, statSync } from "node:fs";
import type { Clock } from "../core/clock.js";
import { MarketError, isMarketError } from "../core/errors.js";
import { createOffer } from "../core/offer.js";
import type { CreateOfferInput } from "../core/offer.js";
import { OrderBook } from "../orderbook/order-book.js";

/** Largest market file read: 64 MiB. */
export const MARKET_FILE_BYTES_MAX = 64 * 1024 * 1024;
/** Most offers read from one file. */
export const MARKET_FILE_OFFERS_MAX = 200_000;

/** The sample market shipped with the package. */
export const SAMPLE_MARKET_URL = new URL("../../examples/sample-market.json", import.meta.url);

/**
 * Reads the offers of a market file, unvalidated (the offer factory checks each one).
 * @throws INVALID_FIELD (unreadable, too large, not JSON, wrong shape), LIMIT_EXCEEDED
 */
export function readMarketOffers(path: string | URL): unknown[] {
  const where = path.toString();
  let text: string;
  try {
    if (statSync(path).size > MARKET_FILE_BYTES_MAX)
      throw new MarketError("LIMIT_EXCEEDED", { limit: "marketFileBytes", max: MARKET_FILE_BYTES_MAX });
    text = readFileSync(path, "utf8");
  } catch (e) {
    if (isMarketError(e)) throw e;
    throw new MarketError(
      "INVALID_FIELD",
      { field: "market", value: JSON.stringify(where), allowed: "a readable JSON market file (see examples/sample-market.json)" },
      { cause: e },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new MarketError("INVALID_FIELD", { field: "market", value: JSON.stringify(where), allowed: "valid JSON" }, { cause: e });
  }
  const offers = (parsed as { offers?: unknown } | null)?.offers;
  if (!Array.isArray(offers)) {
    throw new MarketError("INVALID_FIELD", { field: "market.offers", value: typeof offers, allowed: "an array of offers" });
  }
  if (offers.length > MARKET_FILE_OFFERS_MAX)
    throw new MarketError("LIMIT_EXCEEDED", { limit: "marketFileOffers", max: MARKET_FILE_OFFERS_MAX });
  return offers as unknown[];
}

/**
 * Reads a market file and returns a book holding its offers (ids and times filled in now).
 * @throws the codes of readMarketOffers, and each offer's validation codes with its index
 */
export function loadMarket(path: string | URL, clock: Clock): OrderBook {
  const book = new OrderBook({ clock });
  readMarketOffers(path).forEach((input: unknown, index) => {
    try {
      book.addOffer(createOffer(input as CreateOfferInput, { clock }));
    } catch (e) {
      if (isMarketError(e, "INVALID_FIELD"))
        throw new MarketError("INVALID_FIELD", { ...e.details, field: `offers[${index}].${e.details.field}` });
      throw e;
    }
  });
  return book;
}
