// The HTTP API through app.inject on a real marketplace (SQLite + embedded chain): signed requests
// with Idempotency-Key work and replay their first answer; unsigned, forged, replayed or
// foreign-owner requests are refused with 401 / 403 and change nothing; bad bodies get a 4xx.
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Wallet } from "../../src/chain/wallet.js";
import type { Marketplace } from "../../src/market/marketplace.js";
import { buildApp } from "../../src/server/app.js";
import { signRequest } from "../../src/contract/request-signing.js";
import { newDisputeId } from "../../src/core/ids.js";
import { attest, openDisputeStatement } from "../../src/settlement/statements.js";
import { SCORE_WEIGHTS } from "../../src/orderbook/score.js";
import type { Parties } from "../support/market.js";
import { openServedMarket } from "../support/server.js";
import type { ServedMarket } from "../support/server.js";

let served: ServedMarket;
let parties: Parties;
let market: Marketplace;
let app: FastifyInstance;

beforeAll(async () => {
  served = await openServedMarket();
  ({ parties, market, app } = served);
});
afterAll(() => served.close());

function signed(
  wallet: Wallet,
  method: "POST" | "GET",
  url: string,
  body: unknown,
  key?: string,
  nonce?: string,
): Promise<LightMyRequestResponse> {
  const payload = body === undefined ? "" : JSON.stringify(body);
  const headers = signRequest(
    { method, path: url.split("?")[0] ?? url, body: payload, ...(key === undefined ? {} : { idempotencyKey: key }) },
    wallet,
    Date.now(),
    nonce,
  );
  return app.inject({ method, url, payload, headers: { ...headers, "content-type": "application/json" } });
}

const offer = { gpuCapacity: { gpuCount: 8, gpuModel: "H100", vramGb: 80 }, pricePerHour: "2.5", availableHours: 24 };
const order = { requirements: { minGpuCount: 4, minVramGb: 40, maxPricePerHour: "3", estimatedHours: 2 } };

describe("HTTP API", () => {
  it("a signed POST with an Idempotency-Key lists an offer for its signer; a repeat replays the first answer", async () => {
    const first = await signed(parties.provider, "POST", "/v1/offers", offer, "k1");
    expect(first.statusCode).toBe(200);
    const { offerId } = first.json<{ offerId: string }>();
    expect(market.book.getOffer(offerId as never).providerId).toBe(parties.provider.address);
    const again = await signed(parties.provider, "POST", "/v1/offers", offer, "k1");
    expect(again.json()).toEqual({ offerId });
    expect(market.book.offerCount).toBe(1);
    const other = await signed(parties.provider, "POST", "/v1/offers", { ...offer, availableHours: 12 }, "k1");
    expect([other.statusCode, other.json<{ code: string }>().code]).toEqual([422, "IDEMPOTENCY_KEY_REUSED"]);
  });

  it("orders match, are readable, and only their buyer may cancel them (403 otherwise)", async () => {
    const submitted = await signed(parties.buyer, "POST", "/v1/orders", { requirements: { ...order.requirements, minGpuCount: 64 } }, "o1");
    expect(submitted.statusCode).toBe(200);
    const { orderId, status } = submitted.json<{ orderId: string; status: string }>();
    expect(status).toBe("Pending");
    const foreign = await signed(parties.provider, "POST", `/v1/orders/${orderId}/cancel`, undefined, "c1");
    expect([foreign.statusCode, foreign.json<{ code: string }>().code]).toEqual([403, "FORBIDDEN"]);
    const cancelled = await signed(parties.buyer, "POST", `/v1/orders/${orderId}/cancel`, undefined, "c1");
    expect(cancelled.statusCode).toBe(200);
    const read = await app.inject({ method: "GET", url: `/v1/orders/${orderId}` });
    expect(read.json<{ status: string; buyerId: string }>()).toMatchObject({ status: "Cancelled", buyerId: parties.buyer.address });
    const matched = await signed(parties.buyer, "POST", "/v1/orders", order, "o2");
    expect(matched.json<{ status: string; match: { totalCost: string } }>()).toMatchObject({
      status: "Matched",
      match: { totalCost: "20" },
    });
  });

  it("unsigned, forged and replayed requests get 401 and change nothing", async () => {
    const seq = market.lastSeq;
    const unsigned = await app.inject({ method: "POST", url: "/v1/offers", payload: offer, headers: { "idempotency-key": "u1" } });
    expect([unsigned.statusCode, unsigned.body]).toEqual([401, expect.stringContaining("UNAUTHORIZED")]);
    const payload = JSON.stringify(offer);
    const headers = {
      ...signRequest({ method: "POST", path: "/v1/offers", body: payload, idempotencyKey: "t3" }, parties.provider, Date.now()),
      "content-type": "application/json",
    };
    const tampered = await app.inject({ method: "POST", url: "/v1/offers", payload: payload.replace("2.5", "0.5"), headers });
    expect(tampered.statusCode, tampered.body).toBe(401);
    const moved = await app.inject({ method: "POST", url: "/v1/orders", payload, headers });
    expect(moved.statusCode, moved.body).toBe(401);
    const rekeyed = await app.inject({ method: "POST", url: "/v1/offers", payload, headers: { ...headers, "idempotency-key": "t4" } });
    expect([rekeyed.statusCode, rekeyed.json<{ details: { reason: string } }>().details.reason]).toEqual([
      401,
      expect.stringMatching(/does not verify/),
    ]);
    const ok = await app.inject({ method: "POST", url: "/v1/offers", payload, headers });
    expect(ok.statusCode).toBe(200);
    const replayed = await app.inject({ method: "POST", url: "/v1/offers", payload, headers });
    expect([replayed.statusCode, replayed.json<{ details: { reason: string } }>().details.reason]).toEqual([
      401,
      expect.stringMatching(/nonce/),
    ]);
    expect(market.lastSeq).toBe(seq + 1);
  });

  it("a body that is not JSON gets 415 and changes nothing; a body sent under the empty body's digest gets 401", async () => {
    const { orderId } = (
      await signed(parties.buyer, "POST", "/v1/orders", { requirements: { ...order.requirements, minGpuCount: 64 } }, "ct-order")
    ).json<{ orderId: string }>();
    const seq = market.lastSeq;
    const url = `/v1/orders/${orderId}/cancel`;
    // Signed over an empty body, sent with one: the digest must be checked over the bytes that came.
    const emptyDigest = (key: string): Record<string, string> => ({
      ...signRequest({ method: "POST", path: url, body: "", idempotencyKey: key }, parties.buyer, Date.now()),
    });
    for (const [contentType, key] of [
      ["text/plain", "ct-1"],
      ["application/x-www-form-urlencoded", "ct-2"],
      [undefined, "ct-3"],
    ] as const) {
      const refused = await app.inject({
        method: "POST",
        url,
        payload: "cancel=please",
        headers: { ...emptyDigest(key), ...(contentType === undefined ? {} : { "content-type": contentType }) },
      });
      expect([refused.statusCode, refused.json<{ code: string }>().code], contentType).toEqual([415, "UNSUPPORTED_MEDIA_TYPE"]);
    }
    const json = await app.inject({
      method: "POST",
      url,
      payload: "{}",
      headers: { ...emptyDigest("ct-4"), "content-type": "application/json" },
    });
    expect([json.statusCode, json.json<{ details: { reason: string } }>().details.reason]).toEqual([
      401,
      expect.stringMatching(/content-digest does not match/),
    ]);
    expect(market.lastSeq).toBe(seq);
    expect((await app.inject({ method: "GET", url: `/v1/orders/${orderId}` })).json<{ status: string }>().status).toBe("Pending");
  });

  it("bad bodies and a missing Idempotency-Key get a 4xx with a code, never a 5xx", async () => {
    const cases: [unknown, string | undefined][] = [
      [{ ...offer, pricePerHour: "-1" }, "b1"],
      [{ ...offer, gpuCapacity: { ...offer.gpuCapacity, gpuCount: 0 } }, "b2"],
      [{ ...offer, extra: true }, "b3"],
      [offer, undefined],
      ["not an object", "b5"],
    ];
    for (const [body, key] of cases) {
      const response = await signed(parties.provider, "POST", "/v1/offers", body, key);
      expect(response.statusCode, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(response.statusCode).toBeLessThan(500);
      expect(typeof response.json<{ code: string }>().code).toBe("string");
    }
    const big = await signed(
      parties.provider,
      "POST",
      "/v1/offers",
      { ...offer, gpuCapacity: { ...offer.gpuCapacity, gpuModel: "x".repeat(70_000) } },
      "b6",
    );
    expect(big.statusCode).toBeLessThan(500);
    expect((await app.inject({ method: "GET", url: "/healthz" })).json<{ status: string }>().status).toBe("ok");
  });
});

describe("HTTP API reads", () => {
  it("quotes rank the book's offers; bad query parameters get a 400 with a code", async () => {
    const quote = await app.inject({ method: "GET", url: "/v1/quote?gpus=2&vram=40&maxPrice=3&hours=1&features=&limit=5" });
    expect(quote.statusCode).toBe(200);
    const { matches } = quote.json<{ matches: { offerId: string; totalCost: string; score: number }[] }>();
    expect(matches.length).toBeGreaterThan(0);
    expect(matches[0]?.totalCost).toBe("5");
    for (const url of [
      "/v1/quote?gpus=0&maxPrice=3&hours=1",
      "/v1/quote?gpus=2&maxPrice=abc&hours=1",
      "/v1/quote?gpus=2&maxPrice=3&hours=1&features=warp",
      "/v1/quote?gpus=2&maxPrice=3&hours=1&limit=1000",
      "/v1/quote?gpus=2&maxPrice=3&hours=1&bogus=1",
    ]) {
      const bad = await app.inject({ method: "GET", url });
      expect(bad.statusCode, url).toBe(400);
      expect(typeof bad.json<{ code: string }>().code).toBe("string");
    }
  });

  it("a quote explains each match like every other match answer: its score breakdown, whose parts add up to the score", async () => {
    const quote = await app.inject({ method: "GET", url: "/v1/quote?gpus=2&vram=40&maxPrice=3&hours=1&limit=5" });
    const { matches } = quote.json<{ matches: { score: number; scoreBreakdown?: Record<string, number> }[] }>();
    expect(matches.length).toBeGreaterThan(0);
    for (const match of matches) {
      const { total, ...parts } = match.scoreBreakdown ?? {};
      expect(Object.keys(parts).sort()).toEqual(Object.keys(SCORE_WEIGHTS).sort());
      expect(total).toBe(match.score);
      expect(Object.values(parts).reduce((sum, part) => sum + part, 0)).toBeCloseTo(match.score, 6);
    }
  });

  it("stats per GPU model: offers, free GPUs, lowest and median price", async () => {
    const { models } = (await app.inject({ method: "GET", url: "/v1/stats" })).json<{
      models: { gpuModel: string; offers: number; freeGpus: number; lowestPrice: string; medianPrice: string }[];
    }>();
    const h100 = models.find((m) => m.offers > 0);
    expect(h100?.lowestPrice).toBe("2.5");
    expect(h100?.medianPrice).toBe("2.5");
    expect(h100?.freeGpus).toBe(market.book.activeOffers().reduce((n, o) => n + o.freeGpuCount, 0));
  });

  it("the event feed pages from any seq", async () => {
    const all = (await app.inject({ method: "GET", url: "/v1/events?after=0&limit=1000" })).json<{ events: { seq: number }[] }>().events;
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: market.lastSeq }, (_, i) => i + 1));
    const tail = (await app.inject({ method: "GET", url: `/v1/events?after=${market.lastSeq - 2}` })).json<{ events: { seq: number }[] }>()
      .events;
    expect(tail).toHaveLength(2);
    expect((await app.inject({ method: "GET", url: "/v1/events?after=-1" })).statusCode).toBe(400);
  });
});

describe("HTTP API operations", () => {
  it("serves OpenAPI at /docs with every route, and Prometheus metrics at /metrics", async () => {
    expect((await app.inject({ method: "GET", url: "/docs" })).statusCode).toBeLessThan(400);
    const spec = (await app.inject({ method: "GET", url: "/docs/json" })).json<{ openapi: string; paths: Record<string, unknown> }>();
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(["/v1/offers", "/v1/orders", "/v1/orders/{id}", "/v1/quote", "/v1/stats", "/v1/events", "/healthz"]),
    );
    const metrics = await app.inject({ method: "GET", url: "/metrics" });
    expect(metrics.headers["content-type"]).toMatch(/text\/plain/);
    expect(metrics.body).toMatch(/molt_http_requests_total\{method="GET",route="\/docs\/json",status="200"\} 1/);
    expect(metrics.body).toContain(`molt_book_offers ${market.book.offerCount}`);
    expect(metrics.body).toContain("process_cpu_user_seconds_total");
  });

  it("documents every operation for a reader: a known tag and a summary each, the signature scheme on every POST, and the live feed", async () => {
    interface Operation {
      tags?: string[];
      summary?: string;
      security?: Record<string, unknown>[];
    }
    const spec = (await app.inject({ method: "GET", url: "/docs/json" })).json<{
      tags: { name: string; description: string }[];
      paths: Record<string, Record<string, Operation>>;
      components: { securitySchemes: Record<string, { type: string; in?: string; name?: string }> };
    }>();
    const tagNames = spec.tags.map((tag) => tag.name);
    expect(tagNames).toEqual(expect.arrayContaining(["offers", "orders", "jobs", "escrows", "disputes", "market", "feed", "operations"]));
    const schemes = Object.keys(spec.components.securitySchemes);
    expect(Object.values(spec.components.securitySchemes).map((scheme) => scheme.name)).toEqual(
      expect.arrayContaining(["Signature", "Signature-Input", "Content-Digest", "Idempotency-Key"]),
    );
    const operations = Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
    );
    expect(operations.length).toBeGreaterThan(20);
    for (const { path, method, operation } of operations) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(operation.tags?.length, where).toBe(1);
      expect(tagNames, where).toContain(operation.tags?.[0]);
      expect(operation.summary?.length ?? 0, where).toBeGreaterThan(3);
      if (method === "post") expect(Object.keys(operation.security?.[0] ?? {}).sort(), where).toEqual([...schemes].sort());
    }
    expect(spec.paths["/v1/feed"]?.get?.summary).toBeDefined();
  });

  it("a client over its request rate gets 429 RATE_LIMITED", async () => {
    const limited = await buildApp({ market, requestsPerMinute: 3 });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) codes.push((await limited.inject({ method: "GET", url: "/healthz" })).statusCode);
      expect(codes).toEqual([200, 200, 200, 429, 429]);
      const refused = await limited.inject({ method: "GET", url: "/healthz" });
      expect(refused.json<{ code: string; details: { max: number } }>()).toMatchObject({ code: "RATE_LIMITED", details: { max: 3 } });
    } finally {
      await limited.close();
    }
  });
});

describe("HTTP API job routes", () => {
  it("the provider starts and completes a funded job with its attestation; others get 403; the buyer disputes it", async () => {
    expect((await signed(parties.provider, "POST", "/v1/offers", offer, "jr-offer")).statusCode).toBe(200);
    const { orderId } = (
      await signed(parties.buyer, "POST", "/v1/orders", { requirements: { ...order.requirements, minGpuCount: 2 } }, "jr-order")
    ).json<{ orderId: string }>();
    const escrow = await market.fundEscrow("jr-fund", orderId, parties.buyer); // over HTTP once the client signs chain transactions
    expect((await signed(parties.buyer, "POST", `/v1/orders/${orderId}/start`, undefined, "jr-s0")).statusCode).toBe(403);
    const started = await signed(parties.provider, "POST", `/v1/orders/${orderId}/start`, undefined, "jr-s1");
    expect(started.json()).toEqual({ orderId, status: "Running" });
    const proof = {
      escrowId: escrow.id,
      orderId,
      offerId: escrow.offerId,
      provider: parties.provider.address,
      gpuModel: "H100",
      gpuCount: 2,
      startedAtMs: escrow.createdAt.getTime(),
      endedAtMs: Date.now(),
      exitStatus: 0,
      outputDigest: "a".repeat(64),
      usageDigest: "b".repeat(64),
    };
    const attestation = attest(proof, parties.provider);
    expect((await signed(parties.buyer, "POST", `/v1/orders/${orderId}/complete`, { attestation }, "jr-c0")).statusCode).toBe(403);
    const forged = await signed(
      parties.provider,
      "POST",
      `/v1/orders/${orderId}/complete`,
      { attestation: { ...attestation, proof: { ...proof, gpuCount: 4 } } },
      "jr-c1",
    );
    expect([forged.statusCode, forged.json<{ code: string }>().code]).toEqual([422, "INVALID_SIGNATURE"]);
    const completed = await signed(parties.provider, "POST", `/v1/orders/${orderId}/complete`, { attestation }, "jr-c2");
    expect(completed.json(), completed.body).toEqual({ orderId, status: "Completed" });
    const dispute = openDisputeStatement({
      id: newDisputeId(Date.now()),
      escrowId: escrow.id,
      party: parties.buyer,
      reason: "output missing",
      openedAtMs: Date.now(),
    });
    expect((await signed(parties.provider, "POST", `/v1/orders/${orderId}/dispute`, { dispute }, "jr-d0")).statusCode).toBe(403);
    const disputed = await signed(parties.buyer, "POST", `/v1/orders/${orderId}/dispute`, { dispute }, "jr-d1");
    expect(disputed.json()).toEqual({ orderId, status: "Disputed" });
    const bad = await signed(
      parties.buyer,
      "POST",
      `/v1/orders/${orderId}/dispute`,
      { dispute: { ...dispute, evidence: ["nope"] } },
      "jr-d2",
    );
    expect(bad.statusCode).toBe(400);
  });
});
