// HTTP tests of the hard filters gpuModels / minReputation and of explaining a miss: an order for
// an RTX 5090 in a book without one rests and its answer says why; quotes with no match answer 200
// with matches [] and the explanation; a price miss says PRICE_EXCEEDS_BUDGET.
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Wallet } from "../../src/chain/wallet.js";
import { signRequest } from "../../src/contract/request-signing.js";
import type { Parties } from "../support/market.js";
import { openServedMarket } from "../support/server.js";
import type { ServedMarket } from "../support/server.js";

let served: ServedMarket;
let parties: Parties;
let app: FastifyInstance;

function signed(wallet: Wallet, url: string, body: unknown, key: string): Promise<LightMyRequestResponse> {
  const payload = JSON.stringify(body);
  const headers = signRequest({ method: "POST", path: url, body: payload, idempotencyKey: key }, wallet, Date.now());
  return app.inject({ method: "POST", url, payload, headers: { ...headers, "content-type": "application/json" } });
}

interface Explanation {
  code: string;
  constraint: string;
  message: string;
  onOffer: string[];
  restsIndefinitely: boolean;
  nearest?: { pricePerHour: string; gpuModel: string };
}

const requirements = { minGpuCount: 2, minVramGb: 0, maxPricePerHour: "3", estimatedHours: 2 };

beforeAll(async () => {
  served = await openServedMarket();
  ({ parties, app } = served);
  const offer = (gpuModel: string, price: string) => ({
    gpuCapacity: { gpuCount: 8, gpuModel, vramGb: 80 },
    pricePerHour: price,
    availableHours: 24,
  });
  expect((await signed(parties.provider, "/v1/offers", offer("H100", "2.5"), "me-offer-1")).statusCode).toBe(200);
  expect((await signed(parties.provider, "/v1/offers", offer("A100", "1.5"), "me-offer-2")).statusCode).toBe(200);
});
afterAll(() => served.close());

describe("hard filters and miss explanations over HTTP", () => {
  it("POST /v1/orders for gpuModels [RTX 5090] in a book without one: Pending, and the answer says why", async () => {
    const response = await signed(parties.buyer, "/v1/orders", { requirements: { ...requirements, gpuModels: ["RTX 5090"] } }, "me-o1");
    expect(response.statusCode).toBe(200);
    const body = response.json<{ orderId: string; status: string; match?: unknown; explanation?: Explanation }>();
    expect(body.status).toBe("Pending");
    expect(body.match).toBeUndefined();
    expect(body.explanation).toMatchObject({ code: "NO_MATCHING_OFFERS", constraint: "gpuModels", restsIndefinitely: true });
    expect(body.explanation?.message).toMatch(/^no offer of model RTX 5090 \(models on offer: H100, A100\)/);
    expect(body.explanation?.message).toMatch(/waits for a new offer/);
    expect(served.market.book.getOrder(body.orderId as never).status).toBe("Pending"); // it still rests
  });

  it("POST /v1/orders with gpuModels matches only that model, normalized", async () => {
    const response = await signed(parties.buyer, "/v1/orders", { requirements: { ...requirements, gpuModels: ["nvidia h100"] } }, "me-o2");
    const body = response.json<{ status: string; match?: { pricePerHour: string } }>();
    expect(body.status).toBe("Matched");
    expect(body.match?.pricePerHour).toBe("2.5"); // not the cheaper A100
  });

  it("GET /v1/quote: models and minReputation filter; no match is 200 with matches [] and the explanation", async () => {
    const quote = async (query: string): Promise<{ matches: { pricePerHour: string }[]; explanation?: Explanation }> => {
      const response = await app.inject({
        method: "GET",
        url: `/v1/quote?gpus=2&hours=2${query.includes("maxPrice") ? "" : "&maxPrice=3"}${query}`,
      });
      expect(response.statusCode).toBe(200);
      return response.json();
    };
    expect((await quote("&models=A100")).matches.map((m) => m.pricePerHour)).toEqual(["1.5"]);
    expect((await quote("&models=A100,h100")).matches).toHaveLength(2);
    expect((await quote("")).explanation).toBeUndefined();
    const miss = await quote("&models=RTX%205090");
    expect(miss.matches).toEqual([]);
    expect(miss.explanation?.constraint).toBe("gpuModels");
    const reputation = await quote("&minReputation=0.9");
    expect(reputation.matches).toEqual([]);
    expect(reputation.explanation).toMatchObject({ code: "NO_MATCHING_OFFERS", constraint: "reputation" });
    const price = await quote("&models=H100&maxPrice=2");
    expect(price.explanation).toMatchObject({ code: "PRICE_EXCEEDS_BUDGET", constraint: "price" });
    expect(price.explanation?.message).toMatch(/^cheapest match costs 2\.5 per GPU-hour, above your 2/);
    expect((await app.inject({ method: "GET", url: "/v1/quote?gpus=2&maxPrice=3&hours=2&minReputation=2" })).statusCode).toBe(400);
  });
});
