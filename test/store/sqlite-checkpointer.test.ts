// The background checkpointer: with the writer's automatic checkpoint off, the log is still copied
// back into the database file by the worker, stopping it leaves the database whole, and under a
// steady stream of commits the writer thread's own checkpoint at a high threshold starts the log
// again (the worker's PASSIVE checkpoints alone never do).
import { existsSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { SQLITE_NONCE_STATEMENTS } from "../../src/store/nonce-table.js";
import { SQLITE_BATCH_STATEMENTS, SqliteBatch } from "../../src/store/sqlite-batch.js";
import { SqliteCheckpointer } from "../../src/store/sqlite-checkpointer.js";
import { SqliteWriterThread } from "../../src/store/sqlite-writer-thread.js";
import { SqlStore } from "../../src/store/sql-store.js";
import { tableRows } from "../../src/store/sql-tables.js";
import type { EventRow } from "../../src/store/store.js";

function writer(path: string): Database.Database {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("wal_autocheckpoint = 0");
  db.exec("create table t (v blob)");
  return db;
}

function fill(db: Database.Database): void {
  const insert = db.prepare("insert into t (v) values (?)");
  for (let i = 0; i < 20; i++)
    db.transaction(() => {
      for (let j = 0; j < 10; j++) insert.run(Buffer.alloc(4096, i));
    })();
}

describe("SqliteCheckpointer", () => {
  it("copies the log into the database file while the writer never checkpoints", async () => {
    const dir = mkdtempSync(join(tmpdir(), "molt-ckpt-"));
    // Without it, 800 KB of commits stay in the log and the database file does not grow.
    const alone = writer(join(dir, "alone.db"));
    fill(alone);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(statSync(join(dir, "alone.db")).size).toBeLessThan(100_000);
    alone.close();

    const path = join(dir, "with.db");
    const db = writer(path);
    let restored = false;
    const checkpointer = new SqliteCheckpointer(
      path,
      1000,
      () => {
        restored = true;
      },
      20,
    );
    fill(db);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(statSync(path).size).toBeGreaterThan(800_000);
    await checkpointer.stop();
    expect(restored).toBe(false);
    expect((db.prepare("select count(*) as n from t").get() as { n: number }).n).toBe(200);
    db.close();
  });

  it("under a steady stream of commits, the log stays near the writer's threshold: it is started again", async () => {
    /** The largest size of the log while 200 batches of 40 events of 1 KB (17.5 MB of log) commit back to back. */
    const largestLog = async (autocheckpointPages: number): Promise<number> => {
      const path = join(mkdtempSync(join(tmpdir(), "molt-ckpt-restart-")), "market.db");
      const store = SqlStore.openSqlite(path);
      await store.migrate();
      await store.close();
      const thread = new SqliteWriterThread(path, 10_000, { ...SQLITE_BATCH_STATEMENTS, ...SQLITE_NONCE_STATEMENTS }, autocheckpointPages);
      const batch = new SqliteBatch(thread);
      const checkpointer = new SqliteCheckpointer(path, 10_000, () => undefined, 20);
      let largest = 0;
      let seq = 0;
      const payload = "x".repeat(1000);
      for (let b = 0; b < 200; b++) {
        const events: EventRow[] = Array.from({ length: 40 }, () => {
          seq++;
          return { seq, type: "Test", entityId: `e-${seq}`, atMs: seq, node: "n1", payload };
        });
        await batch.transaction(() => batch.write(tableRows({ offers: [], capacity: [], orders: [], escrows: [], events, commands: [] })));
        if (existsSync(`${path}-wal`)) largest = Math.max(largest, statSync(`${path}-wal`).size);
      }
      await checkpointer.stop();
      await thread.close();
      const db = new Database(path, { readonly: true });
      expect((db.prepare("select count(*) as n from events").get() as { n: number }).n).toBe(8000);
      db.close();
      return largest;
    };
    // Without the writer's own checkpoint, the worker's PASSIVE ones never catch up with the commits.
    expect(await largestLog(0)).toBeGreaterThan(10_000_000);
    // With it at 128 pages (512 KB), the log stays near the threshold: 0.65-1.4 MB in three runs (a
    // restart is put off while the worker's own checkpoint holds its locks).
    expect(await largestLog(128)).toBeLessThan(3_000_000);
  });
});
