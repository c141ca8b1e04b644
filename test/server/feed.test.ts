// The live feed's connection caps through a real listening server: one client address holds at
// most FEED_LIMITS.connectionsPerClientMax feeds, the next is refused with 429 TOO_MANY_CONNECTIONS
// before the upgrade, another address still gets in, and a closed feed frees its slot.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { FEED_LIMITS } from "../../src/server/routes/feed.js";
import { openServedMarket } from "../support/server.js";
import type { ServedMarket } from "../support/server.js";

let served: ServedMarket;
let feedUrl: string;

beforeAll(async () => {
  served = await openServedMarket({ listen: true });
  feedUrl = `${served.baseUrl.replace("http", "ws")}/v1/feed`;
});
afterAll(() => served.close());

/** Opens a feed from `localAddress`: the open socket, or the HTTP status and body that refused the upgrade. */
function connect(localAddress = "127.0.0.1"): Promise<{ readonly socket: WebSocket } | { readonly status: number; readonly body: string }> {
  const socket = new WebSocket(feedUrl, { localAddress });
  return new Promise((resolve, reject) => {
    socket.on("open", () => {
      resolve({ socket });
    });
    socket.on("unexpected-response", (_request, response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      response.on("end", () => {
        resolve({ status: response.statusCode ?? 0, body });
      });
    });
    socket.on("error", reject);
  });
}

function closed(socket: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    socket.on("close", () => {
      resolve();
    });
    socket.close();
  });
}

describe("live feed connection caps", () => {
  it("one client address holds at most connectionsPerClientMax feeds; the next is a 429 before the upgrade; a close frees a slot", async () => {
    const open: WebSocket[] = [];
    for (let i = 0; i < FEED_LIMITS.connectionsPerClientMax; i++) {
      const result = await connect();
      if (!("socket" in result)) throw new Error(`feed ${i} refused: ${result.status} ${result.body}`);
      open.push(result.socket);
    }
    const extra = await connect();
    if ("socket" in extra) throw new Error("a feed over the per-client cap was accepted");
    expect(extra.status).toBe(429);
    expect(JSON.parse(extra.body)).toMatchObject({
      code: "TOO_MANY_CONNECTIONS",
      details: { limit: "connectionsPerClientMax", max: FEED_LIMITS.connectionsPerClientMax, clientAddress: "127.0.0.1" },
    });
    expect((JSON.parse(extra.body) as { message: string }).message).toMatch(/at most 10 from one client address/);
    // Another client address is not held back by this one's feeds.
    const other = await connect("127.0.0.2");
    if (!("socket" in other)) throw new Error(`another address was refused: ${other.status} ${other.body}`);
    await closed(other.socket);
    // A closed feed frees its slot for the same address.
    const first = open.shift();
    if (first === undefined) throw new Error("no feed open");
    await closed(first);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the server sees the close
    const again = await connect();
    if (!("socket" in again)) throw new Error(`the freed slot was refused: ${again.status} ${again.body}`);
    open.push(again.socket);
    await Promise.all(open.map(closed));
  });
});
