// Lint configuration: typescript-eslint's type-checked rules over src, test and bench.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { moltPlugin } from "./eslint-rules/folder-order.js";

export default tseslint.config(
  { ignores: ["dist/**", "build/**", "node_modules/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/restrict-template-expressions": [
        "error",
        { allowNumber: true, allowBoolean: true, allow: [{ from: "lib", name: "bigint" }] },
      ],
      "@typescript-eslint/no-unnecessary-condition": ["error", { allowConstantLoopConditions: true }],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-invalid-void-type": ["error", { allowAsThisParameter: true }],
      "no-console": "off",
    },
  },
  {
    files: ["src/**/*.ts"],
    plugins: { molt: moltPlugin },
    rules: { "molt/folder-order": "error" },
  },
  {
    files: ["eslint.config.js", "eslint-rules/**/*.js"],
    ...tseslint.configs.disableTypeChecked,
  },
);
