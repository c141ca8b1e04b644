// The proof's file digests: SHA-256 of a file read in chunks equals that of its bytes whole (also
// across chunk borders), of nothing when no file is named; an unreadable file is INVALID_FIELD
// naming what pointed at it.
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { digestOf } from "../../src/agent/execution-proof.js";
import { expectMarketError, fieldOf } from "../support/expect-error.js";

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

describe("digestOf", () => {
  it("is SHA-256 of the file's bytes, whatever its size against the chunk", () => {
    const dir = mkdtempSync(join(tmpdir(), "molt-digest-"));
    for (const size of [0, 1, 1024 * 1024 - 1, 1024 * 1024, 3 * 1024 * 1024 + 17]) {
      const bytes = randomBytes(size);
      const file = join(dir, `f${size}`);
      writeFileSync(file, bytes);
      expect(digestOf(file, "--output")).toBe(sha256(bytes));
    }
  });

  it("is SHA-256 of nothing without a file, and INVALID_FIELD naming the flag for an unreadable one", () => {
    expect(digestOf(undefined, "--usage")).toBe(sha256(new Uint8Array()));
    expect(fieldOf(expectMarketError(() => digestOf("/nonexistent/output.txt", "--output"), "INVALID_FIELD"))).toBe("--output");
  });
});
