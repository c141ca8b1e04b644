// The OpenAPI document at /docs/json (and its pages at /docs): built by @fastify/swagger from the
// routes' TypeBox schemas, with what the schemas cannot say added here: the tags, the signature
// scheme, one shared Error component (every error answer refers to it, each status naming its
// codes), the errors any request may get on every operation, and each route's descriptions and examples
// (src/contract/openapi-examples.ts). Documentation only: nothing here changes how a request is served.
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { MARKET_ERROR_CODES, MARKET_ERROR_TABLE } from "../core/errors.js";
import { API_DESCRIPTION, API_TAGS, ERROR_COMPONENT, SECURITY_SCHEMES } from "../contract/openapi.js";
import { ROUTE_EXAMPLES, routeKey } from "../contract/openapi-examples.js";
import type { RouteExample } from "../contract/openapi-examples.js";

/** Where the Error component is, as a $ref. */
const ERROR_REF = "#/components/schemas/Error";

/** The codes answered with `status`, in table order. */
function codesOf(status: number): string[] {
  return MARKET_ERROR_CODES.filter((code) => MARKET_ERROR_TABLE[code].httpStatus === status);
}

/** What an error status means, with its codes. */
function errorDescription(status: number): string {
  if (status === 500) return "Error INTERNAL: the server is broken (never bad input); nothing was acknowledged";
  const codes = codesOf(status);
  return `Error { code, message, details }${codes.length === 0 ? "" : `: ${codes.join(", ")}`}`;
}

type Json = Record<string, unknown>;

/** `schema` with `example` as its only example (a copy: route schemas are never changed). */
function withExample(schema: unknown, example: unknown): unknown {
  return schema === undefined || example === undefined ? schema : { ...(schema as Json), examples: [example] };
}

/** A querystring schema whose parameters carry the example's values. */
function withQueryExample(schema: unknown, query: Readonly<Record<string, string>> | undefined): unknown {
  const properties = (schema as { properties?: Record<string, unknown> } | undefined)?.properties;
  if (query === undefined || properties === undefined) return schema;
  const described = Object.fromEntries(
    Object.entries(properties).map(([name, property]) => [name, query[name] === undefined ? property : withExample(property, query[name])]),
  );
  return { ...(schema as Json), properties: described };
}

/** A route's schema with its description and examples added. */
function documented(schema: Json, example: RouteExample | undefined): Json {
  if (example === undefined) return schema;
  const response = schema.response as Json | undefined;
  return {
    ...schema,
    ...(example.description === undefined ? {} : { description: example.description }),
    ...(schema.body === undefined ? {} : { body: withExample(schema.body, example.body) }),
    ...(schema.querystring === undefined ? {} : { querystring: withQueryExample(schema.querystring, example.query) }),
    ...(response?.[200] === undefined ? {} : { response: { ...response, 200: withExample(response[200], example.response) } }),
  };
}

/** Errors any request may get (a malformed URL, a rate limit, a broken server), and those of any signed POST (no signature, a body not JSON, over bodyBytesMax). */
const ANY_REQUEST_ERRORS = ["400", "429", "500"];
const POST_ERRORS = ["401", "415", "422"];

/** The header every answer carries. */
const REQUEST_ID_HEADER = {
  "X-Request-Id": {
    description:
      "The request's id: the one it sent when well formed (1..64 of letters, digits and -_.:), else a fresh UUID; the server's log line of the request has it as reqId",
    schema: { type: "string" },
  },
};

/**
 * Every error answer refers to the Error component; every operation lists the errors any request
 * of its method may get; every answer documents X-Request-Id.
 */
function shareErrors(document: Json): Json {
  const paths = document.paths as Record<string, Record<string, { responses?: Record<string, Json> }>>;
  for (const methods of Object.values(paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const responses = (operation.responses ??= {});
      for (const status of [...ANY_REQUEST_ERRORS, ...(method === "post" ? POST_ERRORS : [])]) responses[status] ??= {};
      for (const [status, response] of Object.entries(responses)) {
        const headers = { ...(response.headers as Json | undefined), ...REQUEST_ID_HEADER };
        responses[status] =
          Number(status) < 400
            ? { ...response, headers }
            : {
                ...response,
                description: errorDescription(Number(status)),
                headers,
                content: { "application/json": { schema: { $ref: ERROR_REF } } },
              };
      }
    }
  }
  const components = document.components as Json;
  components.schemas = { ...(components.schemas as Json), Error: structuredClone(ERROR_COMPONENT) };
  return document;
}

/** Registers the OpenAPI document (/docs/json) and its pages (/docs). */
export async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: { title: "molt-market", version: "0.1.0", description: API_DESCRIPTION },
      tags: API_TAGS.map((tag) => ({ ...tag })),
      components: { securitySchemes: structuredClone(SECURITY_SCHEMES) },
    },
    transform: ({ schema, url, route }) => {
      const method = typeof route.method === "string" ? route.method : (route.method[0] ?? "GET");
      return { schema: documented(schema as unknown as Json, ROUTE_EXAMPLES[routeKey(method, url)]), url };
    },
    // Only OpenAPI documents are made here (the `openapi` option), never Swagger 2.
    transformObject: (documentObject) =>
      "openapiObject" in documentObject
        ? (shareErrors(documentObject.openapiObject as Json) as typeof documentObject.openapiObject)
        : documentObject.swaggerObject,
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
}
