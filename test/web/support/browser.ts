// The browser side of the dashboard tests: Debian's chromium driven by playwright-core, a dashboard
// build that is current (built through Vite's API when missing or older than web/), pages that
// record their console errors, and screenshots kept as test artifacts. Without chromium the suites
// are skipped loudly, except in CI (CI=true), where that is a failure.
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";
import { build } from "vite";
import { describe, it } from "vitest";

/** Where Debian installs chromium. */
export const CHROMIUM_PATH = "/usr/bin/chromium";
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
/** The built dashboard the server serves. */
export const DASHBOARD_BUILD_DIR = join(ROOT, "dist/web");
/** Where the screenshots go (gitignored). */
export const SCREENSHOT_DIR = join(ROOT, "test-artifacts/screenshots");
/** Viewports every page is checked at: a laptop and a phone. */
export const VIEWPORTS = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } } as const;

/** A describe that runs with chromium; without it, skipped with a warning, or failing in CI. */
export function describeWithChromium(name: string, suite: () => void): void {
  if (existsSync(CHROMIUM_PATH)) {
    describe(name, suite);
    return;
  }
  if (process.env.CI === "true") {
    describe(name, () => {
      it(`needs chromium at ${CHROMIUM_PATH} (.ci/run installs it)`, () => {
        throw new Error(`chromium is missing at ${CHROMIUM_PATH}: CI must run the browser tests (apt-get install -y chromium)`);
      });
    });
    return;
  }
  console.warn(
    `\n*** SKIPPED "${name}": no chromium at ${CHROMIUM_PATH} (apt-get install chromium to run the dashboard's browser tests) ***\n`,
  );
  describe.skip(name, suite);
}

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Is dist/web missing or older than a source of web/ (or src/, which it bundles)? */
function buildIsStale(): boolean {
  const index = join(DASHBOARD_BUILD_DIR, "index.html");
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return newestMtimeMs(join(ROOT, "web")) > built || newestMtimeMs(join(ROOT, "src")) > built;
}

/**
 * `npm run build:web` in this process: NODE_ENV production while it runs (the test runner's "test"
 * makes Vite pick the libraries' development builds, a larger bundle than the one shipped). The old
 * files stay (no emptyOutDir): a server another test file opened on the previous build keeps serving it.
 */
async function productionBuild(): Promise<void> {
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await build({ configFile: join(ROOT, "web/vite.config.ts"), mode: "production", logLevel: "error", build: { emptyOutDir: false } });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
}

/** Builds the dashboard into dist/web when it is missing or stale; one test file builds at a time (a lock directory). */
export async function ensureDashboardBuilt(): Promise<void> {
  const lock = join(ROOT, "dist/.web-build.lock");
  mkdirSync(join(ROOT, "dist"), { recursive: true });
  for (let waitedMs = 0; ; waitedMs += 200) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (waitedMs > 120_000) throw new Error(`${lock} held for two minutes: remove it if no build runs`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    if (buildIsStale()) await productionBuild();
  } finally {
    rmdirSync(lock);
  }
}

/** Chromium, headless, with no network but the test server's. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** How long a page step may wait for what it expects. */
const PAGE_WAIT_MS = 20_000;

/** A page and the errors it logged (console errors, uncaught exceptions, failed requests of its own origin). */
export interface WatchedPage {
  readonly page: Page;
  readonly errors: string[];
}

/** A new page at `viewport` that records its errors; `initScript` runs before the page's own scripts. */
export async function watchedPage(
  browser: Browser,
  viewport: { width: number; height: number },
  initScript?: string,
): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(PAGE_WAIT_MS);
  if (initScript !== undefined) await context.addInitScript(initScript);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (message) => {
    // A chain step's first POST is answered 428 SIGNATURE_REQUIRED with the transaction to co-sign
    // (the protocol, not a failure); the browser logs every 4xx it fetches.
    if (message.type() === "error" && !message.text().includes("status of 428 (Precondition Required)"))
      errors.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`page: ${error.message}`));
  return { page, errors };
}

/** Saves a full-page screenshot as test-artifacts/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
