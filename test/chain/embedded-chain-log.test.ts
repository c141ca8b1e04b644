// The embedded chain's log: group commit (entries written while an fsync is in flight share the
// next one, none reported before it is on disk), the one-fsync-per-entry baseline, and reading back.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ChainLog } from "../../src/chain/embedded/chain-log.js";

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
});
