// The dashboard as the server serves it (no browser): index.html for / and the app's pages with a
// CSP and no-cache, hashed assets cached for a year, the API's JSON 404 everywhere else, a clear
// 404 without a build, and the page's JavaScript under its 300 KB budget.
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import swagger from "@fastify/swagger";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DASHBOARD_CSP, dashboardRoutes } from "../../src/server/routes/dashboard.js";
import { openServedMarket } from "../support/server.js";
import type { ServedMarket } from "../support/server.js";
import { DASHBOARD_BUILD_DIR, ensureDashboardBuilt } from "./support/browser.js";

/** The budget of one page load: the uncompressed JavaScript index.html loads. */
const PAGE_JS_BYTES_MAX = 300 * 1024;

let served: ServedMarket;
let html: string;

/** The /assets/ paths index.html loads (scripts, module preloads, styles). */
function assetPaths(page: string): string[] {
  return [...page.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1] ?? "");
}

beforeAll(async () => {
  await ensureDashboardBuilt();
  html = readFileSync(join(DASHBOARD_BUILD_DIR, "index.html"), "utf8");
  served = await openServedMarket();
}, 120_000);
afterAll(() => served.close());

describe("the dashboard's files over HTTP", () => {
  it("answers index.html, no-cache, with its Content-Security-Policy, at / and at each page of the app", async () => {
    for (const url of ["/", "/market", "/offers", "/account", "/orders/ord_01JD3Q0000000000000000000Z"]) {
      const response = await served.app.inject({ method: "GET", url, headers: { accept: "text/html" } });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers["content-type"], url).toBe("text/html; charset=utf-8");
      expect(response.headers["cache-control"], url).toBe("no-cache");
      expect(response.headers["content-security-policy"], url).toBe(DASHBOARD_CSP);
      expect(response.body, url).toBe(html);
    }
    expect(DASHBOARD_CSP).toContain("default-src 'self'");
    expect(DASHBOARD_CSP).toContain("connect-src 'self' ws: wss:");
  });

  it("serves each hashed asset cached for a year, and nothing from another origin", async () => {
    const assets = assetPaths(html);
    expect(assets.filter((path) => path.endsWith(".js")).length).toBeGreaterThan(0);
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
    for (const url of assets) {
      const response = await served.app.inject({ method: "GET", url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers["cache-control"], url).toBe("public, max-age=31536000, immutable");
      expect(response.headers["content-type"], url).toMatch(
        url.endsWith(".js") ? /^text\/javascript|^application\/javascript/ : /^text\/css/,
      );
    }
  });

  it("keeps the API's JSON 404 for every other path, a missing asset included; a browser's unknown page gets the app with a 404", async () => {
    const html404 = { accept: "text/html,application/xhtml+xml,*/*;q=0.8" };
    for (const url of ["/v1/nothing", "/assets/missing-0000.js", "/docs/nothing", "/nothing", "/orders"]) {
      const headers = url.startsWith("/nothing") || url === "/orders" ? { accept: "application/json" } : html404;
      const response = await served.app.inject({ method: "GET", url, headers });
      expect(response.statusCode, url).toBe(404);
      expect(JSON.parse(response.body), url).toMatchObject({ code: "ROUTE_NOT_FOUND" });
    }
    for (const url of ["/nothing", "/orders", "/offers/deep/path?x=1"]) {
      const response = await served.app.inject({ method: "GET", url, headers: html404 });
      expect(response.statusCode, url).toBe(404);
      expect(response.headers["content-type"], url).toBe("text/html; charset=utf-8");
      expect(response.headers["content-security-policy"], url).toBe(DASHBOARD_CSP);
      expect(response.body, url).toBe(html);
    }
    const post = await served.app.inject({
      method: "POST",
      url: "/nothing",
      headers: { ...html404, "content-type": "application/json" },
      payload: "{}",
    });
    expect(post.statusCode).toBeGreaterThanOrEqual(400);
    expect(post.statusCode).toBeLessThan(500);
    expect(JSON.parse(post.body)).toHaveProperty("code");
  });

  it("stays out of the OpenAPI document (pages and files, not API)", async () => {
    const app = Fastify();
    await app.register(swagger, { openapi: { info: { title: "dashboard only", version: "0" } } });
    await app.register(dashboardRoutes);
    await app.ready();
    expect(app.hasRoute({ method: "GET", url: "/orders/:id" })).toBe(true);
    expect((app as unknown as { swagger(): { paths: Record<string, unknown> } }).swagger().paths).toEqual({});
    await app.close();
  });

  it("without a build, / answers a 404 JSON that says to run npm run build", async () => {
    const app = Fastify();
    const dir = mkdtempSync(join(tmpdir(), "molt-no-dashboard-"));
    await app.register(dashboardRoutes, { dir });
    const response = await app.inject({ method: "GET", url: "/" });
    expect(response.statusCode).toBe(404);
    const body = JSON.parse(response.body) as { code: string; message: string; details: unknown };
    expect(body.code).toBe("ROUTE_NOT_FOUND");
    expect(body.message).toContain("npm run build");
    expect(body.details).toEqual({ method: "GET", path: "/" });
    await app.close();
  });

  it(`loads under ${PAGE_JS_BYTES_MAX / 1024} KB of JavaScript (uncompressed, every script index.html loads)`, () => {
    const scripts = assetPaths(html).filter((path) => path.endsWith(".js"));
    const bytes = scripts.reduce((sum, path) => sum + statSync(join(DASHBOARD_BUILD_DIR, path)).size, 0);
    console.log(`dashboard JavaScript: ${scripts.length} files, ${(bytes / 1024).toFixed(1)} KB`);
    expect(bytes).toBeGreaterThan(10 * 1024);
    expect(bytes).toBeLessThan(PAGE_JS_BYTES_MAX);
  });
});
