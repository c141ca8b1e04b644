// The command queue's pipeline: a committed batch is answered only once it is durable, the next
// batch is applied and committed meanwhile, at most PIPELINE_DEPTH batches wait for their sync, and
// a batch whose sync fails is refused while the feed and the store stay in step. The store is a real
// SQLite SqlStore whose durability promises are held back by a gate the test opens (or fails).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { MarketError, isMarketError } from "../../src/core/errors.js";
import { CommandQueue, PIPELINE_DEPTH } from "../../src/market/command-queue.js";
import { MarketFeed } from "../../src/market/feed.js";
import { SqlStore } from "../../src/store/sql-store.js";
import type { CommittedBatch, Store, StoreWriter } from "../../src/store/store.js";

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

async function openQueue(batchMax: number) {
  const store = SqlStore.openSqlite(join(mkdtempSync(join(tmpdir(), "molt-pipeline-")), "market.db"));
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

describe("CommandQueue pipeline", () => {
  it("applies and commits the next batch while one is being synced, and answers each only once it is durable, in order", async () => {
    const { store, gates, feed, note, committed } = await openQueue(1);
    const answered: string[] = [];
    const first = note("a").then((a) => answered.push(`a ${a.seq}`));
    const second = note("b").then((b) => answered.push(`b ${b.seq}`));
    await committed(2);
    // Both batches are in the store and the feed, neither is answered.
    expect((await store.getCommand("a"))?.response).toBe('{"seq":1}');
    expect((await store.getCommand("b"))?.response).toBe('{"seq":2}');
    expect(feed.seq).toBe(2);
    expect(await state(first)).toBe("pending");
    expect(await state(second)).toBe("pending");
    gates[1]?.open();
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The second batch's sync is done, but it waits for the first: answers keep commit order.
    expect(answered).toEqual([]);
    gates[0]?.open();
    await Promise.all([first, second]);
    expect(answered).toEqual(["a 1", "b 2"]);
  });

  it(`holds at most ${PIPELINE_DEPTH} committed batches waiting for their sync; the rest stay queued`, async () => {
    const { store, gates, note, committed } = await openQueue(1);
    const calls = ["k1", "k2", "k3", "k4", "k5"].map((key) => note(key));
    await committed(PIPELINE_DEPTH);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(gates.length).toBe(PIPELINE_DEPTH);
    expect(await store.getCommand(`k${PIPELINE_DEPTH + 1}`)).toBeUndefined();
    // Each durable batch lets one more commit, until all are in.
    for (let i = 0; i < calls.length; i++) {
      await committed(i + 1);
      gates[i]?.open();
    }
    expect((await Promise.all(calls)).map((a) => a.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it("a batch whose sync fails is refused with STORE_ERROR, the batch after it is answered, and the feed stays in step with the store", async () => {
    const { store, gates, feed, queue, note, committed } = await openQueue(1);
    const lost = note("lost");
    const next = note("next");
    await committed(2);
    gates[0]?.fail(new MarketError("STORE_ERROR", { reason: "fsync failed (test)" }));
    gates[1]?.open();
    const refused = await lost.catch((e: unknown) => e);
    expect(isMarketError(refused, "STORE_ERROR") && refused.details.reason).toBe("fsync failed (test)");
    expect((await next).seq).toBe(2);
    // The same key again: its committed answer, read back from the store (nothing was rolled back).
    const again = note("lost");
    await committed(3);
    gates[2]?.open();
    expect(await again).toEqual({ seq: 1 });
    expect(feed.seq).toBe(await store.lastSeq());
    await queue.close();
  });

  it("a batch that fails before it commits, while an earlier one is being synced, rebuilds the feed and leaves the earlier one answered", async () => {
    const { store, gates, feed, queue, note, committed } = await openQueue(1);
    const first = note("first");
    await committed(1);
    const failing = queue.submit("bad", "bad", {}, (batch) => {
      batch.marketEvent({ type: "Noted", entityId: "bad" });
      throw new Error("not a market error: the batch fails");
    });
    const refused = await failing.catch((e: unknown) => e);
    expect(isMarketError(refused, "STORE_ERROR")).toBe(true);
    expect(await store.getCommand("bad")).toBeUndefined();
    expect(feed.seq).toBe(1);
    gates[0]?.open();
    expect(await first).toEqual({ seq: 1 });
    const after = note("after");
    await committed(2);
    gates[1]?.open();
    expect(await after).toEqual({ seq: 2 });
  });

  it("close waits for the batches being synced", async () => {
    const { gates, queue, note, committed } = await openQueue(1);
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
