// The background checkpointer: with the writer's automatic checkpoint off, the log is still copied
// back into the database file by the worker (so it cannot grow without bound), and stopping it
// leaves the database whole.
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { SqliteCheckpointer } from "../../src/store/sqlite-checkpointer.js";

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
});
