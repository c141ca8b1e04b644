// WalSync: a durable() call is answered only by an fsync that began after it; calls made while one
// is in flight share the next one; a log that cannot be synced is a STORE_ERROR; a SQLite store runs
// its commits with synchronous = NORMAL and syncs once per group of batches, or on its writer
// thread when a batch's COMMIT asks; a sync made elsewhere keeps the order and the stickiness.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isMarketError } from "../../src/core/errors.js";
import { WalSync } from "../../src/store/wal-sync.js";
import { SqlStore } from "../../src/store/sql-store.js";

function logFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), "molt-wal-")), "market.db-wal");
  writeFileSync(path, "frames");
  return path;
}

describe("WalSync", () => {
  it("calls made while an fsync is in flight share the next one", async () => {
    const sync = new WalSync(logFile());
    const first = sync.durable();
    const waiting = Array.from({ length: 50 }, () => sync.durable());
    await Promise.all([first, ...waiting]);
    expect(sync.syncs).toBe(2);
    await sync.durable();
    expect(sync.syncs).toBe(3);
    await sync.close();
  });

  it("a call made after an fsync began is never answered by it", async () => {
    const sync = new WalSync(logFile());
    const order: string[] = [];
    const first = sync.durable().then(() => order.push("first"));
    const syncsBefore = sync.syncs;
    const second = sync.durable().then(() => order.push(`second after ${sync.syncs - syncsBefore} more`));
    await Promise.all([first, second]);
    expect(order).toEqual(["first", "second after 1 more"]);
    await sync.close();
  });

  it("a log that cannot be opened is a STORE_ERROR that names it, and a later call tries again", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "molt-wal-")), "missing-wal");
    const sync = new WalSync(path);
    const refused = await sync.durable().catch((e: unknown) => e);
    expect(isMarketError(refused, "STORE_ERROR") && refused.details.reason).toContain(path);
    writeFileSync(path, "frames");
    await expect(sync.durable()).resolves.toBeUndefined();
    await sync.close();
    await expect(sync.durable()).rejects.toMatchObject({ code: "STORE_ERROR" });
  });

  it("a sync made elsewhere answers after the fsyncs in flight here, and a failed one fails every later call", async () => {
    const sync = new WalSync(logFile());
    await expect(sync.syncedElsewhere()).resolves.toBeUndefined();
    const order: string[] = [];
    const here = sync.durable().then(() => order.push("here"));
    const elsewhere = sync.syncedElsewhere().then(() => order.push("elsewhere"));
    await Promise.all([here, elsewhere]);
    // An earlier batch is never reported durable after a later one.
    expect(order).toEqual(["here", "elsewhere"]);
    const failed = await sync.syncedElsewhere("EIO: i/o error, fsync").catch((e: unknown) => e);
    expect(isMarketError(failed, "STORE_ERROR") && failed.details.reason).toContain("EIO");
    // Sticky: the kernel may have dropped what it could not write, so nothing is durable again.
    await expect(sync.durable()).rejects.toMatchObject({ code: "STORE_ERROR" });
    await expect(sync.syncedElsewhere()).rejects.toMatchObject({ code: "STORE_ERROR" });
    await sync.close();
  });

  it("a SQLite batch whose COMMIT asks for it is synced by the writer thread before it is answered, with no fsync here", async () => {
    const store = SqlStore.openSqlite(join(mkdtempSync(join(tmpdir(), "molt-wal-")), "market.db"));
    await store.migrate();
    const internals = store as unknown as { walSync: WalSync };
    const before = internals.walSync.syncs;
    let asked = 0;
    const committed = await store.commitBatch(() => Promise.resolve("one"), { syncAtCommit: () => ++asked > 0 });
    expect(committed.result).toBe("one");
    await committed.durable;
    expect(asked).toBe(1);
    expect(internals.walSync.syncs - before).toBe(0);
    // Not wanted: synced here, on libuv's pool.
    const other = await store.commitBatch(() => Promise.resolve("two"), { syncAtCommit: () => false });
    await other.durable;
    expect(internals.walSync.syncs - before).toBe(1);
    await store.close();
  });

  it("a SQLite store commits with synchronous = NORMAL and syncs its log once per group of batches", async () => {
    const store = SqlStore.openSqlite(join(mkdtempSync(join(tmpdir(), "molt-wal-")), "market.db"));
    await store.migrate();
    const internals = store as unknown as { sqlite: { pragma(q: string, o: { simple: true }): unknown }; walSync: WalSync };
    expect(internals.sqlite.pragma("synchronous", { simple: true })).toBe(1);
    const before = internals.walSync.syncs;
    await Promise.all(Array.from({ length: 20 }, () => store.writeBatch(() => Promise.resolve(1))));
    const used = internals.walSync.syncs - before;
    expect(used).toBeGreaterThanOrEqual(1);
    expect(used).toBeLessThan(20);
    await store.close();
  });
});
