// Group commit with idempotency: commands wait in a queue, are applied in batches (one store
// transaction each, after catching up on the feed) and are answered only once their batch is
// durable; a batch is applied while the one before it is synced.
import { hash as cryptoHash } from "node:crypto";
import type { Clock } from "../core/clock.js";
import { MarketError, isMarketError } from "../core/errors.js";
import type { CommittedBatch, Store } from "../store/store.js";
import { BatchBuilder } from "./batch.js";
import { applyCommands, firstReadSize, storedAnswers } from "./command-apply.js";
import type { CommandApply, JsonAnswer, Outcome, QueuedCommand } from "./command-apply.js";
import { BatchWriteStream } from "./write-stream.js";
import type { MarketFeed } from "./feed.js";
import { MARKET_LIMITS } from "./limits.js";
import { outcomeOf } from "./observer.js";
import type { MarketObserver } from "./observer.js";

/** Throws INVALID_FIELD unless `key` is a usable idempotency key (1..keyLengthMax characters). @throws INVALID_FIELD */
export function checkKey(key: string): void {
  if (key.length === 0 || key.length > MARKET_LIMITS.keyLengthMax) {
    throw new MarketError("INVALID_FIELD", {
      field: "idempotencyKey",
      value: `${key.length} characters`,
      allowed: `1..${MARKET_LIMITS.keyLengthMax} characters`,
    });
  }
}

/**
 * The write path of a marketplace process. Invariants: a command is answered only after its batch
 * committed; a repeated key with the same request gets the first answer, with another request
 * IDEMPOTENCY_KEY_REUSED; a refused command leaves nothing in its batch; exclusive steps of this
 * process run one at a time.
 */
export class CommandQueue {
  private queue: QueuedCommand[] = [];
  private flushScheduled = false;
  private exclusiveTail: Promise<void> = Promise.resolve();
  private closedValue = false;
  /** Commands the last batch applied: how many stored answers the next one reads first. */
  private appliedLast = 0;
  /** Wakes a flush that waits for commands while its last batch syncs. */
  private arrived: (() => void) | undefined;

  constructor(
    private readonly store: Store,
    private readonly feed: MarketFeed,
    private readonly clock: Clock,
    private readonly nodeId: string,
    private readonly batchMax: number,
    private readonly observer: MarketObserver = {},
  ) {}

  /** Has close() run: new commands are refused. */
  get closed(): boolean {
    return this.closedValue;
  }

  /** Runs `fn` after every earlier exclusive step of this process. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.exclusiveTail.then(fn);
    this.exclusiveTail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /**
   * Queues a command for the next batch; resolves with its answer, as read back from JSON, once the
   * batch is durable. @throws STORE_ERROR (closed, or the batch failed), INVALID_FIELD (key), LIMIT_EXCEEDED (queueMax), IDEMPOTENCY_KEY_REUSED, what `apply` throws
   */
  submit<T>(key: string | undefined, name: string, args: unknown, apply: CommandApply<T> & CommandApply<JsonAnswer<T>>): Promise<T> {
    if (this.closedValue) return Promise.reject(new MarketError("STORE_ERROR", { reason: "the marketplace is closed" }));
    if (key !== undefined) checkKey(key);
    if (this.queue.length >= MARKET_LIMITS.queueMax)
      return Promise.reject(new MarketError("LIMIT_EXCEEDED", { limit: "queueMax", max: MARKET_LIMITS.queueMax }));
    // One-shot: the same digest as hashing name, "\0" and the JSON in turn, without a Hash object.
    const hash = cryptoHash("sha256", `${name}\0${JSON.stringify(args)}`, "hex");
    return new Promise<T>((resolve, reject) => {
      // The answer is JSON.parse(JSON.stringify(apply's T)), which JsonAnswer<T> keeps a T.
      const answered = (answer: unknown): void => {
        resolve(answer as T);
      };
      this.queue.push({ key, name, hash, apply, resolve: answered, reject });
      const wake = this.arrived;
      if (wake !== undefined) {
        this.arrived = undefined;
        setImmediate(wake);
      }
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => void this.exclusive(() => this.flush()));
      }
    });
  }

  /**
   * Commits every queued command, batchMax at a time, and returns once each is answered. A batch is
   * applied and committed while the one before it is made durable (at most one waits for its sync
   * while the next is applied); commands are answered in batch order, each once its batch is durable.
   */
  private async flush(): Promise<void> {
    this.flushScheduled = false;
    /** The last committed batch's answers (settles once it is durable and answered; never rejects). */
    let answering: Promise<void> | undefined;
    for (;;) {
      if (this.queue.length === 0) {
        if (answering === undefined) return;
        // Nothing queued: wait for the sync, or for commands to arrive before it ends.
        if (
          await Promise.race([
            answering.then(
              () => true,
              () => true,
            ),
            this.arrival(),
          ])
        )
          answering = undefined;
        // The sync ended first: nobody waits for a wake now.
        this.arrived = undefined;
        continue;
      }
      const next = await this.commit(this.queue.splice(0, this.batchMax), answering);
      await answering;
      answering = next.answered;
    }
  }

  /** Resolves false once a command is queued (after the I/O of the turn it came in, so it is not a batch of one). */
  private arrival(): Promise<boolean> {
    return new Promise((resolve) => {
      this.arrived = () => {
        resolve(false);
      };
    });
  }

  /** Waits for the queued commands, then refuses new ones. */
  async close(): Promise<void> {
    await this.exclusive(async () => {
      await this.flush();
    });
    this.closedValue = true;
  }

  /**
   * Applies and commits one batch. Resolves once it is committed (or failed, and its commands
   * refused), with a promise that settles once its commands are answered: after `previous`, once the
   * batch is durable (STORE_ERROR to each if it cannot be made so).
   */
  private async commit(
    commands: readonly QueuedCommand[],
    previous: Promise<void> | undefined,
  ): Promise<{ readonly answered: Promise<void> }> {
    let builder: BatchBuilder | undefined;
    let committed: CommittedBatch<Outcome[]>;
    let appliedAll = false;
    try {
      committed = await this.store.commitBatch(
        async (writer) => {
          const caughtUp = this.feed.catchUp((seq, limit) => writer.eventsAfter(seq, limit));
          // The first stored answers are asked for behind the catch-up's read, not after it: one wait for both.
          const firstRead = firstReadSize(commands.length, this.appliedLast);
          const firstStored = storedAnswers(writer, commands.slice(0, firstRead));
          firstStored.catch(() => undefined);
          await caughtUp;
          const batch = new BatchBuilder(this.feed.seq, this.nodeId, this.clock.now());
          builder = batch;
          this.feed.beginBatch(batch);
          const parts = new BatchWriteStream(writer, batch, MARKET_LIMITS.writePartCommands);
          let results: Outcome[];
          try {
            results = await applyCommands(commands, batch, writer, parts, { stored: firstStored, upTo: firstRead });
          } catch (e) {
            // A part that failed explains what followed on its transaction.
            throw (await parts.settle()) ?? e;
          }
          this.appliedLast = results.length;
          appliedAll = results.length === commands.length;
          await parts.finish();
          return results;
        },
        // With nothing queued behind it, the batch is synced before its COMMIT is answered: the next
        // batch has nothing to apply meanwhile, and a thread trip is saved.
        { syncAtCommit: () => appliedAll && this.queue.length === 0 },
      );
    } catch (e) {
      void this.feed.endBatch(undefined);
      // The book may hold changes that were never written: take it back from the store.
      await this.feed.rebuild().catch(() => undefined);
      this.refuse(commands, e);
      return { answered: Promise.resolve() };
    }
    const outcomes = committed.result;
    // Commands the batch had no time for go back to the head of the queue, ahead of newer ones.
    const applied = commands.slice(0, outcomes.length);
    if (outcomes.length < commands.length) this.queue.unshift(...commands.slice(outcomes.length));
    // The market's own state moves on now (the next batch is applied on it); the batch's events are
    // published, and its commands answered, once it is durable. A failed sync leaves the commit in
    // the store (its keys answer a retry) and the book in step with it.
    const published = this.feed.endBatch(builder, committed.durable);
    const answered = (previous ?? Promise.resolve())
      .then(() => published)
      .then(
        () => {
          for (const call of builder?.afterCommit ?? []) call();
          applied.forEach((command, i) => {
            const outcome = outcomes[i];
            const ok = outcome !== undefined && "ok" in outcome;
            this.observer.commandAnswered?.(command.name, ok ? "ok" : outcomeOf(outcome?.error));
            if (ok) command.resolve(outcome.ok);
            else command.reject(outcome?.error);
          });
        },
        (e: unknown) => {
          this.refuse(applied, e);
        },
      );
    return { answered };
  }

  /** Refuses `commands` with `e`, or with STORE_ERROR if it is not a market error; a STORE_ERROR says a command was refused. */
  private refuse(commands: readonly QueuedCommand[], e: unknown): void {
    const error = isMarketError(e, "STORE_ERROR")
      ? new MarketError("STORE_ERROR", { ...e.details, commandRefused: true }, { cause: e })
      : isMarketError(e)
        ? e
        : new MarketError("STORE_ERROR", { reason: e instanceof Error ? e.message : String(e), commandRefused: true }, { cause: e });
    for (const command of commands) {
      this.observer.commandAnswered?.(command.name, outcomeOf(error));
      command.reject(error);
    }
  }
}
