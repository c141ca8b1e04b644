// ProviderSlots: the indexed offer slots of each provider, so an order with an allow list of k
// providers walks only their offers (bestOfProviders), ranked exactly as the shape index ranks.
// In memory only, no I/O.
import { offerSatisfies } from "./matching.js";
import type { OfferTable } from "./offer-table.js";
import type { CompiledQuery } from "./query.js";
import { insertTop } from "./ranking.js";
import type { Reputations } from "./reputations.js";
import { extraFeaturesUnits, gpuFitUnits, preferredModelUnits, priceHeadroomUnits, utilizationUnits, vramFitUnits } from "./score.js";

/**
 * An allow list walks its providers' offers instead of the shape index when they hold at most this
 * many indexed offers together; above it the index's pruning by score bound wins.
 */
export const ALLOW_WALK_MAX = 20_000;

const NO_SLOTS: readonly number[] = [];

/**
 * Indexed slots by interned provider. Invariants: a slot is in its provider's list iff it was
 * added and not removed since; position[slot] is its place in that list (-1 when in none).
 * Add and remove are O(1) (remove swaps the last slot into the hole).
 */
export class ProviderSlots {
  private readonly lists: number[][] = [];
  private position = new Int32Array(1024).fill(-1);

  /** Adds an indexed slot of `provider`. Invariant: the slot is in no list. */
  add(slot: number, provider: number): void {
    if (slot >= this.position.length) {
      const position = new Int32Array(Math.max(slot + 1, this.position.length * 2)).fill(-1);
      position.set(this.position);
      this.position = position;
    }
    const list = (this.lists[provider] ??= []);
    this.position[slot] = list.length;
    list.push(slot);
  }

  /** Removes a slot of `provider` (no-op when it is in no list). */
  remove(slot: number, provider: number): void {
    const at = slot < this.position.length ? (this.position[slot] ?? -1) : -1;
    if (at < 0) return;
    const list = this.lists[provider] ?? [];
    const last = list.pop() ?? slot;
    if (last !== slot) {
      list[at] = last;
      this.position[last] = at;
    }
    this.position[slot] = -1;
  }

  /** The indexed slots of one provider now (a copy: the caller may change the index while reading it). */
  slotsOf(provider: number): number[] {
    return [...(this.lists[provider] ?? [])];
  }

  /** The indexed slots of one provider now, not copied: read it before the index changes. */
  viewOf(provider: number): readonly number[] {
    return this.lists[provider] ?? NO_SLOTS;
  }

  /** Indexed slots of the providers in `providers`, counted. */
  countOf(providers: ReadonlySet<number>): number {
    let count = 0;
    for (const provider of providers) count += this.lists[provider]?.length ?? 0;
    return count;
  }

  /**
   * The best `limit` slots of the allowed providers for a query, best first, by the same score
   * units and ties as ShapeIndex.best (ranking.ts). Invariant: equals ShapeIndex.best(query, limit)
   * for a query whose allowedProviders is `providers` (the differential test checks both against
   * the reference scan). Work: the allowed providers' indexed offers, once each.
   */
  best(table: OfferTable, reputations: Reputations, providers: ReadonlySet<number>, query: CompiledQuery, limit: number): number[] {
    const slots: number[] = [];
    const scores: number[] = [];
    if (query.impossible || limit <= 0) return slots;
    const preferred = query.preferredModels;
    for (const provider of providers) {
      const list = this.lists[provider];
      if (list === undefined) continue;
      for (const slot of list) {
        if (!offerSatisfies(table, reputations, slot, query, query.nowMs)) continue;
        const units =
          priceHeadroomUnits(table.price[slot] ?? 0n, query.maxPrice) +
          gpuFitUnits(query.minGpu, table.freeGpus[slot] ?? 0) +
          vramFitUnits(query.minVram, table.vram[slot] ?? 0) +
          preferredModelUnits(preferred.includes(table.model[slot] ?? 0)) +
          extraFeaturesUnits(table.mask[slot] ?? 0, query.requiredMask) +
          reputations.unitsOf(table.provider[slot] ?? 0) +
          utilizationUnits(table.utilizationPct(slot));
        insertTop(table, slots, scores, slot, units, limit);
      }
    }
    return slots;
  }
}
