// Every way a request can go wrong, sent as raw bytes to a listening server, is answered with JSON
// { code, message, details } (nothing else), a stable code whose table status is the answer's, and
// an X-Request-Id: unknown paths under every method (HEAD too), known paths under other methods,
// bodies too large, not JSON or of another type, bad queries and paths, missing static files,
// WebSocket upgrades to plain routes or malformed handshakes, CONNECT, and a rate limit.
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MARKET_ERROR_CODES, MARKET_ERROR_TABLE } from "../../src/core/errors.js";
import type { MarketErrorCode } from "../../src/core/errors.js";
import { SERVER_LIMITS } from "../../src/server/limits.js";
import { openServedMarket } from "../support/server.js";
import type { ServedMarket } from "../support/server.js";

let served: ServedMarket;
let limited: ServedMarket;

beforeAll(async () => {
  served = await openServedMarket({ listen: true });
  limited = await openServedMarket({ listen: true, deps: { requestsPerMinute: 1 } });
});
afterAll(async () => {
  await served.close();
  await limited.close();
});

interface RawAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Sends `head` (and `body`) as raw bytes, reads everything the server answers until it closes. */
function rawRequest(baseUrl: string, head: string, body = ""): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(new URL(baseUrl).port), "127.0.0.1", () => socket.write(`${head}\r\n\r\n${body}`));
    let answer = "";
    socket.on("data", (chunk: Buffer) => (answer += chunk.toString("utf8")));
    socket.on("error", reject);
    socket.on("close", () => {
      const [top = "", ...rest] = answer.split("\r\n\r\n");
      const [statusLine = "", ...lines] = top.split("\r\n");
      const headers = Object.fromEntries(
        lines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]),
      );
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, body: rest.join("\r\n\r\n") });
    });
  });
}

const close = "Host: market.test\r\nConnection: close";
const upgrade = (path: string, extra = "Upgrade: websocket\r\nSec-WebSocket-Version: 13"): string =>
  `GET ${path} HTTP/1.1\r\nHost: market.test\r\nConnection: Upgrade\r\n${extra}\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==`;
const json = (bytes: number): string => `Content-Type: application/json\r\nContent-Length: ${bytes}`;

/** What goes wrong, the raw request, its body, and the code it must get. */
const CASES: readonly (readonly [string, string, string, MarketErrorCode])[] = [
  ["GET of an unknown path", `GET /v1/nothing HTTP/1.1\r\n${close}`, "", "ROUTE_NOT_FOUND"],
  ["PUT of an unknown path with a body", `PUT /v1/nothing HTTP/1.1\r\n${close}\r\n${json(2)}`, "{}", "ROUTE_NOT_FOUND"],
  ["DELETE of an unknown path", `DELETE /nothing HTTP/1.1\r\n${close}`, "", "ROUTE_NOT_FOUND"],
  ["PATCH of an unknown path", `PATCH /nothing HTTP/1.1\r\n${close}\r\n${json(2)}`, "{}", "ROUTE_NOT_FOUND"],
  ["OPTIONS of an unknown path", `OPTIONS /nothing HTTP/1.1\r\n${close}`, "", "ROUTE_NOT_FOUND"],
  ["a path with a trailing slash", `GET /healthz/ HTTP/1.1\r\n${close}`, "", "ROUTE_NOT_FOUND"],
  ["a missing file of the document's pages", `GET /docs/static/nothing.js HTTP/1.1\r\n${close}`, "", "ROUTE_NOT_FOUND"],
  ["CONNECT", `CONNECT market.test:443 HTTP/1.1\r\nHost: market.test:443`, "", "ROUTE_NOT_FOUND"],
  ["DELETE of a GET route", `DELETE /healthz HTTP/1.1\r\n${close}`, "", "METHOD_NOT_ALLOWED"],
  ["TRACE of a GET route", `TRACE /v1/stats HTTP/1.1\r\n${close}`, "", "METHOD_NOT_ALLOWED"],
  ["OPTIONS of a known path", `OPTIONS /v1/orders HTTP/1.1\r\n${close}`, "", "METHOD_NOT_ALLOWED"],
  ["an unsigned POST", `POST /v1/offers HTTP/1.1\r\n${close}\r\n${json(2)}`, "{}", "UNAUTHORIZED"],
  [
    "a body over bodyBytesMax",
    `POST /v1/offers HTTP/1.1\r\n${close}\r\n${json(SERVER_LIMITS.bodyBytesMax + 1)}`,
    "x".repeat(SERVER_LIMITS.bodyBytesMax + 1),
    "LIMIT_EXCEEDED",
  ],
  ["a body that is not JSON", `POST /v1/offers HTTP/1.1\r\n${close}\r\n${json(3)}`, "{x:", "INVALID_FIELD"],
  [
    "a text/plain body",
    `POST /v1/offers HTTP/1.1\r\n${close}\r\nContent-Type: text/plain\r\nContent-Length: 2`,
    "hi",
    "UNSUPPORTED_MEDIA_TYPE",
  ],
  ["a query value that is not a number", `GET /v1/events?after=abc HTTP/1.1\r\n${close}`, "", "INVALID_FIELD"],
  ["a path that is not valid percent-encoding", `GET /v1/orders/%E0%A4%A HTTP/1.1\r\n${close}`, "", "INVALID_FIELD"],
  ["an unknown order id", `GET /v1/orders/ord_01JF3Q8V6MZK2B7C9D4E5F6G7H HTTP/1.1\r\n${close}`, "", "ORDER_NOT_FOUND"],
  ["a WebSocket upgrade to a plain HTTP route", upgrade("/healthz"), "", "INVALID_FIELD"],
  ["an h2c upgrade to a plain HTTP route", upgrade("/v1/stats", "Upgrade: h2c"), "", "INVALID_FIELD"],
  ["a WebSocket upgrade to an unknown path", upgrade("/v1/nothing"), "", "ROUTE_NOT_FOUND"],
  [
    "a live feed handshake of another WebSocket version",
    upgrade("/v1/feed", "Upgrade: websocket\r\nSec-WebSocket-Version: 8"),
    "",
    "INVALID_FIELD",
  ],
  ["a live feed upgrade to another protocol", upgrade("/v1/feed", "Upgrade: h2c\r\nSec-WebSocket-Version: 13"), "", "INVALID_FIELD"],
  ["a live feed upgrade with a bad query", upgrade("/v1/feed?after=-1"), "", "INVALID_FIELD"],
];

/** Asserts the answer is exactly { code, message, details } with `code` at its table status, and carries a request id. */
function expectErrorAnswer(answer: RawAnswer, code: MarketErrorCode): void {
  expect(answer.headers["content-type"]).toMatch(/^application\/json/);
  expect(answer.headers["x-request-id"]).toMatch(/^\S{1,64}$/);
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(["code", "details", "message"]);
  expect(MARKET_ERROR_CODES).toContain(body.code);
  expect([body.code, answer.status]).toEqual([code, MARKET_ERROR_TABLE[code].httpStatus]);
  expect(typeof body.message).toBe("string");
  expect(typeof body.details).toBe("object");
}

describe("every error answer is { code, message, details }", () => {
  it.each(CASES)("%s", async (_what, head, body, code) => {
    expectErrorAnswer(await rawRequest(served.baseUrl, head, body), code);
  });

  it("HEAD of an unknown path is a 404 of JSON, without a body as HEAD has none", async () => {
    const answer = await rawRequest(served.baseUrl, `HEAD /v1/nothing HTTP/1.1\r\n${close}`);
    expect([answer.status, answer.body]).toEqual([404, ""]);
    expect(answer.headers["content-type"]).toMatch(/^application\/json/);
    expect(answer.headers["x-request-id"]).toBeDefined();
  });

  it("a client over its request rate gets RATE_LIMITED", async () => {
    expect((await rawRequest(limited.baseUrl, `GET /healthz HTTP/1.1\r\n${close}`)).status).toBe(200);
    const answer = await rawRequest(limited.baseUrl, `GET /healthz HTTP/1.1\r\n${close}`);
    expectErrorAnswer(answer, "RATE_LIMITED");
    expect(JSON.parse(answer.body)).toMatchObject({ details: { limit: "requestsPerMinute", max: 1 } });
  });
});
