// Applying one batch's commands with idempotency: each command with a key gets the answer stored
// (or given earlier in the batch) under it, or its effect applied; a refused command leaves nothing
// in the batch.
import { MarketError, isMarketError } from "../core/errors.js";
import type { CommandRow, StoreWriter } from "../store/store.js";
import type { BatchBuilder } from "./batch.js";
import { MARKET_LIMITS } from "./limits.js";
import type { BatchWriteStream } from "./write-stream.js";

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

/** A command waiting in the queue, with its request's hash and its caller's settlers. */
export interface QueuedCommand {
  readonly key: string | undefined;
  readonly name: string;
  readonly hash: string;
  readonly apply: CommandApply<unknown>;
  readonly resolve: (answer: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** A command's answer, or its refusal. */
export type Outcome = { readonly ok: unknown } | { readonly error: unknown };

/** Stored answers a batch reads at least in its first read. */
const STORED_READ_MIN = 64;

/** How many stored answers a batch of `commands` reads first: twice what the last batch applied, at least STORED_READ_MIN. */
export function firstReadSize(commands: number, appliedLast: number): number {
  return Math.min(commands, Math.max(STORED_READ_MIN, appliedLast * 2));
}

/**
 * Applies commands in turn: a stored or earlier answer for its key, or its effect; a refused one
 * is rolled back. Stops taking more once batchApplyMsMax has passed (at least one is applied);
 * returns the outcomes of those it applied, in order. @throws what a command throws that is not a MarketError, STORE_ERROR (the batch fails)
 */
export async function applyCommands(
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
    const more = await storedAnswers(writer, commands.slice(read, upTo));
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
  return results;
}

/** The stored answers of the keys of `commands` (none read for commands without a key). @throws STORE_ERROR */
export function storedAnswers(writer: StoreWriter, commands: readonly QueuedCommand[]): Promise<ReadonlyMap<string, CommandRow>> {
  const keys = commands.flatMap((c) => (c.key === undefined ? [] : [c.key]));
  return keys.length === 0 ? Promise.resolve(new Map()) : writer.commands(keys);
}
