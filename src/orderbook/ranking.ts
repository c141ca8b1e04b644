// The order of results (DESIGN.md "Score"): higher score in whole units first, ties broken by
// lower price, then older offer, then lower id; and the top-k list a query fills. Pure, no I/O.
import type { OfferTable } from "./offer-table.js";

/**
 * Does slot a rank before slot b: higher score (whole units, exact), then lower price, older, lower id.
 * The price floats decide only when they differ: Number() of a bigint is monotone, so then the
 * exact prices differ the same way; equal floats fall through to the exact prices.
 * Invariant: a strict total order on live slots (ids are unique).
 */
export function ranksBefore(table: OfferTable, a: number, b: number, scoreA: number, scoreB: number): boolean {
  if (scoreA !== scoreB) return scoreA > scoreB;
  const priceA = table.priceF[a] ?? 0;
  const priceB = table.priceF[b] ?? 0;
  if (priceA !== priceB) return priceA < priceB;
  const exactA = table.price[a] ?? 0n;
  const exactB = table.price[b] ?? 0n;
  if (exactA !== exactB) return exactA < exactB;
  const createdA = table.createdAt[a] ?? 0;
  const createdB = table.createdAt[b] ?? 0;
  if (createdA !== createdB) return createdA < createdB;
  return (table.ids[a] ?? "") < (table.ids[b] ?? "");
}

/**
 * Inserts (slot, score) into the top-k arrays when it ranks among the best `limit`.
 * Invariant: `slots` stays sorted by ranksBefore, at most `limit` long; `scores` beside it.
 */
export function insertTop(table: OfferTable, slots: number[], scores: number[], slot: number, score: number, limit: number): void {
  let i = slots.length;
  if (i === limit) {
    if (!ranksBefore(table, slot, slots[i - 1] ?? 0, score, scores[i - 1] ?? 0)) return;
    i--;
  } else {
    slots.push(slot);
    scores.push(score);
  }
  while (i > 0 && ranksBefore(table, slot, slots[i - 1] ?? 0, score, scores[i - 1] ?? 0)) {
    slots[i] = slots[i - 1] ?? 0;
    scores[i] = scores[i - 1] ?? 0;
    i--;
  }
  slots[i] = slot;
  scores[i] = score;
}
