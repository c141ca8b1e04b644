// What each entry point costs to import: the pure entry "molt-market" and the client load no
// server, no database driver and no native chain runtime. Each import runs in a fresh Node process
// (the built package, resolved by its own name through package.json "exports") with a resolve hook
// that records every module loaded; a positive control shows the recorder sees what it looks for.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";

/** Packages that mean a server, a database driver or the native chain runtime was loaded. */
const HEAVY_PACKAGES = ["fastify", "@fastify/swagger", "better-sqlite3", "pg", "kysely", "litesvm"] as const;
/** The pure entry also loads no network stack: not even @solana/kit's websocket subscriptions (ws). */
const PURE_FORBIDDEN = [...HEAVY_PACKAGES, "@solana/kit", "ws"] as const;

const RECORDER = `
import { register, createRequire } from "node:module";
import { MessageChannel } from "node:worker_threads";
const { port1, port2 } = new MessageChannel();
const loaded = new Set();
port1.on("message", (url) => loaded.add(url));
register("data:text/javascript," + encodeURIComponent(
  "let port; export function initialize(data) { port = data.port; }" +
  "export async function resolve(specifier, context, next) { const result = await next(specifier, context); port.postMessage(result.url); return result; }"
), import.meta.url, { data: { port: port2 }, transferList: [port2] });
await import(process.argv[1]);
await new Promise((resolve) => setTimeout(resolve, 50));
for (const file of Object.keys(createRequire(import.meta.url).cache)) loaded.add(file);
port1.close();
process.stdout.write(JSON.stringify([...loaded]));
`;

/** The packages under node_modules that importing `entry` loads, in a fresh process. */
function packagesLoadedBy(entry: string): Set<string> {
  const output = execFileSync(process.execPath, ["--input-type=module", "-e", RECORDER, entry], { encoding: "utf8", cwd: process.cwd() });
  const packages = new Set<string>();
  for (const url of JSON.parse(output) as string[]) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (match?.[1] !== undefined) packages.add(match[1]);
  }
  return packages;
}

describe("import cost of the entry points", () => {
  it("needs the built package", () => {
    expect(existsSync("dist/index.js"), "run `npm run build` first (npm test does)").toBe(true);
  });

  it('"molt-market" (core, order book, settlement) loads no server, database driver or native chain runtime', () => {
    const loaded = packagesLoadedBy("molt-market");
    expect(PURE_FORBIDDEN.filter((name) => loaded.has(name))).toEqual([]);
  });

  it('"molt-market/client" loads no server, database driver or native chain runtime (it does load @solana/kit, to read transactions)', () => {
    const loaded = packagesLoadedBy("molt-market/client");
    expect(HEAVY_PACKAGES.filter((name) => loaded.has(name))).toEqual([]);
  });

  it('the recorder sees them when they are loaded: "molt-market/server" loads fastify, "molt-market/store" better-sqlite3 and pg, "molt-market/chain" litesvm', () => {
    expect(packagesLoadedBy("molt-market/server").has("fastify")).toBe(true);
    const store = packagesLoadedBy("molt-market/store");
    expect(store.has("better-sqlite3") && store.has("pg")).toBe(true);
    expect(packagesLoadedBy("molt-market/chain").has("litesvm")).toBe(true);
  });
});
