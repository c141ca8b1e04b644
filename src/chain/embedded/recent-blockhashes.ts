// The blockhashes the embedded chain still accepts: the runtime knows only its latest one, but a
// validator accepts a blockhash for about 150 slots (60 s), so replaced ones are kept here for that
// long. Bounded: the oldest are forgotten first. Pure apart from the clock.
import type { Clock } from "../../core/clock.js";

/** How long a replaced blockhash is still accepted (a validator accepts one for about 150 slots, 60 s). */
export const BLOCKHASH_VALIDITY_MS = 60_000;
/** Replaced blockhashes remembered at most (the oldest are forgotten first). */
export const RECENT_BLOCKHASHES_MAX = 10_000;

/** Replaced blockhashes with the time they stop being accepted, oldest first. Invariant: at most RECENT_BLOCKHASHES_MAX. */
export class RecentBlockhashes {
  private readonly acceptedUntilMs = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  /** `blockhash` was just replaced: accept it BLOCKHASH_VALIDITY_MS more, and forget what has expired. */
  replaced(blockhash: string): void {
    const nowMs = this.clock.now();
    this.acceptedUntilMs.set(blockhash, nowMs + BLOCKHASH_VALIDITY_MS);
    for (const [hash, until] of this.acceptedUntilMs) {
      if (until > nowMs && this.acceptedUntilMs.size <= RECENT_BLOCKHASHES_MAX) break;
      this.acceptedUntilMs.delete(hash);
    }
  }

  /** Was `blockhash` replaced less than BLOCKHASH_VALIDITY_MS ago. */
  accepts(blockhash: string): boolean {
    return (this.acceptedUntilMs.get(blockhash) ?? 0) > this.clock.now();
  }
}
