// The nonces of accepted request signatures, kept in the store so that a signed request is accepted
// once across restarts and across processes sharing one database. A nonce is recorded with one
// atomic insert (ON CONFLICT DO NOTHING); rows live for two signature windows; per-keyid and total
// bounds keep one wallet from filling the table. Storage only: what a signature is, the server knows.
import type Database from "better-sqlite3";
import { sql } from "kysely";
import type { Kysely } from "kysely";
import { MarketError } from "../core/errors.js";
import type { NonceLimits, NonceVerdict } from "./store.js";

/** Calls between two prunes of one process (the first call prunes too); each prune recounts the total. */
export const NONCE_PRUNE_EVERY_CALLS = 1000;

/** The bucket of `nowS`: per-keyid counts are kept per window-long bucket, and the last two are summed. */
function bucketOf(nowS: number, windowS: number): number {
  return Math.floor(nowS / windowS);
}

function storeError(action: string, cause: unknown): MarketError<"STORE_ERROR"> {
  if (cause instanceof MarketError && cause.code === "STORE_ERROR") return cause as MarketError<"STORE_ERROR">;
  return new MarketError(
    "STORE_ERROR",
    { reason: `cannot ${action}: ${cause instanceof Error ? cause.message : String(cause)}` },
    { cause },
  );
}

/** One SQLite accept waiting for its group's transaction. */
interface GroupedAccept {
  readonly keyid: string;
  readonly nonce: string;
  readonly createdS: number;
  readonly bucket: number;
  readonly limits: NonceLimits;
  /** Answers the accept: its verdict, or the error that failed its group. */
  readonly settle: (outcome: NonceVerdict | Error) => void;
}

/** The prepared SQLite statements (after the migrations). */
function prepareNonceStatements(database: Database.Database) {
  return {
    used: database.prepare<[string, number], { used: number }>(
      "select coalesce(sum(accepted), 0) as used from nonce_counts where keyid = ? and bucket >= ?",
    ),
    insert: database.prepare<[string, string, number]>(
      "insert into nonces (keyid, nonce, created_s) values (?, ?, ?) on conflict do nothing",
    ),
    bump: database.prepare<[string, number]>(
      "insert into nonce_counts (keyid, bucket, accepted) values (?, ?, 1) on conflict (keyid, bucket) do update set accepted = accepted + 1",
    ),
    pruneNonces: database.prepare<[number]>("delete from nonces where created_s < ?"),
    pruneCounts: database.prepare<[number]>("delete from nonce_counts where bucket < ?"),
    total: database.prepare<[], { total: number }>("select count(*) as total from nonces"),
  };
}

/**
 * The nonce table of one store handle. Invariants: a (keyid, nonce) pair is accepted at most once
 * while its row lives (rows live until `created` is two windows old); a keyid records at most
 * `perKeyidMax` nonces over the current and the previous window bucket, and the table holds about
 * `totalMax` rows at most. Across processes the bounds may be overshot by the requests in flight at
 * once (counts are read and written in one statement, not under a lock), and the total is recounted
 * at every prune, so a process may overshoot it by NONCE_PRUNE_EVERY_CALLS. The pair itself never.
 */
export class NonceTable {
  private calls = 0;
  /** SQLite accepts waiting for the next group (see acceptGrouped). */
  private group: GroupedAccept[] = [];
  /** Rows counted at the last prune plus the ones this handle inserted since. */
  private totalEstimate = 0;
  private prepared: ReturnType<typeof prepareNonceStatements> | undefined;

  /** `sqlite`: the connection Kysely runs on, used through Kysely's connection (its mutex), never beside it. */
  constructor(
    private readonly db: Kysely<unknown>,
    private readonly sqlite?: Database.Database,
  ) {}

  /**
   * Records the nonce unless a bound is reached ("keyid-full", "full") or it was recorded already
   * ("replayed"). @throws STORE_ERROR (the database failed; nothing is known of the nonce)
   */
  async accept(keyid: string, nonce: string, createdS: number, nowS: number, limits: NonceLimits): Promise<NonceVerdict> {
    try {
      if (this.calls++ % NONCE_PRUNE_EVERY_CALLS === 0) await this.prune(nowS, limits.windowS);
      if (this.totalEstimate >= limits.totalMax) return "full";
      const bucket = bucketOf(nowS, limits.windowS);
      const sqlite = this.sqlite;
      const verdict =
        sqlite === undefined
          ? await this.acceptPostgres(keyid, nonce, createdS, bucket, limits)
          : await this.acceptGrouped(sqlite, { keyid, nonce, createdS, bucket, limits });
      if (verdict === "accepted") this.totalEstimate++;
      return verdict;
    } catch (e) {
      throw storeError("record a nonce", e);
    }
  }

  /** Deletes nonces created more than two windows before `nowS`, and older count buckets; returns the nonces deleted. @throws STORE_ERROR */
  async prune(nowS: number, windowS: number): Promise<number> {
    const cutoffS = nowS - 2 * windowS;
    const oldestBucket = bucketOf(nowS, windowS) - 1;
    try {
      const sqlite = this.sqlite;
      if (sqlite !== undefined) {
        return await this.onSqlite(() => {
          const statements = (this.prepared ??= prepareNonceStatements(sqlite));
          const deleted = statements.pruneNonces.run(cutoffS).changes;
          statements.pruneCounts.run(oldestBucket);
          this.totalEstimate = statements.total.get()?.total ?? 0;
          return deleted;
        });
      }
      const deleted = await sql`delete from nonces where created_s < ${cutoffS}`.execute(this.db);
      await sql`delete from nonce_counts where bucket < ${oldestBucket}`.execute(this.db);
      const total = await sql<{ total: string | number }>`select count(*) as total from nonces`.execute(this.db);
      this.totalEstimate = Number(total.rows[0]?.total ?? 0);
      return Number(deleted.numAffectedRows ?? 0n);
    } catch (e) {
      throw storeError("prune nonces", e);
    }
  }

  /**
   * Runs `work` on the SQLite connection while holding it (outside any batch). The connection
   * commits without an fsync of its own (synchronous = NORMAL, see WalSync): the write-ahead log is
   * appended in order and every batch's sync covers all of it, so a command that became durable
   * never loses the nonce of the request that made it; a power cut may forget only nonces of
   * requests that changed nothing.
   */
  private onSqlite<T>(work: () => T): Promise<T> {
    return this.db.connection().execute(() => Promise.resolve(work()));
  }

  /**
   * SQLite: the accepts that arrive in one turn of the event loop share one immediate transaction
   * (one lock, one commit), each decided in arrival order as if alone: the count it reads includes
   * the bumps of the ones before it, and a nonce twice in one group is "replayed" the second time.
   */
  private acceptGrouped(database: Database.Database, request: Omit<GroupedAccept, "settle">): Promise<NonceVerdict> {
    return new Promise((resolve, reject) => {
      this.group.push({
        ...request,
        settle: (outcome) => {
          if (outcome instanceof Error) reject(outcome);
          else resolve(outcome);
        },
      });
      if (this.group.length === 1) setImmediate(() => void this.runGroup(database));
    });
  }

  private async runGroup(database: Database.Database): Promise<void> {
    const group = this.group;
    this.group = [];
    try {
      const verdicts = await this.onSqlite(() => this.acceptSqlite(database, group));
      group.forEach((request, i) => {
        request.settle(verdicts[i] ?? "replayed");
      });
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      for (const request of group) request.settle(error);
    }
  }

  private acceptSqlite(database: Database.Database, group: readonly Omit<GroupedAccept, "settle">[]): NonceVerdict[] {
    const statements = (this.prepared ??= prepareNonceStatements(database));
    // One immediate transaction: other processes on the file see the counts and the inserts together.
    return database
      .transaction((): NonceVerdict[] =>
        group.map(({ keyid, nonce, createdS, bucket, limits }): NonceVerdict => {
          if ((statements.used.get(keyid, bucket - 1)?.used ?? 0) >= limits.perKeyidMax) return "keyid-full";
          if (statements.insert.run(keyid, nonce, createdS).changes !== 1) return "replayed";
          statements.bump.run(keyid, bucket);
          return "accepted";
        }),
      )
      .immediate();
  }

  /**
   * PostgreSQL: the count, the insert and the count's bump in ONE statement (one round trip; a
   * data-modifying WITH always runs), committed with synchronous_commit off for this transaction
   * only: no WAL flush of its own. The WAL is flushed in order, so the synchronous commit of the
   * batch a request causes makes its nonce durable too; a database crash may forget only nonces of
   * requests that changed nothing. Other processes see the row at once either way.
   */
  private async acceptPostgres(keyid: string, nonce: string, createdS: number, bucket: number, limits: NonceLimits): Promise<NonceVerdict> {
    const result = await sql<{ used: string | number; inserted: string | number }>`
      with async_commit as (select set_config('synchronous_commit', 'off', true) as setting),
      used as (select coalesce(sum(accepted), 0) as n from nonce_counts where keyid = ${keyid}::text and bucket >= ${bucket - 1}::bigint),
      ins as (insert into nonces (keyid, nonce, created_s) select ${keyid}::text, ${nonce}::text, ${createdS}::bigint from used where used.n < ${limits.perKeyidMax}::bigint on conflict do nothing returning 1),
      bump as (insert into nonce_counts (keyid, bucket, accepted) select ${keyid}::text, ${bucket}::bigint, 1 from ins on conflict (keyid, bucket) do update set accepted = nonce_counts.accepted + 1)
      select (select n from used) as used, (select count(*) from ins) as inserted, (select setting from async_commit) as commit_mode`.execute(
      this.db,
    );
    const row = result.rows[0];
    if (Number(row?.inserted ?? 0) === 1) return "accepted";
    return Number(row?.used ?? 0) >= limits.perKeyidMax ? "keyid-full" : "replayed";
  }
}
