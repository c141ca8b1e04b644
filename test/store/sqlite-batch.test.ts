// SqliteBatch, the prepared statements of a SQLite batch: its reads answer what the Kysely reads
// answer (the store's eventsAfter and getCommand), and its transaction commits or rolls back whole.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { SqliteBatch } from "../../src/store/sqlite-batch.js";
import { SqlStore } from "../../src/store/sql-store.js";
import type { BatchWrites, EventRow } from "../../src/store/store.js";

const event = (seq: number): EventRow => ({
  seq,
  type: "Test",
  entityId: `e-${seq}`,
  atMs: 1_700_000_000_000 + seq,
  node: "n1",
  payload: `{"seq":${seq}}`,
});
const writes = (events: readonly EventRow[], keys: readonly string[]): BatchWrites => ({
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

describe("SqliteBatch", () => {
  it("reads the events after a seq and the stored commands as the store's Kysely reads do", async () => {
    const { path, store } = await migrated();
    await store.writeBatch((writer) => writer.write(writes([event(1), event(2), event(3)], ["a:1", "b:2"])));
    const database = new Database(path);
    const batch = new SqliteBatch(database);
    expect(batch.eventsAfter(1, 10)).toEqual(await store.eventsAfter(1, 10));
    expect(batch.eventsAfter(0, 2)).toEqual(await store.eventsAfter(0, 2));
    expect(batch.eventsAfter(3, 10)).toEqual([]);
    const found = batch.commands(["a:1", "missing", "b:2"]);
    expect([...found.keys()].sort()).toEqual(["a:1", "b:2"]);
    expect(found.get("a:1")).toEqual(await store.getCommand("a:1"));
    expect(found.get("b:2")).toEqual(await store.getCommand("b:2"));
    database.close();
    await store.close();
  });

  it("commits what its function wrote, and rolls everything back when the function throws", async () => {
    const { path, store } = await migrated();
    await store.close();
    const database = new Database(path);
    const batch = new SqliteBatch(database);
    const insert = database.prepare(
      "insert into events (seq, type, entity_id, at_ms, node, payload) values (?, 'Test', 'e', 0, 'n1', '{}')",
    );
    await expect(batch.transaction(() => Promise.resolve(insert.run(1).changes))).resolves.toBe(1);
    await expect(
      batch.transaction(async () => {
        insert.run(2);
        await Promise.resolve();
        throw new Error("refused");
      }),
    ).rejects.toThrow("refused");
    expect(database.inTransaction).toBe(false);
    // A failed statement inside: the error reported is the statement's, and nothing of the batch stays.
    await expect(
      batch.transaction(() => {
        insert.run(3);
        insert.run(1);
        return Promise.resolve();
      }),
    ).rejects.toThrow(/UNIQUE/);
    expect(database.inTransaction).toBe(false);
    expect(batch.eventsAfter(0, 10).map((e) => e.seq)).toEqual([1]);
    database.close();
  });
});
