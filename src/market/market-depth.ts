// Depth of the live book: free GPUs of active offers per price level (asks) and the GPUs resting
// orders want per max price (bids). Read-only over the in-memory book; bounded scan and levels.
import { Amount } from "../core/amount.js";
import { OfferStatus } from "../core/enums.js";
import { normalizeGpuModel } from "../core/gpu-model.js";
import type { OrderBook } from "../orderbook/order-book.js";

/** The bounds of a depth read. */
export const DEPTH_LIMITS = {
  /** Price levels of each side an answer holds at most (the best ones). */
  levelsMax: 100,
  /** Offers one depth read scans at most (the answer says when it stopped short). */
  offersScannedMax: 100_000,
  /** Resting orders one depth read adds up at most, in serve order (the answer says when it stopped short). */
  ordersScannedMax: 100_000,
  /** Offers read from the book per page. */
  offersPage: 1000,
} as const;

/** One price level: GPUs and how many offers (asks) or orders (bids) make it up. */
export interface DepthLevel {
  readonly price: Amount;
  readonly gpus: number;
  readonly count: number;
}

/** Asks from cheapest up, bids from highest max price down; `partial` when the offer or order scan hit its cap. */
export interface MarketDepth {
  readonly asks: DepthLevel[];
  readonly bids: DepthLevel[];
  readonly partial: boolean;
}

function levels(byPrice: Map<bigint, { gpus: number; count: number }>, descending: boolean): DepthLevel[] {
  return [...byPrice]
    .sort(([a], [b]) => (a === b ? 0 : a < b !== descending ? -1 : 1))
    .slice(0, DEPTH_LIMITS.levelsMax)
    .map(([price, level]) => ({ price: Amount.fromBaseUnits(price), ...level }));
}

function add(byPrice: Map<bigint, { gpus: number; count: number }>, price: bigint, gpus: number): void {
  const level = byPrice.get(price);
  if (level === undefined) byPrice.set(price, { gpus, count: 1 });
  else {
    level.gpus += gpus;
    level.count += 1;
  }
}

/**
 * The book's depth, of one normalized GPU model when given. Asks: active offers with free GPUs.
 * Bids: resting orders, of the model when their hard `gpuModels` accept it (an order without one takes any).
 * Invariant: at most DEPTH_LIMITS.levelsMax levels a side, at most offersScannedMax offers and
 * ordersScannedMax resting orders added up.
 */
export function marketDepth(book: OrderBook, gpuModel: string | undefined): MarketDepth {
  const asks = new Map<bigint, { gpus: number; count: number }>();
  let scanned = 0;
  let after: string | undefined;
  let partial = false;
  for (;;) {
    const page = book.listOffers(
      { ...(gpuModel === undefined ? {} : { gpuModel }), ...(after === undefined ? {} : { after }) },
      DEPTH_LIMITS.offersPage,
    );
    for (const offer of page) {
      if (offer.status === OfferStatus.Active && offer.freeGpuCount > 0) add(asks, offer.pricePerHour.baseUnits, offer.freeGpuCount);
    }
    scanned += page.length;
    after = page[page.length - 1]?.id;
    if (page.length < DEPTH_LIMITS.offersPage) break;
    if (scanned >= DEPTH_LIMITS.offersScannedMax) {
      partial = true;
      break;
    }
  }
  const bids = new Map<bigint, { gpus: number; count: number }>();
  const resting = book.pendingOrders();
  if (resting.length > DEPTH_LIMITS.ordersScannedMax) partial = true;
  for (const order of resting.slice(0, DEPTH_LIMITS.ordersScannedMax)) {
    const hard = order.requirements.gpuModels;
    if (
      gpuModel !== undefined &&
      hard !== undefined &&
      hard.length > 0 &&
      !hard.some((m) => normalizeGpuModel(m, "gpuModels") === gpuModel)
    )
      continue;
    add(bids, order.requirements.maxPricePerHour.baseUnits, order.requirements.minGpuCount);
  }
  return { asks: levels(asks, false), bids: levels(bids, true), partial };
}
