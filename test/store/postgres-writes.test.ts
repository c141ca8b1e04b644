// PostgreSQL's bulk writes (rows read from one JSON parameter per table) store every text column
// exactly as SQLite's row-by-row statements do: quotes, backslashes, escapes, control and astral
// characters, on both the one-statement path and the statement-per-table path.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SqlStore } from "../../src/store/sql-store.js";
import type { BatchWrites, Store } from "../../src/store/store.js";
import { dropSchema, postgresUrl } from "../support/postgres.js";

const url = await postgresUrl("PostgreSQL bulk writes");
/** Text that JSON and SQL both escape: quotes, backslashes, a literal \u escape, controls, non-BMP, a line separator. */
const TRICKY = `'"\\ \\u0041 \\" \n\r\t \u0001\u001f é 𝄞 😀 \u2028\u2029 '; drop table orders; --`;
const doc = (id: string): string => JSON.stringify({ id, note: TRICKY, nested: JSON.stringify({ note: TRICKY }) });

/** A batch that touches every table; with `offers` false it takes the one-statement path. */
function batch(offers: boolean): BatchWrites {
  return {
    offers: offers
      ? [
          {
            id: `o-${TRICKY}`,
            providerId: TRICKY,
            status: "Active",
            gpuCount: 8,
            freeGpus: 8,
            expiresAtMs: 1_900_000_000_000,
            doc: doc("o"),
            book: TRICKY,
          },
        ]
      : [],
    capacity: [],
    orders: [
      {
        id: `r-${TRICKY}`,
        buyerId: TRICKY,
        status: "Pending",
        offerId: null,
        expiresAtMs: 1_900_000_000_000,
        doc: doc("r"),
        match: TRICKY,
        escrowId: null,
        job: doc("j"),
      },
    ],
    escrows: [{ id: `x-${TRICKY}`, orderId: `r-${TRICKY}`, state: "Created", doc: doc("x"), pending: TRICKY }],
    events: [{ seq: 1, type: "OrderSubmitted", entityId: TRICKY, atMs: 2 ** 52, node: TRICKY, payload: doc("e") }],
    commands: [{ key: `k-${TRICKY}`, requestHash: TRICKY, response: doc("c"), atMs: 5 }],
  };
}

/** What the store gives back of `batch`'s rows. */
async function readBack(store: Store, written: BatchWrites): Promise<unknown> {
  const offer = written.offers[0];
  return {
    offer: offer === undefined ? undefined : await store.getOffer(offer.id),
    orders: await Promise.all(written.orders.map((o) => store.getOrder(o.id))),
    escrows: await Promise.all(written.escrows.map((e) => store.getEscrow(e.id))),
    events: await store.eventsAfter(0, 10),
    commands: await Promise.all(written.commands.map((c) => store.getCommand(c.key))),
  };
}

describe.runIf(url !== undefined)("PostgreSQL bulk writes", () => {
  const dir = mkdtempSync(join(tmpdir(), "molt-pg-writes-"));
  let schemas = 0;
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  for (const offers of [false, true]) {
    it(`store every character as SQLite does (${offers ? "statement per table" : "one statement"})`, async () => {
      const schema = `molt_pg_writes_${process.pid}_${++schemas}`;
      const postgres = await SqlStore.openPostgres(url ?? "", { schema });
      const sqlite = SqlStore.openSqlite(join(dir, `${schema}.db`));
      try {
        for (const store of [postgres, sqlite]) {
          await store.migrate();
          await store.writeBatch((w) => w.write(batch(offers)));
        }
        const fromPostgres = await readBack(postgres, batch(offers));
        expect(fromPostgres).toEqual(await readBack(sqlite, batch(offers)));
        expect(fromPostgres).toMatchObject({
          orders: [{ buyerId: TRICKY, doc: doc("r"), match: TRICKY, job: doc("j") }],
          escrows: [{ doc: doc("x"), pending: TRICKY }],
          events: [{ entityId: TRICKY, atMs: 2 ** 52, payload: doc("e") }],
          commands: [{ requestHash: TRICKY, response: doc("c") }],
        });
      } finally {
        await postgres.close();
        await sqlite.close();
        await dropSchema(url ?? "", schema);
      }
    });
  }
});
