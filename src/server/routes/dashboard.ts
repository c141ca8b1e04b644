// The web dashboard: the built files of dist/web served at `/`. index.html (no-cache, with a
// Content-Security-Policy) for `/` and each client-side route of the app; hashed assets under
// /assets/ cached for a year. Without a build, `/` says to run `npm run build`. Hidden from the
// OpenAPI document: these are pages, not API. No API route and no rule here.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
// For `schema.hide` (the swagger plugin's FastifySchema field): pages stay out of the OpenAPI document.
import type {} from "@fastify/swagger";
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from "fastify";

/** Where `npm run build` puts the dashboard: <package root>/dist/web (this file is src/server/routes/ or dist/server/routes/). */
export const DASHBOARD_DIR = fileURLToPath(new URL("../../../dist/web/", import.meta.url));

/** The paths the app routes in the browser: each answers index.html. */
export const DASHBOARD_PAGES = ["/", "/market", "/offers", "/account", "/orders/:id"] as const;

/**
 * The dashboard page's Content-Security-Policy: its own scripts and style sheets only (no inline
 * script or style; the chart sizes itself through the CSSOM, which the policy allows), its own API
 * and live feed, no frames, no other origin.
 */
export const DASHBOARD_CSP =
  "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self'; img-src 'self' data:; " +
  "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** How long a hashed asset may be cached (its name changes with its content). */
const ASSET_MAX_AGE_S = 365 * 24 * 3600;

/** Options of the dashboard plugin. */
export interface DashboardOptions {
  /** The built dashboard (default DASHBOARD_DIR). */
  readonly dir?: string;
}

function notBuilt(reply: FastifyReply, dir: string, path: string): FastifyReply {
  return reply.status(404).send({
    code: "ROUTE_NOT_FOUND",
    message: `the dashboard is not built: run \`npm run build\` (it builds the web dashboard into ${dir}), then restart the server; the API is at /docs`,
    details: { method: "GET", path },
  });
}

/** Paths that belong to the API or the server, never to the app: their 404s stay JSON. */
const SERVER_PATH = /^\/(?:v1|docs|assets)(?:\/|$)|^\/(?:healthz|metrics)$/;

/** Sends the app's page with its headers (`status` 404 for a path the app does not know). */
function sendPage(reply: FastifyReply, html: Buffer, status = 200): FastifyReply {
  return reply
    .status(status)
    .header("content-type", "text/html; charset=utf-8")
    .header("cache-control", "no-cache")
    .header("content-security-policy", DASHBOARD_CSP)
    .header("x-content-type-options", "nosniff")
    .header("referrer-policy", "no-referrer")
    .send(html);
}

/**
 * Serves the dashboard. Invariant: it adds GET routes only for the app's pages and for the asset
 * files present when the server starts; a GET no route takes, outside the API's paths, from a
 * browser (Accept: text/html) gets the app's page with status 404 (the app says what is missing);
 * every other unknown request keeps the API's JSON 404.
 */
async function dashboard(app: FastifyInstance, options: DashboardOptions): Promise<void> {
  const dir = options.dir ?? DASHBOARD_DIR;
  const indexFile = join(dir, "index.html");
  if (!existsSync(indexFile)) {
    app.get("/", { schema: { hide: true } }, (_request, reply) => notBuilt(reply, dir, "/"));
    return;
  }
  const html = readFileSync(indexFile);
  for (const page of DASHBOARD_PAGES) app.get(page, { schema: { hide: true } }, (_request, reply) => sendPage(reply, html));
  // Runs at the root (skip-override below), so it sees the requests that reach no route.
  app.addHook("onRequest", async (request, reply) => {
    if (!request.is404 || request.method !== "GET" || !(request.headers.accept ?? "").includes("text/html")) return undefined;
    if (SERVER_PATH.test(request.url.split("?")[0] ?? "")) return undefined;
    return sendPage(reply, html, 404);
  });
  const assets = join(dir, "assets");
  if (existsSync(assets)) {
    // wildcard: false registers one route per file found now, so a missing asset is the API's 404.
    await app.register(fastifyStatic, {
      root: assets,
      prefix: "/assets/",
      wildcard: false,
      index: false,
      decorateReply: false,
      immutable: true,
      maxAge: ASSET_MAX_AGE_S * 1000,
      setHeaders: (reply) => {
        void reply.header("x-content-type-options", "nosniff");
      },
    });
  }
}

/** The dashboard plugin; registered without encapsulation (as fastify-plugin does) so its not-found fallback sees every request. */
export const dashboardRoutes: FastifyPluginAsync<DashboardOptions> = Object.assign(dashboard, { [Symbol.for("skip-override")]: true });
