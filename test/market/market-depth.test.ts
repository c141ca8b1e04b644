// Depth of the live book: asks per price level (active offers with free GPUs, cheapest first, same
// price summed), bids per max price (resting orders, highest first, a model's bids only orders whose
// hard gpuModels accept it), at most DEPTH_LIMITS.levelsMax levels a side.
import { describe, expect, it } from "vitest";
import { Amount } from "../../src/core/amount.js";
import { createOffer } from "../../src/core/offer.js";
import { createOrder } from "../../src/core/order.js";
import { DEPTH_LIMITS, marketDepth } from "../../src/market/market-depth.js";
import { OrderBook } from "../../src/orderbook/order-book.js";

const offer = (model: string, price: string, gpus: number, provider = "p1") =>
  createOffer({
    providerId: provider,
    gpuCapacity: { gpuCount: gpus, gpuModel: model, vramGb: 80 },
    pricePerHour: price,
    availableHours: 48,
  });
const order = (gpus: number, maxPrice: string, gpuModels?: string[]) =>
  createOrder({
    buyerId: "b1",
    requirements: {
      minGpuCount: gpus,
      minVramGb: 0,
      maxPricePerHour: maxPrice,
      estimatedHours: 1,
      ...(gpuModels === undefined ? {} : { gpuModels }),
    },
  });
const levels = (list: readonly { price: Amount; gpus: number; count: number }[]) => list.map((l) => [l.price.toString(), l.gpus, l.count]);

describe("marketDepth", () => {
  it("sums free GPUs per price, cheapest first; leaves out paused and full offers; filters by model", () => {
    const book = new OrderBook();
    book.addOffer(offer("H100", "2.5", 8));
    book.addOffer(offer("NVIDIA H100 80GB", "2.5", 4, "p2"));
    book.addOffer(offer("H100", "2", 2));
    book.pauseOffer(book.addOffer(offer("H100", "1", 8)));
    book.addOffer(offer("A100", "1.5", 3));
    const full = book.addOffer(offer("A100", "0.5", 1));
    book.submitOrder(order(1, "0.5", ["A100"]));
    expect(book.getOffer(full).freeGpuCount).toBe(0);
    expect(levels(marketDepth(book, undefined).asks)).toEqual([
      ["1.5", 3, 1],
      ["2", 2, 1],
      ["2.5", 12, 2],
    ]);
    expect(levels(marketDepth(book, "H100").asks)).toEqual([
      ["2", 2, 1],
      ["2.5", 12, 2],
    ]);
  });

  it("sums resting demand per max price, highest first; a model's bids are the orders that accept it", () => {
    const book = new OrderBook();
    book.submitOrder(order(4, "1"));
    book.submitOrder(order(2, "1", ["H100"]));
    book.submitOrder(order(8, "3", ["A100"]));
    expect(levels(marketDepth(book, undefined).bids)).toEqual([
      ["3", 8, 1],
      ["1", 6, 2],
    ]);
    expect(levels(marketDepth(book, "H100").bids)).toEqual([["1", 6, 2]]);
    expect(levels(marketDepth(book, "A100").bids)).toEqual([
      ["3", 8, 1],
      ["1", 4, 1],
    ]);
  });

  it(`keeps the ${DEPTH_LIMITS.levelsMax} best levels of each side`, () => {
    const book = new OrderBook();
    const count = DEPTH_LIMITS.levelsMax + 20;
    for (let i = 1; i <= count; i++)
      book.addOffer(offer("H100", Amount.fromBaseUnits(BigInt(i) * 1_000_000_000n + 500_000_000n).toString(), 1));
    const depth = marketDepth(book, undefined);
    expect(depth.asks).toHaveLength(DEPTH_LIMITS.levelsMax);
    expect(depth.asks[0]?.price.toString()).toBe("1.5");
    expect(depth.asks[DEPTH_LIMITS.levelsMax - 1]?.price.toString()).toBe(`${DEPTH_LIMITS.levelsMax}.5`);
    expect(depth.partial).toBe(false);
  });
});
