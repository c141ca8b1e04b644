// Clock: the one source of "now" (milliseconds since the epoch), injected so tests control time.

/** Something that tells the time in milliseconds since the Unix epoch. */
export interface Clock {
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * A clock that moves only when told to; for tests and simulations.
 * Invariant: never goes backwards.
 * @example const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z")); clock.advance(60_000);
 */
export class ManualClock implements Clock {
  private timeMs: number;

  constructor(startMs = 0) {
    this.timeMs = startMs;
  }

  /** Current time. */
  now(): number {
    return this.timeMs;
  }

  /** Moves the clock forward by `ms` (>= 0). @throws RangeError on a negative step */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`ManualClock.advance takes ms >= 0, got ${ms}`);
    this.timeMs += ms;
  }

  /** Sets the time; never earlier than now. @throws RangeError when it would go backwards */
  set(timeMs: number): void {
    if (!(timeMs >= this.timeMs)) throw new RangeError(`ManualClock.set cannot go back from ${this.timeMs} to ${timeMs}`);
    this.timeMs = timeMs;
  }
}

/** One hour in milliseconds. */
export const HOUR_MS = 3_600_000;
/** One day in milliseconds. */
export const DAY_MS = 24 * HOUR_MS;
