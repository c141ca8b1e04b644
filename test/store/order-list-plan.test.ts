// Hostile: a buyer's order list costs a page per status, whatever its history. A buyer with 3,000
// orders in one status and one in another lists every status and one status: on SQLite the list's
// statement searches orders_buyer_status once per status (buyer and status fixed, so each reads
// at most a page, newest first), never scans the orders table, and the page is the newest first.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { OrderStatus } from "../../src/core/enums.js";
import { Kysely, SqliteDialect } from "kysely";
import { readOrderList } from "../../src/store/order-list.js";
import { SqlStore } from "../../src/store/sql-store.js";
import type { MarketTables } from "../../src/store/sql-tables.js";
import { order, write } from "./store.contract.js";

const dir = mkdtempSync(join(tmpdir(), "molt-list-plan-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("hostile: a buyer's order list on SQLite", () => {
  it("reads each status through orders_buyer_status, never a scan of the buyer's history", async () => {
    const path = join(dir, "market.db");
    const store = SqlStore.openSqlite(path);
    await store.migrate();
    const history = Array.from({ length: 3_000 }, (_, i) => ({ ...order(`h${String(i).padStart(5, "0")}`, "Settled"), buyerId: "big" }));
    await write(store, { orders: [...history, { ...order("z-running", "Running"), buyerId: "big" }] });
    await store.close();
    // The store's own read, on a connection that logs what it runs.
    const seen: { sql: string; parameters: readonly unknown[] }[] = [];
    const logged = new Kysely<MarketTables>({
      dialect: new SqliteDialect({ database: new Database(path) }),
      log: (event) => {
        seen.push({ sql: event.query.sql, parameters: event.query.parameters });
      },
    });
    expect((await readOrderList(logged, { buyerId: "big", limit: 3 })).map((row) => row.id)).toEqual(["z-running", "h02999", "h02998"]);
    expect((await readOrderList(logged, { buyerId: "big", statuses: ["Running"], limit: 3 })).map((row) => row.id)).toEqual(["z-running"]);
    await logged.destroy();
    const [all, one] = seen;
    expect(seen).toHaveLength(2);
    const plans = new Database(path, { readonly: true });
    try {
      for (const { sql, parameters } of [all, one].flatMap((statement) => (statement === undefined ? [] : [statement]))) {
        const steps = plans
          .prepare(`explain query plan ${sql}`)
          .all(...(parameters as unknown[]))
          .map((row) => (row as { detail: string }).detail);
        const searches = steps.filter((step) => step.startsWith("SEARCH orders USING INDEX orders_buyer_status (buyer_id=? AND status=?"));
        expect(searches).toHaveLength(sql === all?.sql ? Object.values(OrderStatus).length : 1);
        expect(steps.filter((step) => /^SCAN orders\b/.test(step))).toEqual([]);
      }
    } finally {
      plans.close();
    }
  });
});
