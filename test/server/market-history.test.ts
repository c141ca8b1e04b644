// The market history routes through buildApp: trades paged by seq, candles per bucket with exact
// OHLC and volumes, the book's depth per price level, each query parameter refused with a clear 400,
// and the typed client reading the same answers over a listening server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Wallet } from "../../src/chain/wallet.js";
import { MarketClient } from "../../src/client/client.js";
import type { CandlesView, DepthView, TradesView } from "../../src/contract/market-history.js";
import { HISTORY_LIMITS } from "../../src/market/market-history.js";
import { openServedMarket } from "../support/server.js";
import type { ServedMarket } from "../support/server.js";

let served: ServedMarket;
const HOUR_MS = 3_600_000;

/** An offer of `gpus` GPUs at `price`, and (when `take`) an order that takes `take` of them. */
async function offerAndOrder(model: string, price: string, gpus: number, take?: { gpus: number; hours: number; key: string }) {
  const provider = Wallet.generate().address;
  await served.market.addOffer(`offer-${model}-${price}-${gpus}-${take?.key ?? "rest"}`, {
    providerId: provider,
    gpuCapacity: { gpuCount: gpus, gpuModel: model, vramGb: 80 },
    pricePerHour: price,
    availableHours: 48,
  });
  if (take === undefined) return undefined;
  return served.market.submitOrder(`order-${take.key}`, {
    buyerId: served.parties.buyer.address,
    requirements: { minGpuCount: take.gpus, minVramGb: 0, maxPricePerHour: price, estimatedHours: take.hours, gpuModels: [model] },
  });
}

beforeAll(async () => {
  served = await openServedMarket({ listen: true });
  // Three H100 trades (2.5, then 3.25, then 2.75) and one A100 trade; one offer left with free GPUs, one order resting.
  await offerAndOrder("NVIDIA H100 80GB", "2.5", 4, { gpus: 4, hours: 2, key: "h1" });
  await offerAndOrder("H100", "3.25", 2, { gpus: 2, hours: 1, key: "h2" });
  await offerAndOrder("H100", "2.75", 1, { gpus: 1, hours: 3, key: "h3" });
  await offerAndOrder("A100", "1.2", 8, { gpus: 3, hours: 1, key: "a1" });
  await served.market.submitOrder("order-resting", {
    buyerId: served.parties.buyer.address,
    requirements: { minGpuCount: 6, minVramGb: 0, maxPricePerHour: "1.1", estimatedHours: 1 },
  });
}, 60_000);
afterAll(() => served.close());

const get = async (url: string): Promise<{ status: number; body: unknown }> => {
  const response = await served.app.inject({ method: "GET", url });
  return { status: response.statusCode, body: response.json() };
};
const trades = async (url: string): Promise<{ status: number; body: TradesView }> => {
  const { status, body } = await get(url);
  return { status, body: body as TradesView };
};
const candles = async (url: string): Promise<{ status: number; body: CandlesView }> => {
  const { status, body } = await get(url);
  return { status, body: body as CandlesView };
};
const depth = async (url: string): Promise<{ status: number; body: DepthView }> => {
  const { status, body } = await get(url);
  return { status, body: body as DepthView };
};
const failure = async (url: string): Promise<{ status: number; body: { code: string; message: string; details: object } }> => {
  const { status, body } = await get(url);
  return { status, body: body as { code: string; message: string; details: object } };
};

describe("GET /v1/market/*", () => {
  it("trades: every match, normalized model, exact amounts, paged by seq", async () => {
    const all = await trades("/v1/market/trades");
    expect(all.status).toBe(200);
    expect(all.body.trades.map((t) => [t.gpuModel, t.pricePerHour, t.gpuCount, t.hours, t.gpuHours, t.molt])).toEqual([
      ["H100", "2.5", 4, 2, 8, "20"],
      ["H100", "3.25", 2, 1, 2, "6.5"],
      ["H100", "2.75", 1, 3, 3, "8.25"],
      ["A100", "1.2", 3, 1, 3, "3.6"],
    ]);
    const first = await trades("/v1/market/trades?model=nvidia%20h100&limit=2");
    expect(first.body.trades.map((t) => t.pricePerHour)).toEqual(["2.5", "3.25"]);
    expect(first.body.next).toBe(first.body.trades[1]?.seq);
    const rest = await trades(`/v1/market/trades?model=H100&limit=2&after=${first.body.next}`);
    expect(rest.body.trades.map((t) => t.pricePerHour)).toEqual(["2.75"]);
    expect(rest.body.next).toBeUndefined();
  });

  it("candles: one bucket holding the trades, open first, close last, high max, low min, exact volumes", async () => {
    const { status, body } = await candles("/v1/market/candles?model=H100&interval=1d");
    expect(status).toBe(200);
    expect(body.model).toBe("H100");
    const buckets = body.candles;
    // The three H100 trades may straddle an hour boundary, never a day one (the test takes seconds) - unless at midnight.
    expect(buckets.reduce((n, c) => n + c.trades, 0)).toBe(3);
    if (buckets.length === 1) {
      expect(buckets[0]).toMatchObject({ open: "2.5", high: "3.25", low: "2.5", close: "2.75", gpuHours: 13, molt: "34.75" });
      expect(buckets[0]?.start).toMatch(/T00:00:00\.000Z$/);
    }
    const every = await candles("/v1/market/candles?interval=1h");
    expect(every.body.candles.reduce((n, c) => n + c.trades, 0)).toBe(4);
    expect(every.body.toMs - every.body.fromMs).toBe(HISTORY_LIMITS.candleBucketsDefault * HOUR_MS);
  });

  it("depth: free GPUs per price level (cheapest first), resting demand per max price", async () => {
    const { status, body } = await depth("/v1/market/depth");
    expect(status).toBe(200);
    expect(body.asks).toEqual([{ price: "1.2", gpus: 5, count: 1 }]);
    expect(body.bids).toEqual([{ price: "1.1", gpus: 6, count: 1 }]);
    expect(body.partial).toBe(false);
    const h100 = await depth("/v1/market/depth?model=h100");
    expect(h100.body).toMatchObject({ model: "H100", asks: [] });
  });

  it.each([
    ["/v1/market/trades?limit=0", "OUT_OF_RANGE", "limit"],
    [`/v1/market/trades?limit=${HISTORY_LIMITS.tradesPageMax + 1}`, "OUT_OF_RANGE", "limit"],
    ["/v1/market/trades?after=-1", "INVALID_FIELD", "after"],
    ["/v1/market/trades?model=%20%20", "INVALID_FIELD", "model"],
    ["/v1/market/candles?interval=1w", "INVALID_FIELD", "interval"],
    ["/v1/market/candles?from=7200000&to=3600000", "OUT_OF_RANGE", "from..to"],
    [`/v1/market/candles?from=0&to=${(HISTORY_LIMITS.candleBucketsMax + 1) * HOUR_MS}`, "OUT_OF_RANGE", "from..to"],
    ["/v1/market/candles?from=abc", "INVALID_FIELD", "from"],
    ["/v1/market/depth?model=x&extra=1", "INVALID_FIELD", "extra (unknown field)"],
    ["/v1/market/depth?model=NVIDIA", "INVALID_FIELD", "model"],
  ])("%s is refused with 400 %s naming %s", async (url, code, field) => {
    const { status, body } = await failure(url);
    expect(status).toBe(400);
    expect(body.code).toBe(code);
    expect(body.message).toContain(field);
    expect(body.details).toBeTypeOf("object");
  });

  it("the client reads the same answers over HTTP", async () => {
    const client = new MarketClient({ baseUrl: served.baseUrl });
    expect(await client.trades({ model: "A100" })).toEqual((await trades("/v1/market/trades?model=A100")).body);
    expect(await client.candles({ interval: "1h" })).toEqual((await candles("/v1/market/candles?interval=1h")).body);
    expect(await client.depth()).toEqual((await depth("/v1/market/depth")).body);
  });
});
