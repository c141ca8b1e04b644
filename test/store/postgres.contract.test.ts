// The Store contract on PostgreSQL (DATABASE_URL, or the local server CI provides): a fresh schema
// per test, and two pools on it for the concurrent-writer case.
import { SqlStore } from "../../src/store/sql-store.js";
import { dropSchema, postgresUrl } from "../support/postgres.js";
import { storeContract } from "./store.contract.js";

const url = await postgresUrl("Store contract");
let schemas = 0;
if (url !== undefined) {
  storeContract("postgres", () => {
    const schema = `molt_contract_${process.pid}_${++schemas}`;
    return Promise.resolve({
      open: () => SqlStore.openPostgres(url, { schema }),
      dispose: () => dropSchema(url, schema),
    });
  }, { handlesPerProcess: "many" });
}
