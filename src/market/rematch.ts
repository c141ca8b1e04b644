// Automatic re-match: when the job of an order that asked for it fails (its provider was lost, or
// the workload exited non-zero), the market submits, in the same batch, a successor order for the
// buyer for the remaining hours that never goes to the provider that failed. The buyer funds it.
import { HOURS_MIN, ORDER_TTL_DEFAULT_MS, PROVIDER_FILTER_MAX } from "../core/limits.js";
import { createOrder } from "../core/order.js";
import type { JobOrder } from "../core/types.js";
import { newOrderId } from "../core/ids.js";
import type { OrderBook } from "../orderbook/order-book.js";
import { SECONDS_PER_HOUR } from "../settlement/billing.js";
import type { OrderRow } from "../store/store.js";
import type { BatchBuilder } from "./batch.js";
import { decodeMatch, decodeOrder } from "./codec.js";
import type { JobRecord } from "./views.js";

/** Whole hours still to run of a job that ran `secondsRun` of its `hours` (0: nothing left). */
export function remainingHours(hours: number, secondsRun: number): number {
  const left = hours * SECONDS_PER_HOUR - Math.max(0, secondsRun);
  return left <= 0 ? 0 : Math.max(HOURS_MIN, Math.ceil(left / SECONDS_PER_HOUR));
}

/** The successor of `order`: same buyer, requirements and workload, the remaining hours, the failed provider denied. */
function successorOf(order: JobOrder, failedProvider: string, hours: number, nowMs: number): JobOrder {
  const requirements = order.requirements;
  const deny = [...new Set([...(requirements.providers?.deny ?? []), failedProvider])];
  const allow = requirements.providers?.allow?.filter((provider) => provider !== failedProvider);
  return createOrder({
    id: newOrderId(nowMs),
    buyerId: order.buyerId,
    requirements: {
      ...requirements,
      maxPricePerHour: requirements.maxPricePerHour,
      estimatedHours: hours,
      providers: { deny, ...(allow === undefined ? {} : { allow }) },
    },
    createdAt: new Date(nowMs),
    expiresAt: new Date(nowMs + ORDER_TTL_DEFAULT_MS),
    priority: order.priority,
    ...(order.workload === undefined ? {} : { workload: order.workload }),
    // The chain of successors ends when the deny list is full: every failure names one more provider.
    rematch: deny.length < PROVIDER_FILTER_MAX,
    successorOf: order.id,
  });
}

/**
 * Submits the successor of a failed job's order when it asked for re-match and hours remain, and
 * returns the job record with the link (`successor`). Invariants: the failed provider is denied to
 * the successor; an allow list left empty by it means no successor (nothing could match); the
 * buyer is told by an `OrderRematched` event. Runs inside the failing command's batch.
 */
export function rematch(book: OrderBook, batch: BatchBuilder, row: OrderRow, job: JobRecord, secondsRun: number): JobRecord {
  if (row.match === null) return job;
  const order = decodeOrder(row.doc, row.status);
  if (order.rematch !== true) return job;
  const match = decodeMatch(row.match);
  const hours = remainingHours(match.hours, secondsRun);
  const allow = order.requirements.providers?.allow;
  if (hours === 0 || (allow !== undefined && allow.every((provider) => provider === match.providerId))) return job;
  const successor = successorOf(order, match.providerId, hours, batch.nowMs);
  const result = book.submitOrder(successor);
  batch.marketEvent({
    type: "OrderRematched",
    entityId: row.id,
    successor: successor.id,
    failedProvider: match.providerId,
    hours,
    status: result.status,
  });
  return { ...job, successor: successor.id };
}
