// Types of the folder-order lint rule (folder-order.js), for the test that drives it.
import type { ESLint, Rule } from "eslint";

/** The folders of src/ in dependency order. */
export declare const FOLDER_ORDER: readonly string[];
/** Folders a folder must never import even though they come before it. */
export declare const FOLDER_NEVER: Readonly<Record<string, readonly string[]>>;
/** The folders `folder` may import from. */
export declare function allowedImports(folder: string): string[];
/** The rule. */
export declare const folderOrderRule: Rule.RuleModule;
/** The plugin that carries the rule. */
export declare const moltPlugin: ESLint.Plugin;
