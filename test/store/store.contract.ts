// The Store contract: every implementation (SQLite, PostgreSQL) runs this same suite. Batches are
// all or nothing, capacity never leaves 0..gpuCount, event seqs are gap-free across concurrent
// writers, upserts keep free GPUs, command keys are stored once, a nonce is accepted once and bounded.
import { afterEach, describe, expect, it } from "vitest";
import type { MarketErrorCode } from "../../src/core/errors.js";
import { BULK_ROWS_MAX } from "../../src/store/sql-tables.js";
import type { BatchWrites, EventRow, NonceLimits, OfferRow, OrderRow, Store } from "../../src/store/store.js";
import { rejectionCode } from "../support/error-code.js";

/** A batch that writes nothing; tests spread the tables they write over it. */
export const EMPTY: BatchWrites = { offers: [], capacity: [], orders: [], escrows: [], events: [], commands: [] };
/** An offer row of provider p1. */
export const offer = (id: string, gpuCount = 8, status = "Active"): OfferRow => ({
  id,
  providerId: "p1",
  status,
  gpuCount,
  freeGpus: gpuCount,
  expiresAtMs: 1_900_000_000_000,
  doc: JSON.stringify({ id, status }),
});
/** An order row of buyer b1. */
export const order = (id: string, status = "Pending", offerId: string | null = null): OrderRow => ({
  id,
  buyerId: "b1",
  status,
  offerId,
  expiresAtMs: 1_900_000_000_000,
  doc: JSON.stringify({ id }),
  match: offerId === null ? null : "{}",
  escrowId: null,
  job: null,
});
const NONCE_LIMITS: NonceLimits = { windowS: 300, perKeyidMax: 1000, totalMax: 100_000 };
const T0_S = 1_800_000_000;
const event = (seq: number, type = "OfferAdded"): EventRow => ({
  seq,
  type,
  entityId: `e${seq}`,
  atMs: 1000 + seq,
  node: "n1",
  payload: JSON.stringify({ seq }),
});

/** What a contract opens its stores from: a fresh database, and handles on it. */
export type FreshStores = () => Promise<{ open: () => Promise<Store>; dispose: () => Promise<void> }>;

/**
 * Inside a describe: a function that opens a fresh, migrated store from `fresh` (and, through
 * `second`, more handles on the same database), each closed and disposed after its test.
 */
export function useFreshStores(fresh: FreshStores): () => Promise<{ store: Store; second: () => Promise<Store> }> {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return async () => {
    const db = await fresh();
    const opened: Store[] = [];
    const open = async (): Promise<Store> => {
      const s = await db.open();
      await s.migrate();
      opened.push(s);
      return s;
    };
    cleanups.push(async () => {
      for (const s of opened) await s.close();
      await db.dispose();
    });
    return { store: await open(), second: open };
  };
}

/** Writes `batch` (the tables it names, the others empty) in one batch. */
export const write = (s: Store, batch: Partial<BatchWrites>): Promise<void> => s.writeBatch((w) => w.write({ ...EMPTY, ...batch }));

/** Runs the contract against fresh, migrated stores from `open` (two calls give two handles on the same database). */
export function storeContract(name: string, fresh: FreshStores, options: { readonly handlesPerProcess: "one" | "many" }): void {
  describe(`Store contract: ${name}`, () => {
    const store = useFreshStores(fresh);

    it("migrates idempotently and starts empty", async () => {
      const { store: s } = await store();
      await s.migrate();
      expect(await s.lastSeq()).toBe(0);
      expect(await s.loadBook()).toEqual({ offers: [], resting: [], allocated: [], seq: 0 });
    });

    it("a batch writes every row, and reads give them back", async () => {
      const { store: s } = await store();
      await write(s, {
        offers: [offer("o1"), offer("o2", 4, "Paused"), offer("o3", 2, "Withdrawn")],
        capacity: [
          { offerId: "o1", delta: -3 },
          { offerId: "o1", delta: -1 },
        ],
        orders: [order("r1"), order("m1", "Matched", "o1"), order("s1", "Settled", "o1")],
        escrows: [{ id: "x1", orderId: "m1", state: "Created", doc: "{}", pending: '{"op":"fund"}' }],
        events: [event(1), event(2)],
        commands: [{ key: "k1", requestHash: "h", response: '{"ok":true}', atMs: 5 }],
      });
      expect((await s.getOffer("o1"))?.freeGpus).toBe(4);
      expect((await s.getOrder("m1"))?.offerId).toBe("o1");
      expect((await s.getEscrow("x1"))?.pending).toBe('{"op":"fund"}');
      expect((await s.pendingEscrows()).map((e) => e.id)).toEqual(["x1"]);
      expect([...(await s.getEscrows(["x1", "none", "x1"])).entries()]).toEqual([["x1", await s.getEscrow("x1")]]);
      expect((await s.getEscrows([])).size).toBe(0);
      expect((await s.listEscrows("", 10)).map((e) => e.id)).toEqual(["x1"]);
      expect(await s.listEscrows("x1", 10)).toEqual([]);
      expect(await s.lastSeq()).toBe(2);
      expect(await s.eventsAfter(1, 10)).toEqual([event(2)]);
      const book = await s.loadBook();
      expect(book.offers.map((o) => o.id).sort()).toEqual(["o1", "o2"]);
      expect(book.resting.map((o) => o.id)).toEqual(["r1"]);
      expect(book.allocated.map((o) => o.id)).toEqual(["m1"]);
      expect(book.seq).toBe(2);
      expect((await s.ordersWithStatus(["Settled", "Pending"], 10)).map((o) => o.id)).toEqual(["r1", "s1"]);
      const found = await s.writeBatch((w) => w.commands(["k1", "k2"]));
      expect([...found.keys()]).toEqual(["k1"]);
      expect(found.get("k1")?.response).toBe('{"ok":true}');
      expect((await s.getCommand("k1"))?.requestHash).toBe("h");
      expect(await s.getCommand("k2")).toBeUndefined();
      // Inside a batch: events after a seq up to a limit, and stored answers among many keys (past one bulk chunk), quotes in keys too.
      const many = Array.from({ length: 6000 }, (_, i) => `absent-'"-${i}`);
      const inBatch = await s.writeBatch(async (w) => ({ events: await w.eventsAfter(0, 1), found: await w.commands([...many, "k1"]) }));
      expect(inBatch.events).toEqual([event(1)]);
      expect([...inBatch.found.keys()]).toEqual(["k1"]);
    });

    it("a batch that throws writes nothing", async () => {
      const { store: s } = await store();
      await expect(
        s.writeBatch(async (w) => {
          await w.write({ ...EMPTY, offers: [offer("o1")], events: [event(1)] });
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      expect(await s.getOffer("o1")).toBeUndefined();
      expect(await s.lastSeq()).toBe(0);
    });

    it("capacity never goes below zero or above the GPU count; a refused delta rolls the whole batch back", async () => {
      const { store: s } = await store();
      await write(s, { offers: [offer("o1", 4)], events: [event(1)] });
      const refused = async (batch: Partial<BatchWrites>): Promise<MarketErrorCode | undefined> => rejectionCode(write(s, batch));
      expect(await refused({ capacity: [{ offerId: "o1", delta: -5 }], events: [event(2)], orders: [order("m1", "Matched", "o1")] })).toBe(
        "INSUFFICIENT_CAPACITY",
      );
      expect(await refused({ capacity: [{ offerId: "o1", delta: 1 }], events: [event(2)] })).toBe("INSUFFICIENT_CAPACITY");
      expect(await refused({ capacity: [{ offerId: "nope", delta: -1 }], events: [event(2)] })).toBe("INSUFFICIENT_CAPACITY");
      expect(await s.getOrder("m1")).toBeUndefined();
      expect(await s.lastSeq()).toBe(1);
      await write(s, {
        capacity: [
          { offerId: "o1", delta: -4 },
          { offerId: "o1", delta: 2 },
          { offerId: "o1", delta: -2 },
        ],
      });
      expect((await s.getOffer("o1"))?.freeGpus).toBe(0);
    });

    it("an upsert changes status and document but never free GPUs; repeats in one batch: the last wins", async () => {
      const { store: s } = await store();
      await write(s, { offers: [offer("o1", 8)], capacity: [{ offerId: "o1", delta: -6 }] });
      await write(s, {
        offers: [
          { ...offer("o1", 8, "Paused"), doc: '{"v":1}' },
          { ...offer("o1", 8, "Withdrawn"), doc: '{"v":2}' },
        ],
        orders: [order("r1"), order("r1", "Cancelled")],
      });
      const stored = await s.getOffer("o1");
      expect([stored?.status, stored?.freeGpus, stored?.doc]).toEqual(["Withdrawn", 2, '{"v":2}']);
      expect((await s.getOrder("r1"))?.status).toBe("Cancelled");
    });

    it("status changes apply after the upserts of the same batch", async () => {
      const { store: s } = await store();
      await write(s, {
        offers: [offer("o1")],
        orders: [order("r1")],
        offerStatuses: [{ id: "o1", status: "Paused" }],
        orderStatuses: [
          { id: "r1", status: "Expired" },
          { id: "missing", status: "Expired" },
        ],
      });
      expect((await s.getOffer("o1"))?.status).toBe("Paused");
      expect((await s.getOrder("r1"))?.status).toBe("Expired");
      expect(await s.writeBatch((w) => w.getOrder("r1"))).toMatchObject({ status: "Expired" });
    });

    it("orders due by a time: the sweeper's dues after the order writes of the batch, any other write makes a swept order due at once", async () => {
      const { store: s } = await store();
      const dueIds = async (nowMs: number, limit = 10): Promise<string[]> => (await s.ordersDueBy(nowMs, limit)).map((o) => o.id);
      await write(s, { orders: [order("r1", "Matched", "o1"), order("r2"), order("r3", "Running", "o1"), order("r4", "Completed", "o1")] });
      expect(await dueIds(0)).toEqual(["r1", "r3", "r4"]);
      expect(await dueIds(0, 2)).toEqual(["r1", "r3"]);
      await write(s, {
        orders: [order("r3", "Running", "o1")],
        orderDues: [
          { id: "r1", dueAtMs: 2000 },
          { id: "r3", dueAtMs: 1500 },
          { id: "r4", dueAtMs: null },
          { id: "missing", dueAtMs: 0 },
        ],
      });
      expect(await dueIds(1000)).toEqual([]);
      expect(await dueIds(1500)).toEqual(["r3"]);
      expect(await dueIds(10_000)).toEqual(["r3", "r1"]);
      await write(s, { orders: [order("r1", "Escrowed", "o1")], orderStatuses: [{ id: "r3", status: "Failed" }] });
      expect(await dueIds(0)).toEqual(["r1"]);
      expect(await dueIds(10_000)).toEqual(["r1"]);
      expect((await s.ordersDueBy(0, 1))[0]).toMatchObject({ id: "r1", status: "Escrowed" });
    });

    it("a command key and an event seq are stored once", async () => {
      const { store: s } = await store();
      await write(s, { events: [event(1)], commands: [{ key: "k1", requestHash: "h", response: "1", atMs: 1 }] });
      await expect(write(s, { commands: [{ key: "k1", requestHash: "h", response: "2", atMs: 2 }], events: [event(2)] })).rejects.toThrow();
      expect((await s.writeBatch((w) => w.commands(["k1"]))).get("k1")?.response).toBe("1");
      await expect(write(s, { events: [event(1)] })).rejects.toThrow();
      expect(await s.lastSeq()).toBe(1);
    });

    it(`writes batches larger than one bulk statement (${BULK_ROWS_MAX} rows)`, async () => {
      const { store: s } = await store();
      const count = BULK_ROWS_MAX + 1234;
      await write(s, {
        events: Array.from({ length: count }, (_, i) => event(i + 1)),
        offers: Array.from({ length: count }, (_, i) => offer(`o${String(i).padStart(6, "0")}`)),
      });
      expect(await s.lastSeq()).toBe(count);
      expect((await s.loadBook()).offers).toHaveLength(count);
    });

    it("concurrent writers on one database take turns: each batch sees every earlier one, seqs stay gap-free", async () => {
      const { store: s, second } = await store();
      // SQLite's driver is synchronous: a second handle in the same process would block the thread
      // that holds the lock, so there the writers share one handle (other processes take turns by the file lock).
      const other = options.handlesPerProcess === "many" ? await second() : s;
      const append = (target: Store): Promise<void> =>
        target.writeBatch(async (w) => {
          const seen = await w.eventsAfter(0, 1_000_000);
          const last = seen.at(-1)?.seq ?? 0;
          await w.write({ ...EMPTY, events: [event(last + 1), event(last + 2)] });
        });
      await Promise.all(Array.from({ length: 20 }, (_, i) => append(i % 2 === 0 ? s : other)));
      const all = await s.eventsAfter(0, 1000);
      expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    });

    it("a nonce is accepted once per keyid, also by a second handle (a restart, another node)", async () => {
      const { store: s, second } = await store();
      expect(await s.acceptNonce("alice", "n1", T0_S, T0_S, NONCE_LIMITS)).toBe("accepted");
      expect(await s.acceptNonce("alice", "n1", T0_S, T0_S + 1, NONCE_LIMITS)).toBe("replayed");
      expect(await s.acceptNonce("bob", "n1", T0_S, T0_S, NONCE_LIMITS)).toBe("accepted");
      const other = await second();
      expect(await other.acceptNonce("alice", "n1", T0_S, T0_S + 2, NONCE_LIMITS)).toBe("replayed");
      expect(await other.acceptNonce("alice", "n2", T0_S, T0_S + 2, NONCE_LIMITS)).toBe("accepted");
      expect(await s.acceptNonce("alice", "n2", T0_S, T0_S + 3, NONCE_LIMITS)).toBe("replayed");
    });

    it("concurrent attempts at one nonce: exactly one is accepted", async () => {
      const { store: s, second } = await store();
      const other = options.handlesPerProcess === "many" ? await second() : s;
      const verdicts = await Promise.all(
        Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? s : other).acceptNonce("alice", "race", T0_S, T0_S, NONCE_LIMITS)),
      );
      expect(verdicts.filter((v) => v === "accepted")).toHaveLength(1);
      expect(verdicts.filter((v) => v === "replayed")).toHaveLength(15);
    });

    it("one keyid records at most perKeyidMax nonces per window; other keyids are not refused; it may again two windows later", async () => {
      const { store: s } = await store();
      const limits: NonceLimits = { ...NONCE_LIMITS, perKeyidMax: 3 };
      for (const nonce of ["a", "b", "c"]) expect(await s.acceptNonce("mallory", nonce, T0_S, T0_S, limits)).toBe("accepted");
      expect(await s.acceptNonce("mallory", "d", T0_S, T0_S + 10, limits)).toBe("keyid-full");
      expect(await s.acceptNonce("alice", "d", T0_S, T0_S + 10, limits)).toBe("accepted");
      expect(await s.acceptNonce("mallory", "d", T0_S + 2 * limits.windowS, T0_S + 2 * limits.windowS, limits)).toBe("accepted");
    });

    it("concurrent nonces of one keyid: perKeyidMax are accepted (over a pool, at most its in-flight statements more), a nonce at most once", async () => {
      const { store: s } = await store();
      const limits: NonceLimits = { ...NONCE_LIMITS, perKeyidMax: 3 };
      const nonces = ["a", "b", "a", "c", "d", "e", "b", "f", "g", "h", "i", "j"];
      const verdicts = await Promise.all(nonces.map((nonce) => s.acceptNonce("mallory", nonce, T0_S, T0_S, limits)));
      const accepted = nonces.filter((_, i) => verdicts[i] === "accepted");
      // SQLite decides one nonce at a time; PostgreSQL's count and insert are one statement, not a
      // lock, so statements in flight at once (its pool holds 4 connections) may each see room.
      if (options.handlesPerProcess === "one") expect(accepted).toHaveLength(3);
      else expect(accepted.length).toBeGreaterThanOrEqual(3);
      expect(accepted.length).toBeLessThanOrEqual(3 + 3);
      expect(new Set(accepted).size).toBe(accepted.length);
      expect(verdicts.every((v) => v === "accepted" || v === "replayed" || v === "keyid-full")).toBe(true);
      expect(await s.acceptNonce("alice", "a", T0_S, T0_S, limits)).toBe("accepted");
    });

    it("the table holds at most totalMax nonces", async () => {
      const { store: s } = await store();
      const limits: NonceLimits = { ...NONCE_LIMITS, totalMax: 3 };
      for (const keyid of ["k1", "k2", "k3"]) expect(await s.acceptNonce(keyid, "n", T0_S, T0_S, limits)).toBe("accepted");
      expect(await s.acceptNonce("k4", "n", T0_S, T0_S, limits)).toBe("full");
      // Once the rows are two windows old, a prune frees the room.
      expect(await s.pruneNonces(T0_S + 2 * limits.windowS + 1, limits.windowS)).toBe(3);
      expect(await s.acceptNonce("k4", "n", T0_S + 2 * limits.windowS + 1, T0_S + 2 * limits.windowS + 1, limits)).toBe("accepted");
    });

    it("a prune forgets only nonces created more than two windows ago", async () => {
      const { store: s } = await store();
      const windowS = NONCE_LIMITS.windowS;
      expect(await s.acceptNonce("alice", "old", T0_S, T0_S, NONCE_LIMITS)).toBe("accepted");
      expect(await s.acceptNonce("alice", "new", T0_S + 1, T0_S + 1, NONCE_LIMITS)).toBe("accepted");
      expect(await s.pruneNonces(T0_S + 2 * windowS, windowS)).toBe(0);
      expect(await s.acceptNonce("alice", "old", T0_S, T0_S + 2 * windowS, NONCE_LIMITS)).toBe("replayed");
      expect(await s.pruneNonces(T0_S + 2 * windowS + 1, windowS)).toBe(1);
      expect(await s.acceptNonce("alice", "new", T0_S + 1, T0_S + 2 * windowS + 1, NONCE_LIMITS)).toBe("replayed");
      // Forgotten: the store would take it again (the server's window refuses such a signature long before).
      expect(await s.acceptNonce("alice", "old", T0_S, T0_S + 2 * windowS + 1, NONCE_LIMITS)).toBe("accepted");
    });
  });
}
