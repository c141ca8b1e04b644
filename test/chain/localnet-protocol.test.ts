// The localnet's JSON-RPC and websocket protocol and its bounds: batches, unknown methods, body and
// batch limits, notifications without replies, slot and signature subscriptions and their cap,
// invalid params; the slot clock across a restart; the epoch schedule.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WebSocket } from "ws";
import { afterEach, describe, expect, it } from "vitest";
import { EmbeddedMoltClient } from "../../src/chain/embedded/embedded-client.js";
import { SLOT_MS } from "../../src/chain/embedded/slot-clock.js";
import { epochOf } from "../../src/chain/localnet/epoch-schedule.js";
import { RPC_BATCH_MAX, RPC_BODY_BYTES_MAX } from "../../src/chain/localnet/rpc-limits.js";
import { startLocalnet } from "../../src/chain/localnet/rpc-server.js";
import type { Localnet } from "../../src/chain/localnet/rpc-server.js";
import { SUBSCRIPTIONS_PER_CONNECTION_MAX } from "../../src/chain/localnet/ws-server.js";
import { Wallet } from "../../src/chain/wallet.js";
import { Amount } from "../../src/core/amount.js";
import { ManualClock } from "../../src/core/clock.js";

let running: { localnet: Localnet; chain: EmbeddedMoltClient } | undefined;

afterEach(async () => {
  await running?.localnet.close();
  running?.chain.close();
  running = undefined;
});

async function start(): Promise<Localnet> {
  const chain = await EmbeddedMoltClient.open({ dataDir: mkdtempSync(join(tmpdir(), "molt-localnet-protocol-")) });
  const localnet = await startLocalnet(chain, { port: 0 });
  running = { localnet, chain };
  return localnet;
}

async function post(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

/** A websocket whose messages are read in order. */
async function openSocket(url: string): Promise<{ send(message: unknown): void; next(): Promise<unknown>; close(): void }> {
  const socket = new WebSocket(url);
  const queue: unknown[] = [];
  const waiting: ((message: unknown) => void)[] = [];
  socket.on("message", (data: Buffer) => {
    const message: unknown = JSON.parse(data.toString("utf8"));
    const waiter = waiting.shift();
    if (waiter === undefined) queue.push(message);
    else waiter(message);
  });
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  return {
    send: (message) => {
      socket.send(JSON.stringify(message));
    },
    next: () => (queue.length > 0 ? Promise.resolve(queue.shift()) : new Promise((resolve) => waiting.push(resolve))),
    close: () => {
      socket.close();
    },
  };
}

describe("localnet JSON-RPC over HTTP", () => {
  it("answers batches in order with their ids, unknown methods with -32601, and refuses oversized batches and bodies", async () => {
    const { rpcUrl } = await start();
    const batch = await post(rpcUrl, [
      { jsonrpc: "2.0", id: "a", method: "getHealth" },
      { jsonrpc: "2.0", id: 2, method: "getTeleport", params: [] },
      { jsonrpc: "2.0", id: 3, method: "getBalance", params: ["not-an-address"] },
    ]);
    expect(batch.json).toEqual([
      { jsonrpc: "2.0", id: "a", result: "ok" },
      { jsonrpc: "2.0", id: 2, error: { code: -32601, message: "Method not found" } },
      { jsonrpc: "2.0", id: 3, error: { code: -32602, message: "Invalid param: not a base58 address" } },
    ]);
    const tooMany = Array.from({ length: RPC_BATCH_MAX + 1 }, (_, id) => ({ jsonrpc: "2.0", id, method: "getHealth" }));
    expect((await post(rpcUrl, tooMany)).json).toMatchObject({ id: null, error: { code: -32600 } });
    expect((await post(rpcUrl, [])).json).toMatchObject({ error: { code: -32600 } });
    const huge = await post(
      rpcUrl,
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "getHealth", params: ["x".repeat(RPC_BODY_BYTES_MAX)] }),
    );
    expect(huge).toMatchObject({ status: 413, json: { error: { code: -32600 } } });
    // The server still answers after refusing.
    expect((await post(rpcUrl, { jsonrpc: "2.0", id: 9, method: "getHealth" })).json).toEqual({ jsonrpc: "2.0", id: 9, result: "ok" });
  });

  it("refuses invalid params with -32602: bytes that are no transaction, limits out of range, unserved encodings", async () => {
    const { rpcUrl } = await start();
    const call = async (method: string, params: unknown[]) =>
      ((await post(rpcUrl, { jsonrpc: "2.0", id: 1, method, params })).json as { error?: { code: number; message: string } }).error;
    expect(await call("sendTransaction", ["AAAA", { encoding: "base64" }])).toMatchObject({ code: -32602, message: /invalid transaction/ });
    const someone = Wallet.generate().address;
    expect(await call("getSignaturesForAddress", [someone, { limit: 1001 }])).toMatchObject({ code: -32602 });
    expect(await call("getSignaturesForAddress", [someone, { limit: 0 }])).toMatchObject({ code: -32602 });
    const signature = "1".repeat(64);
    expect(await call("getTransaction", [signature, { encoding: "base64+zstd" }])).toMatchObject({ code: -32602, message: /encoding/ });
    expect(await call("getAccountInfo", [someone, { encoding: "base64+zstd" }])).toMatchObject({ code: -32602 });
    expect(await call("getSlot", [{ minContextSlot: Number.MAX_SAFE_INTEGER }])).toMatchObject({ code: -32016 });
    expect(await call("getTokenAccountsByOwner", [someone, { mint: someone }])).toMatchObject({ code: -32602, message: /mint/ });
  });
});

describe("localnet getProgramAccounts", () => {
  it("lists a program's accounts narrowed by dataSize and memcmp filters, with or without context", async () => {
    const { rpcUrl } = await start();
    const chain = running?.chain;
    if (chain === undefined) throw new Error("not started");
    const token = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";
    const holder = Wallet.generate().address;
    await chain.airdrop(holder, Amount.parse("2"));
    const call = async (params: unknown[]) => (await post(rpcUrl, { jsonrpc: "2.0", id: 1, method: "getProgramAccounts", params })).json;
    const mints = (await call([token, { encoding: "base64", filters: [{ dataSize: 82 }] }])) as { result: { pubkey: string }[] };
    expect(mints.result.map(({ pubkey }) => pubkey)).toEqual([chain.mint]);
    // A token account's owner is at offset 32: the holder's account alone matches.
    const held = (await call([
      token,
      { encoding: "jsonParsed", withContext: true, filters: [{ dataSize: 165 }, { memcmp: { offset: 32, bytes: holder } }] },
    ])) as {
      result: {
        context: { slot: number };
        value: { pubkey: string; account: { data: { parsed: { info: { tokenAmount: { amount: string } } } } } }[];
      };
    };
    expect(held.result.value).toHaveLength(1);
    expect(held.result.value[0]?.pubkey).toBe(await chain.tokenAccount(holder));
    expect(held.result.value[0]?.account.data.parsed.info.tokenAmount.amount).toBe("2000000000");
    expect(await call([token, { filters: Array.from({ length: 5 }, () => ({ dataSize: 165 })) }])).toMatchObject({
      error: { code: -32602 },
    });
    expect(await call([token, { filters: [{ memcmp: { offset: -1, bytes: "1" } }] }])).toMatchObject({ error: { code: -32602 } });
  });
});

describe("localnet transactions in jsonParsed", () => {
  it("parses the chain's own mint creation: createAccountWithSeed then initializeMint2", async () => {
    const { rpcUrl } = await start();
    const chain = running?.chain;
    if (chain === undefined) throw new Error("not started");
    const call = async (method: string, params: unknown[]) =>
      ((await post(rpcUrl, { jsonrpc: "2.0", id: 1, method, params })).json as { result: unknown }).result;
    const [creation] = (await call("getSignaturesForAddress", [chain.mint])) as { signature: string }[];
    const fetched = (await call("getTransaction", [
      creation?.signature,
      { encoding: "jsonParsed", maxSupportedTransactionVersion: 0 },
    ])) as {
      transaction: { message: { instructions: unknown[] } };
    };
    expect(fetched.transaction.message.instructions).toEqual([
      {
        program: "system",
        programId: "11111111111111111111111111111111",
        parsed: {
          type: "createAccountWithSeed",
          info: {
            source: chain.operator.address,
            newAccount: chain.mint,
            base: chain.operator.address,
            seed: "molt-mint",
            lamports: Number(chain.rentExemptMinimum(82n)),
            space: 82,
            owner: "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA",
          },
        },
        stackHeight: null,
      },
      {
        program: "spl-token",
        programId: "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA",
        parsed: { type: "initializeMint2", info: { mint: chain.mint, decimals: 9, mintAuthority: chain.operator.address } },
        stackHeight: null,
      },
    ]);
  });
});

describe("localnet subscriptions over websocket", () => {
  it("replies to no notification, answers unknown methods with -32601, and notifies slots until unsubscribed", async () => {
    const { wsUrl } = await start();
    const socket = await openSocket(wsUrl);
    socket.send({ jsonrpc: "2.0", method: "ping" }); // web3.js's keep-alive: a notification, no reply
    socket.send({ jsonrpc: "2.0", id: 5, method: "accountTeleport", params: [] });
    expect(await socket.next()).toEqual({ jsonrpc: "2.0", id: 5, error: { code: -32601, message: "Method not found" } });
    socket.send({ jsonrpc: "2.0", id: 6, method: "slotSubscribe" });
    const { result: subscription } = (await socket.next()) as { result: number };
    const first = (await socket.next()) as { method: string; params: { subscription: number; result: { slot: number; parent: number } } };
    const second = (await socket.next()) as typeof first;
    expect(first.method).toBe("slotNotification");
    expect(first.params.subscription).toBe(subscription);
    expect(second.params.result.slot).toBe(first.params.result.slot + 1);
    expect(second.params.result.parent).toBe(first.params.result.slot);
    socket.send({ jsonrpc: "2.0", id: 7, method: "slotUnsubscribe", params: [subscription] });
    let reply = (await socket.next()) as { id?: number; result?: unknown };
    while (reply.id !== 7) reply = (await socket.next()) as typeof reply; // notifications already on their way
    expect(reply.result).toBe(true);
    socket.send({ jsonrpc: "2.0", id: 8, method: "slotUnsubscribe", params: [subscription] });
    expect(await socket.next()).toMatchObject({ id: 8, error: { code: -32602 } });
    socket.close();
  });

  it(`holds at most ${SUBSCRIPTIONS_PER_CONNECTION_MAX} subscriptions per connection`, async () => {
    const { wsUrl } = await start();
    const socket = await openSocket(wsUrl);
    for (let id = 0; id <= SUBSCRIPTIONS_PER_CONNECTION_MAX; id++) {
      socket.send({ jsonrpc: "2.0", id, method: "signatureSubscribe", params: [`${"1".repeat(63)}${(id % 9) + 1}`] });
    }
    const replies: { id: number; result?: number; error?: { code: number } }[] = [];
    while (replies.length <= SUBSCRIPTIONS_PER_CONNECTION_MAX) replies.push((await socket.next()) as (typeof replies)[number]);
    expect(replies.filter((reply) => typeof reply.result === "number")).toHaveLength(SUBSCRIPTIONS_PER_CONNECTION_MAX);
    expect(replies.at(-1)).toMatchObject({ id: SUBSCRIPTIONS_PER_CONNECTION_MAX, error: { code: -32602 } });
    socket.close();
  });
});

describe("the embedded chain's slot clock", () => {
  it("moves a slot every SLOT_MS with a new blockhash, and a restart never goes below a landed transaction's slot", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "molt-slots-"));
    const clock = new ManualClock(1_000_000);
    const chain = await EmbeddedMoltClient.open({ dataDir, clock });
    const start = chain.slot;
    const blockhash = chain.latestBlockhash();
    clock.advance(SLOT_MS - 1);
    expect(chain.slot).toBe(start);
    expect(chain.latestBlockhash()).toBe(blockhash);
    clock.advance(1);
    expect(chain.slot).toBe(start + 1n);
    expect(chain.latestBlockhash()).not.toBe(blockhash);
    expect(chain.isBlockhashValid(blockhash)).toBe(true); // replaced, still recent
    clock.advance(10 * SLOT_MS);
    const landed = await chain.airdrop(Wallet.generate().address, Amount.parse("1"));
    expect(landed.status).toEqual({ kind: "Confirmed", slot: start + 11n });
    // Reopened as after a crash (no snapshot since): replay puts the chain back at that slot.
    const reopened = await EmbeddedMoltClient.open({ dataDir, clock: new ManualClock(0) });
    expect(reopened.slot).toBeGreaterThanOrEqual(start + 11n);
    expect(reopened.signatureStatus(landed.id)?.slot).toBe(start + 11n);
    reopened.close();
    chain.close();
  });
});

describe("epoch schedule", () => {
  it("follows Solana's warmup (epochs of 32, 64, ... slots) then 432,000-slot epochs", () => {
    expect(epochOf(0n)).toEqual({ epoch: 0n, slotIndex: 0n, slotsInEpoch: 32n });
    expect(epochOf(31n)).toEqual({ epoch: 0n, slotIndex: 31n, slotsInEpoch: 32n });
    expect(epochOf(32n)).toEqual({ epoch: 1n, slotIndex: 0n, slotsInEpoch: 64n });
    expect(epochOf(524_255n)).toEqual({ epoch: 13n, slotIndex: 262_143n, slotsInEpoch: 262_144n });
    expect(epochOf(524_256n)).toEqual({ epoch: 14n, slotIndex: 0n, slotsInEpoch: 432_000n });
    expect(epochOf(524_256n + 432_000n * 3n + 7n)).toEqual({ epoch: 17n, slotIndex: 7n, slotsInEpoch: 432_000n });
  });
});
