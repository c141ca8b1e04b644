// The server's structured logs (pino, through Fastify's logger): one JSON line per answered request
// with its request id, method, route pattern, status and latency; the request id comes from a
// well-formed incoming X-Request-Id or is made here, and is sent back on every answer. Never logs a
// header, a body or a query: signatures, keys and chain signatures cannot reach a log line, and
// redaction covers them again should anything log a request or a body.
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { LogController } from "fastify";
import type { FastifyInstance, FastifyServerOptions } from "fastify";
import type { DestinationStream } from "pino";

/** The log levels `serve --log-level` and buildApp's logger take, quietest last. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
/** One log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where and how much the app logs: nothing (false, the default), or JSON lines at `level` to `stream` (default stdout). */
export type AppLogger = false | { readonly level: LogLevel; readonly stream?: DestinationStream };

/** Named bounds of the request log. */
export const REQUEST_LOG_LIMITS = {
  /** Longest incoming X-Request-Id taken as the request's id. */
  requestIdLengthMax: 64,
} as const;

/** An incoming X-Request-Id taken as it is: 1..64 of letters, digits and `-_.:`; anything else is replaced. */
const REQUEST_ID_PATTERN = new RegExp(`^[A-Za-z0-9._:-]{1,${REQUEST_LOG_LIMITS.requestIdLengthMax}}$`);

/** Paths pino replaces with "[redacted]" wherever a request, its headers or a body is logged. */
export const REDACTED_PATHS = [
  "req.headers.signature",
  'req.headers["signature-input"]',
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["set-cookie"]',
  "headers.signature",
  'headers["signature-input"]',
  "headers.authorization",
  "headers.cookie",
  "body.chainSignature",
  "*.chainSignature",
  "*.secretKey",
  "*.privateKey",
  "secretKey",
  "privateKey",
] as const;

/**
 * The request's id: the incoming X-Request-Id when it is well formed (REQUEST_ID_PATTERN, one
 * header), else a fresh UUID. Invariant: the id is safe to echo in a header and a log line.
 */
export function requestIdOf(request: IncomingMessage): string {
  const incoming = request.headers["x-request-id"];
  return typeof incoming === "string" && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
}

/** Fastify's logger options for `logger`: off, or pino JSON at its level with secrets redacted. */
export function loggerOptions(logger: AppLogger | undefined): Pick<FastifyServerOptions, "logger" | "logController"> {
  // Fastify's own two lines per request carry the raw URL; logRequests writes the one line instead.
  const logController = new LogController({ disableRequestLogging: true, requestIdLogLabel: "reqId" });
  if (logger === undefined || logger === false) return { logger: false, logController };
  return {
    logger: {
      level: logger.level,
      ...(logger.stream === undefined ? {} : { stream: logger.stream }),
      redact: { paths: [...REDACTED_PATHS], censor: "[redacted]" },
    },
    logController,
  };
}

/**
 * Sends the request id back as X-Request-Id on every answer routed through the app, and logs one
 * info line per answer: reqId, method, route pattern (not the raw URL), status, latency, and the
 * caller's address when the request was signed.
 */
export function logRequests(app: FastifyInstance): void {
  app.addHook("onRequest", (request, reply, done) => {
    void reply.header("x-request-id", request.id);
    done();
  });
  app.addHook("onResponse", (request, reply, done) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? "unmatched",
        status: reply.statusCode,
        latencyMs: Math.round(reply.elapsedTime * 1000) / 1000,
        // The signer of an authenticated request: its wallet address (keyid), public by nature.
        ...(request.auth === undefined ? {} : { caller: request.auth.caller }),
      },
      "request",
    );
    done();
  });
}
