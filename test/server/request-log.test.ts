// The app's JSON request log (pino through Fastify): one line per answered request with its
// request id, method, route pattern, status and latency; the id is the caller's well-formed
// X-Request-Id or a fresh one, and comes back on the answer; no signature, key or chain
// signature a request carries ever reaches a line. Silent unless a logger is given.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signRequest } from "../../src/contract/request-signing.js";
import { buildApp } from "../../src/server/app.js";
import { openServedMarket } from "../support/server.js";
import type { ServedMarket } from "../support/server.js";

const lines: string[] = [];
let served: ServedMarket;

beforeAll(async () => {
  served = await openServedMarket({ deps: { logger: { level: "info", stream: { write: (line) => lines.push(line) } } } });
});
afterAll(() => served.close());

interface LogLine {
  readonly level: number;
  readonly reqId: string;
  readonly method: string;
  readonly route: string;
  readonly status: number;
  readonly latencyMs: number;
  readonly msg: string;
}

/** The log lines written while `send` ran. */
async function logged(send: () => Promise<unknown>): Promise<{ readonly raw: string; readonly parsed: LogLine[] }> {
  const from = lines.length;
  await send();
  const raw = lines.slice(from).join("");
  return { raw, parsed: lines.slice(from).map((line) => JSON.parse(line) as LogLine) };
}

const offer = { gpuCapacity: { gpuCount: 2, gpuModel: "L4", vramGb: 24 }, pricePerHour: "0.5", availableHours: 24 };

describe("request log", () => {
  it("writes one line per request with the caller's request id, the route pattern, status and latency, and no secret", async () => {
    const payload = JSON.stringify(offer);
    const headers = signRequest(
      { method: "POST", path: "/v1/offers", body: payload, idempotencyKey: "log-1" },
      served.parties.provider,
      Date.now(),
    );
    let answerId: unknown;
    const { raw, parsed } = await logged(async () => {
      const answer = await served.app.inject({
        method: "POST",
        url: "/v1/offers",
        payload,
        headers: {
          ...headers,
          "content-type": "application/json",
          "x-request-id": "checkout-7f3a.42",
          authorization: "Bearer s3cr3t-token",
        },
      });
      expect(answer.statusCode).toBe(200);
      answerId = answer.headers["x-request-id"];
    });
    expect(answerId).toBe("checkout-7f3a.42");
    expect(parsed).toHaveLength(1);
    expect(parsed[0]).toMatchObject({
      level: 30,
      reqId: "checkout-7f3a.42",
      method: "POST",
      route: "/v1/offers",
      status: 200,
      caller: served.parties.provider.address,
      msg: "request",
    });
    expect(parsed[0]?.latencyMs).toBeGreaterThan(0);
    const signatureBytes = headers.signature.slice(headers.signature.indexOf(":") + 1, -1);
    for (const secret of [signatureBytes, headers["signature-input"], headers["content-digest"], "s3cr3t-token", "log-1", "0.5"])
      expect(raw, secret).not.toContain(secret);
  });

  it("makes a fresh id for a request without one or with a malformed one, and logs the path's pattern, not its ids", async () => {
    for (const incoming of [undefined, "has spaces in it", "x".repeat(65), "naïve"]) {
      let answerId: unknown;
      const { parsed } = await logged(async () => {
        const answer = await served.app.inject({
          method: "GET",
          url: "/v1/orders/ord_01JF3Q8V6MZK2B7C9D4E5F6G7H",
          headers: incoming === undefined ? {} : { "x-request-id": incoming },
        });
        expect(answer.statusCode).toBe(404);
        answerId = answer.headers["x-request-id"];
      });
      expect(answerId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(parsed.map((line) => [line.reqId, line.method, line.route, line.status])).toEqual([[answerId, "GET", "/v1/orders/:id", 404]]);
    }
  });

  it("never logs a chain signature or a body, even of a refused request", async () => {
    const payload = JSON.stringify({
      chainSignature: { message: "bWVzc2FnZS1ieXRlcy1zZWNyZXQ=", signature: "c2lnbmF0dXJlLWJ5dGVzLXNlY3JldA==" },
    });
    const path = "/v1/orders/ord_01JF3Q8V6MZK2B7C9D4E5F6G7H/fund";
    const headers = signRequest({ method: "POST", path, body: payload, idempotencyKey: "log-2" }, served.parties.buyer, Date.now());
    const { raw, parsed } = await logged(() =>
      served.app.inject({ method: "POST", url: path, payload, headers: { ...headers, "content-type": "application/json" } }),
    );
    expect(parsed.map((line) => line.route)).toEqual(["/v1/orders/:id/fund"]);
    expect(parsed[0]?.status).toBe(400);
    for (const secret of ["bWVzc2FnZS1ieXRlcy1zZWNyZXQ=", "c2lnbmF0dXJlLWJ5dGVzLXNlY3JldA==", "chainSignature"])
      expect(raw).not.toContain(secret);
  });

  it("redacts signatures, authorization, cookies, chain signatures and secret keys should anything log them", async () => {
    const { raw } = await logged(() => {
      served.app.log.info(
        {
          req: {
            headers: {
              signature: "molt=:c2lnLXNlY3JldA==:",
              "signature-input": 'molt=();keyid="k"',
              authorization: "Bearer tok-secret",
              cookie: "sid=ck-secret",
            },
          },
          body: { chainSignature: { message: "bXNnLXNlY3JldA==", signature: "c2ln" } },
          wallet: { secretKey: "key-secret" },
        },
        "probe",
      );
      return Promise.resolve();
    });
    expect(raw).toContain("[redacted]");
    for (const secret of ["c2lnLXNlY3JldA==", 'keyid=\\"k\\"', "tok-secret", "ck-secret", "bXNnLXNlY3JldA==", "key-secret"])
      expect(raw, secret).not.toContain(secret);
  });

  it("an unmatched path, a rate-limited request and a 405 carry a request id and are logged too", async () => {
    const { parsed } = await logged(async () => {
      const answer = await served.app.inject({ method: "DELETE", url: "/healthz", headers: { "x-request-id": "r-405" } });
      expect([answer.statusCode, answer.headers["x-request-id"]]).toEqual([405, "r-405"]);
      expect((await served.app.inject({ method: "GET", url: "/nothing/here" })).headers["x-request-id"]).toBeDefined();
    });
    expect(parsed.map((line) => [line.route, line.status])).toEqual([
      ["unmatched", 405],
      ["unmatched", 404],
    ]);
    const limited = await buildApp({ market: served.market, requestsPerMinute: 1 });
    try {
      await limited.inject({ method: "GET", url: "/healthz" });
      const refused = await limited.inject({ method: "GET", url: "/healthz", headers: { "x-request-id": "r-429" } });
      expect([refused.statusCode, refused.headers["x-request-id"]]).toEqual([429, "r-429"]);
    } finally {
      await limited.close();
    }
  });
});
