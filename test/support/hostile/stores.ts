// The stores a hostile suite loops over, the kysely way (one suite body, a loop over
// implementations): a SQLite file in a fresh directory, and a PostgreSQL schema when a server is
// reachable (test/support/postgres.ts skips loudly without one, and fails in CI).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqlStore } from "../../../src/store/sql-store.js";
import type { Store } from "../../../src/store/store.js";
import { dropSchema, postgresUrl } from "../postgres.js";

/** One store implementation: opens a fresh, empty store and drops it afterwards. */
export interface HostileStore {
  readonly name: "sqlite" | "postgres";
  fresh(): Promise<{ readonly store: Store; readonly dispose: () => Promise<void> }>;
}

const sqlite: HostileStore = {
  name: "sqlite",
  fresh: () =>
    Promise.resolve({
      store: SqlStore.openSqlite(join(mkdtempSync(join(tmpdir(), "molt-hostile-")), "market.db")),
      dispose: () => Promise.resolve(),
    }),
};

let schemas = 0;
function postgres(url: string): HostileStore {
  return {
    name: "postgres",
    fresh: async () => {
      const schema = `molt_hostile_${process.pid}_${++schemas}`;
      return { store: await SqlStore.openPostgres(url, { schema }), dispose: () => dropSchema(url, schema) };
    },
  };
}

/** SQLite, and PostgreSQL when reachable (else a loudly skipped test named after `suite`). */
export async function hostileStores(suite: string): Promise<readonly HostileStore[]> {
  const url = await postgresUrl(suite);
  return url === undefined ? [sqlite] : [sqlite, postgres(url)];
}
