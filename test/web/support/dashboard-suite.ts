// A browser suite against a served dashboard: before its tests, the dashboard build made current, a
// market served on a free port and chromium launched; after them, both closed.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { openServedMarket } from "../../support/server.js";
import type { ServedMarket } from "../../support/server.js";
import { describeWithChromium, ensureDashboardBuilt, launchChromium } from "./browser.js";

/** What a dashboard suite's tests use; read inside a test (or a hook after the suite's own), never at collection. */
export interface DashboardSuite {
  readonly served: ServedMarket;
  readonly browser: Browser;
}

/** How long building the dashboard, opening the market and launching chromium may take. */
const SETUP_TIMEOUT_MS = 120_000;

/**
 * describeWithChromium with a served market and a chromium shared by the suite's tests.
 * @throws Error when `served` or `browser` is read before the suite's setup ran
 */
export function describeWithDashboard(name: string, suite: (dashboard: DashboardSuite) => void): void {
  describeWithChromium(name, () => {
    let served: ServedMarket | undefined;
    let browser: Browser | undefined;
    beforeAll(async () => {
      await ensureDashboardBuilt();
      served = await openServedMarket({ listen: true });
      browser = await launchChromium();
    }, SETUP_TIMEOUT_MS);
    afterAll(async () => {
      await browser?.close();
      await served?.close();
    });
    suite({
      get served(): ServedMarket {
        if (served === undefined) throw new Error(`"${name}": the served market is read before the suite's setup`);
        return served;
      },
      get browser(): Browser {
        if (browser === undefined) throw new Error(`"${name}": chromium is read before the suite's setup`);
        return browser;
      },
    });
  });
}
