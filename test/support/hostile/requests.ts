// Requests as an attacker sends them: signed (RFC 9421) or not, with any headers and any bytes,
// through app.inject (in process, for the bulk) or fetch (real HTTP against the listening server);
// and the one check every refusal must pass: a 4xx whose body is JSON { code, message, details }
// with a code of MARKET_ERROR_TABLE.
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { expect } from "vitest";
import type { Wallet } from "../../../src/chain/wallet.js";
import { MARKET_ERROR_TABLE } from "../../../src/core/errors.js";
import { signRequest } from "../../../src/contract/request-signing.js";

/** A request as it goes on the wire. A header given as an array is sent once per value. */
export interface RawRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body?: string | Buffer;
}

/** What came back. */
export interface RawResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** A POST signed by `wallet` over `body` as the server checks it, with a fresh Idempotency-Key. */
export function signedPost(
  wallet: Wallet,
  url: string,
  body: string,
  options: { readonly signedPath?: string; readonly signedBody?: string; readonly nowMs?: number; readonly nonce?: string } = {},
): RawRequest {
  const key = `hostile-${randomUUID()}`;
  // The signature covers the Idempotency-Key where the server's scheme says so (the parts carry it either way).
  const parts = {
    method: "POST",
    path: options.signedPath ?? url.split("?")[0] ?? url,
    body: options.signedBody ?? body,
    idempotencyKey: key,
  };
  const signature = signRequest(parts, wallet, options.nowMs ?? Date.now(), ...(options.nonce === undefined ? [] : [options.nonce]));
  return { method: "POST", url, body, headers: { ...signature, "content-type": "application/json", "idempotency-key": key } };
}

/** Sends through the app in process. */
export async function inject(app: FastifyInstance, request: RawRequest): Promise<RawResponse> {
  const response = await app.inject({
    method: request.method as "GET",
    url: request.url,
    headers: request.headers as Record<string, string | string[]>,
    ...(request.body === undefined ? {} : { payload: request.body }),
  });
  return { status: response.statusCode, contentType: String(response.headers["content-type"] ?? ""), body: response.body };
}

/** Sends over real HTTP to `baseUrl`. */
export async function overHttp(baseUrl: string, request: RawRequest): Promise<RawResponse> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    for (const one of typeof value === "string" ? [value] : value) headers.append(name, one);
  }
  const response = await fetch(`${baseUrl}${request.url}`, {
    method: request.method,
    headers,
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  return { status: response.status, contentType: response.headers.get("content-type") ?? "", body: await response.text() };
}

/** A short description of a request for failure messages. */
export function describeRequest(request: RawRequest): string {
  const body =
    request.body === undefined
      ? ""
      : ` ${String(request.body).slice(0, 160)}${request.body.length > 160 ? `... (${request.body.length} bytes)` : ""}`;
  return `${request.method} ${request.url.slice(0, 160)} ${JSON.stringify(request.headers).slice(0, 400)}${body}`;
}

/** The response is a refusal as DESIGN.md fixes them: 4xx, JSON { code, message, details }, a stable code. */
export function expectRefusal(request: RawRequest, response: RawResponse): void {
  const what = `${describeRequest(request)} -> ${response.status} ${response.contentType} ${response.body.slice(0, 300)}`;
  expect(response.status, what).toBeGreaterThanOrEqual(400);
  expect(response.status, what).toBeLessThan(500);
  expect(response.contentType, what).toMatch(/^application\/json/);
  let parsed: unknown;
  expect(() => (parsed = JSON.parse(response.body) as unknown), what).not.toThrow();
  const error = parsed as { code?: unknown; message?: unknown; details?: unknown };
  expect(typeof error.code === "string" && Object.hasOwn(MARKET_ERROR_TABLE, error.code), `${what}: code is a MarketError code`).toBe(true);
  expect(typeof error.message, what).toBe("string");
  expect(
    typeof error.details === "object" && error.details !== null && !Array.isArray(error.details),
    `${what}: details is an object`,
  ).toBe(true);
}
