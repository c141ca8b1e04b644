// The reputation wiring inside a batch: an outcome sets the provider's estimate in the book and
// records ReputationChanged in the same batch; a refused command's estimate is taken back when the
// batch ends, and a rebuild restores every estimate from the log.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { BatchBuilder } from "../../src/market/batch.js";
import { MarketFeed } from "../../src/market/feed.js";
import { MarketReputation } from "../../src/market/reputation.js";
import { SqlStore } from "../../src/store/sql-store.js";

const PROVIDER = "Prov1111111111111111111111111111111111111111";

async function setup(): Promise<{ feed: MarketFeed; reputation: MarketReputation; store: SqlStore }> {
  const store = SqlStore.openSqlite(join(mkdtempSync(join(tmpdir(), "molt-reputation-")), "market.db"));
  await store.migrate();
  const feed = new MarketFeed(store, new ManualClock(Date.UTC(2026, 0, 1)), {});
  const reputation = new MarketReputation(store, feed);
  await feed.rebuild();
  return { feed, reputation, store };
}

function lostJob(batch: BatchBuilder, orderId: string): void {
  batch.marketEvent({
    type: "OrderFailed",
    entityId: orderId,
    from: "Running",
    escrowId: null,
    providerId: PROVIDER,
    failureKind: "ProviderLost",
  });
}

describe("reputation in a batch", () => {
  it("an outcome records ReputationChanged in its batch; a refused command's estimate is taken back when the batch ends", async () => {
    const { feed, reputation, store } = await setup();
    const batch = new BatchBuilder(feed.seq, "n", Date.UTC(2026, 0, 2));
    feed.beginBatch(batch);
    const mark = batch.mark();
    lostJob(batch, "ord_1");
    reputation.noteTransition(batch, PROVIDER, "Failed");
    expect(feed.book.providerReputation(PROVIDER)).toBe(1 / 3);
    expect(batch.events.map((e) => e.type)).toEqual(["OrderFailed", "ReputationChanged"]);
    batch.rollback(mark);
    await feed.endBatch(undefined);
    expect(feed.book.providerReputation(PROVIDER)).toBe(0.5);
    await store.close();
  });

  it("a committed outcome stays in the book, and a rebuild restores it from the log", async () => {
    const { feed, reputation, store } = await setup();
    await store.writeBatch(async (writer) => {
      const batch = new BatchBuilder(feed.seq, "n", Date.UTC(2026, 0, 2));
      feed.beginBatch(batch);
      lostJob(batch, "ord_1");
      reputation.noteTransition(batch, PROVIDER, "Failed");
      await writer.write(batch.takeWrites());
      await feed.endBatch(batch);
    });
    expect(feed.book.providerReputation(PROVIDER)).toBe(1 / 3);
    expect(reputation.reportOf(PROVIDER).counts.lost).toBe(1);
    await feed.rebuild();
    expect(feed.book.providerReputation(PROVIDER)).toBe(1 / 3);
    expect(reputation.seq).toBe(feed.seq);
    await store.close();
  });
});
