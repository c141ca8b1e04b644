// Vite build of the dashboard: web/ -> dist/web (hashed assets under assets/), Preact JSX through
// oxc's automatic runtime, Node modules of the shared sources replaced by browser shims, no CDN and
// nothing fetched at run time but the market's own API.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const webRoot = fileURLToPath(new URL(".", import.meta.url));
/** A browser stand-in for a Node module the shared sources use (src/shims/README.md). */
const shim = (file: string): string => fileURLToPath(new URL(`./src/shims/${file}`, import.meta.url));

export default defineConfig({
  root: webRoot,
  base: "/",
  logLevel: "warn",
  publicDir: false,
  // The production code paths of the libraries (e.g. @solana/errors without its message table),
  // also when the build runs inside a test runner whose NODE_ENV is "test".
  define: { "process.env.NODE_ENV": JSON.stringify("production") },
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  resolve: {
    alias: [
      { find: /^(node:)?crypto$/, replacement: shim("node-crypto.ts") },
      { find: /^(node:)?fs$/, replacement: shim("node-fs.ts") },
      { find: /^(node:)?util$/, replacement: shim("node-util.ts") },
    ],
  },
  build: {
    outDir: fileURLToPath(new URL("../dist/web", import.meta.url)),
    emptyOutDir: true,
    assetsDir: "assets",
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: false,
    // settlement/*.ts and core/signer.ts use the global Buffer: import it where it is used.
    rolldownOptions: { transform: { inject: { Buffer: ["buffer/", "Buffer"] } } },
  },
});
