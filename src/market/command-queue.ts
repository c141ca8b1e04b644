// Group commit with idempotency: commands wait in a queue, are applied in batches (one store
// transaction each, after catching up on the feed) and are answered only once their batch is durable.
import { hash as cryptoHash } from "node:crypto";
import type { Clock } from "../core/clock.js";
import { MarketError, isMarketError } from "../core/errors.js";
import type { CommandRow, Store, StoreWriter } from "../store/store.js";
import { BatchBuilder } from "./batch.js";
import { BatchWriteStream } from "./write-stream.js";
import type { MarketFeed } from "./feed.js";
import { MARKET_LIMITS } from "./limits.js";
import { outcomeOf } from "./observer.js";
import type { MarketObserver } from "./observer.js";

/**
 * `T` if it survives a JSON round trip unchanged in type: strings, numbers, booleans, null, arrays
 * and plain objects of these (optional fields may be absent); never undefined, a function, a bigint
 * or anything with a toJSON (Amount, Date), which come back as something else.
 */
export type JsonAnswer<T> = T extends string | number | boolean | null
  ? T
  : T extends (...args: never[]) => unknown
    ? never
    : T extends readonly (infer E)[]
      ? readonly JsonAnswer<E>[]
      : T extends { toJSON(): unknown }
        ? never
        : T extends object
          ? { readonly [K in keyof T]: JsonAnswer<T[K]> }
          : never;

/** A command's effect, applied inside a batch; its answer is stored as JSON under the command's key (submit checks it is a JsonAnswer). */
export type CommandApply<T> = (batch: BatchBuilder, writer: StoreWriter) => T | Promise<T>;

interface QueuedCommand {
  readonly key: string | undefined;
  readonly name: string;
  readonly hash: string;
  readonly apply: CommandApply<unknown>;
  readonly resolve: (answer: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome = { readonly ok: unknown } | { readonly error: unknown };

/** Stored answers a batch reads at least in its first read. */
const STORED_READ_MIN = 64;

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
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => void this.exclusive(() => this.flush()));
      }
    });
  }

  /** Commits every queued command, batchMax at a time. */
  private async flush(): Promise<void> {
    this.flushScheduled = false;
    while (this.queue.length > 0) await this.commit(this.queue.splice(0, this.batchMax));
  }

  /** Waits for the queued commands, then refuses new ones. */
  async close(): Promise<void> {
    await this.exclusive(async () => {
      await this.flush();
    });
    this.closedValue = true;
  }

  private async commit(commands: readonly QueuedCommand[]): Promise<void> {
    let builder: BatchBuilder | undefined;
    let outcomes: Outcome[];
    let answered = commands;
    try {
      // Committed, then durable, before the next batch begins. Applying the next batch during this
      // one's sync was tried (2026-12-01): in two back-to-back A/B rounds on a saturated 2-core
      // machine it lowered SQLite's group-commit rate by 20-25 % and raised CPU per command (a
      // commit writing the log while it is synced, likely); holding the next commit until the sync
      // ends would hold the connection, and every read on it, through the sync.
      const committed = await this.store.commitBatch(async (writer) => {
        const caughtUp = this.feed.catchUp((seq, limit) => writer.eventsAfter(seq, limit));
        // The first stored answers are asked for behind the catch-up's read, not after it: one wait for both.
        const firstRead = Math.min(commands.length, Math.max(STORED_READ_MIN, this.appliedLast * 2));
        const firstStored = this.storedAnswers(writer, commands.slice(0, firstRead));
        firstStored.catch(() => undefined);
        await caughtUp;
        const batch = new BatchBuilder(this.feed.seq, this.nodeId, this.clock.now());
        builder = batch;
        this.feed.beginBatch(batch);
        const parts = new BatchWriteStream(writer, batch, MARKET_LIMITS.writePartCommands);
        let results: Outcome[];
        try {
          results = await this.applyAll(commands, batch, writer, parts, { stored: firstStored, upTo: firstRead });
        } catch (e) {
          // A part that failed explains what followed on its transaction.
          throw (await parts.settle()) ?? e;
        }
        await parts.finish();
        return results;
      });
      await committed.durable;
      outcomes = committed.result;
      // Commands the batch had no time for go back to the head of the queue, ahead of newer ones.
      if (outcomes.length < commands.length) {
        answered = commands.slice(0, outcomes.length);
        this.queue.unshift(...commands.slice(outcomes.length));
      }
    } catch (e) {
      this.feed.endBatch(undefined);
      // The book may hold changes that were never written: take it back from the store.
      await this.feed.rebuild().catch(() => undefined);
      const error = isMarketError(e)
        ? e
        : new MarketError("STORE_ERROR", { reason: e instanceof Error ? e.message : String(e) }, { cause: e });
      for (const command of commands) {
        this.observer.commandAnswered?.(command.name, outcomeOf(error));
        command.reject(error);
      }
      return;
    }
    this.feed.endBatch(builder);
    for (const call of builder?.afterCommit ?? []) call();
    answered.forEach((command, i) => {
      const outcome = outcomes[i];
      const ok = outcome !== undefined && "ok" in outcome;
      this.observer.commandAnswered?.(command.name, ok ? "ok" : outcomeOf(outcome?.error));
      if (ok) command.resolve(outcome.ok);
      else command.reject(outcome?.error);
    });
  }

  /**
   * Applies commands in turn: a stored or earlier answer for its key, or its effect; a refused one
   * is rolled back. Stops taking more once batchApplyMsMax has passed (at least one is applied);
   * returns the outcomes of those it applied, in order.
   */
  private async applyAll(
    commands: readonly QueuedCommand[],
    batch: BatchBuilder,
    writer: StoreWriter,
    parts: BatchWriteStream,
    /** The stored answers of commands[0..upTo), asked for already. */
    first: { readonly stored: Promise<ReadonlyMap<string, CommandRow>>; readonly upTo: number },
  ): Promise<Outcome[]> {
    const stopAt = performance.now() + MARKET_LIMITS.batchApplyMsMax;
    // Stored answers are read for the commands about to be applied, not for the whole batch: the
    // ones it has no time for are read again in the next one. First as many as twice the last batch applied.
    const stored = new Map(await first.stored);
    let read = first.upTo;
    const readStored = async (upTo: number): Promise<void> => {
      const more = await this.storedAnswers(writer, commands.slice(read, upTo));
      read = upTo;
      for (const [key, row] of more) stored.set(key, row);
    };
    const results: Outcome[] = [];
    for (const command of commands) {
      if (results.length > 0 && performance.now() >= stopAt) break;
      if (results.length === read) await readStored(Math.min(commands.length, read * 2));
      const prior = command.key === undefined ? undefined : (stored.get(command.key) ?? batch.commandByKey.get(command.key));
      if (prior !== undefined) {
        results.push(
          prior.requestHash === command.hash
            ? { ok: JSON.parse(prior.response) as unknown }
            : { error: new MarketError("IDEMPOTENCY_KEY_REUSED", { key: command.key ?? "" }) },
        );
        continue;
      }
      const mark = batch.mark();
      try {
        const response = JSON.stringify((await command.apply(batch, writer)) ?? null);
        if (command.key !== undefined) {
          const row = { key: command.key, requestHash: command.hash, response, atMs: batch.nowMs };
          batch.putCommand(row);
        }
        results.push({ ok: JSON.parse(response) as unknown });
      } catch (e) {
        batch.rollback(mark);
        if (!isMarketError(e)) throw e;
        results.push({ error: e });
        continue;
      }
      parts.applied();
    }
    this.appliedLast = results.length;
    return results;
  }

  /** The stored answers of the keys of `commands` (none read for commands without a key). */
  private storedAnswers(writer: StoreWriter, commands: readonly QueuedCommand[]): Promise<ReadonlyMap<string, CommandRow>> {
    const keys = commands.flatMap((c) => (c.key === undefined ? [] : [c.key]));
    return keys.length === 0 ? Promise.resolve(new Map()) : writer.commands(keys);
  }
}
