// The folder-order lint rule: an import that runs up DESIGN.md's folder table fails `npm run lint`,
// one that runs down passes. Runs ESLint on source text with only this rule.
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import { describe, expect, it } from "vitest";
import { FOLDER_ORDER, allowedImports, moltPlugin } from "../../eslint-rules/folder-order.js";

const eslint = new ESLint({
  overrideConfigFile: true,
  overrideConfig: [
    {
      files: ["**/*.ts"],
      languageOptions: { parser: tseslint.parser },
      plugins: { molt: moltPlugin },
      rules: { "molt/folder-order": "error" },
    },
  ],
});

async function problemsOf(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: `${process.cwd()}/${file}` });
  return (result?.messages ?? []).map((message) => message.message);
}

describe("folder-order lint rule", () => {
  it("refuses an upward import: the core importing the server", async () => {
    const problems = await problemsOf(
      "src/core/example.ts",
      'import { buildApp } from "../server/app.js";\nexport const app = buildApp;\n',
    );
    expect(problems).toEqual(["src/core/ may not import src/server/ (allowed: none); see the folder table of DESIGN.md"]);
  });

  it("refuses what a folder must never use even though it comes first: the client importing the market", async () => {
    const problems = await problemsOf("src/client/example.ts", 'export { Marketplace } from "../market/marketplace.js";\n');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("src/client/ may not import src/market/");
  });

  it("refuses a dynamic import that runs up, from a nested folder", async () => {
    const problems = await problemsOf(
      "src/chain/embedded/example.ts",
      'export const book = () => import("../../orderbook/order-book.js");\n',
    );
    expect(problems).toHaveLength(1);
  });

  it("allows imports down the table, within a folder, and of packages", async () => {
    const source =
      'import { Amount } from "../core/amount.js";\nimport { x } from "./sibling.js";\nimport Fastify from "fastify";\nexport { Amount, x, Fastify };\n';
    expect(await problemsOf("src/server/example.ts", source)).toEqual([]);
  });

  it("asks for a new folder to be placed in the table", async () => {
    const problems = await problemsOf("src/gadgets/example.ts", "export const one = 1;\n");
    expect(problems[0]).toContain("not a folder of DESIGN.md's layout");
  });

  it("orders the folders as DESIGN.md does: the core first, the CLI last, each allowed only folders before it", () => {
    expect(FOLDER_ORDER[0]).toBe("core");
    expect(FOLDER_ORDER.at(-1)).toBe("cli");
    for (const [index, folder] of FOLDER_ORDER.entries()) {
      for (const allowed of allowedImports(folder)) expect(FOLDER_ORDER.indexOf(allowed)).toBeLessThan(index);
    }
  });
});
