// The localnet's websocket side: Solana's JSON-RPC subscriptions for signatures
// (signatureSubscribe / signatureUnsubscribe), so kit's rpcSubscriptions can wait for
// confirmations. Listens on 127.0.0.1 only.
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import type { WebSocket } from "ws";
import type { EmbeddedMoltClient } from "../embedded/embedded-client.js";

/** Largest message read from a subscriber. */
export const WS_MESSAGE_BYTES_MAX = 64 * 1024;
/** Delay before announcing an already-known signature to a new subscriber. */
export const SUBSCRIBE_SETTLE_MS = 10;
/** Most open websocket connections; more are closed with 1013 (try again later). */
export const WS_CONNECTIONS_MAX = 256;
/** Most open subscriptions per connection. */
export const SUBSCRIPTIONS_PER_CONNECTION_MAX = 1024;

function send(socket: WebSocket, message: unknown): void {
  socket.send(JSON.stringify(message, (_key, value: unknown) => (typeof value === "bigint" ? Number(value) : value)));
}

/** A running websocket endpoint. */
export interface LocalnetSubscriptions {
  readonly wsUrl: string;
  close(): Promise<void>;
}

/** Serves signature subscriptions over `chain` on 127.0.0.1 (port 0: any free port). */
export function startSubscriptions(chain: EmbeddedMoltClient, options: { readonly port?: number } = {}): Promise<LocalnetSubscriptions> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: options.port ?? 8900, maxPayload: WS_MESSAGE_BYTES_MAX });
  let nextId = 1;
  server.on("connection", (socket) => {
    if (server.clients.size > WS_CONNECTIONS_MAX) {
      socket.close(1013, `at most ${WS_CONNECTIONS_MAX} connections`);
      return;
    }
    // subscription id -> signature; each is answered once, then dropped (Solana's rule for signatures).
    const watching = new Map<number, string>();
    const notify = (id: number, signature: string): boolean => {
      const status = chain.signatureStatus(signature);
      if (status === undefined) return false;
      watching.delete(id);
      send(socket, {
        jsonrpc: "2.0",
        method: "signatureNotification",
        params: {
          subscription: id,
          result: {
            context: { slot: status.slot },
            value: { err: status.error === undefined ? null : { InstructionError: status.error } },
          },
        },
      });
      return true;
    };
    const stop = chain.onStatus((signature) => {
      for (const [id, watched] of watching) if (watched === signature) notify(id, signature);
    });
    socket.on("close", stop);
    socket.on("message", (data) => {
      let request: { id?: unknown; method?: unknown; params?: unknown };
      try {
        const text = Array.isArray(data)
          ? Buffer.concat(data).toString("utf8")
          : Buffer.isBuffer(data)
            ? data.toString("utf8")
            : Buffer.from(new Uint8Array(data)).toString("utf8");
        request = JSON.parse(text) as typeof request;
      } catch {
        send(socket, { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } });
        return;
      }
      const id = request.id ?? null;
      const params = Array.isArray(request.params) ? (request.params as unknown[]) : [];
      if (request.method === "signatureSubscribe" && typeof params[0] === "string") {
        if (watching.size >= SUBSCRIPTIONS_PER_CONNECTION_MAX) {
          send(socket, {
            jsonrpc: "2.0",
            id,
            error: { code: -32602, message: `At most ${SUBSCRIPTIONS_PER_CONNECTION_MAX} subscriptions per connection` },
          });
          return;
        }
        const subscription = nextId++;
        watching.set(subscription, params[0]);
        send(socket, { jsonrpc: "2.0", id, result: subscription });
        // Announce an already-known signature after the client has taken in its subscription id.
        const signature = params[0];
        setTimeout(() => {
          if (watching.has(subscription)) notify(subscription, signature);
        }, SUBSCRIBE_SETTLE_MS);
        return;
      }
      if (request.method === "signatureUnsubscribe" && typeof params[0] === "number") {
        send(socket, { jsonrpc: "2.0", id, result: watching.delete(params[0]) });
        return;
      }
      send(socket, { jsonrpc: "2.0", id, error: { code: -32601, message: `Method not found: ${String(request.method)}` } });
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.once("listening", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        wsUrl: `ws://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            for (const client of server.clients) client.terminate();
            server.close(() => {
              done();
            });
          }),
      });
    });
  });
}
