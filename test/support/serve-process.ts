// `molt-market serve` spawned as a process for tests: started on a free port, its URL read from
// its first lines, stopped with SIGTERM (resolving to its output and exit code).
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

/** The CLI's entry point, run through tsx so tests never use a stale build. */
export const CLI_MAIN = new URL("../../src/cli/main.ts", import.meta.url).pathname;

/** A running server process. */
export interface ServeProcess {
  readonly url: string;
  /** The server's process id. */
  readonly pid: number;
  stop(): Promise<{ readonly code: number | null; readonly output: string }>;
}

/** Starts `molt-market serve --data-dir dir --port 0 ...args`; without `databaseUrl` on the embedded defaults (SQLite). */
export function serveProcess(
  dir: string,
  options: { readonly databaseUrl?: string; readonly args?: readonly string[]; readonly env?: Readonly<Record<string, string>> } = {},
): Promise<ServeProcess> {
  const env = { ...process.env, ...options.env };
  delete env.DATABASE_URL;
  if (options.databaseUrl !== undefined) env.DATABASE_URL = options.databaseUrl;
  const child = spawn(process.execPath, ["--import", "tsx", CLI_MAIN, "serve", "--data-dir", dir, "--port", "0", ...(options.args ?? [])], {
    stdio: ["ignore", "pipe", "inherit"],
    env,
  });
  let output = "";
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      resolve(code);
    }),
  );
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on("line", (line) => {
      output += `${line}\n`;
      const match = /^molt-market serving (http:\/\/\S+)$/.exec(line);
      if (match?.[1] !== undefined) {
        resolve({
          url: match[1],
          pid: child.pid ?? 0,
          stop: async () => {
            child.kill("SIGTERM");
            const code = await exited;
            return { code, output };
          },
        });
      }
    });
    void exited.then((code) => {
      reject(new Error(`serve exited early with ${String(code)}: ${output}`));
    });
  });
}
