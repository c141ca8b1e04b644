// The localnet JSON-RPC server: the embedded chain over Solana's JSON-RPC (HTTP, single requests
// and batches), in Solana's response shapes, so stock clients (@solana/kit, @solana/web3.js) work
// against it. Listens on 127.0.0.1 only; subscriptions are served by ws-server.ts beside it.
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { EmbeddedMoltClient } from "../embedded/embedded-client.js";
import { stringifyJson } from "./json.js";
import { ACCOUNT_METHODS } from "./account-methods.js";
import { CLUSTER_METHODS } from "./cluster-methods.js";
import { RPC_BATCH_MAX, RPC_BODY_BYTES_MAX } from "./rpc-limits.js";
import { RPC_ERROR, RpcError } from "./rpc-params.js";
import type { RpcMethod } from "./rpc-params.js";
import { TRANSACTION_METHODS } from "./transaction-methods.js";
import { startSubscriptions } from "./ws-server.js";

/** Bounds of the localnet, re-exported for the chain entry point. */
export { LAMPORT_AIRDROP_MAX, RPC_BODY_BYTES_MAX } from "./rpc-limits.js";

const METHODS: ReadonlyMap<string, RpcMethod> = new Map(Object.entries({ ...CLUSTER_METHODS, ...ACCOUNT_METHODS, ...TRANSACTION_METHODS }));

function errorReply(id: unknown, e: unknown): unknown {
  const error = e instanceof RpcError ? e : new RpcError(RPC_ERROR.internal, e instanceof Error ? e.message : "Internal error");
  return {
    jsonrpc: "2.0",
    id,
    error: { code: error.code, message: error.message, ...(error.data === undefined ? {} : { data: error.data }) },
  };
}

/** The reply to one JSON-RPC request object (never throws: errors are replies). */
function answer(chain: EmbeddedMoltClient, request: unknown): unknown {
  const { jsonrpc, id, method, params } = (typeof request === "object" && request !== null ? request : {}) as Record<string, unknown>;
  const replyId = typeof id === "string" || typeof id === "number" ? id : null;
  try {
    if (jsonrpc !== "2.0" || typeof method !== "string") throw new RpcError(RPC_ERROR.invalidRequest, "Invalid request");
    const handler = METHODS.get(method);
    if (handler === undefined) throw new RpcError(RPC_ERROR.methodNotFound, "Method not found");
    if (params !== undefined && !Array.isArray(params))
      throw new RpcError(RPC_ERROR.invalidParams, "Invalid params: params must be an array");
    return { jsonrpc: "2.0", id: replyId, result: handler(chain, (params ?? []) as unknown[]) };
  } catch (e) {
    return errorReply(replyId, e);
  }
}

/** A body over RPC_BODY_BYTES_MAX: answered 413, as a validator's HTTP server does. */
class BodyTooLarge extends RpcError {
  constructor() {
    super(RPC_ERROR.invalidRequest, `Request larger than ${RPC_BODY_BYTES_MAX} bytes`);
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > RPC_BODY_BYTES_MAX) {
        // Stop keeping it; the rest is drained unread and the connection closed after the answer.
        request.removeAllListeners("data");
        request.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => {
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
    request.on("error", reject);
  });
}

/** The reply to a request body: one request, or a batch of at most RPC_BATCH_MAX answered in order. */
function answerBody(chain: EmbeddedMoltClient, body: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return errorReply(null, new RpcError(RPC_ERROR.parse, "Parse error"));
  }
  if (!Array.isArray(parsed)) return answer(chain, parsed);
  if (parsed.length === 0 || parsed.length > RPC_BATCH_MAX)
    return errorReply(null, new RpcError(RPC_ERROR.invalidRequest, `Invalid request: a batch holds 1..${RPC_BATCH_MAX} requests`));
  return parsed.map((request) => answer(chain, request));
}

async function handle(chain: EmbeddedMoltClient, request: IncomingMessage, response: ServerResponse): Promise<void> {
  let reply: unknown;
  let status = 200;
  try {
    if (request.method !== "POST") throw new RpcError(RPC_ERROR.invalidRequest, "Use POST with a JSON-RPC 2.0 body");
    reply = answerBody(chain, await readBody(request));
  } catch (e) {
    if (e instanceof BodyTooLarge) status = 413;
    reply = errorReply(null, e);
  }
  if (response.destroyed) return;
  response.writeHead(status, { "content-type": "application/json", ...(status === 413 ? { connection: "close" } : {}) });
  response.end(stringifyJson(reply));
}

/** A running localnet: JSON-RPC over HTTP and subscriptions over websocket. */
export interface Localnet {
  readonly rpcUrl: string;
  readonly wsUrl: string;
  close(): Promise<void>;
}

function closeServer(server: ReturnType<typeof createServer>): Promise<void> {
  return new Promise<void>((done) => {
    server.closeAllConnections();
    server.close(() => {
      done();
    });
  });
}

/**
 * Serves `chain` on 127.0.0.1: JSON-RPC on `port` (default 8899) and subscriptions on `port + 1`
 * (8900), as solana-test-validator does; port 0 picks free ports for both.
 * @throws Error (a port in use)
 * @example const localnet = await startLocalnet(chain, { port: 8899 }); // then solana --url http://127.0.0.1:8899 ...
 */
export async function startLocalnet(chain: EmbeddedMoltClient, options: { readonly port?: number } = {}): Promise<Localnet> {
  const server = createServer((request, response) => {
    void handle(chain, request, response);
  });
  const requested = options.port ?? 8899;
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(requested, "127.0.0.1", () => {
      resolve((server.address() as AddressInfo).port);
    });
  });
  let subscriptions;
  try {
    subscriptions = await startSubscriptions(chain, { port: requested === 0 ? 0 : port + 1 });
  } catch (e) {
    await closeServer(server);
    throw e;
  }
  return {
    rpcUrl: `http://127.0.0.1:${port}`,
    wsUrl: subscriptions.wsUrl,
    close: async () => {
      await subscriptions.close();
      await closeServer(server);
    },
  };
}
