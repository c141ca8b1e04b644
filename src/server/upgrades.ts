// Requests that ask to leave HTTP get a { code, message, details } answer like any other error,
// never a WebSocket handshake to a route that has none nor `ws`'s own text/html refusal: an upgrade
// to a plain HTTP route, an upgrade that is not a well-formed WebSocket handshake (RFC 6455
// section 4.1), and CONNECT (which no route takes). Checks only; the live feed route does the rest.
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { MarketError } from "../core/errors.js";
import { HTTP_ERROR_LIMITS } from "./http-errors.js";
import { requestIdOf } from "./request-log.js";

/** A Sec-WebSocket-Key: 16 random bytes in base64 (RFC 6455 section 4.1). */
const WEBSOCKET_KEY_PATTERN = /^[A-Za-z0-9+/]{22}==$/;

/** Why an upgrade request is refused, or undefined when it is a WebSocket handshake to a WebSocket route. */
function upgradeRefusal(request: FastifyRequest, websocketRoutes: ReadonlySet<string>): MarketError | undefined {
  const route = request.routeOptions.url;
  if (route === undefined) return undefined; // no route: the not-found handler answers
  if (!websocketRoutes.has(route))
    return new MarketError("INVALID_FIELD", {
      field: "Upgrade",
      value: JSON.stringify((request.headers.upgrade ?? "").slice(0, 32)),
      allowed: `no upgrade: ${route} answers plain HTTP; the live feed (${[...websocketRoutes].join(", ")}) is the WebSocket`,
    });
  const { upgrade, "sec-websocket-version": version, "sec-websocket-key": key } = request.headers;
  if (upgrade?.toLowerCase() !== "websocket" || version !== "13" || typeof key !== "string" || !WEBSOCKET_KEY_PATTERN.test(key))
    return new MarketError("INVALID_FIELD", {
      field: "WebSocket handshake",
      value: `Upgrade ${JSON.stringify((upgrade ?? "").slice(0, 32))}, Sec-WebSocket-Version ${JSON.stringify((version ?? "").slice(0, 8))}`,
      allowed:
        "Upgrade: websocket, Sec-WebSocket-Version: 13 and a Sec-WebSocket-Key of 16 bytes in base64 (RFC 6455); any WebSocket client sends these",
    });
  return undefined;
}

/**
 * Refuses, with INVALID_FIELD (400), an upgrade request to a route without a WebSocket handler or
 * one that is no well-formed WebSocket handshake; answers CONNECT with ROUTE_NOT_FOUND (404). Call
 * it after @fastify/websocket is registered and before any route is.
 */
export function refuseBadUpgrades(app: FastifyInstance): void {
  const websocketRoutes = new Set<string>();
  app.addHook("onRoute", (route) => {
    if (route.wsHandler !== undefined || route.websocket === true) websocketRoutes.add(route.url);
  });
  app.addHook("onRequest", (request, _reply, done) => {
    done(request.ws ? upgradeRefusal(request, websocketRoutes) : undefined);
  });
  // Node destroys the socket of a CONNECT nothing listens for: answer it like any unknown route.
  app.server.on("connect", (request: IncomingMessage, socket: Socket) => {
    const path = (request.url ?? "").slice(0, HTTP_ERROR_LIMITS.pathEchoLengthMax);
    const body = JSON.stringify(new MarketError("ROUTE_NOT_FOUND", { method: "CONNECT", path }).toJSON());
    socket.on("error", () => socket.destroy());
    socket.end(
      `HTTP/1.1 404 Not Found\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${requestIdOf(request)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
