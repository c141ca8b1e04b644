// `molt-market market candles|depth|trades` against a real listening server: tables with a text
// chart for people, the server's answer with --json, and flags refused with what they take.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Wallet } from "../../src/chain/wallet.js";
import type { CandlesView, DepthView, TradesView } from "../../src/contract/market-history.js";
import { runCli } from "../support/cli.js";
import type { CliRun } from "../support/cli.js";
import { openServedMarket } from "../support/server.js";
import type { ServedMarket } from "../support/server.js";

let served: ServedMarket;
const cli = (...argv: string[]): Promise<CliRun> => runCli(["market", ...argv, "--server", served.baseUrl]);

beforeAll(async () => {
  served = await openServedMarket({ listen: true });
  for (const [i, price] of ["2", "3", "2.5"].entries()) {
    await served.market.addOffer(`offer-${i}`, {
      providerId: Wallet.generate().address,
      gpuCapacity: { gpuCount: 2, gpuModel: "H100", vramGb: 80 },
      pricePerHour: price,
      availableHours: 48,
    });
    await served.market.submitOrder(`order-${i}`, {
      buyerId: served.parties.buyer.address,
      requirements: { minGpuCount: 2, minVramGb: 0, maxPricePerHour: price, estimatedHours: 1 },
    });
  }
  // Left in the book: 3 free A100s at 4, and an order for 5 GPUs at 1 at most, resting.
  await served.market.addOffer("offer-free", {
    providerId: Wallet.generate().address,
    gpuCapacity: { gpuCount: 3, gpuModel: "A100", vramGb: 80 },
    pricePerHour: "4",
    availableHours: 48,
  });
  await served.market.submitOrder("order-resting", {
    buyerId: served.parties.buyer.address,
    requirements: { minGpuCount: 5, minVramGb: 0, maxPricePerHour: "1", estimatedHours: 1 },
  });
}, 60_000);
afterAll(() => served.close());

describe("molt-market market", () => {
  it("trades: a table of the matches; --json is the server's page", async () => {
    const text = await cli("trades", "--model", "h100");
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/seq\s+time \(UTC\)\s+model/);
    expect(text.out.match(/ H100 /g)?.length).toBe(3);
    const json = JSON.parse((await cli("trades", "--json", "--limit", "2")).out) as TradesView;
    expect(json.trades.map((t) => t.pricePerHour)).toEqual(["2", "3"]);
    expect(json.next).toBe(json.trades[1]?.seq);
    expect((await cli("trades", "--limit", "2")).out).toContain(`more: --after ${json.next}`);
  });

  it("candles: OHLC and volumes with the close as a bar; --json; --from/--to in ISO", async () => {
    const text = await cli("candles", "--model", "H100", "--interval", "1d");
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^H100, 1d candles, /);
    expect(text.out).toMatch(/open\s+high\s+low\s+close\s+GPU-h\s+MOLT/);
    expect(text.out).toContain("█");
    const view = JSON.parse((await cli("candles", "--json", "--interval", "1d")).out) as CandlesView;
    expect(view.candles.reduce((n, c) => n + c.trades, 0)).toBe(3);
    const day = view.candles[view.candles.length - 1];
    expect(day).toMatchObject({ high: "3", low: "2" });
    const past = JSON.parse(
      (await cli("candles", "--json", "--from", "2020-01-01T00:00:00Z", "--to", "2020-01-02T00:00:00Z")).out,
    ) as CandlesView;
    expect(past).toMatchObject({ fromMs: Date.parse("2020-01-01T00:00:00Z"), toMs: Date.parse("2020-01-02T00:00:00Z"), candles: [] });
    expect((await cli("candles", "--from", "2020-01-01T00:00:00Z", "--to", "2020-01-02T00:00:00Z")).out).toContain("no trades");
  });

  it("depth: asks and bids as bars on one scale", async () => {
    const text = await cli("depth");
    expect(text.code).toBe(0);
    expect(text.out).toContain("asks (free GPUs by price, cheapest first)");
    expect(text.out).toMatch(/4\s+3\s+1\s+█{18}\n/);
    expect(text.out).toMatch(/bids \(resting demand by max price, highest first\):\n[^]*1\s+5\s+1\s+█{30}/);
    const view = JSON.parse((await cli("depth", "--json")).out) as DepthView;
    expect(view).toEqual({
      model: null,
      asks: [{ price: "4", gpus: 3, count: 1 }],
      bids: [{ price: "1", gpus: 5, count: 1 }],
      partial: false,
    });
    expect((JSON.parse((await cli("depth", "--json", "--model", "H100")).out) as DepthView).asks).toEqual([]);
  });

  it("refuses bad flags with what they take, and prints its usage", async () => {
    expect((await cli("candles", "--interval", "1w")).err).toMatch(/INVALID_FIELD.*--interval.*1h or 1d/);
    expect((await cli("candles", "--from", "yesterday")).err).toMatch(/INVALID_FIELD.*--from.*ISO 8601/);
    expect((await cli("candles", "--from", "2020-01-01T00:00:00Z", "--to", "2026-01-01T00:00:00Z")).err).toMatch(/OUT_OF_RANGE/);
    expect((await cli("trades", "--limit", "x")).code).toBe(1);
    expect((await cli("charts")).err).toMatch(/candles, depth or trades/);
    const usage = await runCli(["market", "--help"]);
    expect(usage.out).toContain("--interval I     candle width: 1h (default) or 1d");
  });
});
