// The localnet's websocket side: Solana's JSON-RPC subscriptions for signatures (signatureSubscribe,
// answered once, then dropped, as a validator) and slots (slotSubscribe: a notification for each new
// slot), so kit's rpcSubscriptions and web3.js's Connection can wait for confirmations and track
// block height. Listens on 127.0.0.1 only.
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import type { RawData, WebSocket } from "ws";
import type { EmbeddedMoltClient } from "../embedded/embedded-client.js";
import { SLOT_MS } from "../embedded/slot-clock.js";
import { RPC_ERROR } from "./rpc-params.js";
import { stringifyJson } from "./json.js";

/** Largest message read from a subscriber. */
export const WS_MESSAGE_BYTES_MAX = 64 * 1024;
/** Delay before announcing an already-known signature to a new subscriber. */
export const SUBSCRIBE_SETTLE_MS = 10;
/** Most open websocket connections; more are closed with 1013 (try again later). */
export const WS_CONNECTIONS_MAX = 256;
/** Most open subscriptions per connection. */
export const SUBSCRIPTIONS_PER_CONNECTION_MAX = 1024;
/** Most slot notifications sent per subscription in one check (when the clock jumped far ahead). */
const SLOTS_NOTIFIED_PER_CHECK_MAX = 64;
/** How often the slot is checked while anyone subscribes to slots. */
const SLOT_CHECK_MS = SLOT_MS / 4;

type Subscription = { readonly kind: "signature"; readonly signature: string } | { readonly kind: "slot" };

function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.isBuffer(data) ? data.toString("utf8") : Buffer.from(new Uint8Array(data)).toString("utf8");
}

/** A running websocket endpoint. */
export interface LocalnetSubscriptions {
  readonly wsUrl: string;
  close(): Promise<void>;
}

/**
 * Serves signature and slot subscriptions over `chain` on 127.0.0.1 (port 0: any free port).
 * Invariant: slot notifications of one subscription come in increasing slot order, one per slot
 * (at most SLOTS_NOTIFIED_PER_CHECK_MAX per check when the clock jumped).
 * @throws Error (a port in use)
 */
export function startSubscriptions(chain: EmbeddedMoltClient, options: { readonly port?: number } = {}): Promise<LocalnetSubscriptions> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: options.port ?? 8900, maxPayload: WS_MESSAGE_BYTES_MAX });
  let nextId = 0;
  // Every connection's slot subscribers, woken by one timer while there are any.
  const slotWatchers = new Set<(slot: bigint) => void>();
  let lastSlot = chain.slot;
  const slotTimer = setInterval(() => {
    if (slotWatchers.size === 0) {
      lastSlot = chain.slot;
      return;
    }
    const slot = chain.slot;
    const first = slot - lastSlot > BigInt(SLOTS_NOTIFIED_PER_CHECK_MAX) ? slot - BigInt(SLOTS_NOTIFIED_PER_CHECK_MAX) + 1n : lastSlot + 1n;
    for (let next = first; next <= slot; next++) for (const watcher of slotWatchers) watcher(next);
    lastSlot = slot;
  }, SLOT_CHECK_MS);
  slotTimer.unref();

  server.on("connection", (socket: WebSocket) => {
    if (server.clients.size > WS_CONNECTIONS_MAX) {
      socket.close(1013, `at most ${WS_CONNECTIONS_MAX} connections`);
      return;
    }
    const send = (message: unknown): void => {
      if (socket.readyState === socket.OPEN) socket.send(stringifyJson(message));
    };
    const subscriptions = new Map<number, Subscription>();
    const notifySignature = (id: number, signature: string): void => {
      const status = chain.signatureStatus(signature);
      if (status === undefined) return;
      subscriptions.delete(id);
      const err = status.error === undefined ? null : (status.errorJson ?? status.error);
      send({
        jsonrpc: "2.0",
        method: "signatureNotification",
        params: { subscription: id, result: { context: { slot: status.slot }, value: { err } } },
      });
    };
    const stopStatuses = chain.onStatus((signature) => {
      for (const [id, watched] of subscriptions)
        if (watched.kind === "signature" && watched.signature === signature) notifySignature(id, signature);
    });
    const slotWatcher = (slot: bigint): void => {
      for (const [id, watched] of subscriptions) {
        if (watched.kind === "slot")
          send({
            jsonrpc: "2.0",
            method: "slotNotification",
            params: { subscription: id, result: { parent: slot - 1n, root: slot, slot } },
          });
      }
    };
    socket.on("close", () => {
      stopStatuses();
      slotWatchers.delete(slotWatcher);
    });
    socket.on("message", (data) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(textOf(data));
      } catch {
        send({ jsonrpc: "2.0", id: null, error: { code: RPC_ERROR.parse, message: "Parse error" } });
        return;
      }
      // A notification (no id, such as web3.js's keep-alive "ping") gets no reply, per JSON-RPC 2.0.
      if (typeof parsed !== "object" || parsed === null || !("id" in parsed)) return;
      const request = parsed as { id: unknown; method?: unknown; params?: unknown };
      const id = request.id;
      const params = Array.isArray(request.params) ? (request.params as unknown[]) : [];
      const reply = (result: unknown): void => {
        send({ jsonrpc: "2.0", id, result });
      };
      const fail = (code: number, message: string): void => {
        send({ jsonrpc: "2.0", id, error: { code, message } });
      };
      const subscribe = (subscription: Subscription): number | undefined => {
        if (subscriptions.size >= SUBSCRIPTIONS_PER_CONNECTION_MAX) {
          fail(RPC_ERROR.invalidParams, `At most ${SUBSCRIPTIONS_PER_CONNECTION_MAX} subscriptions per connection`);
          return undefined;
        }
        const subscriptionId = nextId++;
        subscriptions.set(subscriptionId, subscription);
        reply(subscriptionId);
        return subscriptionId;
      };
      const unsubscribe = (kind: Subscription["kind"]): void => {
        const target = params[0];
        if (typeof target !== "number" || subscriptions.get(target)?.kind !== kind) {
          fail(RPC_ERROR.invalidParams, "Invalid subscription id.");
          return;
        }
        subscriptions.delete(target);
        if (kind === "slot" && ![...subscriptions.values()].some((watched) => watched.kind === "slot")) slotWatchers.delete(slotWatcher);
        reply(true);
      };
      switch (request.method) {
        case "signatureSubscribe": {
          const signature = params[0];
          if (typeof signature !== "string" || signature.length > 88) {
            fail(RPC_ERROR.invalidParams, "Invalid params: signature");
            return;
          }
          const subscriptionId = subscribe({ kind: "signature", signature });
          // Announce an already-known signature after the client has taken in its subscription id.
          if (subscriptionId !== undefined)
            setTimeout(() => {
              if (subscriptions.has(subscriptionId)) notifySignature(subscriptionId, signature);
            }, SUBSCRIBE_SETTLE_MS);
          return;
        }
        case "slotSubscribe":
          if (subscribe({ kind: "slot" }) !== undefined) slotWatchers.add(slotWatcher);
          return;
        case "signatureUnsubscribe":
          unsubscribe("signature");
          return;
        case "slotUnsubscribe":
          unsubscribe("slot");
          return;
        default:
          fail(RPC_ERROR.methodNotFound, "Method not found");
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", (e) => {
      clearInterval(slotTimer);
      reject(e);
    });
    server.once("listening", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        wsUrl: `ws://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            clearInterval(slotTimer);
            for (const client of server.clients) client.terminate();
            server.close(() => {
              done();
            });
          }),
      });
    });
  });
}
