// The typed client against a real listening server (SQLite + embedded chain): it signs, retries a
// lost connection with the same Idempotency-Key (the command takes effect once), and turns error
// answers back into MarketErrors with their codes and details.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { MarketClient } from "../../src/client/client.js";
import { Wallet } from "../../src/chain/wallet.js";
import { isMarketError } from "../../src/core/errors.js";
import type { Marketplace } from "../../src/market/marketplace.js";
import type { Parties } from "../support/market.js";
import { openServedMarket } from "../support/server.js";
import type { ServedMarket } from "../support/server.js";

let served: ServedMarket;
let parties: Parties;
let market: Marketplace;
let baseUrl: string;

beforeAll(async () => {
  served = await openServedMarket({ listen: true });
  ({ parties, market, baseUrl } = served);
});
afterAll(() => served.close());

describe("MarketClient", () => {
  it("lists, orders, quotes and reads through a real server", async () => {
    const provider = new MarketClient({ baseUrl, wallet: parties.provider });
    const buyer = new MarketClient({ baseUrl, wallet: parties.buyer });
    const { offerId } = await provider.addOffer({
      gpuCapacity: { gpuCount: 8, gpuModel: "H100", vramGb: 80 },
      pricePerHour: "2.5",
      availableHours: 24,
      features: ["NvLink"],
    });
    const quote = await buyer.quote({ gpus: 4, maxPrice: "3", hours: 2, features: ["NvLink"] });
    expect(quote.matches[0]?.offerId).toBe(offerId);
    const order = await buyer.submitOrder({ requirements: { minGpuCount: 4, minVramGb: 40, maxPricePerHour: "3", estimatedHours: 2 } });
    expect(order.match?.totalCost).toBe("20");
    expect((await buyer.getOrder(order.orderId)).status).toBe("Matched");
    expect((await buyer.stats()).models[0]?.freeGpus).toBe(4);
    expect((await buyer.health()).seq).toBe(market.lastSeq);
    expect((await buyer.events(0)).events.length).toBe(market.lastSeq);
  });

  it("turns error answers into MarketErrors with their codes", async () => {
    const buyer = new MarketClient({ baseUrl, wallet: parties.buyer });
    try {
      await buyer.getOrder("ord_01JD3Q0000000000000000000Z");
      throw new Error("no error");
    } catch (e) {
      expect(isMarketError(e, "ORDER_NOT_FOUND") && e.details.orderId).toBe("ord_01JD3Q0000000000000000000Z");
    }
    const stranger = new MarketClient({ baseUrl, wallet: parties.arbiter });
    const { orderId } = await buyer.submitOrder({
      requirements: { minGpuCount: 512, minVramGb: 40, maxPricePerHour: "3", estimatedHours: 2 },
    });
    await expect(stranger.cancelOrder(orderId)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(new MarketClient({ baseUrl }).cancelOrder(orderId)).rejects.toMatchObject({ code: "WALLET_ERROR" });
  });

  it("a request whose answer is lost is retried with the same key and takes effect once", async () => {
    let calls = 0;
    const lossy: typeof fetch = async (input, init) => {
      calls++;
      const response = await fetch(input, init);
      if (calls === 1) throw new TypeError("fetch failed: the connection dropped after sending");
      return response;
    };
    const provider = new MarketClient({ baseUrl, wallet: parties.provider, fetch: lossy });
    const before = market.book.offerCount;
    const { offerId } = await provider.addOffer({
      gpuCapacity: { gpuCount: 2, gpuModel: "L4", vramGb: 24 },
      pricePerHour: "0.5",
      availableHours: 24,
    });
    expect(calls).toBe(2);
    expect(market.book.offerCount).toBe(before + 1);
    expect(market.book.getOffer(offerId as never).gpuCapacity.gpuModel).toBe("L4");
  });
});

describe("live feed (WebSocket)", () => {
  function collect(after: number, count: number): Promise<{ seq: number; type: string }[]> {
    const socket = new WebSocket(`${baseUrl.replace("http", "ws")}/v1/feed?after=${after}`);
    const events: { seq: number; type: string }[] = [];
    return new Promise((resolve, reject) => {
      socket.on("message", (data: Buffer) => {
        events.push(JSON.parse(data.toString("utf8")) as { seq: number; type: string });
        if (events.length === count) {
          socket.close();
          resolve(events);
        }
      });
      socket.on("error", reject);
    });
  }

  it("replays stored events after a seq, then sends new ones live, in order, once each", async () => {
    const start = market.lastSeq;
    const replay = await collect(Math.max(0, start - 3), 3);
    expect(replay.map((e) => e.seq)).toEqual([start - 2, start - 1, start]);
    const live = collect(start, 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const buyer = new MarketClient({ baseUrl, wallet: parties.buyer });
    await buyer.submitOrder({ requirements: { minGpuCount: 900, minVramGb: 40, maxPricePerHour: "3", estimatedHours: 1 } }); // rests: one event
    await buyer.submitOrder({ requirements: { minGpuCount: 901, minVramGb: 40, maxPricePerHour: "3", estimatedHours: 1 } });
    const got = await live;
    expect(got.map((e) => e.seq)).toEqual([start + 1, start + 2]);
    expect(got.map((e) => e.type)).toEqual(["OrderRested", "OrderRested"]);
  });

  it("a bad after is refused before the upgrade", async () => {
    const response = await fetch(`${baseUrl}/v1/feed?after=-1`);
    expect(response.status).toBe(400);
  });
});

describe("balances and airdrops", () => {
  it("an airdrop mints test MOLT to the signer once per key; balances read it back", async () => {
    const newcomer = Wallet.generate();
    const client = new MarketClient({ baseUrl, wallet: newcomer });
    expect((await client.balance(newcomer.address)).molt).toBe("0");
    const first = await client.airdrop("12.5", "drop-1");
    const again = await client.airdrop("12.5", "drop-1");
    expect(again).toEqual(first);
    expect((await client.balance(newcomer.address)).molt).toBe("12.5");
    await expect(client.airdrop("1000001")).rejects.toMatchObject({ code: "LIMIT_EXCEEDED" });
    await expect(client.balance("not-an-address")).rejects.toMatchObject({ code: "INVALID_FIELD" });
  });
});
