// The Store contract on SQLite: a fresh database file per test (two handles share it).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqlStore } from "../../src/store/sql-store.js";
import { orderListContract } from "./order-list.contract.js";
import { storeContract } from "./store.contract.js";
import type { FreshStores } from "./store.contract.js";

const fresh = (): ReturnType<FreshStores> => {
  const dir = mkdtempSync(join(tmpdir(), "molt-store-"));
  return Promise.resolve({
    open: () => Promise.resolve(SqlStore.openSqlite(join(dir, "market.db"))),
    dispose: () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  });
};

storeContract("sqlite", fresh, { handlesPerProcess: "one" });
orderListContract("sqlite", fresh);
