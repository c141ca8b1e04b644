// The answers to requests that reach no route or never parse as HTTP: an unknown route, a known
// path asked with another method, a malformed URL, a request Node's parser refuses, and the errors
// routes throw (MarketErrors, validation, body limits). Each is a 4xx
// { code, message, details } like every other error of the API, never Fastify's own shape.
import { STATUS_CODES, maxHeaderSize } from "node:http";
import type { Socket } from "node:net";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from "fastify";
import { MarketError, isMarketError } from "../core/errors.js";
import { ID_PARAM_EXPECTED, ID_PARAM_LENGTH_MAX } from "../contract/common.js";
import { SERVER_LIMITS } from "./limits.js";
import { validationError } from "./validation-text.js";
import type { ValidationIssue } from "./validation-text.js";

/** Named bounds of these answers. */
export const HTTP_ERROR_LIMITS = {
  /** Characters of a refused path repeated in an error's details at most. */
  pathEchoLengthMax: 200,
  /** Longest path parameter (Fastify's maxParamLength default). */
  paramLengthMax: 100,
} as const;

/** The methods a known path may answer, in the order an Allow header lists them. */
const METHODS: readonly HTTPMethods[] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/** The path of a URL, without its query, cut to pathEchoLengthMax characters. */
function echoPath(url: string): string {
  const path = url.split("?")[0] ?? url;
  return path.length > HTTP_ERROR_LIMITS.pathEchoLengthMax ? `${path.slice(0, HTTP_ERROR_LIMITS.pathEchoLengthMax)}…` : path;
}

/**
 * Answers a request no route takes: METHOD_NOT_ALLOWED (405, with Allow) when the path answers
 * other methods, else ROUTE_NOT_FOUND (404). Invariant: the answer names the method and the path.
 */
export function registerNotFound(app: FastifyInstance): void {
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const url = request.url;
    const path = url.split("?")[0] ?? url;
    // findRoute is typed as always finding one; it returns null when no route takes the path.
    const routed = (method: string): boolean => (app.findRoute({ method, url: path }) as unknown) !== null;
    // A route of this very method that found nothing (a static file missing) is a 404, not a 405.
    const allowed = routed(request.method) ? [] : METHODS.filter((method) => method !== request.method && routed(method));
    const error =
      allowed.length === 0
        ? new MarketError("ROUTE_NOT_FOUND", { method: request.method, path: echoPath(url) })
        : new MarketError("METHOD_NOT_ALLOWED", { method: request.method, path: echoPath(url), allowed: allowed.join(", ") });
    if (error.code === "METHOD_NOT_ALLOWED") void reply.header("allow", allowed.join(", "));
    return reply.status(error.httpStatus).send(error.toJSON());
  });
}

/**
 * Fastify's `frameworkErrors`: a URL that is not valid percent-encoding, or a path parameter over
 * paramLengthMax characters, is INVALID_FIELD (400) on `path`. Never throws.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const url = request.url;
  const allowed =
    error.code === "FST_ERR_MAX_PARAM_LENGTH"
      ? `path parameters (ids, addresses) of at most ${HTTP_ERROR_LIMITS.paramLengthMax} characters; see /docs`
      : "a path in valid UTF-8 percent-encoding; see /docs";
  const refused = new MarketError("INVALID_FIELD", { field: "path", value: JSON.stringify(echoPath(url)), allowed });
  // Refused before any hook runs: the request id is sent here.
  void reply.header("x-request-id", request.id).status(refused.httpStatus).send(refused.toJSON());
}

/**
 * Fastify's `clientErrorHandler`: a request Node's HTTP parser refuses (a malformed request line
 * or header, a bad Content-Length, both Content-Length and Transfer-Encoding, headers over
 * maxHeaderSize, a timeout) gets a { code, message, details } answer before the socket closes.
 * Invariant: nothing is written to a destroyed or unwritable socket. Never throws.
 */
export function clientErrorHandler(error: Error & { readonly code?: string }, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const refused =
    error.code === "HPE_HEADER_OVERFLOW"
      ? new MarketError("LIMIT_EXCEEDED", { limit: "headerBytesMax", max: maxHeaderSize })
      : new MarketError("INVALID_FIELD", {
          field: "request",
          value:
            error.code === "ERR_HTTP_REQUEST_TIMEOUT"
              ? "not received in time"
              : `refused by the HTTP parser (${error.code ?? "malformed"})`,
          allowed:
            "an HTTP/1.1 request with a well-formed request line and headers, and one Content-Length or Transfer-Encoding: chunked that matches the body",
        });
  const body = JSON.stringify(refused.toJSON());
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${refused.httpStatus} ${STATUS_CODES[refused.httpStatus] ?? ""}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/**
 * The app's error handler: a MarketError is its own { code, message, details } and status (a refused
 * lifecycle step named by the path's id); a path id that fails validation is INVALID_ID, any other
 * validation failure INVALID_FIELD in words (validation-text.ts), a body over
 * bodyBytesMax LIMIT_EXCEEDED; anything else under 500 keeps its status. Only a broken server is a 500 (logged as an error).
 */
export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isMarketError(error, "INVALID_STATE_TRANSITION") && error.details.id === undefined && error.details.entity !== "escrow") {
    // The words name the order or offer of the path, which the rules that refused the step may not repeat.
    const id = (request.params as Record<string, unknown> | undefined)?.id;
    const named = typeof id === "string" ? new MarketError("INVALID_STATE_TRANSITION", { ...error.details, id }) : error;
    return reply.status(named.httpStatus).send(named.toJSON());
  }
  if (isMarketError(error)) return reply.status(error.httpStatus).send(error.toJSON());
  const fastifyError = error as { validation?: unknown; validationContext?: string; statusCode?: number; code?: string; message?: string };
  const params = request.params as Record<string, unknown> | undefined;
  if (fastifyError.validation !== undefined && fastifyError.validationContext === "params" && typeof params?.id === "string") {
    return reply.status(400).send(
      new MarketError("INVALID_ID", {
        kind: "path",
        value: params.id.slice(0, ID_PARAM_LENGTH_MAX),
        expected: ID_PARAM_EXPECTED,
      }).toJSON(),
    );
  }
  if (Array.isArray(fastifyError.validation)) {
    const parts: Readonly<Record<string, unknown>> = { querystring: request.query, headers: request.headers, params: request.params };
    const data = parts[fastifyError.validationContext ?? ""] ?? request.body;
    return reply
      .status(400)
      .send(validationError(fastifyError.validation as ValidationIssue[], fastifyError.validationContext, data).toJSON());
  }
  if (fastifyError.code === "FST_ERR_CTP_BODY_TOO_LARGE")
    return reply.status(422).send(new MarketError("LIMIT_EXCEEDED", { limit: "bodyBytesMax", max: SERVER_LIMITS.bodyBytesMax }).toJSON());
  if (fastifyError.statusCode !== undefined && fastifyError.statusCode < 500) {
    return reply.status(fastifyError.statusCode).send(
      new MarketError("INVALID_FIELD", {
        field: "request",
        value: fastifyError.code ?? "",
        allowed: fastifyError.message ?? "",
      }).toJSON(),
    );
  }
  request.log.error({ err: error }, "internal error");
  return reply.status(500).send({ code: "INTERNAL", message: "the server failed; nothing was acknowledged", details: {} });
}
