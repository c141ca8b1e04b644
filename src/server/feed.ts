// The live feed: GET /v1/feed?after=<seq> upgrades to a WebSocket that sends every event after
// that seq from the store, then each new one as this process applies it, in order, once each.
// A slow reader is closed rather than buffered without end. Registers routes only.
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { Marketplace } from "../market/marketplace.js";
import type { EventRow } from "../store/store.js";

/** Named bounds of the live feed. */
export const FEED_LIMITS = {
  /** Feed connections one server holds at once; more are closed with 1013 (try again later). */
  connectionsMax: 1000,
  /** Bytes queued to one reader before it is closed as too slow. */
  bufferedBytesMax: 8 * 1024 * 1024,
  /** Events read from the store per page while catching a reader up. */
  pageMax: 1000,
} as const;

/** Adds /v1/feed to an app that has @fastify/websocket registered. */
export function registerFeed(app: FastifyInstance, market: Marketplace): void {
  let connections = 0;
  app.get("/v1/feed", { websocket: true, schema: { querystring: Type.Object({ after: Type.Optional(Type.String({ pattern: "^\\d{1,15}$" })) }, { additionalProperties: false }) } }, (socket, request) => {
    if (connections >= FEED_LIMITS.connectionsMax) {
      socket.close(1013, "too many feed connections; retry later");
      return;
    }
    connections++;
    let lastSent = Number((request.query as { after?: string }).after ?? 0);
    let catchingUp = true;
    const queued: EventRow[] = [];
    const send = (event: EventRow): void => {
      if (event.seq <= lastSent || socket.readyState !== socket.OPEN) return;
      if (socket.bufferedAmount > FEED_LIMITS.bufferedBytesMax) {
        socket.close(1013, "reader too slow; reconnect with after=<last seq received>");
        return;
      }
      socket.send(JSON.stringify(event));
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
  });
}
