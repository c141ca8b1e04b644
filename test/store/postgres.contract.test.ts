// The Store contract on PostgreSQL (DATABASE_URL, or the local server CI provides): a fresh schema
// per test, and two pools on it for the concurrent-writer case.
import pg from "pg";
import { SqlStore } from "../../src/store/sql-store.js";
import { dropSchema, postgresUrl } from "../support/postgres.js";
import { describe, expect, it } from "vitest";
import { orderListContract } from "./order-list.contract.js";
import { storeContract } from "./store.contract.js";
import type { FreshStores } from "./store.contract.js";

const url = await postgresUrl("Store contract");
let schemas = 0;
if (url !== undefined) {
  const fresh = (): ReturnType<FreshStores> => {
    const schema = `molt_contract_${process.pid}_${++schemas}`;
    return Promise.resolve({
      open: () => SqlStore.openPostgres(url, { schema }),
      dispose: () => dropSchema(url, schema),
    });
  };
  storeContract("postgres", fresh, { handlesPerProcess: "many" });
  orderListContract("postgres", fresh);
}

describe.runIf(url !== undefined)("PostgreSQL stores in schemas of one database", () => {
  it("each schema keeps its own migration bookkeeping: a second schema migrates while the first exists", async () => {
    const [a, b] = [`molt_schema_a_${process.pid}`, `molt_schema_b_${process.pid}`];
    const first = await SqlStore.openPostgres(url ?? "", { schema: a });
    const second = await SqlStore.openPostgres(url ?? "", { schema: b });
    try {
      await first.migrate();
      await second.migrate();
      await second.migrate();
      expect(await second.lastSeq()).toBe(0);
    } finally {
      await first.close();
      await second.close();
      await dropSchema(url ?? "", a);
      await dropSchema(url ?? "", b);
    }
  });
});

describe.runIf(url !== undefined)("PostgreSQL offers table", () => {
  it("leaves room in its pages, so that a free-GPU update stays on its page (fillfactor 70)", async () => {
    const schema = `molt_fillfactor_${process.pid}`;
    const store = await SqlStore.openPostgres(url ?? "", { schema });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await store.migrate();
      const { rows } = await client.query<{ reloptions: string[] | null }>(
        "select c.reloptions from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relname = 'offers'",
        [schema],
      );
      expect(rows[0]?.reloptions).toEqual(["fillfactor=70"]);
    } finally {
      await client.end();
      await store.close();
      await dropSchema(url ?? "", schema);
    }
  });
});
