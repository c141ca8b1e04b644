import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    // Vitest's default (one worker less than the cores) runs the suite one file at a time on a
    // 2-core machine; most of its wall time is child processes, fsyncs and waits, so two files at
    // once keep both cores busy.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
