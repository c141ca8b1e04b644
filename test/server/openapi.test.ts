// The OpenAPI document at /docs/json against the routes the server really serves: every API route
// is in it with a tag and a summary, every POST requires the signature scheme, every error answer
// is the shared Error component (which lists every code), and every example validates, with the
// server's own Ajv, against the schema the document publishes for it.
import Fastify from "fastify";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MARKET_ERROR_CODES } from "../../src/core/errors.js";
import { verifySignature } from "../../src/contract/http-signature.js";
import { SIGNED_REQUEST_EXAMPLE } from "../../src/contract/openapi.js";
import { openServedMarket } from "../support/server.js";
import type { ServedMarket } from "../support/server.js";

interface Media {
  readonly schema?: Record<string, unknown>;
  readonly example?: unknown;
}
interface Operation {
  readonly tags?: string[];
  readonly summary?: string;
  readonly description?: string;
  readonly security?: Record<string, unknown>[];
  readonly parameters?: {
    readonly in: string;
    readonly name: string;
    readonly schema: Record<string, unknown>;
    readonly example?: unknown;
  }[];
  readonly requestBody?: { readonly content: Record<string, Media> };
  readonly responses: Record<
    string,
    { readonly description: string; readonly content?: Record<string, Media>; readonly headers?: Record<string, unknown> }
  >;
}
interface Document {
  readonly info: { readonly description: string };
  readonly tags: { readonly name: string }[];
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components: {
    readonly securitySchemes: Record<string, unknown>;
    readonly schemas: Record<string, Record<string, unknown> & { readonly example?: unknown }>;
  };
}

let served: ServedMarket;
let doc: Document;

beforeAll(async () => {
  served = await openServedMarket();
  doc = (await served.app.inject({ method: "GET", url: "/docs/json" })).json<Document>();
});
afterAll(() => served.close());

/** Every method and path the app routes (HEAD routes Fastify adds to each GET left out), from its route tree. */
function servedRoutes(app: FastifyInstance): string[] {
  const routes: string[] = [];
  const stack: { depth: number; path: string }[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split("\n")) {
    const match = /^([│ ]*)[└├]── (\S+) \(([A-Z, ]+)\)$/.exec(line);
    if (match === null) continue;
    const [, indent = "", segment = "", methods = ""] = match;
    const depth = indent.length / 4;
    while ((stack.at(-1)?.depth ?? -1) >= depth) stack.pop();
    const path = `${stack.at(-1)?.path ?? ""}${segment}`;
    stack.push({ depth, path });
    for (const method of methods.split(", ")) if (method !== "HEAD") routes.push(`${method} ${path.replace(/:([a-z]+)/gi, "{$1}")}`);
  }
  return routes;
}

/** The document's operations as "METHOD /path". */
function documented(): { key: string; operation: Operation }[] {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ key: `${method.toUpperCase()} ${path}`, operation })),
  );
}

/** Routes of the API proper: /v1/*, /healthz and /metrics (not /docs, nor the dashboard's pages and assets). */
const isApi = (route: string): boolean => / (\/v1\/|\/healthz$|\/metrics$)/.test(route);

/**
 * Why `value` fails `schema` as Fastify's Ajv reads it with the server's options (undefined: it
 * validates): the schema is a route's body schema, `value` the body sent.
 */
async function violation(schema: Record<string, unknown>, value: unknown): Promise<string | undefined> {
  // The document's `example` keyword is documentation: known to Ajv, so it does not fail strict mode.
  const checker = Fastify({
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false, keywords: ["example"] } },
  });
  checker.post("/example", { schema: { body: structuredClone(schema) } }, () => "valid");
  try {
    const answer = await checker.inject({
      method: "POST",
      url: "/example",
      payload: JSON.stringify(value),
      headers: { "content-type": "application/json" },
    });
    return answer.statusCode === 200 ? undefined : answer.body;
  } finally {
    await checker.close();
  }
}

/** The Error component, inlined where the document refers to it. */
function resolved(schema: Record<string, unknown> | undefined): Record<string, unknown> {
  if (schema === undefined) throw new Error("no schema");
  return schema.$ref === "#/components/schemas/Error" ? (doc.components.schemas.Error ?? {}) : schema;
}

describe("the OpenAPI document", () => {
  it("lists every API route the server serves, and only those", () => {
    const api = servedRoutes(served.app).filter(isApi).sort();
    expect(api.length).toBeGreaterThan(30);
    expect(
      documented()
        .map(({ key }) => key)
        .sort(),
    ).toEqual(api);
  });

  it("gives each operation one known tag and a summary; /metrics and the live feed have descriptions", () => {
    const tags = doc.tags.map((tag) => tag.name);
    for (const { key, operation } of documented()) {
      expect(operation.tags, key).toHaveLength(1);
      expect(tags, key).toContain(operation.tags?.[0]);
      expect(operation.summary?.length ?? 0, key).toBeGreaterThan(5);
    }
    expect(doc.paths["/metrics"]?.get?.description).toContain("molt_http_request_duration_seconds");
    expect(doc.paths["/v1/feed"]?.get?.description).toMatch(/WebSocket.*\{ seq, type, entityId, atMs, node, payload \}/s);
  });

  it("requires the four signature headers on every POST and describes the scheme", () => {
    const schemes = Object.keys(doc.components.securitySchemes).sort();
    expect(schemes).toEqual(["contentDigest", "httpMessageSignature", "idempotencyKey", "signatureInput"]);
    const posts = documented().filter(({ key }) => key.startsWith("POST "));
    expect(posts.length).toBeGreaterThan(15);
    for (const { key, operation } of posts) expect(Object.keys(operation.security?.[0] ?? {}).sort(), key).toEqual(schemes);
    for (const part of [
      '"@method" "@path" "content-digest" "idempotency-key"',
      "created=",
      "keyid=",
      "nonce=",
      "Idempotency-Key",
      "sha-256=:",
    ])
      expect(doc.info.description).toContain(part);
  });

  it("shows a live feed message that is an event as GET /v1/events pages them", async () => {
    const message = /```json\n([\s\S]*?)\n```/.exec(doc.paths["/v1/feed"]?.get?.description ?? "")?.[1];
    if (message === undefined) throw new Error("no message example in the live feed's description");
    const page = doc.paths["/v1/events"]?.get?.responses["200"]?.content?.["application/json"]?.schema as {
      properties: { events: { items: Record<string, unknown> } };
    };
    expect(await violation(page.properties.events.items, JSON.parse(message))).toBeUndefined();
    expect(await violation(page.properties.events.items, { ...(JSON.parse(message) as object), seq: "41" })).toBeDefined();
  });

  it("shows a signed request whose signature verifies, with the signature base it covers", () => {
    const { method, path, body, headers, createdMs } = SIGNED_REQUEST_EXAMPLE;
    expect(verifySignature({ method, path, body }, headers, createdMs).keyid).toBe("AB1AZXZb5cHRcuo47am1Rrr2fQG8yusUgKpaAbdNiYHQ");
    expect(() => verifySignature({ method, path, body: "{ }" }, headers, createdMs)).toThrow(/digest/i);
    expect(doc.info.description).toContain(`Signature: ${headers.signature}`);
    expect(doc.info.description).toContain(`"@path": ${path}\n"content-digest": ${headers["content-digest"]}`);
  });

  it("answers every error with the shared Error component, which lists every code", async () => {
    const error = doc.components.schemas.Error ?? {};
    const codes = (error.properties as { code: { enum: string[] } }).code.enum;
    expect(codes).toEqual([...MARKET_ERROR_CODES, "INTERNAL"]);
    for (const code of MARKET_ERROR_CODES) expect(String(error.description), code).toContain(`| ${code} |`);
    expect(await violation(error, error.example)).toBeUndefined();
    for (const { key, operation } of documented()) {
      for (const status of ["400", "429", "500", ...(key.startsWith("POST ") ? ["401", "415", "422"] : [])])
        expect(operation.responses[status], `${key} ${status}`).toBeDefined();
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) < 400) continue;
        expect(response.content?.["application/json"]?.schema, `${key} ${status}`).toEqual({ $ref: "#/components/schemas/Error" });
        expect(response.description, `${key} ${status}`).toMatch(/^Error/);
        expect(response.headers?.["X-Request-Id"], `${key} ${status}`).toBeDefined();
      }
    }
    expect(doc.paths["/v1/orders/{id}"]?.get?.responses["404"]?.description).toContain("ORDER_NOT_FOUND");
  });

  it("has a request and an answer example on every route, each valid against its schema", async () => {
    let checked = 0;
    for (const { key, operation } of documented()) {
      if (operation.requestBody !== undefined) {
        const media = operation.requestBody.content["application/json"];
        expect(media?.example, `${key} request example`).toBeDefined();
        expect(await violation(resolved(media?.schema), media?.example), `${key} request example`).toBeUndefined();
        checked++;
      }
      const queried = (operation.parameters ?? []).filter((parameter) => parameter.in === "query");
      if (queried.length > 0)
        expect(
          queried.some((parameter) => parameter.example !== undefined),
          `${key} query example`,
        ).toBe(true);
      for (const parameter of queried) {
        if (parameter.example === undefined) continue;
        expect(await violation(parameter.schema, parameter.example), `${key} ?${parameter.name}`).toBeUndefined();
        checked++;
      }
      if (key === "GET /v1/feed") continue;
      const [type, media] = Object.entries(operation.responses["200"]?.content ?? {})[0] ?? [];
      expect(media?.example, `${key} answer example`).toBeDefined();
      expect(await violation(resolved(media?.schema), media?.example), `${key} answer example (${type ?? ""})`).toBeUndefined();
      checked++;
    }
    expect(checked).toBeGreaterThan(60);
  });

  it("the validation is real: an example broken by one field fails its schema", async () => {
    const media = doc.paths["/v1/offers"]?.post?.requestBody?.content["application/json"];
    const example = media?.example as Record<string, unknown>;
    expect(await violation(resolved(media?.schema), example)).toBeUndefined();
    expect(await violation(resolved(media?.schema), { ...example, pricePerHour: 2.5 })).toBeDefined();
    expect(await violation(resolved(media?.schema), { ...example, surprise: true })).toBeDefined();
  });
});
