// A match as a trade: the row the trades table keeps beside the OrderMatched event. Pure, no I/O.
import { normalizeGpuModel } from "../core/gpu-model.js";
import type { OrderMatch } from "../core/types.js";
import { UNKNOWN_GPU_MODEL } from "../store/trade-migration.js";
import type { EventRow, TradeRow } from "../store/store.js";

/**
 * The trade of `match`, recorded as `event` (same seq and time). Invariant: gpuHours = gpuCount x hours,
 * the cost is the match's totalCost; a model that does not normalize is UNKNOWN_GPU_MODEL.
 */
export function tradeOfMatch(event: EventRow, match: OrderMatch, gpuModel: string | undefined): TradeRow {
  let model = UNKNOWN_GPU_MODEL;
  try {
    if (gpuModel !== undefined) model = normalizeGpuModel(gpuModel);
  } catch {
    // An offer's model was normalized when it was listed; this is only a guard.
  }
  return {
    seq: event.seq,
    atMs: event.atMs,
    orderId: match.orderId,
    offerId: match.offerId,
    providerId: match.providerId,
    gpuModel: model,
    gpuCount: match.gpuCount,
    hours: match.hours,
    gpuHours: match.gpuCount * match.hours,
    priceBaseUnits: match.pricePerHour.baseUnits,
    costBaseUnits: match.totalCost.baseUnits,
  };
}
