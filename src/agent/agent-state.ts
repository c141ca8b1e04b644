// The agent's state directory: one JSON file per job (<orderId>.json) holding what a restarted
// agent needs to carry on, and a folder per job (<orderId>/) for its runner's files. Each file is
// written whole to a temporary file, flushed, then renamed over the old one, so a crash leaves
// either the old or the new record, never a torn one. Reads and writes files only.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import { MarketError } from "../core/errors.js";
import type { Attestation } from "../settlement/statements.js";
import type { UsageReceipt } from "../settlement/usage-receipt.js";
import type { RunRecord } from "./runner.js";

/** Largest job file read back; a larger one is not the agent's and is skipped. */
export const JOB_FILE_BYTES_MAX = 256 * 1024;

/** Where a job is in the agent's hands. */
export type JobPhase = "starting" | "running" | "ending" | "settling" | "done";

/** What the agent keeps of one job. */
export interface JobRecord {
  readonly orderId: string;
  readonly offerId: string;
  readonly phase: JobPhase;
  /** How the runner finds the workload again (absent until launched). */
  readonly run?: RunRecord;
  /** The market's record of the job's start, milliseconds since the epoch. */
  readonly startedAtMs?: number;
  /** The latest receipt the agent sent (the market's copy wins on restart). */
  readonly lastReceipt?: UsageReceipt;
  /** How the workload ended, once it did. */
  readonly exit?: { readonly exitStatus: number; readonly endedAtMs: number };
  /** The attestation sent (kept so a retry after a crash sends the same body under the same key). */
  readonly attestation?: Attestation;
  /** Why the job is done (settled, refunded to the buyer, disputed, ...). */
  readonly outcome?: string;
}

const ORDER_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Throws unless `orderId` can name a file in the state directory. @throws INVALID_ID */
function checkedId(orderId: string): string {
  if (!ORDER_ID.test(orderId)) throw new MarketError("INVALID_ID", { kind: "order", value: orderId, expected: "letters, digits, _ or -" });
  return orderId;
}

/** A file written whole or not at all: temp file, fsync, rename over `path`. */
export function writeFileAtomic(path: string, text: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, "w", 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

/**
 * One agent's job records. Invariant: a record on disk is always a whole JSON document the agent
 * wrote (temporary files are never read back).
 */
export class AgentStateDir {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** The folder of a job's runner files (made on demand). @throws INVALID_ID */
  jobDir(orderId: string): string {
    const dir = join(this.dir, checkedId(orderId));
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  /** Saves a job's record atomically. @throws INVALID_ID, Error (the disk) */
  save(record: JobRecord): void {
    writeFileAtomic(join(this.dir, `${checkedId(record.orderId)}.json`), `${JSON.stringify(record, null, 2)}\n`);
  }

  /** A job's record, or undefined when there is none or it is unreadable. @throws INVALID_ID */
  load(orderId: string): JobRecord | undefined {
    return this.read(`${checkedId(orderId)}.json`);
  }

  /** Every readable job record; unreadable files are passed to `skipped` (file name, why) and left alone. */
  list(skipped: (file: string, reason: string) => void = () => undefined): JobRecord[] {
    const records: JobRecord[] = [];
    for (const file of readdirSync(this.dir)) {
      if (!file.endsWith(".json") || !ORDER_ID.test(file.slice(0, -5))) continue;
      const record = this.read(file, (reason) => {
        skipped(file, reason);
      });
      if (record !== undefined) records.push(record);
    }
    return records.sort((a, b) => a.orderId.localeCompare(b.orderId));
  }

  private read(file: string, skipped: (reason: string) => void = () => undefined): JobRecord | undefined {
    let text: string;
    try {
      text = readFileSync(join(this.dir, file), "utf8");
    } catch {
      return undefined;
    }
    if (text.length > JOB_FILE_BYTES_MAX) {
      skipped(`larger than ${JOB_FILE_BYTES_MAX} bytes`);
      return undefined;
    }
    try {
      const value = JSON.parse(text) as Partial<JobRecord> | null;
      if (value === null || typeof value.orderId !== "string" || `${value.orderId}.json` !== file || typeof value.phase !== "string") {
        skipped("not a job record of this agent");
        return undefined;
      }
      return value as JobRecord;
    } catch (e) {
      skipped(`not JSON (${e instanceof Error ? e.message : String(e)})`);
      return undefined;
    }
  }
}
