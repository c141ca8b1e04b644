// The market's event log: GET /v1/events pages it; the live feed GET /v1/feed?after=<seq> upgrades
// to a WebSocket that sends every event after that seq from the store, then each new one as this
// process applies it, in order, once each. A slow reader is closed rather than buffered without
// end; no one client address holds more than its share of the connections. Registers routes only.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { MarketError, assertIntInRange } from "../../core/errors.js";
import { ErrorBody, respond } from "../../contract/common.js";
import { EventPageBody, EventsQuery, FeedQuery } from "../../contract/market-data.js";
import type { EventRow } from "../../store/store.js";
import { SERVER_LIMITS } from "../limits.js";
import { publicEvent } from "../views.js";
import type { RouteDeps } from "./route-deps.js";

/** Named bounds of the live feed. */
export const FEED_LIMITS = {
  /** Feed connections one server holds at once; more are refused with TOO_MANY_CONNECTIONS (429). */
  connectionsMax: 1000,
  /** Feed connections one client address holds at once; more are refused with TOO_MANY_CONNECTIONS (429). */
  connectionsPerClientMax: 10,
  /** Bytes queued to one reader before it is closed as too slow. */
  bufferedBytesMax: 8 * 1024 * 1024,
  /** Events read from the store per page while catching a reader up. */
  pageMax: 1000,
} as const;

const tags = ["feed"];

/** One message of the live feed, as the document shows it. */
const FEED_MESSAGE_EXAMPLE = {
  seq: 41,
  type: "DisputeDecided",
  entityId: "ord_01M8S0H4GZ1QPYA9JF0W7GYR3D",
  atMs: 1796135753456,
  node: "node-20795",
  payload:
    '{"type":"DisputeDecided","entityId":"ord_01M8S0H4GZ1QPYA9JF0W7GYR3D","escrowId":"esc_01M8S0H4GZ1QPYA9JF0W7GYR3D","providerShare":"2"}',
};

/**
 * Adds /v1/events and /v1/feed (to an app that has @fastify/websocket registered). Invariant: at most
 * connectionsMax connections in all and connectionsPerClientMax per client address are open; a
 * connection's slot frees when it closes. An upgrade over a cap is answered 429 before it happens.
 */
export const feedRoutes: FastifyPluginAsyncTypebox<RouteDeps> = (app, { market }) => {
  app.get(
    "/v1/events",
    {
      schema: {
        tags,
        summary: "A page of the event log after a seq, oldest first",
        querystring: EventsQuery,
        response: respond(EventPageBody),
      },
    },
    async (request) => {
      const limit = Number(request.query.limit ?? SERVER_LIMITS.eventPageMax);
      assertIntInRange("limit", limit, 1, SERVER_LIMITS.eventPageMax);
      return { events: (await market.events(Number(request.query.after ?? 0), limit)).map(publicEvent) };
    },
  );

  let connections = 0;
  const connectionsByClient = new Map<string, number>();
  /** Why a new connection from this client would exceed a cap, or undefined when it fits. */
  const refusal = (request: FastifyRequest): MarketError<"TOO_MANY_CONNECTIONS"> | undefined => {
    if (connections >= FEED_LIMITS.connectionsMax)
      return new MarketError("TOO_MANY_CONNECTIONS", { limit: "connectionsMax", max: FEED_LIMITS.connectionsMax });
    if ((connectionsByClient.get(request.ip) ?? 0) >= FEED_LIMITS.connectionsPerClientMax) {
      return new MarketError("TOO_MANY_CONNECTIONS", {
        limit: "connectionsPerClientMax",
        max: FEED_LIMITS.connectionsPerClientMax,
        clientAddress: request.ip,
      });
    }
    return undefined;
  };
  // The caps are checked before the upgrade (an HTTP 429 with { code, message, details }), and again
  // when the socket opens, since upgrades in flight are not counted yet (then closed with 1013).
  const preHandler = (request: FastifyRequest, _reply: unknown, done: (error?: Error) => void): void => {
    done(refusal(request));
  };
  // A plain GET (no Upgrade) is told how to connect rather than answered with an empty 404.
  const handler = (): never => {
    throw new MarketError("INVALID_FIELD", {
      field: "Upgrade",
      value: "missing",
      allowed: "a WebSocket upgrade: connect a WebSocket client to /v1/feed?after=<seq>, or page with GET /v1/events",
    });
  };
  const description =
    "WebSocket (connect with `Upgrade: websocket`): every event after `after`, then each new one as the server applies it, in order, once each. " +
    "Each message is one text frame holding one event as JSON, `{ seq, type, entityId, atMs, node, payload }` (the events of GET /v1/events; payload is the event's JSON document); " +
    "reconnect with after=<last seq received> to resume. " +
    `At most ${FEED_LIMITS.connectionsPerClientMax} feeds per client address and ${FEED_LIMITS.connectionsMax} in all; more are refused with 429 TOO_MANY_CONNECTIONS before the upgrade, or closed with 1013 when they race past it. ` +
    `A reader more than ${FEED_LIMITS.bufferedBytesMax / (1024 * 1024)} MiB behind is closed with 1013; a failure of the feed closes it with 1011. A GET without Upgrade, or a malformed handshake, is 400 INVALID_FIELD.\n\n` +
    "One message (a text frame):\n\n```json\n" +
    JSON.stringify(FEED_MESSAGE_EXAMPLE, null, 2) +
    "\n```";
  const response = {
    101: { type: "null", description: "Switching Protocols: the WebSocket of events" },
    400: ErrorBody,
    429: ErrorBody,
  } as const;
  app.route({
    method: "GET",
    url: "/v1/feed",
    schema: { tags, summary: "The live event feed (WebSocket)", description, querystring: FeedQuery, response },
    preHandler,
    handler,
    wsHandler: (socket, request) => {
      const refused = refusal(request);
      if (refused !== undefined) {
        socket.close(
          1013,
          refused.details.clientAddress === undefined
            ? "too many feed connections; retry later"
            : "too many feed connections from this client address; close one or retry later",
        );
        return;
      }
      const client = request.ip;
      connections++;
      connectionsByClient.set(client, (connectionsByClient.get(client) ?? 0) + 1);
      let lastSent = Number(request.query.after ?? 0);
      let catchingUp = true;
      const queued: EventRow[] = [];
      const send = (event: EventRow): void => {
        if (event.seq <= lastSent || socket.readyState !== socket.OPEN) return;
        if (socket.bufferedAmount > FEED_LIMITS.bufferedBytesMax) {
          socket.close(1013, "reader too slow; reconnect with after=<last seq received>");
          return;
        }
        socket.send(JSON.stringify(publicEvent(event)));
        lastSent = event.seq;
      };
      // Subscribe first, so nothing applied while the store is read is missed.
      const unsubscribe = market.onEvent((event) => {
        if (catchingUp) queued.push(event);
        else send(event);
      });
      socket.on("close", () => {
        unsubscribe();
        connections--;
        const left = (connectionsByClient.get(client) ?? 1) - 1;
        if (left === 0) connectionsByClient.delete(client);
        else connectionsByClient.set(client, left);
      });
      void (async () => {
        for (;;) {
          const page = await market.events(lastSent, FEED_LIMITS.pageMax);
          for (const event of page) send(event);
          if (page.length < FEED_LIMITS.pageMax || socket.readyState !== socket.OPEN) break;
        }
        catchingUp = false;
        for (const event of queued.splice(0)) send(event);
      })().catch(() => {
        socket.close(1011, "the feed failed; reconnect with after=<last seq received>");
      });
    },
  });
  // Registration is synchronous; the plugin type asks for a promise.
  return Promise.resolve();
};
