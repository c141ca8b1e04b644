// SqliteBatch and its writer thread: the batch's reads answer what the store's Kysely reads answer,
// a transaction commits or rolls back whole (a write sent without waiting fails its commit), a
// BEGIN that cannot take the lock fails the batch with nothing written, a nonce group waits for an
// open batch (and goes with its next message), a batch's writes go with its COMMIT unless they are
// many, a stopped thread refuses every call, and an idle thread never holds the process.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { MarketError } from "../../src/core/errors.js";
import { SQLITE_NONCE_STATEMENTS } from "../../src/store/nonce-table.js";
import { SQLITE_BATCH_STATEMENTS, SqliteBatch } from "../../src/store/sqlite-batch.js";
import { SqliteWriterThread, WRITER_LIMITS } from "../../src/store/sqlite-writer-thread.js";
import { SqlStore } from "../../src/store/sql-store.js";
import { tableRows } from "../../src/store/sql-tables.js";
import type { BatchWrites, EventRow } from "../../src/store/store.js";

const event = (seq: number): EventRow => ({
  seq,
  type: "Test",
  entityId: `e-${seq}`,
  atMs: 1_700_000_000_000 + seq,
  node: "n1",
  payload: `{"seq":${seq}}`,
});
const writes = (events: readonly EventRow[], keys: readonly string[] = []): BatchWrites => ({
  offers: [],
  capacity: [],
  orders: [],
  escrows: [],
  events,
  commands: keys.map((key, i) => ({ key, requestHash: `h-${key}`, response: `{"i":${i}}`, atMs: 1_700_000_000_000 + i })),
});

async function migrated(): Promise<{ readonly path: string; readonly store: SqlStore }> {
  const path = join(mkdtempSync(join(tmpdir(), "molt-sqlite-batch-")), "market.db");
  const store = SqlStore.openSqlite(path);
  await store.migrate();
  return { path, store };
}

/** A writer thread of its own on `path` (the store closed), with a short busy timeout. */
function threadOn(path: string, busyTimeoutMs = 10_000): { readonly thread: SqliteWriterThread; readonly batch: SqliteBatch } {
  const thread = new SqliteWriterThread(path, busyTimeoutMs, { ...SQLITE_BATCH_STATEMENTS, ...SQLITE_NONCE_STATEMENTS });
  return { thread, batch: new SqliteBatch(thread) };
}

/** A migrated file whose store is closed, with a writer thread of its own on it. */
async function threadOnFresh(
  busyTimeoutMs?: number,
): Promise<{ readonly path: string; readonly thread: SqliteWriterThread; readonly batch: SqliteBatch }> {
  const { path, store } = await migrated();
  await store.close();
  return { path, ...threadOn(path, busyTimeoutMs) };
}

/** A promise held until `release` is called. */
function gate(): { readonly held: Promise<void>; readonly release: () => void } {
  let release = (): void => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  return { held, release };
}

/** A nonce group of one nonce of keyid "k". */
const nonceGroup = (nonce: string) => [{ keyid: "k", nonce, createdS: 1, bucket: 1, perKeyidMax: 10 }];
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const seqs = (path: string): number[] => {
  const database = new Database(path, { readonly: true });
  const found = database.prepare<[], { seq: number }>("select seq from events order by seq").all();
  database.close();
  return found.map((r) => r.seq);
};

describe("SqliteBatch on the writer thread", () => {
  it("reads the events after a seq, the stored commands, an order and an escrow as the store's Kysely reads do", async () => {
    const { path, store } = await migrated();
    await store.writeBatch((writer) => writer.write(writes([event(1), event(2), event(3)], ["a:1", "b:2"])));
    const { thread, batch } = threadOn(path);
    await batch.transaction(async () => {
      expect(await batch.eventsAfter(1, 10)).toEqual(await store.eventsAfter(1, 10));
      expect(await batch.eventsAfter(0, 2)).toEqual(await store.eventsAfter(0, 2));
      expect(await batch.eventsAfter(3, 10)).toEqual([]);
      const found = await batch.commands(["a:1", "missing", "b:2"]);
      expect([...found.keys()].sort()).toEqual(["a:1", "b:2"]);
      expect(found.get("a:1")).toEqual(await store.getCommand("a:1"));
      expect(found.get("b:2")).toEqual(await store.getCommand("b:2"));
      expect(await batch.order("missing")).toBeUndefined();
      expect(await batch.escrow("missing")).toBeUndefined();
    });
    await thread.close();
    await store.close();
  });

  it("sends the calls made in one turn as one message: BEGIN with the batch's first reads, parts sent together", async () => {
    const { thread, batch } = await threadOnFresh();
    const before = thread.messages;
    await batch.transaction(async () => {
      const [events, stored] = await Promise.all([batch.eventsAfter(0, 10), batch.commands(["a:1"])]);
      expect(events).toEqual([]);
      expect(stored.size).toBe(0);
      // BEGIN, the events and the stored commands: one message.
      expect(thread.messages - before).toBe(1);
      // Two parts sent in one turn, as the market sends them between commands.
      await Promise.all([batch.write(tableRows(writes([event(1)]))), batch.write(tableRows(writes([event(2)])))]);
    });
    // The two writes were held for the COMMIT's message: one more message in all.
    expect(thread.messages - before).toBe(2);
    await thread.close();
  });

  it("holds a batch's writes for its next message until they reach heldRowsMax rows, then sends them at once", async () => {
    const { path, thread, batch } = await threadOnFresh();
    const before = thread.messages;
    await batch.transaction(async () => {
      await batch.write(tableRows(writes([event(1)])));
      await pause(20);
      // BEGIN and the small write wait for a call that needs its answer.
      expect(thread.messages - before).toBe(0);
      const many = Array.from({ length: WRITER_LIMITS.heldRowsMax }, (_, i) => event(2 + i));
      await batch.write(tableRows(writes(many)));
      await pause(20);
      // Past the bound they went without waiting for the COMMIT (a large batch is written while it is applied).
      expect(thread.messages - before).toBe(1);
    });
    expect(thread.messages - before).toBe(2);
    await thread.close();
    expect(seqs(path)).toHaveLength(1 + WRITER_LIMITS.heldRowsMax);
  });

  it("sends a nonce group at once when no batch is open, and with the open batch's next message otherwise", async () => {
    const { thread, batch } = await threadOnFresh();
    const before = thread.messages;
    expect(await thread.call<string[]>({ op: "nonces", group: nonceGroup("n-0000000000000001") }, true)).toEqual(["accepted"]);
    expect(thread.messages - before).toBe(1);
    const { held, release } = gate();
    const open = batch.transaction(async () => {
      await batch.eventsAfter(0, 10);
      await held;
    });
    await pause(50);
    expect(thread.messages - before).toBe(2);
    const verdict = thread.call<string[]>({ op: "nonces", group: nonceGroup("n-0000000000000002") }, true);
    await pause(50);
    // Held: it would only wait for the COMMIT on the thread, and the COMMIT's message carries it.
    expect(thread.messages - before).toBe(2);
    release();
    await open;
    expect(await verdict).toEqual(["accepted"]);
    expect(thread.messages - before).toBe(3);
    await thread.close();
  });

  it("commits what its function wrote, rolls everything back when the function throws, and fails the commit of a write that failed", async () => {
    const { path, thread, batch } = await threadOnFresh();
    await expect(batch.transaction(() => batch.write(tableRows(writes([event(1)]))).then(() => "done"))).resolves.toBe("done");
    await expect(
      batch.transaction(async () => {
        await batch.write(tableRows(writes([event(2)])));
        throw new Error("refused");
      }),
    ).rejects.toThrow("refused");
    // A failed statement, sent without waiting: the commit reports the statement's error, and nothing of the batch stays.
    await expect(
      batch.transaction(async () => {
        await batch.write(tableRows(writes([event(3)])));
        await batch.write(tableRows(writes([event(1)])));
        await batch.write(tableRows(writes([event(4)])));
      }),
    ).rejects.toThrow(/UNIQUE/);
    // A capacity check that fails: INSUFFICIENT_CAPACITY, nothing written.
    const capacity = batch.transaction(async () => {
      await batch.write(tableRows({ ...writes([event(5)]), capacity: [{ offerId: "no-such-offer", delta: -1 }] }));
    });
    await expect(capacity).rejects.toBeInstanceOf(MarketError);
    await expect(capacity).rejects.toMatchObject({ code: "INSUFFICIENT_CAPACITY" });
    // The thread is out of every transaction: the next batch commits.
    await batch.transaction(() => batch.write(tableRows(writes([event(6)]))));
    await thread.close();
    expect(seqs(path)).toEqual([1, 6]);
  });

  it("fails a batch whose BEGIN cannot take the write lock with SQLite's busy error, and writes nothing of it", async () => {
    const { path, store } = await migrated();
    await store.close();
    const holder = new Database(path);
    holder.prepare("begin immediate").run();
    const { thread, batch } = threadOn(path, 50);
    await expect(
      batch.transaction(async () => {
        await batch.eventsAfter(0, 10).catch(() => []);
        await batch.write(tableRows(writes([event(1)])));
      }),
    ).rejects.toMatchObject({ code: "SQLITE_BUSY" });
    holder.prepare("rollback").run();
    holder.close();
    await batch.transaction(() => batch.write(tableRows(writes([event(2)]))));
    await thread.close();
    expect(seqs(path)).toEqual([2]);
  });

  it("answers a nonce group sent while a batch is open once that batch has committed (the group joined it)", async () => {
    const { path, thread, batch } = await threadOnFresh();
    const { held, release } = gate();
    let batchEnded = false;
    const open = batch.transaction(async () => {
      await batch.write(tableRows(writes([event(1)])));
      await held;
      batchEnded = true;
    });
    // Let the BEGIN reach the thread first.
    await pause(50);
    const verdicts = thread
      .call<string[]>({ op: "nonces", group: nonceGroup("n-0000000000000001") }, true)
      .then((answer) => ({ answer, batchEnded }));
    await pause(50);
    release();
    await open;
    expect(await verdicts).toEqual({ answer: ["accepted"], batchEnded: true });
    await thread.close();
    expect(seqs(path)).toEqual([1]);
  });

  it("keeps a nonce group that joined a batch which then rolled back: decided again on its own, recorded once", async () => {
    const { path, thread, batch } = await threadOnFresh();
    const { held, release } = gate();
    // The batch's second write fails (a repeated seq): its commit is refused and it rolls back.
    const failing = batch.transaction(async () => {
      await batch.write(tableRows(writes([event(1)])));
      await held;
      await batch.write(tableRows(writes([event(1)])));
    });
    await pause(50);
    const first = thread.call<string[]>({ op: "nonces", group: nonceGroup("n-0000000000000001") }, true);
    const again = thread.call<string[]>({ op: "nonces", group: nonceGroup("n-0000000000000001") }, true);
    await pause(50);
    release();
    await expect(failing).rejects.toThrow(/UNIQUE/);
    expect(await first).toEqual(["accepted"]);
    expect(await again).toEqual(["replayed"]);
    await thread.close();
    expect(seqs(path)).toEqual([]);
    const database = new Database(path, { readonly: true });
    expect(database.prepare("select keyid, nonce from nonces").all()).toEqual([{ keyid: "k", nonce: "n-0000000000000001" }]);
    expect(database.prepare("select accepted from nonce_counts").all()).toEqual([{ accepted: 1 }]);
    database.close();
  });

  it("refuses every call with STORE_ERROR once its thread has stopped, and after close", async () => {
    const { path, thread, batch } = await threadOnFresh();
    await (thread as unknown as { readonly worker: Worker }).worker.terminate();
    await expect(batch.transaction(() => Promise.resolve())).rejects.toMatchObject({ code: "STORE_ERROR" });
    const second = threadOn(path);
    await second.thread.close();
    await expect(second.thread.call({ op: "exec", s: "begin" })).rejects.toMatchObject({
      code: "STORE_ERROR",
      details: { reason: "the store is closed" },
    });
  });

  it("refuses a database WAL mode cannot work on (its writer thread could not share it): STORE_ERROR, and what to give instead", () => {
    expect(() => SqlStore.openSqlite(":memory:")).toThrow(MarketError);
    expect(() => SqlStore.openSqlite(":memory:")).toThrow(/journal mode is memory, not wal: give the path of a file on a local disk/);
  });

  it("never keeps a process alive once no call waits (a store left open ends with its process)", async () => {
    const { path, store } = await migrated();
    await store.close();
    const script = join(mkdtempSync(join(tmpdir(), "molt-sqlite-idle-")), "idle.mts");
    const source = new URL("../../src/store/sql-store.ts", import.meta.url).pathname;
    writeFileSync(
      script,
      [
        `import { SqlStore } from ${JSON.stringify(source)};`,
        `const store = SqlStore.openSqlite(${JSON.stringify(path)});`,
        `await store.writeBatch((writer) => writer.write({ offers: [], capacity: [], orders: [], escrows: [], commands: [],`,
        `  events: [{ seq: 1, type: "Test", entityId: "e", atMs: 1, node: "n1", payload: "{}" }] }));`,
        `console.log("written");`,
      ].join("\n"),
    );
    const child = spawnSync(process.execPath, ["--import", "tsx", script], { encoding: "utf8", timeout: 30_000 });
    expect(child.stdout.trim()).toBe("written");
    expect(child.status).toBe(0);
    expect(seqs(path)).toEqual([1]);
  });
});
