// The localnet JSON-RPC server: the embedded chain over Solana's JSON-RPC (HTTP), in Solana's
// response shapes, so the stock @solana/kit RPC client works against it. Listens on 127.0.0.1 only.
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { getBase58Encoder, getBase64Decoder, getBase64Encoder } from "@solana/kit";
import { getTokenDecoder } from "@solana-program/token";
import { MOLT_DECIMALS } from "../../core/amount.js";
import { isAddress } from "../../core/address.js";
import type { EmbeddedMoltClient } from "../embedded/embedded-client.js";
import { startSubscriptions } from "./ws-server.js";

/** Largest request body read. */
export const RPC_BODY_BYTES_MAX = 1024 * 1024;
/** Most signatures in one getSignatureStatuses call (Solana's limit). */
export const SIGNATURE_STATUSES_MAX = 256;
/** Most lamports one requestAirdrop grants. */
export const LAMPORT_AIRDROP_MAX = 1000n * 1_000_000_000n;
/** Slots a blockhash stays usable for, as on a validator. */
const BLOCKHASH_VALID_SLOTS = 150n;

/** A JSON-RPC error as Solana's validator reports it. */
class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/** JSON with bigints written as plain integers (JSON-RPC carries u64 values as numbers). */
function stringify(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `__bigint__${v.toString()}` : v)).replace(
    /"__bigint__(-?\d+)"/g,
    "$1",
  );
}

function params(request: { params?: unknown }): unknown[] {
  return Array.isArray(request.params) ? (request.params as unknown[]) : [];
}

function addressParam(value: unknown): string {
  if (!isAddress(value)) throw new RpcError(-32602, "Invalid param: not a base58 address");
  return value;
}

function wireParam(value: unknown, config: unknown): Uint8Array {
  const encoding = (config as { encoding?: string } | undefined)?.encoding ?? "base58";
  if (typeof value !== "string" || value.length > 2 * RPC_BODY_BYTES_MAX)
    throw new RpcError(-32602, "Invalid param: transaction must be a string");
  try {
    return Uint8Array.from(encoding === "base64" ? getBase64Encoder().encode(value) : getBase58Encoder().encode(value));
  } catch {
    throw new RpcError(-32602, `Invalid param: not ${encoding}`);
  }
}

/** Answers one JSON-RPC method against the chain. @throws RpcError */
function dispatch(chain: EmbeddedMoltClient, method: string, args: unknown[]): unknown {
  const context = { slot: chain.slot };
  switch (method) {
    case "getHealth":
      return "ok";
    case "getSlot":
    case "getBlockHeight":
      return chain.slot;
    case "getLatestBlockhash":
      return { context, value: { blockhash: chain.latestBlockhash(), lastValidBlockHeight: chain.slot + BLOCKHASH_VALID_SLOTS } };
    case "isBlockhashValid":
      if (typeof args[0] !== "string" || args[0].length > 64)
        throw new RpcError(-32602, "Invalid param: blockhash must be a base58 string");
      return { context, value: chain.isBlockhashValid(args[0]) };
    case "getBalance":
      return { context, value: chain.account(addressParam(args[0]) as never)?.lamports ?? 0n };
    case "getMinimumBalanceForRentExemption": {
      const space = args[0];
      if (typeof space !== "number" || !Number.isInteger(space) || space < 0 || space > 10 * 1024 * 1024)
        throw new RpcError(-32602, "Invalid param: data length");
      return chain.rentExemptMinimum(BigInt(space));
    }
    case "getAccountInfo": {
      const account = chain.account(addressParam(args[0]) as never);
      const encoding = (args[1] as { encoding?: string } | undefined)?.encoding ?? "base64";
      if (encoding !== "base64") throw new RpcError(-32602, "Invalid param: this localnet serves encoding base64");
      return {
        context,
        value:
          account === undefined
            ? null
            : {
                data: [getBase64Decoder().decode(account.data), "base64"],
                executable: account.executable,
                lamports: account.lamports,
                owner: account.owner,
                rentEpoch: 18446744073709551615n,
                space: BigInt(account.data.length),
              },
      };
    }
    case "getTokenAccountBalance": {
      const account = chain.account(addressParam(args[0]) as never);
      if (account === undefined || account.data.length !== 165) throw new RpcError(-32602, "Invalid param: not a token account");
      const amount = getTokenDecoder().decode(account.data).amount;
      const uiAmountString = (Number(amount) / 10 ** MOLT_DECIMALS).toString();
      return { context, value: { amount: amount.toString(), decimals: MOLT_DECIMALS, uiAmount: Number(uiAmountString), uiAmountString } };
    }
    case "requestAirdrop": {
      const to = addressParam(args[0]);
      const amount = args[1];
      if (typeof amount !== "number" || !Number.isSafeInteger(amount) || amount <= 0 || BigInt(amount) > LAMPORT_AIRDROP_MAX) {
        throw new RpcError(-32602, `Invalid param: lamports must be 1..${LAMPORT_AIRDROP_MAX.toString()}`);
      }
      return chain.airdropLamports(to as never, BigInt(amount));
    }
    case "sendTransaction": {
      const result = chain.submitWire(wireParam(args[0], args[1]));
      if (result.error !== undefined)
        throw new RpcError(-32002, `Transaction simulation failed: ${result.error}`, { err: result.error, logs: [] });
      return result.signature;
    }
    case "simulateTransaction": {
      const result = chain.simulateWire(wireParam(args[0], args[1]));
      return {
        context,
        value: { err: result.error ?? null, logs: result.logs, accounts: null, unitsConsumed: result.unitsConsumed, returnData: null },
      };
    }
    case "getSignatureStatuses": {
      const signatures = args[0];
      if (!Array.isArray(signatures) || signatures.length > SIGNATURE_STATUSES_MAX)
        throw new RpcError(-32602, `Invalid param: 1..${SIGNATURE_STATUSES_MAX} signatures`);
      return {
        context,
        value: signatures.map((signature) => {
          const status = typeof signature === "string" ? chain.signatureStatus(signature) : undefined;
          if (status === undefined) return null;
          const err = status.error === undefined ? null : { InstructionError: status.error };
          return {
            slot: status.slot,
            confirmations: null,
            err,
            confirmationStatus: "finalized",
            status: err === null ? { Ok: null } : { Err: err },
          };
        }),
      };
    }
    case "getTransaction": {
      if (typeof args[0] !== "string") throw new RpcError(-32602, "Invalid param: signature");
      const encoding = (args[1] as { encoding?: string } | undefined)?.encoding ?? "json";
      if (encoding !== "base64") throw new RpcError(-32602, "Invalid param: this localnet serves encoding base64");
      const status = chain.signatureStatus(args[0]);
      const details = chain.transactionDetails(args[0]);
      if (status === undefined || details === undefined) return null;
      const err = status.error === undefined ? null : { InstructionError: status.error };
      return {
        slot: status.slot,
        blockTime: null,
        version: 0,
        transaction: [details.wire, "base64"],
        meta: {
          err,
          status: err === null ? { Ok: null } : { Err: err },
          fee: details.feeLamports,
          preBalances: [],
          postBalances: [],
          innerInstructions: [],
          logMessages: details.logs,
          preTokenBalances: [],
          postTokenBalances: [],
          rewards: [],
          loadedAddresses: { readonly: [], writable: [] },
          computeUnitsConsumed: 0,
        },
      };
    }
    default:
      throw new RpcError(-32601, `Method not found: ${method}`);
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > RPC_BODY_BYTES_MAX) {
        reject(new RpcError(-32600, `Request larger than ${RPC_BODY_BYTES_MAX} bytes`));
        request.destroy();
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

async function handle(chain: EmbeddedMoltClient, request: IncomingMessage, response: ServerResponse): Promise<void> {
  let id: unknown = null;
  let body: string;
  try {
    if (request.method !== "POST") throw new RpcError(-32600, "Use POST with a JSON-RPC 2.0 body");
    body = await readBody(request);
    let parsed: { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      throw new RpcError(-32700, "Parse error");
    }
    id = parsed.id ?? null;
    if (parsed.jsonrpc !== "2.0" || typeof parsed.method !== "string")
      throw new RpcError(-32600, "Invalid request: jsonrpc 2.0 with a method");
    const result = dispatch(chain, parsed.method, params(parsed));
    response.writeHead(200, { "content-type": "application/json" }).end(stringify({ jsonrpc: "2.0", id, result }));
  } catch (e) {
    const error = e instanceof RpcError ? e : new RpcError(-32603, e instanceof Error ? e.message : "Internal error");
    response.writeHead(200, { "content-type": "application/json" }).end(
      stringify({
        jsonrpc: "2.0",
        id,
        error: { code: error.code, message: error.message, ...(error.data === undefined ? {} : { data: error.data }) },
      }),
    );
  }
}

/** A running localnet: JSON-RPC over HTTP and subscriptions over websocket. */
export interface Localnet {
  readonly rpcUrl: string;
  readonly wsUrl: string;
  close(): Promise<void>;
}

function closeServer(server: ReturnType<typeof createServer>): Promise<void> {
  return new Promise<void>((done) => {
    server.close(() => {
      done();
    });
  });
}

/**
 * Serves `chain` on 127.0.0.1: JSON-RPC on `port` (default 8899) and subscriptions on `port + 1`
 * (8900); port 0 picks free ports for both.
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
