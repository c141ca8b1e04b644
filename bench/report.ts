// Helpers shared by the benchmark scripts: timing, percentiles, tables, and the --json last line.

/** Nanoseconds now. */
export function nowNs(): bigint {
  return process.hrtime.bigint();
}

/** The p-th percentile (0..100) of samples, by nearest rank. */
export function percentile(samples: Float64Array | number[], p: number): number {
  const sorted = Float64Array.from(samples).sort();
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? NaN;
}

/** Runs a full garbage collection when node runs with --expose-gc. */
export function collectGarbage(): void {
  if (!settleHeap()) throw new Error("run with node --expose-gc");
}

/**
 * Collects the garbage a previous run left (when node runs with --expose-gc, as the npm scripts
 * do), so a measured run does not pay for it; says whether it could.
 */
export function settleHeap(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return false;
  gc();
  gc();
  return true;
}

/** Bytes of JS heap plus array buffers (typed-array storage lives there). */
export function heapBytes(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** Prints rows as an aligned text table. */
export function printTable(title: string, rows: Record<string, string | number>[]): void {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0] ?? {});
  const text = rows.map((row) => columns.map((c) => String(row[c] ?? "")));
  const widths = columns.map((c, i) => Math.max(c.length, ...text.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]): string => cells.map((cell, i) => cell.padStart(widths[i] ?? 0)).join("  ");
  console.log(`\n${title}`);
  console.log(line(columns));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const row of text) console.log(line(row));
}

/** Formats a number with a fixed number of decimals. */
export function fixed(value: number, decimals = 1): string {
  return Number.isFinite(value) ? value.toFixed(decimals) : String(value);
}

/** Command-line flags of the benchmarks: --json, --sizes=1000,10000. */
export function benchArgs(): { json: boolean; sizes: number[] | undefined } {
  const json = process.argv.includes("--json");
  const sizesArg = process.argv.find((a) => a.startsWith("--sizes="));
  const sizes =
    sizesArg === undefined
      ? undefined
      : sizesArg
          .slice("--sizes=".length)
          .split(",")
          .map(Number)
          .filter((n) => n > 0);
  return { json, sizes };
}
