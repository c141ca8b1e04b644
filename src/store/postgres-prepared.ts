// Named prepared statements for PostgreSQL's hot writes. Kysely's PostgreSQL driver sends every
// query unnamed, so the server parses, analyzes and plans it again each time: about 1.3 ms of a
// 64-command batch part (a statement of six data-modifying CTEs), a fifth of the part. A text that
// starts with PREPARED_MARK is sent as a named statement instead, prepared once per connection.
import { createHash } from "node:crypto";
import type { PostgresPool, PostgresPoolClient } from "kysely";

/** A statement text that begins with this comment is prepared once per connection and kept. */
export const PREPARED_MARK = "/* prepared */ ";

/** Distinct prepared texts at most: past it, texts go unnamed (a connection keeps what it prepared until it closes). */
export const PREPARED_TEXTS_MAX = 32;

const names = new Map<string, string>();

/** The statement name of a marked text, or undefined (unmarked, or past PREPARED_TEXTS_MAX). */
function nameOf(text: string): string | undefined {
  if (!text.startsWith(PREPARED_MARK)) return undefined;
  let name = names.get(text);
  if (name === undefined && names.size < PREPARED_TEXTS_MAX) {
    name = `molt_${createHash("sha256").update(text).digest("hex").slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

/** What pg's client offers beyond Kysely's view of it: a query with a statement name. */
interface NamingClient {
  query(config: { readonly name: string; readonly text: string; readonly values: readonly unknown[] }): Promise<unknown>;
}

/**
 * `pool` as Kysely sees it, sending marked texts as named statements. Invariant: a marked text
 * answers exactly what it answers unnamed; the same text always gets the same name (its digest).
 */
export function preparingPool(pool: PostgresPool): PostgresPool {
  return {
    end: () => pool.end(),
    connect: async (): Promise<PostgresPoolClient> => {
      const client = await pool.connect();
      const query = ((sqlOrCursor: unknown, parameters?: readonly unknown[]): unknown => {
        const name = typeof sqlOrCursor === "string" ? nameOf(sqlOrCursor) : undefined;
        if (name === undefined) return (client.query as (a: unknown, b?: unknown) => unknown)(sqlOrCursor, parameters);
        return (client as unknown as NamingClient).query({ name, text: sqlOrCursor as string, values: parameters ?? [] });
      }) as PostgresPoolClient["query"];
      return {
        query,
        release: () => {
          client.release();
        },
      };
    },
  };
}
