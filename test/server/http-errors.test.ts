// Requests that reach no route or never parse as HTTP get { code, message, details } like every
// other error, never Fastify's own shape: unknown routes (404 ROUTE_NOT_FOUND), a known path asked
// with another method (405 METHOD_NOT_ALLOWED), malformed URLs, requests Node's parser refuses, a
// plain GET of the live feed; and an Idempotency-Key up to the advertised length is accepted.
import { connect } from "node:net";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Wallet } from "../../src/chain/wallet.js";
import { MARKET_LIMITS } from "../../src/market/limits.js";
import { SERVER_LIMITS } from "../../src/server/limits.js";
import { signRequest } from "../../src/contract/request-signing.js";
import { openServedMarket } from "../support/server.js";
import type { ServedMarket } from "../support/server.js";

let served: ServedMarket;
let port: number;

beforeAll(async () => {
  served = await openServedMarket({ listen: true });
  port = Number(new URL(served.baseUrl).port);
});
afterAll(() => served.close());

interface ErrorBody {
  readonly code: string;
  readonly message: string;
  readonly details: Record<string, unknown>;
}

/** Asserts the wire shape { code, message, details } and nothing else. */
function errorBody(text: string): ErrorBody {
  const body = JSON.parse(text) as ErrorBody;
  expect(Object.keys(body).sort()).toEqual(["code", "details", "message"]);
  expect(typeof body.message).toBe("string");
  return body;
}

/** Sends raw bytes to the server and resolves to everything it answers before closing. */
function rawRequest(text: string): Promise<{ readonly status: number; readonly body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(text));
    let answer = "";
    socket.on("data", (chunk: Buffer) => (answer += chunk.toString("utf8")));
    socket.on("error", reject);
    socket.on("close", () => {
      const [head = "", body = ""] = answer.split("\r\n\r\n");
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), body });
    });
  });
}

/** A wallet whose address has the longest base58 form (44 characters), so the market key is longest. */
function longestAddressWallet(): Wallet {
  for (;;) {
    const wallet = Wallet.generate();
    if (wallet.address.length === 44) return wallet;
  }
}

const offer = { gpuCapacity: { gpuCount: 2, gpuModel: "L4", vramGb: 24 }, pricePerHour: "0.5", availableHours: 24 };

function postOffer(wallet: Wallet, key: string): Promise<LightMyRequestResponse> {
  const payload = JSON.stringify(offer);
  const headers = signRequest({ method: "POST", path: "/v1/offers", body: payload, idempotencyKey: key }, wallet, Date.now());
  return served.app.inject({ method: "POST", url: "/v1/offers", payload, headers: { ...headers, "content-type": "application/json" } });
}

describe("Idempotency-Key length", () => {
  it("the market's key cap fits the longest caller address, a colon and the longest header", () => {
    expect(44 + 1 + SERVER_LIMITS.idempotencyKeyLengthMax).toBeLessThanOrEqual(MARKET_LIMITS.keyLengthMax);
  });

  it.each([84, 100])("a %i-character key from a 44-character address is accepted and replays", async (length) => {
    const wallet = longestAddressWallet();
    const key = "k".repeat(length);
    const first = await postOffer(wallet, key);
    expect([first.statusCode, first.body]).toEqual([200, expect.stringContaining("offerId")]);
    const again = await postOffer(wallet, key);
    expect(again.json()).toEqual(first.json());
  });

  it("a key one over the limit is refused naming the header and the length the client sent", async () => {
    const answer = await postOffer(longestAddressWallet(), "k".repeat(SERVER_LIMITS.idempotencyKeyLengthMax + 1));
    expect(answer.statusCode).toBe(400);
    const body = errorBody(answer.body);
    expect(body).toMatchObject({ code: "INVALID_FIELD", details: { field: "Idempotency-Key", value: "101 characters" } });
    expect(body.message).toContain("1..100 characters");
    expect(body.message).not.toMatch(/14\d|128|129/);
  });
});

describe("requests no route takes", () => {
  it("an unknown route is 404 ROUTE_NOT_FOUND naming the method and path and pointing to /docs", async () => {
    const answer = await served.app.inject({ method: "GET", url: "/v1/nothing?x=1" });
    expect(answer.statusCode).toBe(404);
    const body = errorBody(answer.body);
    expect([body.code, body.details]).toEqual(["ROUTE_NOT_FOUND", { method: "GET", path: "/v1/nothing" }]);
    expect(body.message).toMatch(/GET \/v1\/nothing.*\/docs/);
  });

  it.each([
    ["DELETE", "/v1/orders", "GET, HEAD, POST"],
    ["DELETE", "/v1/offers/ofr_x/pause", "POST"],
    ["PUT", "/healthz", "GET, HEAD"],
    ["POST", "/v1/stats", "GET, HEAD"],
  ])("%s %s (a path that answers other methods) is 405 METHOD_NOT_ALLOWED with Allow: %s", async (method, url, allowed) => {
    // A POST is authenticated before anything else (an unsigned one is 401 wherever it goes), so this one is signed.
    const headers =
      method === "POST" ? { ...signRequest({ method, path: url, body: "", idempotencyKey: "k-405" }, Wallet.generate(), Date.now()) } : {};
    const answer = await served.app.inject({ method: method as "GET", url, headers });
    expect(answer.statusCode).toBe(405);
    expect(answer.headers.allow).toBe(allowed);
    const body = errorBody(answer.body);
    expect(body).toMatchObject({ code: "METHOD_NOT_ALLOWED", details: { method, path: url, allowed } });
    expect(body.message).toContain("/docs");
  });

  it("a method Node knows but no route uses, over a real socket, is ROUTE_NOT_FOUND too", async () => {
    const answer = await rawRequest("PROPFIND /v1/nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(answer.status).toBe(404);
    expect(errorBody(answer.body).code).toBe("ROUTE_NOT_FOUND");
  });

  it("a URL that is not valid percent-encoding is 400 INVALID_FIELD on the path", async () => {
    const answer = await served.app.inject({ method: "GET", url: "/v1/orders/%E0%A4%A" });
    expect(answer.statusCode).toBe(400);
    expect(errorBody(answer.body)).toMatchObject({ code: "INVALID_FIELD", details: { field: "path" } });
  });

  it("a path parameter over the router's length is 400 INVALID_FIELD on the path", async () => {
    const answer = await served.app.inject({ method: "GET", url: `/v1/orders/${"a".repeat(200)}` });
    expect(answer.statusCode).toBe(400);
    const body = errorBody(answer.body);
    expect(body).toMatchObject({ code: "INVALID_FIELD", details: { field: "path" } });
    expect(body.message).toContain("at most 100 characters");
  });

  it("a plain GET of the live feed (no Upgrade) is told how to connect", async () => {
    const answer = await served.app.inject({ method: "GET", url: "/v1/feed" });
    expect(answer.statusCode).toBe(400);
    expect(errorBody(answer.body)).toMatchObject({ code: "INVALID_FIELD", details: { field: "Upgrade" } });
  });
});

describe("validation failures in the user's words", () => {
  const post = async (url: string, body: unknown): Promise<ErrorBody> => {
    const text = JSON.stringify(body);
    const headers = signRequest(
      { method: "POST", path: url, body: text, idempotencyKey: `k-${Math.random()}` },
      Wallet.generate(),
      Date.now(),
    );
    const answer = await served.app.inject({
      method: "POST",
      url,
      headers: { ...headers, "content-type": "application/json" },
      payload: text,
    });
    expect(answer.statusCode).toBe(400);
    return errorBody(answer.body);
  };
  const offer = { gpuCapacity: { gpuCount: 2, gpuModel: "H100", vramGb: 80 }, pricePerHour: "2.5", availableHours: 10 };

  it.each([
    [
      "a bad amount",
      { ...offer, pricePerHour: "2,5" },
      'invalid pricePerHour "2,5"; allowed: a decimal MOLT amount like 2.5, with at most 9 decimals',
    ],
    ["a missing field", { ...offer, availableHours: undefined }, "availableHours is missing: this request needs it (see /docs)"],
    [
      "a nested wrong type",
      { ...offer, gpuCapacity: { ...offer.gpuCapacity, gpuCount: "two" } },
      'invalid gpuCapacity.gpuCount "two"; allowed: a whole number',
    ],
    [
      "a number below its minimum",
      { ...offer, gpuCapacity: { ...offer.gpuCapacity, gpuCount: 0 } },
      "invalid gpuCapacity.gpuCount 0; allowed: a number >= 1",
    ],
    [
      "an unknown field",
      { ...offer, colour: "red" },
      "invalid colour (unknown field); allowed: only the fields /docs lists for this request",
    ],
    ["an unknown feature", { ...offer, features: ["WarpDrive"] }, 'invalid features[0] "WarpDrive"; allowed: one of NvLink'],
  ])("%s names the field and what it allows, never a schema path or pattern", async (_, body, message) => {
    const answer = await post("/v1/offers", body);
    expect(answer.code).toBe("INVALID_FIELD");
    expect(answer.message).toContain(message);
    expect(answer.message).not.toMatch(/body\/|must match|pattern|\^|NaN|undefined/);
  });

  it("a bad query parameter is named as the query names it", async () => {
    const answer = await served.app.inject({ method: "GET", url: "/v1/offers?limit=ten" });
    const body = errorBody(answer.body);
    expect(answer.statusCode).toBe(400);
    expect(body.message).toBe('invalid limit "ten"; allowed: a whole number, e.g. 10');
  });
});

describe("requests Node's HTTP parser refuses", () => {
  it.each([
    ["a malformed request line", "GARBAGE\r\n\r\n"],
    [
      "a Content-Length that is not a number",
      "POST /v1/offers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}",
    ],
    [
      "both Content-Length and Transfer-Encoding",
      "POST /v1/offers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    ],
    [
      "two different Content-Lengths",
      "POST /v1/offers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
    ],
  ])("%s is 400 INVALID_FIELD on the request", async (_name, text) => {
    const answer = await rawRequest(text);
    expect(answer.status).toBe(400);
    expect(errorBody(answer.body)).toMatchObject({ code: "INVALID_FIELD", details: { field: "request" } });
  });

  it("headers over Node's header size are LIMIT_EXCEEDED", async () => {
    const answer = await rawRequest(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`);
    expect(answer.status).toBe(422);
    expect(errorBody(answer.body)).toMatchObject({ code: "LIMIT_EXCEEDED", details: { limit: "headerBytesMax" } });
  });
});
