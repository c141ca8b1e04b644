// Security battery of the HTTP API: every mutating route refuses a caller who does not own the
// object with 403, and fast-check bodies on every POST route get a 4xx (never a 5xx) and change
// nothing.
import fc from "fast-check";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Wallet } from "../../src/chain/wallet.js";
import { newDisputeId } from "../../src/core/ids.js";
import type { EscrowAccount } from "../../src/settlement/escrow-account.js";
import type { Marketplace } from "../../src/market/marketplace.js";
import { signRequest } from "../../src/contract/request-signing.js";
import { attest, openDisputeStatement } from "../../src/settlement/statements.js";
import type { Parties } from "../support/market.js";
import { openServedMarket } from "../support/server.js";
import type { ServedMarket } from "../support/server.js";

let served: ServedMarket;
let parties: Parties;
let market: Marketplace;
let app: FastifyInstance;
let offerId: string;
let orderId: string;
let restingId: string;
let escrow: EscrowAccount;
let keyCounter = 0;
const stranger = Wallet.generate();

function post(wallet: Wallet, url: string, body: unknown): Promise<LightMyRequestResponse> {
  const payload = body === undefined ? "" : JSON.stringify(body);
  const headers = signRequest({ method: "POST", path: url, body: payload, idempotencyKey: `sec-${++keyCounter}` }, wallet, Date.now());
  return app.inject({ method: "POST", url, payload, headers: { ...headers, "content-type": "application/json" } });
}

beforeAll(async () => {
  served = await openServedMarket({ deps: { requestsPerMinute: 1_000_000 } });
  ({ parties, market, app } = served);
  offerId = (
    await post(parties.provider, "/v1/offers", {
      gpuCapacity: { gpuCount: 8, gpuModel: "H100", vramGb: 80 },
      pricePerHour: "2.5",
      availableHours: 24,
    })
  ).json<{ offerId: string }>().offerId;
  orderId = (
    await post(parties.buyer, "/v1/orders", { requirements: { minGpuCount: 2, minVramGb: 40, maxPricePerHour: "3", estimatedHours: 1 } })
  ).json<{ orderId: string }>().orderId;
  restingId = (
    await post(parties.buyer, "/v1/orders", { requirements: { minGpuCount: 64, minVramGb: 40, maxPricePerHour: "3", estimatedHours: 1 } })
  ).json<{ orderId: string }>().orderId;
  escrow = await market.fundEscrow("sec-fund", orderId, parties.buyer);
  await market.startJob("sec-start", orderId, parties.provider.address);
});
afterAll(() => served.close());

describe("HTTP security battery", () => {
  it("every mutating route x a caller who does not own the object: 403, nothing changed", async () => {
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
    const failed = { ...proof, exitStatus: 1 };
    const cases: [string, unknown][] = [
      [`/v1/offers/${offerId}/pause`, undefined],
      [`/v1/offers/${offerId}/resume`, undefined],
      [`/v1/offers/${offerId}/withdraw`, undefined],
      [`/v1/orders/${restingId}/cancel`, undefined],
      [`/v1/orders/${orderId}/start`, undefined],
      [`/v1/orders/${orderId}/complete`, { attestation: attest(proof, parties.provider) }],
      [`/v1/orders/${orderId}/fail`, { attestation: attest(failed, parties.provider) }],
      [
        `/v1/orders/${orderId}/dispute`,
        {
          dispute: openDisputeStatement({
            id: newDisputeId(Date.now()),
            escrowId: escrow.id,
            party: stranger,
            reason: "not mine",
            openedAtMs: Date.now(),
          }),
        },
      ],
      [`/v1/orders/${orderId}/fund`, {}],
      [`/v1/orders/${orderId}/settle`, { actualHours: "0.5" }],
      [`/v1/orders/${orderId}/refund`, {}],
      [`/v1/orders/${orderId}/dispute/accept`, {}],
      [`/v1/orders/${orderId}/dispute/decide`, { providerShare: "1", reason: "mine" }],
    ];
    for (const [url, body] of cases) {
      // The arbiter decides disputes: for that route the buyer and the provider are the outsiders.
      const callers = url.endsWith("/decide") ? [stranger, parties.buyer, parties.provider] : [stranger, parties.arbiter];
      for (const caller of callers) {
        const seq = market.lastSeq;
        const response = await post(caller, url, body);
        expect(response.statusCode, `${url} by ${caller === stranger ? "a stranger" : "the arbiter"}: ${response.body}`).toBe(403);
        expect(market.lastSeq).toBe(seq);
      }
    }
    // The buyer may not act as the provider, nor the provider as the buyer.
    expect((await post(parties.buyer, `/v1/offers/${offerId}/pause`, undefined)).statusCode).toBe(403);
    expect((await post(parties.provider, `/v1/orders/${restingId}/cancel`, undefined)).statusCode).toBe(403);
    expect((await post(parties.buyer, `/v1/orders/${orderId}/start`, undefined)).statusCode).toBe(403);
    expect((await post(parties.provider, `/v1/orders/${orderId}/fund`, {})).statusCode).toBe(403);
    expect((await post(parties.provider, `/v1/orders/${orderId}/refund`, {})).statusCode).toBe(403);
  });

  it("fast-check bodies on every POST route get a 4xx, never a 5xx, and change nothing", async () => {
    const routes = [
      "/v1/offers",
      "/v1/orders",
      `/v1/offers/${offerId}/pause`,
      `/v1/orders/${restingId}/cancel`,
      `/v1/orders/${orderId}/complete`,
      `/v1/orders/${orderId}/fail`,
      `/v1/orders/${orderId}/dispute`,
      "/v1/airdrops",
      `/v1/orders/${orderId}/fund`,
      `/v1/orders/${orderId}/settle`,
      `/v1/orders/${orderId}/refund`,
      `/v1/orders/${orderId}/dispute/decide`,
      `/v1/orders/${orderId}/dispute/accept`,
    ];
    // Strings that are never a valid MOLT amount, so no generated body is a valid command by chance.
    const notDecimal = fc.string().filter((text) => !/^\d/.test(text));
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.record(
        {
          gpuCapacity: fc.record({ gpuCount: fc.oneof(fc.integer(), fc.string()), gpuModel: fc.string(), vramGb: fc.double() }),
          pricePerHour: fc.oneof(notDecimal, fc.double()),
          availableHours: fc.anything(),
        },
        { requiredKeys: [] },
      ),
      fc.record(
        {
          requirements: fc.record(
            {
              minGpuCount: fc.integer({ min: -5, max: 5000 }),
              minVramGb: fc.integer(),
              maxPricePerHour: notDecimal,
              estimatedHours: fc.integer(),
            },
            { requiredKeys: [] },
          ),
        },
        { requiredKeys: [] },
      ),
      fc.record({
        attestation: fc.record({
          proof: fc.dictionary(fc.string(), fc.jsonValue()),
          signature: fc.string({
            unit: fc.constantFrom("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"),
            maxLength: 130,
          }),
        }),
      }),
      fc.record({ molt: fc.oneof(notDecimal, fc.constant("-1"), fc.constant("0"), fc.constant("99999999999")) }),
      fc.record(
        {
          actualHours: fc.oneof(notDecimal, fc.constant("0.5"), fc.double()),
          confirmation: fc.dictionary(fc.string(), fc.jsonValue()),
          chainSignature: fc.record({
            message: fc.base64String({ maxLength: 200 }),
            signature: fc.base64String({ minLength: 88, maxLength: 88 }),
          }),
        },
        { requiredKeys: [] },
      ),
      fc.record({ providerShare: fc.oneof(notDecimal, fc.constant("1")), reason: fc.string() }, { requiredKeys: [] }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        body,
        fc.constantFrom(parties.provider, parties.buyer, stranger),
        async (url, value, caller) => {
          // Routes without a body ignore one: their owner's request is valid whatever it carries (the 403 matrix covers the rest).
          fc.pre(
            !(
              (url.endsWith("/pause") && caller === parties.provider) ||
              (url.endsWith("/cancel") && caller === parties.buyer) ||
              (url.endsWith("/fund") && caller === parties.buyer)
            ),
          );
          const seq = market.lastSeq;
          const response = await post(caller, url, value);
          expect(
            response.statusCode,
            `${url} ${JSON.stringify(value).slice(0, 200)} -> ${response.body.slice(0, 300)}`,
          ).toBeGreaterThanOrEqual(400);
          expect(response.statusCode).toBeLessThan(500);
          expect(typeof response.json<{ code: string }>().code).toBe("string");
          expect(market.lastSeq).toBe(seq);
        },
      ),
      { numRuns: 400 },
    );
  });
});
