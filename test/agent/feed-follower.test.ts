// The feed follower against a WebSocket server that drops the connection every few events: it
// reconnects with after=<last seq received> and hands every event on once, in order; after stop it
// neither calls back nor reconnects. The feed URL follows the server's scheme and base path.
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { afterEach, describe, expect, it } from "vitest";
import { FeedFollower, feedUrl } from "../../src/agent/feed-follower.js";

const servers: WebSocketServer[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A feed of events 1..total that closes each connection after `perConnection` events; records each connection's `after`. */
function flakyFeed(total: number, perConnection: number): Promise<{ url: string; afters: number[] }> {
  const afters: number[] = [];
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  servers.push(server);
  server.on("connection", (socket, request) => {
    const after = Number(new URL(request.url ?? "/", "http://x").searchParams.get("after"));
    afters.push(after);
    let sent = 0;
    // A resent old event (seq <= after) must be dropped by the follower.
    socket.send(JSON.stringify({ seq: after, type: "OrderMatched", entityId: "old", atMs: 0, node: "n", payload: "{}" }));
    for (let seq = after + 1; seq <= total && sent < perConnection; seq++, sent++) {
      socket.send(JSON.stringify({ seq, type: "OrderEscrowed", entityId: `ord_${seq}`, atMs: 0, node: "n", payload: "{}" }));
    }
    if (after + sent < total) socket.close();
  });
  return new Promise((resolve) =>
    server.on("listening", () => {
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, afters });
    }),
  );
}

describe("the feed follower", () => {
  it("reconnects after the last seq received and hands each event on once, in order", async () => {
    const { url, afters } = await flakyFeed(10, 3);
    const seen: number[] = [];
    const follower = new FeedFollower(url, 0, (event) => seen.push(event.seq));
    follower.start();
    for (let i = 0; i < 200 && seen.length < 10; i++) await new Promise((r) => setTimeout(r, 25));
    follower.stop();
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(afters).toEqual([0, 3, 6, 9]);
    expect(follower.seq).toBe(10);
  });

  it("after stop, calls back no more and does not reconnect", async () => {
    const { url, afters } = await flakyFeed(100, 1);
    const seen: number[] = [];
    const follower = new FeedFollower(url, 0, (event) => {
      seen.push(event.seq);
      follower.stop();
    });
    follower.start();
    await new Promise((r) => setTimeout(r, 800));
    expect(seen).toEqual([1]);
    expect(afters).toEqual([0]);
  });

  it("asks ws:// of an http server and wss:// of an https one, under its base path", () => {
    expect(feedUrl("http://127.0.0.1:8080", 7)).toBe("ws://127.0.0.1:8080/v1/feed?after=7");
    expect(feedUrl("https://market.example/base/", 0)).toBe("wss://market.example/base/v1/feed?after=0");
  });
});
