// The server against a third-party RFC 9421 signer (http-message-signatures from npm, unchanged),
// on SQLite and on PostgreSQL: a request it signs with its own parameter order, its default label
// and an `expires` is accepted; an expired one is refused; a captured request is refused when
// replayed to a second app on the same store, to a restarted process (SQLite) or to a second node
// on the same schema (PostgreSQL), and when replayed under another Idempotency-Key. Refusals change
// nothing.
import { createPrivateKey, generateKeyPairSync, sign as cryptoSign } from "node:crypto";
import type { KeyObject } from "node:crypto";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { httpbis } from "http-message-signatures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Wallet } from "../../src/chain/wallet.js";
import type { Marketplace } from "../../src/market/marketplace.js";
import { buildApp } from "../../src/server/app.js";
import { contentDigest } from "../../src/contract/http-signature.js";
import { newNonce } from "../../src/contract/request-signing.js";
import { openMarket, openParties, postgresFactory, sqliteFactory } from "../support/market.js";
import type { Parties, StoreFactory } from "../support/market.js";
import { postgresUrl } from "../support/postgres.js";

const url = await postgresUrl("RFC 9421 interoperability");
const factories: StoreFactory[] = [sqliteFactory, ...(url === undefined ? [] : [postgresFactory(url)])];

/** A wallet and the same secret key as a node:crypto KeyObject, for a signer that is not ours. */
function walletWithKey(): { readonly wallet: Wallet; readonly privateKey: KeyObject } {
  const der = generateKeyPairSync("ed25519").privateKey.export({ format: "der", type: "pkcs8" });
  return {
    wallet: Wallet.fromSeed(der.subarray(der.length - 32)),
    privateKey: createPrivateKey({ key: der, format: "der", type: "pkcs8" }),
  };
}

const OFFER = JSON.stringify({ gpuCapacity: { gpuCount: 8, gpuModel: "H100", vramGb: 80 }, pricePerHour: "2.5", availableHours: 24 });

/** Headers for POST /v1/offers signed by the library: components and parameters in an order of its own, default label "sig". */
async function thirdPartySigned(
  signer: { readonly wallet: Wallet; readonly privateKey: KeyObject },
  key: string,
  createdMs: number,
  expiresMs: number,
): Promise<Record<string, string>> {
  const signed = await httpbis.signMessage(
    {
      key: {
        id: signer.wallet.address,
        alg: "ed25519",
        sign: (data: Buffer) => Promise.resolve(cryptoSign(null, data, signer.privateKey)),
      },
      fields: ["idempotency-key", "content-digest", "@path", "@method"],
      params: ["nonce", "keyid", "expires", "created", "alg"],
      paramValues: { nonce: newNonce(), created: new Date(createdMs), expires: new Date(expiresMs) },
    },
    {
      method: "POST",
      url: "http://127.0.0.1/v1/offers",
      headers: { "content-type": "application/json", "content-digest": contentDigest(OFFER), "idempotency-key": key },
    },
  );
  return Object.fromEntries(
    Object.entries(signed.headers).map(([name, value]) => [name.toLowerCase(), Array.isArray(value) ? value.join(", ") : value]),
  );
}

for (const factory of factories) {
  describe(`RFC 9421 signatures from a third-party library (${factory.name})`, () => {
    let parties: Parties;
    let db: Awaited<ReturnType<StoreFactory["fresh"]>>;
    let market: Marketplace;
    let app: FastifyInstance;
    const signer = walletWithKey();
    const post = (target: FastifyInstance, headers: Record<string, string>): Promise<LightMyRequestResponse> =>
      target.inject({ method: "POST", url: "/v1/offers", payload: OFFER, headers });
    const reasonOf = (response: LightMyRequestResponse): string => response.json<{ details: { reason: string } }>().details.reason;

    beforeAll(async () => {
      parties = await openParties();
      db = await factory.fresh();
      market = await openMarket(await db.open(), parties);
      app = await buildApp({ market });
    });
    afterAll(async () => {
      await app.close();
      await market.close();
      await db.dispose();
      parties.chain.close();
    });

    it("accepts its signature (another order, label sig, expires) and refuses it once expired", async () => {
      const headers = await thirdPartySigned(signer, "lib-1", Date.now(), Date.now() + 60_000);
      expect(headers["signature-input"]).toMatch(
        /^sig=\("idempotency-key" "content-digest" "@path" "@method"\);nonce="[^"]+";keyid="[^"]+";expires=\d+;created=\d+;alg="ed25519"$/,
      );
      const accepted = await post(app, headers);
      expect(accepted.statusCode, accepted.body).toBe(200);
      expect(market.book.getOffer(accepted.json<{ offerId: string }>().offerId as never).providerId).toBe(signer.wallet.address);
      const seq = market.lastSeq;
      const expired = await post(app, await thirdPartySigned(signer, "lib-2", Date.now() - 100_000, Date.now() - 10_000));
      expect([expired.statusCode, reasonOf(expired)]).toEqual([401, expect.stringMatching(/expired/)]);
      expect(market.lastSeq).toBe(seq);
    });

    it("a captured request is accepted once: refused by a second app and a second process on the same store, and under another key", async () => {
      const captured = await thirdPartySigned(signer, "lib-3", Date.now(), Date.now() + 60_000);
      expect((await post(app, captured)).statusCode).toBe(200);
      const seq = market.lastSeq;
      const offers = market.book.offerCount;

      // Another key: the signature covers idempotency-key, so it no longer verifies (and burns nothing).
      const rekeyed = await post(app, { ...captured, "idempotency-key": "lib-3-again" });
      expect([rekeyed.statusCode, reasonOf(rekeyed)]).toEqual([401, expect.stringMatching(/does not verify/)]);

      // A second app over the same market and store: the nonce is in the store, not in the first app.
      const secondApp = await buildApp({ market });
      try {
        const replayed = await post(secondApp, captured);
        expect([replayed.statusCode, reasonOf(replayed)]).toEqual([401, expect.stringMatching(/nonce was used/)]);
      } finally {
        await secondApp.close();
      }

      // Another process on the same database: SQLite after a restart, PostgreSQL as a second node beside the first.
      if (factory.name === "sqlite") {
        await app.close();
        await market.close();
        market = await openMarket(await db.open(), parties);
        app = await buildApp({ market });
        const replayed = await post(app, captured);
        expect([replayed.statusCode, reasonOf(replayed)]).toEqual([401, expect.stringMatching(/nonce was used/)]);
        expect([market.lastSeq, market.book.offerCount]).toEqual([seq, offers]);
      } else {
        const node = await openMarket(await db.open(), parties, undefined, "node-b");
        const nodeApp = await buildApp({ market: node });
        try {
          const replayed = await post(nodeApp, captured);
          expect([replayed.statusCode, reasonOf(replayed)]).toEqual([401, expect.stringMatching(/nonce was used/)]);
          const rekeyedThere = await post(nodeApp, { ...captured, "idempotency-key": "lib-3-node-b" });
          expect(rekeyedThere.statusCode).toBe(401);
          expect(node.lastSeq).toBe(seq);
        } finally {
          await nodeApp.close();
          await node.close();
        }
      }
      expect(market.lastSeq).toBe(seq);
    });
  });
}
