// ESLint rule "molt/folder-order": a file under src/<folder>/ may import only from the folders
// DESIGN.md allows it (the folders above it in dependency order, minus the ones it must never use).
// Resolves each relative import to its folder; package imports are not this rule's business.
import path from "node:path";

/** The folders of src/ in dependency order: a folder may import only from folders before it. */
export const FOLDER_ORDER = [
  "core",
  "orderbook",
  "chain",
  "settlement",
  "contract",
  "payments",
  "store",
  "market",
  "server",
  "client",
  "agent",
  "cli",
];

/** Folders a folder must never import even though they come before it (DESIGN.md's "never" column). */
export const FOLDER_NEVER = {
  orderbook: ["chain"],
  chain: ["orderbook"],
  settlement: ["orderbook", "chain"],
  contract: ["orderbook", "chain"],
  payments: ["orderbook"],
  client: ["orderbook", "payments", "store", "market", "server"],
  agent: ["payments", "store", "market", "server"],
};

/** The folders `folder` may import from. */
export function allowedImports(folder) {
  const index = FOLDER_ORDER.indexOf(folder);
  const never = FOLDER_NEVER[folder] ?? [];
  return FOLDER_ORDER.slice(0, Math.max(index, 0)).filter((other) => !never.includes(other));
}

/** The src/ folder of an absolute path, or undefined when it is not under a src/ folder. */
function srcFolderOf(file) {
  const parts = path.normalize(file).split(path.sep);
  const at = parts.lastIndexOf("src");
  return at >= 0 && at + 2 < parts.length ? parts[at + 1] : undefined;
}

/** @type {import("eslint").Rule.RuleModule} */
export const folderOrderRule = {
  meta: {
    type: "problem",
    docs: { description: "A src/ folder imports only the folders DESIGN.md puts before it" },
    messages: {
      upward: "src/{{from}}/ may not import src/{{to}}/ (allowed: {{allowed}}); see the folder table of DESIGN.md",
      unknown: "src/{{from}}/ is not a folder of DESIGN.md's layout; add it to eslint-rules/folder-order.js in its place",
    },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const from = srcFolderOf(file);
    if (from === undefined) return {};
    if (!FOLDER_ORDER.includes(from)) {
      return { Program: (node) => context.report({ node, messageId: "unknown", data: { from } }) };
    }
    const allowed = allowedImports(from);
    const check = (node, source) => {
      if (typeof source !== "string" || !source.startsWith(".")) return;
      const to = srcFolderOf(path.resolve(path.dirname(file), source));
      if (to === undefined || to === from || allowed.includes(to)) return;
      context.report({ node, messageId: "upward", data: { from, to, allowed: allowed.join(", ") || "none" } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === "Literal" && check(node, node.source.value),
    };
  },
};

/** The plugin that carries the rule. */
export const moltPlugin = { rules: { "folder-order": folderOrderRule } };
