// The public surface of each package entry point, as a snapshot (after viem's export snapshot): a
// name added to or removed from an entry is a visible diff in review. Values are read from the
// module itself; type-only names from its `export type { ... }` statements.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/** Each entry of package.json "exports" and the source file of its index. */
const ENTRIES = {
  "molt-market": "src/index.ts",
  "molt-market/chain": "src/chain/index.ts",
  "molt-market/store": "src/store/index.ts",
  "molt-market/market": "src/market/index.ts",
  "molt-market/server": "src/server/index.ts",
  "molt-market/client": "src/client/index.ts",
} as const;

/** The names an index exports only as types. */
function typeOnlyNames(file: string): string[] {
  const source = readFileSync(file, "utf8");
  const names: string[] = [];
  for (const match of source.matchAll(/export type \{([^}]*)\}/g)) {
    for (const name of (match[1] ?? "").split(",")) if (name.trim() !== "") names.push(name.trim());
  }
  return names.sort();
}

describe("export snapshot of each entry point", () => {
  it("package.json exports exactly these entries", () => {
    const manifest = JSON.parse(readFileSync("package.json", "utf8")) as { exports: Record<string, unknown> };
    const entries = Object.keys(manifest.exports).filter((key) => key !== "./package.json");
    expect(entries).toEqual(Object.keys(ENTRIES).map((entry) => entry.replace("molt-market", ".")));
  });

  for (const [entry, file] of Object.entries(ENTRIES)) {
    it(entry, async () => {
      const module = (await import(`../../${file.replace(/\.ts$/, ".js")}`)) as Record<string, unknown>;
      expect({ values: Object.keys(module).sort(), types: typeOnlyNames(file) }).toMatchSnapshot();
    });
  }
});
