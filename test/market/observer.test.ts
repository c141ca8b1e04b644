// Marketplace.observe: an observer hears each command's outcome once its batch is answered (ok, or
// the code that refused it), and a throwing observer changes nothing in the market; a refused
// command's after-commit calls are rolled back with the rest of it.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Wallet } from "../../src/chain/wallet.js";
import { MarketError } from "../../src/core/errors.js";
import { BatchBuilder } from "../../src/market/batch.js";
import type { Marketplace } from "../../src/market/marketplace.js";
import { outcomeOf } from "../../src/market/observer.js";
import { SqlStore } from "../../src/store/sql-store.js";
import { openMarket, openParties } from "../support/market.js";
import type { Parties } from "../support/market.js";

let parties: Parties;
let market: Marketplace;

beforeAll(async () => {
  parties = await openParties();
  market = await openMarket(SqlStore.openSqlite(join(mkdtempSync(join(tmpdir(), "molt-observer-")), "market.db")), parties);
});
afterAll(async () => {
  await market.close();
  parties.chain.close();
});

const offer = (providerId: string): Parameters<Marketplace["addOffer"]>[1] => ({
  providerId,
  gpuCapacity: { gpuCount: 4, gpuModel: "H100", vramGb: 80 },
  pricePerHour: "2.5",
  availableHours: 24,
});

describe("Marketplace.observe", () => {
  it("tells each command's outcome, survives an observer that throws, and stops when removed", async () => {
    const heard: [string, string][] = [];
    const removeThrowing = market.observe({
      commandAnswered: () => {
        throw new Error("a broken observer");
      },
    });
    const remove = market.observe({ commandAnswered: (name, outcome) => heard.push([name, outcome]) });
    const { offerId } = await market.addOffer("obs-1", offer(parties.provider.address));
    await expect(market.pauseOffer("obs-2", offerId, Wallet.generate().address)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await market.pauseOffer("obs-3", offerId, parties.provider.address);
    expect(heard).toEqual([
      ["addOffer", "ok"],
      ["pauseOffer", "FORBIDDEN"],
      ["pauseOffer", "ok"],
    ]);
    remove();
    removeThrowing();
    await market.resumeOffer("obs-4", offerId, parties.provider.address);
    expect(heard).toHaveLength(3);
  });

  it("tells each sweep's result", async () => {
    const sweeps: unknown[] = [];
    const remove = market.observe({ swept: (result) => sweeps.push(result) });
    const result = await market.sweep();
    remove();
    expect(sweeps).toEqual([result]);
  });

  it("a refused command's after-commit calls are dropped with it", () => {
    const batch = new BatchBuilder(0, "n", Date.UTC(2026, 0, 2));
    batch.afterCommit.push(() => undefined);
    const mark = batch.mark();
    batch.afterCommit.push(
      () => undefined,
      () => undefined,
    );
    batch.rollback(mark);
    expect(batch.afterCommit).toHaveLength(1);
  });

  it("an outcome is the MarketError's code, else STORE_ERROR", () => {
    expect(outcomeOf(new MarketError("EXPIRED", { entity: "order", id: "ord_1", expiresAt: "2026-01-01T00:00:00.000Z" }))).toBe("EXPIRED");
    expect(outcomeOf(new Error("disk full"))).toBe("STORE_ERROR");
  });
});
