// EventRecorder: the book's listeners and the events of the change in progress, stamped with the
// book's sequence number and clock time, told to listeners once the change is complete. No I/O.
import type { Clock } from "../core/clock.js";
import type { BookEvent, BookEventBody, BookListener } from "./events.js";

/**
 * Records and delivers book events. Invariant: seq increases by one per recorded event; listeners
 * hear events in record order, only from flush().
 */
export class EventRecorder {
  private readonly listeners = new Set<BookListener>();
  private readonly pending: BookEvent[] = [];
  private seq = 0;

  constructor(private readonly clock: Clock) {}

  /** Subscribes a listener; returns the unsubscribe function. */
  on(listener: BookListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Is anyone listening: events are built only then. */
  get listening(): boolean {
    return this.listeners.size > 0;
  }

  /** Stamps a copy of the event with the next seq and the clock's now (over any it carries) and queues it. */
  record(body: BookEventBody): void {
    this.pending.push({ ...body, seq: ++this.seq, atMs: this.clock.now() });
  }

  /** Tells every listener of every queued event, in order, and empties the queue. */
  flush(): void {
    if (this.pending.length === 0) return;
    const events = this.pending.splice(0);
    for (const event of events) for (const listener of this.listeners) listener(event);
  }
}
