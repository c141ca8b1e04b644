// A batch's rows sent to the store in parts while the batch is still applied: on a store whose
// writes run beside this process (PostgreSQL), the database writes one part while the next
// commands are applied here, instead of the two taking turns. In memory plus the writer's calls.
import type { StoreWriter } from "../store/store.js";
import type { BatchBuilder } from "./batch.js";

/**
 * The parts of one batch in flight. Invariants: parts go out in the order their commands were
 * applied, each only once its commands are final (a refused command is rolled back before the next
 * one starts, and parts are cut between commands); `finish` fails with the first part's error.
 */
export class BatchWriteStream {
  private readonly inFlight: Promise<void>[] = [];
  private firstError: { readonly error: unknown } | undefined;
  private sinceLastPart = 0;

  constructor(
    private readonly writer: StoreWriter,
    private readonly batch: BatchBuilder,
    /** Commands per part (MARKET_LIMITS.writePartCommands). */
    private readonly partCommands: number,
  ) {}

  /** Counts one applied command; sends the rows of the last `partCommands` if the store's writes overlap. */
  applied(): void {
    if (!this.writer.writesOverlap || ++this.sinceLastPart < this.partCommands) return;
    this.send();
  }

  /** Sends what is left and waits for every part. @throws the first part's error (INSUFFICIENT_CAPACITY, STORE_ERROR) */
  async finish(): Promise<void> {
    this.send();
    await this.settle();
    if (this.firstError !== undefined) throw this.firstError.error;
  }

  /** Waits for the parts in flight (after a failed apply, before the transaction rolls back); returns the first part's error, if one failed. */
  async settle(): Promise<unknown> {
    await Promise.allSettled(this.inFlight);
    return this.firstError?.error;
  }

  private send(): void {
    this.sinceLastPart = 0;
    const rows = this.batch.takeWrites();
    if (Object.values(rows).every((list: readonly unknown[] | undefined) => list === undefined || list.length === 0)) return;
    const part = this.writer.write(rows);
    // Parts run one after another on the batch's transaction: the first to fail is the first that failed.
    part.catch((error: unknown) => {
      this.firstError ??= { error };
    });
    this.inFlight.push(part);
  }
}
