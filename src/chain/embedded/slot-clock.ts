// The embedded chain's slot clock: a slot every SLOT_MS of the injected clock, as a cluster's leader
// produces one, counted from the slot the chain had when it opened. Pure apart from the clock.
import type { Clock } from "../../core/clock.js";

/** Milliseconds per slot, as on Solana's clusters (DEFAULT_MS_PER_SLOT). */
export const SLOT_MS = 400;

/** Slots by time. Invariant: `now()` never goes below the origin slot and never decreases. */
export class SlotClock {
  private readonly originMs: number;
  private highest: bigint;

  constructor(
    private readonly clock: Clock,
    private readonly originSlot: bigint,
  ) {
    this.originMs = clock.now();
    this.highest = originSlot;
  }

  /** The slot the clock says it is now. */
  now(): bigint {
    const elapsedSlots = Math.floor((this.clock.now() - this.originMs) / SLOT_MS);
    const slot = this.originSlot + BigInt(Math.max(0, elapsedSlots));
    if (slot > this.highest) this.highest = slot;
    return this.highest;
  }
}
