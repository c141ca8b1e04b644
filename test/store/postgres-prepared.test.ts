// Named statements for PostgreSQL's hot writes (preparingPool): a text with PREPARED_MARK goes as a
// statement named by its digest, prepared once per connection, and answers as it does unnamed;
// other texts, and marked ones past PREPARED_TEXTS_MAX, go unnamed. The naming is checked against
// a recording pool; the answers and the server's prepared statements against the local server.
import pg from "pg";
import type { PostgresPool, PostgresPoolClient } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { PREPARED_MARK, PREPARED_TEXTS_MAX, preparingPool } from "../../src/store/postgres-prepared.js";
import { postgresUrl } from "../support/postgres.js";

/** A pool whose one client records what each query was called with. */
function recordingPool(calls: unknown[][]): PostgresPool {
  const client = {
    query: (...args: unknown[]) => {
      calls.push(args);
      return Promise.resolve({ command: "SELECT", rowCount: 0, rows: [] });
    },
    release: () => undefined,
  } as unknown as PostgresPoolClient;
  return { connect: () => Promise.resolve(client), end: () => Promise.resolve() };
}

describe("preparingPool names marked texts", () => {
  it("sends a marked text as a named statement, the same name for the same text, and others unnamed", async () => {
    const calls: unknown[][] = [];
    const client = await preparingPool(recordingPool(calls)).connect();
    const marked = `${PREPARED_MARK}select $1::int as n`;
    await client.query(marked, [1]);
    await client.query(marked, [2]);
    await client.query("select $1::int as n", [3]);
    const [first, second, plain] = calls;
    expect(first).toEqual([{ name: expect.stringMatching(/^molt_[0-9a-f]{24}$/) as unknown, text: marked, values: [1] }]);
    expect((second?.[0] as { name: string }).name).toBe((first?.[0] as { name: string }).name);
    expect(plain).toEqual(["select $1::int as n", [3]]);
  });
});

const url = await postgresUrl("named statements");
if (url !== undefined) {
  describe("preparingPool on PostgreSQL", () => {
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    afterAll(() => pool.end());

    it("prepares a marked text once per connection and answers as the unnamed text does", async () => {
      const text = `${PREPARED_MARK}select $1::int * 2 as n, 'prepared-test' as tag`;
      const client = await preparingPool(pool).connect();
      try {
        const named = await client.query<{ n: number; tag: string }>(text, [21]);
        const again = await client.query<{ n: number; tag: string }>(text, [4]);
        const unnamed = await client.query<{ n: number; tag: string }>(text.slice(PREPARED_MARK.length), [21]);
        expect(named.rows).toEqual(unnamed.rows);
        expect(again.rows).toEqual([{ n: 8, tag: "prepared-test" }]);
        const prepared = await client.query<{ statement: string }>(
          "select statement from pg_prepared_statements where statement like '%prepared-test%'",
          [],
        );
        expect(prepared.rows.map((r) => r.statement)).toEqual([text]);
      } finally {
        client.release();
      }
    });
  });
}

// Last: it fills the process's table of names, which the tests above need room in.
describe("preparingPool's bound", () => {
  it("sends marked texts unnamed past PREPARED_TEXTS_MAX distinct ones", async () => {
    const calls: unknown[][] = [];
    const client = await preparingPool(recordingPool(calls)).connect();
    for (let i = 0; i <= PREPARED_TEXTS_MAX; i++) await client.query(`${PREPARED_MARK}select ${i} /* bound test */`, []);
    const named = calls.filter((call) => typeof call[0] === "object").length;
    // Texts named by the first test count too: at most the bound, and the last one is past it.
    expect(named).toBeLessThanOrEqual(PREPARED_TEXTS_MAX);
    expect(typeof calls.at(-1)?.[0]).toBe("string");
  });
});
