// GET /v1/quote and GET /v1/offers/best through the app with their cache: an answer asked again is
// the same JSON, with Fastify's JSON content type; a new offer or a match shows in the next answer.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openServedMarket } from "../support/server.js";
import type { ServedMarket } from "../support/server.js";

let served: ServedMarket;
beforeAll(async () => {
  served = await openServedMarket();
});
afterAll(() => served.close());

const offer = (provider: string, price: string) => ({
  providerId: provider,
  gpuCapacity: { gpuCount: 2, gpuModel: "H100", vramGb: 80 },
  pricePerHour: price,
  availableHours: 24,
});

async function get(url: string): Promise<{ body: string; type: string }> {
  const response = await served.app.inject({ method: "GET", url });
  expect(response.statusCode).toBe(200);
  return { body: response.body, type: String(response.headers["content-type"]) };
}

describe("quote cache over HTTP", () => {
  it("answers again with the same JSON, and with what changed once the book changes", async () => {
    const { market, parties } = served;
    const quoteUrl = "/v1/quote?gpus=2&maxPrice=9&hours=1";
    const bestUrl = "/v1/offers/best?gpus=2&maxPrice=9&hours=1";
    const emptyQuote = await get(quoteUrl);
    expect(JSON.parse(emptyQuote.body)).toMatchObject({ matches: [], explanation: {} });
    const { offerId: dear } = await market.addOffer("a1", offer(parties.provider.address, "3"));
    const first = await get(quoteUrl);
    expect(first.type).toBe("application/json; charset=utf-8");
    expect(JSON.parse(first.body)).toMatchObject({ matches: [{ offerId: dear }] });
    expect(await get(quoteUrl)).toEqual(first);
    // The reordered query asks the same question: the same answer.
    expect(await get("/v1/quote?hours=1&maxPrice=9&gpus=2")).toEqual(first);
    const best = await get(bestUrl);
    expect((JSON.parse(best.body) as { offers: { offerId: string }[] }).offers.map((o) => o.offerId)).toEqual([dear]);
    expect(await get(bestUrl)).toEqual(best);

    const { offerId: cheap } = await market.addOffer("a2", offer(parties.provider.address, "1"));
    expect((JSON.parse((await get(quoteUrl)).body) as { matches: { offerId: string }[] }).matches.map((m) => m.offerId)).toEqual([
      cheap,
      dear,
    ]);
    // A match takes the cheap offer's GPUs: it leaves both answers.
    await market.submitOrder("o1", {
      buyerId: parties.buyer.address,
      requirements: { minGpuCount: 2, minVramGb: 40, maxPricePerHour: "9", estimatedHours: 1 },
    });
    expect((JSON.parse((await get(quoteUrl)).body) as { matches: { offerId: string }[] }).matches.map((m) => m.offerId)).toEqual([dear]);
    expect((JSON.parse((await get(bestUrl)).body) as { offers: { offerId: string }[] }).offers.map((o) => o.offerId)).toEqual([dear]);
  });
});
