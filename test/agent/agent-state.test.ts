// The agent's state directory: a record saved is read back whole; a write torn by a crash (a
// half-written temporary file) leaves the last whole record in place and is never read; a damaged
// or foreign file is skipped with a reason while the other jobs still load.
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AgentStateDir, writeFileAtomic } from "../../src/agent/agent-state.js";
import type { JobRecord } from "../../src/agent/agent-state.js";
import { expectMarketError } from "../support/expect-error.js";

const freshDir = (): string => mkdtempSync(join(tmpdir(), "molt-agent-state-"));

const record = (orderId: string, change: Partial<JobRecord> = {}): JobRecord => ({
  orderId,
  offerId: "off_01JD3Q0000000000000000000A",
  phase: "running",
  run: { kind: "command", pid: 4242, jobDir: `/tmp/${orderId}` },
  startedAtMs: 1_764_547_200_000,
  ...change,
});

describe("the agent's state directory", () => {
  it("reads back every record it saved, the latest save of each (property)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            id: fc.integer({ min: 0, max: 4 }),
            phase: fc.constantFrom("starting", "running", "ending", "settling", "done"),
            exitStatus: fc.integer({ min: -1, max: 255 }),
          }),
          { maxLength: 20 },
        ),
        (saves) => {
          const state = new AgentStateDir(freshDir());
          const expected = new Map<string, JobRecord>();
          for (const save of saves) {
            const saved = record(`ord_${save.id}`, { phase: save.phase, exit: { exitStatus: save.exitStatus, endedAtMs: 1 } });
            state.save(saved);
            expected.set(saved.orderId, saved);
          }
          expect(state.list()).toEqual([...expected.values()].sort((a, b) => a.orderId.localeCompare(b.orderId)));
          // No temporary file is left behind by a save that finished.
          expect(readdirSync(state.dir).filter((file) => file.endsWith(".tmp"))).toEqual([]);
        },
      ),
      { numRuns: 50 },
    );
  });

  it("survives a torn write: the half-written temporary file is ignored and the last whole record stays", () => {
    const state = new AgentStateDir(freshDir());
    const before = record("ord_torn");
    state.save(before);
    // A crash in the middle of writeFileAtomic: the new text is half in the temporary file, never renamed.
    const next = JSON.stringify(record("ord_torn", { phase: "ending", exit: { exitStatus: 0, endedAtMs: 5 } }));
    writeFileSync(join(state.dir, `ord_torn.json.${process.pid}.tmp`), next.slice(0, next.length / 2));
    expect(state.load("ord_torn")).toEqual(before);
    expect(state.list()).toEqual([before]);
    // The next save replaces both.
    const after = record("ord_torn", { phase: "settling" });
    state.save(after);
    expect(state.load("ord_torn")).toEqual(after);
    expect(existsSync(join(state.dir, `ord_torn.json.${process.pid}.tmp`))).toBe(false);
  });

  it("skips a damaged or foreign file with its reason, and still loads the other jobs", () => {
    const state = new AgentStateDir(freshDir());
    const good = record("ord_good");
    state.save(good);
    writeFileSync(join(state.dir, "ord_bad.json"), '{"orderId":"ord_bad","pha');
    writeFileSync(join(state.dir, "ord_other.json"), JSON.stringify(record("ord_somebody_else")));
    const skipped: string[] = [];
    expect(state.list((file, reason) => skipped.push(`${file}: ${reason}`))).toEqual([good]);
    expect(skipped).toHaveLength(2);
    expect(skipped.find((line) => line.startsWith("ord_bad.json"))).toMatch(/not JSON/);
    expect(skipped.find((line) => line.startsWith("ord_other.json"))).toMatch(/not a job record/);
  });

  it("refuses an order id that is not a plain file name", () => {
    const state = new AgentStateDir(freshDir());
    expectMarketError(() => {
      state.save(record("../escape"));
    }, "INVALID_ID");
    expectMarketError(() => state.jobDir("a/b"), "INVALID_ID");
  });

  it("writeFileAtomic replaces a file whole", () => {
    const file = join(freshDir(), "x.json");
    writeFileAtomic(file, "one");
    writeFileAtomic(file, "two");
    expect(readdirSync(join(file, ".."))).toEqual(["x.json"]);
  });
});
