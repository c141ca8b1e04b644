// Serving resting orders: when an offer gains capacity (added, resumed, GPUs returned), the
// resting orders it satisfies take it, by priority, then age, then id. In memory only, no I/O.
import type { BookState } from "./book-state.js";
import { offerSatisfies } from "./matching.js";
import type { RestingOrder } from "./resting-orders.js";
import { needsRecompile } from "./query.js";
import type { CompiledQuery } from "./query.js";

/**
 * The entry's query with the offer table's current indexes: a query compiled when its region,
 * country or a provider it filters on was unknown is compiled again, since the table may have
 * learned them (a provider it denies may have just added this offer).
 */
function currentQuery(state: BookState, entry: RestingOrder, nowMs: number): CompiledQuery {
  return needsRecompile(state.offers.table, entry.query)
    ? state.compile(entry.order.requirements, entry.order.maxBudget, nowMs)
    : entry.query;
}

/**
 * Matches resting orders to the offer in `slot` while it has free GPUs: each unexpired order it
 * satisfies (matching.ts), in serve order, is removed from the resting set and allocated.
 * Invariant: stops when the offer leaves the index (no free GPUs) or allocations are full;
 * records an OrderMatched per order served.
 */
export function serveResting(state: BookState, slot: number): void {
  const { offers, resting } = state;
  if (resting.size === 0 || !offers.isIndexed(slot)) return;
  const t = offers.table;
  const nowMs = state.clock.now();
  const candidates = resting.servingQueue({
    freeGpus: t.freeGpus[slot] ?? 0,
    vramGb: t.vram[slot] ?? 0,
    mask: t.mask[slot] ?? 0,
    region: t.regions.valueOf(t.region[slot] ?? 0),
    price: t.price[slot] ?? 0n,
  });
  for (let entry = candidates.next(); entry !== undefined; entry = candidates.next()) {
    if (!offers.isIndexed(slot)) return; // no free GPUs left
    if (entry.expiresAtMs <= nowMs || !offerSatisfies(t, offers.reputations, slot, currentQuery(state, entry, nowMs), nowMs)) continue;
    if (state.allocations.full) return;
    resting.remove(entry.order.id);
    // Resolve the query again: tables may have learned the order's region or preferred models.
    state.allocate(entry.order, state.compile(entry.order.requirements, entry.order.maxBudget, nowMs), slot);
  }
}
