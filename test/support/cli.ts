// The CLI run in this process for tests: `main` with an argv, its output and error text collected.
import { main } from "../../src/cli/main.js";

/** What one run of the CLI printed, and its exit code. */
export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs `molt-market ...argv` in this process. */
export async function runCli(argv: readonly string[]): Promise<CliRun> {
  let out = "";
  let err = "";
  const code = await main(
    [...argv],
    (t) => (out += t),
    (t) => (err += t),
  );
  return { code, out, err };
}
