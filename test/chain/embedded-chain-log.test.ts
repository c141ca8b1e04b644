// The embedded chain's log: group commit (entries written while an fsync is in flight share the
// next one, none reported before it is on disk), the one-fsync-per-entry baseline, and reading back.
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ChainLog, PENDING_ENTRIES_MAX } from "../../src/chain/embedded/chain-log.js";

function dataDir(): string {
  return mkdtempSync(join(tmpdir(), "molt-chain-log-"));
}

const entry = (index: number) => ({ kind: "lamports", to: `address-${index}`, lamports: String(index) }) as const;

describe("ChainLog", () => {
  it("group commit: 20 entries appended together take 2 fsyncs, and none is reported before it is on disk", async () => {
    const dir = dataDir();
    const log = ChainLog.open(dir);
    const reported: number[] = [];
    const appends = Array.from({ length: 20 }, (_, i) =>
      log.append(entry(i)).then((seq) => {
        // Reported only once every entry up to it is durable.
        expect(log.durableSeq).toBeGreaterThanOrEqual(seq);
        reported.push(seq);
      }),
    );
    expect(log.seq).toBe(20);
    expect(log.durableSeq).toBe(0);
    expect(reported).toEqual([]);
    await Promise.all(appends);
    // The first fsync covers entry 1; the 19 written while it was in flight share the second.
    expect(log.fsyncs).toBe(2);
    expect(reported).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    log.close();
    const reopened = ChainLog.open(dir);
    expect(reopened.takeEntries().map((logged) => logged.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(reopened.takeEntries()).toEqual([]);
    reopened.close();
  });

  it("without group commit: one fsync per entry, in the writer's call", async () => {
    const log = ChainLog.open(dataDir(), { groupCommit: false });
    const appends = Array.from({ length: 5 }, (_, i) => log.append(entry(i)));
    expect(log.durableSeq).toBe(5);
    await Promise.all(appends);
    expect(log.fsyncs).toBe(5);
    log.close();
  });

  it("write() waits for nobody, a later append or flush makes it durable; a snapshot flushes first", async () => {
    const dir = dataDir();
    const log = ChainLog.open(dir);
    log.write(entry(1));
    expect(log.durableSeq).toBe(0);
    await log.append(entry(2));
    expect(log.durableSeq).toBe(2);
    log.write(entry(3));
    log.writeSnapshot(3, Uint8Array.from([1, 2, 3]));
    expect(log.durableSeq).toBe(3);
    expect(log.latestSnapshot()?.seq).toBe(3);
    expect(log.appendSync(entry(4))).toBe(4);
    expect(log.durableSeq).toBe(4);
    log.close();
    expect(ChainLog.open(dir).takeEntries()).toHaveLength(4);
  });

  it("group commit: written lines reach the file with the next fsync, in order; PENDING_ENTRIES_MAX held lines are written at once", async () => {
    const dir = dataDir();
    const log = ChainLog.open(dir);
    const lines = (): number =>
      readFileSync(join(dir, "chain.log"), "utf8")
        .split("\n")
        .filter((line) => line !== "").length;
    log.write(entry(1));
    log.write(entry(2));
    expect(lines()).toBe(0);
    await log.append(entry(3));
    expect(lines()).toBe(3);
    for (let i = 0; i < PENDING_ENTRIES_MAX; i++) log.write(entry(4 + i));
    expect(lines()).toBe(3 + PENDING_ENTRIES_MAX);
    expect(log.durableSeq).toBe(3);
    log.close();
    expect(
      ChainLog.open(dir)
        .takeEntries()
        .map((logged) => logged.seq),
    ).toEqual(Array.from({ length: 3 + PENDING_ENTRIES_MAX }, (_, i) => i + 1));
  });
});

describe("ChainLog segments", () => {
  it("a snapshot seals the log; segments older than the retained entries are removed; a reopen reads what is left, failed entries counted", () => {
    const dir = dataDir();
    const log = ChainLog.open(dir, { retainedEntries: 3 });
    log.appendSync({ kind: "failed", wire: "AA==" });
    for (let i = 2; i <= 4; i++) log.appendSync(entry(i));
    log.writeSnapshot(4, Uint8Array.from([4]));
    for (let i = 5; i <= 8; i++) log.appendSync(entry(i));
    log.writeSnapshot(8, Uint8Array.from([8]));
    log.appendSync({ kind: "failed", wire: "AA==" });
    log.appendSync(entry(10));
    expect(log.failedEntries).toBe(2);
    log.close();
    // Entries 1-4 were sealed, then removed once the snapshot at 8 covered them and more than 3 came after.
    expect(readdirSync(dir).sort()).toEqual(["chain-8-f1.log", "chain.log", "snapshot-8.bin"]);
    const reopened = ChainLog.open(dir, { retainedEntries: 3 });
    expect(reopened.takeEntries().map((logged) => logged.seq)).toEqual([5, 6, 7, 8, 9, 10]);
    expect(reopened.seq).toBe(10);
    expect(reopened.failedEntries).toBe(2);
    expect(reopened.latestSnapshot()?.seq).toBe(8);
    expect(reopened.appendSync(entry(11))).toBe(11);
    reopened.close();
  });

  it("a snapshot seals the log while an fsync is in flight on it; later entries go to the new file, none lost", async () => {
    const dir = dataDir();
    const log = ChainLog.open(dir);
    const first = Array.from({ length: 5 }, (_, i) => log.append(entry(i)));
    log.writeSnapshot(5, Uint8Array.from([5]));
    const later = Array.from({ length: 5 }, (_, i) => log.append(entry(i + 5)));
    expect(await Promise.all([...first, ...later])).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(log.durableSeq).toBe(10);
    log.close();
    expect(readdirSync(dir).sort()).toEqual(["chain-5-f0.log", "chain.log", "snapshot-5.bin"]);
    expect(
      ChainLog.open(dir)
        .takeEntries()
        .map((logged) => logged.seq),
    ).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  });

  it("a snapshot right after another seals nothing (no empty segment replaces a full one)", () => {
    const dir = dataDir();
    const log = ChainLog.open(dir);
    for (let i = 1; i <= 3; i++) log.appendSync(entry(i));
    log.writeSnapshot(3, Uint8Array.from([3]));
    log.writeSnapshot(3, Uint8Array.from([3]));
    log.close();
    const again = ChainLog.open(dir);
    again.writeSnapshot(3, Uint8Array.from([3]));
    again.close();
    expect(
      ChainLog.open(dir)
        .takeEntries()
        .map((logged) => logged.seq),
    ).toEqual([1, 2, 3]);
  });

  it("refuses a gap between segments (a damaged data directory)", () => {
    const dir = dataDir();
    const log = ChainLog.open(dir);
    for (let i = 1; i <= 2; i++) log.appendSync(entry(i));
    log.writeSnapshot(2, Uint8Array.from([2]));
    for (let i = 3; i <= 4; i++) log.appendSync(entry(i));
    log.writeSnapshot(4, Uint8Array.from([4]));
    log.close();
    renameSync(join(dir, "chain-4-f0.log"), join(dir, "chain-5-f0.log"));
    appendFileSync(join(dir, "chain-2-f0.log"), `${JSON.stringify({ seq: 9, ...entry(9) })}\n`);
    expect(() => ChainLog.open(dir)).toThrow(/damaged/);
  });
});
