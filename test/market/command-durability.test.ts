// The command queue and durability: a committed batch is answered (and its events published) only
// once it is durable and the batch before it was answered, the next batch is applied meanwhile, and
// a batch whose sync fails is refused with STORE_ERROR while the feed stays in step with the store. The store is a real SQLite SqlStore whose durability
// promises are held back by a gate the test opens (or fails).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { MarketError, isMarketError } from "../../src/core/errors.js";
import { CommandQueue } from "../../src/market/command-queue.js";
import { MarketFeed } from "../../src/market/feed.js";
import { MARKET_LIMITS } from "../../src/market/limits.js";
import { SqlStore } from "../../src/store/sql-store.js";
import type { CommitOptions, CommittedBatch, Store, StoreWriter } from "../../src/store/store.js";

/** A gate per committed batch: its durability is told only when the test settles the gate. */
interface Gate {
  readonly open: () => void;
  readonly fail: (error: unknown) => void;
}

/** `store` with every commit's durability held until its gate is settled (after the real sync). */
function gated(store: SqlStore, gates: Gate[]): Store {
  const commitBatch = async <T>(fn: (writer: StoreWriter) => Promise<T>): Promise<CommittedBatch<T>> => {
    const committed = await store.commitBatch(fn);
    let gate: Gate | undefined;
    const held = new Promise<void>((resolve, reject) => {
      gate = { open: resolve, fail: reject };
    });
    if (gate !== undefined) gates.push(gate);
    const durable = Promise.all([committed.durable, held]).then(() => undefined);
    durable.catch(() => undefined);
    return { result: committed.result, durable };
  };
  return new Proxy(store, {
    get: (target, key, receiver) => (key === "commitBatch" ? commitBatch : (Reflect.get(target, key, receiver) as unknown)),
  });
}

const stores: SqlStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

async function openQueue(batchMax = 1) {
  const store = SqlStore.openSqlite(join(mkdtempSync(join(tmpdir(), "molt-durability-")), "market.db"));
  stores.push(store);
  await store.migrate();
  const gates: Gate[] = [];
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const view = gated(store, gates);
  const feed = new MarketFeed(view, clock, {});
  await feed.rebuild();
  const queue = new CommandQueue(view, feed, clock, "node-1", batchMax);
  /** A command that writes one lifecycle event and answers with its seq. */
  const note = (key: string) =>
    queue.submit(key, "note", { key }, (batch) => {
      batch.marketEvent({ type: "Noted", entityId: key });
      return { seq: batch.lastSeq };
    });
  /** Resolves once `n` batches have committed (their gates exist). */
  const committed = async (n: number): Promise<void> => {
    while (gates.length < n) await new Promise((resolve) => setTimeout(resolve, 2));
  };
  return { store, gates, feed, queue, note, committed };
}

/** Settled state of a promise, without waiting for it. */
async function state(promise: Promise<unknown>): Promise<"pending" | "resolved" | "rejected"> {
  const marker = Symbol("pending");
  const outcome = await Promise.race([
    promise.then(
      () => "resolved" as const,
      () => "rejected" as const,
    ),
    Promise.resolve(marker),
  ]);
  return outcome === marker ? "pending" : outcome;
}

describe("CommandQueue durability", () => {
  it("answers a committed batch only once it is durable, in batch order; the next batch is applied meanwhile, and no more", async () => {
    const { store, gates, feed, note, committed } = await openQueue();
    const answered: string[] = [];
    const applied: number[] = [];
    const durable: number[] = [];
    feed.onEvent((event) => applied.push(event.seq));
    feed.onDurableEvent((event) => durable.push(event.seq));
    const first = note("a").then((a) => answered.push(`a ${a.seq}`));
    const second = note("b").then((b) => answered.push(`b ${b.seq}`));
    const third = note("c").then((c) => answered.push(`c ${c.seq}`));
    // a commits; b is applied and committed while a syncs; c waits until a is durable.
    await committed(2);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect((await store.getCommand("a"))?.response).toBe('{"seq":1}');
    expect((await store.getCommand("b"))?.response).toBe('{"seq":2}');
    expect(await store.getCommand("c")).toBeUndefined();
    expect(gates.length).toBe(2);
    expect(applied).toEqual([1, 2]);
    expect(durable).toEqual([]);
    // Stored, but not shown to a feed reader before it is durable.
    expect((await store.eventsAfter(0, 10)).map((e) => e.seq)).toEqual([1, 2]);
    expect(await feed.events(0)).toEqual([]);
    // b durable first: still not answered (nor published) before a.
    gates[1]?.open();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await state(second)).toBe("pending");
    expect(durable).toEqual([]);
    gates[0]?.open();
    await second;
    expect(answered).toEqual(["a 1", "b 2"]);
    expect(durable).toEqual([1, 2]);
    expect((await feed.events(0)).map((e) => e.seq)).toEqual([1, 2]);
    await first;
    await committed(3);
    expect(await state(third)).toBe("pending");
    gates[2]?.open();
    await third;
    expect(answered).toEqual(["a 1", "b 2", "c 3"]);
    expect(durable).toEqual([1, 2, 3]);
  });

  it("a command that arrives while the last batch syncs is applied before the sync ends", async () => {
    const { store, gates, note, committed } = await openQueue();
    const first = note("a");
    await committed(1);
    const second = note("b");
    await committed(2);
    expect((await store.getCommand("b"))?.response).toBe('{"seq":2}');
    expect(await state(first)).toBe("pending");
    gates[0]?.open();
    gates[1]?.open();
    expect([await first, await second]).toEqual([{ seq: 1 }, { seq: 2 }]);
  });

  it("a batch whose sync fails is refused with STORE_ERROR; the feed stays in step with the store and the next batch is answered", async () => {
    const { store, gates, feed, queue, note, committed } = await openQueue();
    const durable: number[] = [];
    feed.onDurableEvent((event) => durable.push(event.seq));
    const lost = note("lost");
    const next = note("next");
    await committed(1);
    gates[0]?.fail(new MarketError("STORE_ERROR", { reason: "fsync failed (test)" }));
    const refused = await lost.catch((e: unknown) => e);
    expect(isMarketError(refused, "STORE_ERROR") && refused.details).toEqual({ reason: "fsync failed (test)", commandRefused: true });
    expect((refused as Error).message).toContain("retrying the command with the same idempotency key is safe");
    await committed(2);
    gates[1]?.open();
    expect((await next).seq).toBe(2);
    // The failed batch's event is never published; the one after it is.
    expect(durable).toEqual([2]);
    // The same key again: its committed answer, read back from the store (the commit was not undone).
    const again = note("lost");
    await committed(3);
    gates[2]?.open();
    expect(await again).toEqual({ seq: 1 });
    expect(feed.seq).toBe(await store.lastSeq());
    await queue.close();
  });

  it("a batch that fails before it commits rebuilds the feed from the store and is refused; the next one is answered", async () => {
    const { store, gates, feed, queue, note, committed } = await openQueue();
    const first = note("first");
    await committed(1);
    gates[0]?.open();
    expect(await first).toEqual({ seq: 1 });
    const failing = queue.submit("bad", "bad", {}, (batch) => {
      batch.marketEvent({ type: "Noted", entityId: "bad" });
      throw new Error("not a market error: the batch fails");
    });
    const refused = await failing.catch((e: unknown) => e);
    expect(isMarketError(refused, "STORE_ERROR")).toBe(true);
    expect(await store.getCommand("bad")).toBeUndefined();
    expect(feed.seq).toBe(1);
    const after = note("after");
    await committed(2);
    gates[1]?.open();
    expect(await after).toEqual({ seq: 2 });
  });

  it("a batch stops taking commands once applying them took batchApplyMsMax; the rest go first in the next batch", async () => {
    const { gates, queue } = await openQueue(1000);
    const answered: string[] = [];
    /** A command whose apply holds the event loop for 0.6 of the limit: a batch has time for two at most. */
    const slow = (key: string) =>
      queue.submit(key, "slow", { key }, (batch) => {
        const until = performance.now() + MARKET_LIMITS.batchApplyMsMax * 0.6;
        while (performance.now() < until);
        batch.marketEvent({ type: "Noted", entityId: key });
        return { seq: batch.lastSeq };
      });
    const keys = ["a", "b", "c", "d", "e"];
    const calls = keys.map((key) => slow(key).then((answer) => (answered.push(key), answer)));
    const all = Promise.all(calls);
    // Each batch is made durable as soon as it has committed, until every command is answered.
    for (let opened = 0; answered.length < keys.length;) {
      if (gates.length > opened) gates[opened++]?.open();
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    // In submit order, each event after the one before, and no batch held a third command (a
    // machine pause can only make batches smaller).
    expect(await all).toEqual([1, 2, 3, 4, 5].map((seq) => ({ seq })));
    expect(answered).toEqual(keys);
    expect(gates.length).toBeGreaterThanOrEqual(3);
  });

  it("asks for a batch's sync at its COMMIT only when no command waits behind it (then the next batch is applied meanwhile)", async () => {
    const store = SqlStore.openSqlite(join(mkdtempSync(join(tmpdir(), "molt-durability-")), "market.db"));
    stores.push(store);
    await store.migrate();
    const asked: boolean[] = [];
    const commitBatch = <T>(fn: (writer: StoreWriter) => Promise<T>, options?: CommitOptions): Promise<CommittedBatch<T>> =>
      store.commitBatch(fn, {
        syncAtCommit: () => {
          const wanted = options?.syncAtCommit?.() ?? false;
          asked.push(wanted);
          return wanted;
        },
      });
    const view = new Proxy(store, {
      get: (target, key, receiver) => (key === "commitBatch" ? commitBatch : (Reflect.get(target, key, receiver) as unknown)),
    });
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const feed = new MarketFeed(view, clock, {});
    await feed.rebuild();
    const queue = new CommandQueue(view, feed, clock, "node-1", 1);
    const note = (key: string) =>
      queue.submit(key, "note", { key }, (batch) => {
        batch.marketEvent({ type: "Noted", entityId: key });
        return { seq: batch.lastSeq };
      });
    // Three at once, one per batch: the first two have commands behind them, the last has none.
    expect(await Promise.all([note("a"), note("b"), note("c")])).toEqual([1, 2, 3].map((seq) => ({ seq })));
    expect(asked).toEqual([false, false, true]);
    // Alone: synced at its COMMIT, and answered once durable like any other.
    expect(await note("d")).toEqual({ seq: 4 });
    expect(asked).toEqual([false, false, true, true]);
    expect((await store.eventsAfter(0, 10)).map((event) => event.seq)).toEqual([1, 2, 3, 4]);
  });

  it("a stored key deep in a large batch gets its first answer, or IDEMPOTENCY_KEY_REUSED with other arguments", async () => {
    // The store itself (no gates): batches are answered as soon as they are durable.
    const store = SqlStore.openSqlite(join(mkdtempSync(join(tmpdir(), "molt-durability-")), "market.db"));
    stores.push(store);
    await store.migrate();
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const feed = new MarketFeed(store, clock, {});
    await feed.rebuild();
    const queue = new CommandQueue(store, feed, clock, "node-1", 1000);
    const note = (key: string, args = key) =>
      queue.submit(key, "note", { key: args }, (batch) => {
        batch.marketEvent({ type: "Noted", entityId: key });
        return { seq: batch.lastSeq };
      });
    expect(await note("k")).toEqual({ seq: 1 });
    // 300 commands in one batch: the stored answers are read in steps as it applies them.
    const outcomes = await Promise.allSettled(
      Array.from({ length: 300 }, (_, i) => (i === 150 ? note("k") : i === 250 ? note("k", "other") : note(`n${i}`))),
    );
    expect(outcomes[150]).toEqual({ status: "fulfilled", value: { seq: 1 } });
    expect(outcomes[250]).toMatchObject({ status: "rejected", reason: { code: "IDEMPOTENCY_KEY_REUSED" } });
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(299);
  });

  it("close waits for the batch being synced", async () => {
    const { gates, queue, note, committed } = await openQueue();
    const call = note("c");
    await committed(1);
    const closing = queue.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await state(closing)).toBe("pending");
    gates[0]?.open();
    await closing;
    expect(await call).toEqual({ seq: 1 });
    await expect(note("late")).rejects.toMatchObject({ code: "STORE_ERROR" });
  });
});
