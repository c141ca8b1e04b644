// HTTP tests of the hard provider filters: an order with requirements.providers.deny matches another
// provider's offer through POST /v1/orders, GET /v1/quote honours allowProviders / denyProviders,
// and bad filters are refused with their codes.
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Wallet } from "../../src/chain/wallet.js";
import { signRequest } from "../../src/contract/request-signing.js";
import type { Parties } from "../support/market.js";
import { openServedMarket } from "../support/server.js";
import type { ServedMarket } from "../support/server.js";

let served: ServedMarket;
let parties: Parties;
let app: FastifyInstance;
/** A second provider, dearer than parties.provider. */
const other = Wallet.generate();

function signed(wallet: Wallet, url: string, body: unknown, key: string): Promise<LightMyRequestResponse> {
  const payload = JSON.stringify(body);
  const headers = signRequest({ method: "POST", path: url, body: payload, idempotencyKey: key }, wallet, Date.now());
  return app.inject({ method: "POST", url, payload, headers: { ...headers, "content-type": "application/json" } });
}

const offer = (price: string) => ({ gpuCapacity: { gpuCount: 8, gpuModel: "H100", vramGb: 80 }, pricePerHour: price, availableHours: 24 });
const requirements = { minGpuCount: 2, minVramGb: 40, maxPricePerHour: "3", estimatedHours: 2 };
const quoteUrl = "/v1/quote?gpus=2&vram=40&maxPrice=3&hours=2";

beforeAll(async () => {
  served = await openServedMarket();
  ({ parties, app } = served);
  expect((await signed(parties.provider, "/v1/offers", offer("2"), "pf-offer-cheap")).statusCode).toBe(200);
  expect((await signed(other, "/v1/offers", offer("2.5"), "pf-offer-dear")).statusCode).toBe(200);
});
afterAll(() => served.close());

describe("provider filters over HTTP", () => {
  it("GET /v1/quote: denyProviders skips the cheaper provider, allowProviders keeps only the listed one", async () => {
    const providersOf = async (query: string): Promise<string[]> => {
      const response = await app.inject({ method: "GET", url: `${quoteUrl}${query}` });
      expect(response.statusCode).toBe(200);
      return response.json<{ matches: { providerId: string }[] }>().matches.map((m) => m.providerId);
    };
    expect(await providersOf("")).toEqual([parties.provider.address, other.address]);
    expect(await providersOf(`&denyProviders=${parties.provider.address}`)).toEqual([other.address]);
    expect(await providersOf(`&allowProviders=${other.address}`)).toEqual([other.address]);
    expect(await providersOf(`&allowProviders=${other.address},${parties.provider.address}`)).toEqual([
      parties.provider.address,
      other.address,
    ]);
    const both = await app.inject({
      method: "GET",
      url: `${quoteUrl}&allowProviders=${other.address}&denyProviders=${other.address}`,
    });
    expect(both.statusCode).toBe(400);
    expect(both.json<{ code: string }>().code).toBe("INVALID_FIELD");
    expect((await app.inject({ method: "GET", url: `${quoteUrl}&denyProviders=not-an-address` })).statusCode).toBe(400);
  });

  it("POST /v1/orders with providers.deny matches another provider's offer", async () => {
    const submitted = await signed(
      parties.buyer,
      "/v1/orders",
      { requirements: { ...requirements, providers: { deny: [parties.provider.address] } } },
      "pf-o1",
    );
    expect(submitted.statusCode).toBe(200);
    const body = submitted.json<{ status: string; match?: { providerId: string; pricePerHour: string } }>();
    expect(body.status).toBe("Matched");
    expect(body.match?.providerId).toBe(other.address);
    expect(body.match?.pricePerHour).toBe("2.5");
  });

  it("POST /v1/orders refuses an empty allow list, an id in both lists and a list past PROVIDER_FILTER_MAX", async () => {
    const codeOf = async (providers: unknown, key: string): Promise<[number, string]> => {
      const response = await signed(parties.buyer, "/v1/orders", { requirements: { ...requirements, providers } }, key);
      return [response.statusCode, response.json<{ code: string }>().code];
    };
    expect((await codeOf({ allow: [] }, "pf-bad-1"))[0]).toBe(400);
    expect(await codeOf({ allow: [other.address], deny: [other.address] }, "pf-bad-2")).toEqual([400, "INVALID_FIELD"]);
    const many = Array.from({ length: 65 }, () => Wallet.generate().address);
    expect((await codeOf({ deny: many }, "pf-bad-3"))[0]).toBe(400);
    expect((await codeOf({ deny: [parties.provider.address], block: [] }, "pf-bad-4"))[0]).toBe(400);
  });
});
