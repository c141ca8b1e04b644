// The nonces of accepted request signatures, kept in the store so that a signed request is accepted
// once across restarts and across processes sharing one database. A nonce is recorded with one
// atomic insert (ON CONFLICT DO NOTHING); rows live for two signature windows; per-keyid and total
// bounds keep one wallet from filling the table. Storage only: what a signature is, the server knows.
import { sql } from "kysely";
import type { Kysely } from "kysely";
import { MarketError } from "../core/errors.js";
import type { NonceRequest, SqliteWriterThread } from "./sqlite-writer-thread.js";
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
interface GroupedAccept extends NonceRequest {
  /** Answers the accept: its verdict, or the error that failed its group. */
  readonly settle: (outcome: NonceVerdict | Error) => void;
}

/** The nonce table's statements by name, for the SQLite writer thread. */
export const SQLITE_NONCE_STATEMENTS = {
  nonceUsed: "select coalesce(sum(accepted), 0) as used from nonce_counts where keyid = ? and bucket >= ?",
  nonceInsert: "insert into nonces (keyid, nonce, created_s) values (?, ?, ?) on conflict do nothing",
  nonceBump:
    "insert into nonce_counts (keyid, bucket, accepted) values (?, ?, 1) on conflict (keyid, bucket) do update set accepted = accepted + 1",
  nonceExpire: "delete from nonces where created_s < ?",
  nonceCountsExpire: "delete from nonce_counts where bucket < ?",
  nonceTotal: "select count(*) as total from nonces",
  nonceSavepoint: "savepoint nonces",
  nonceRelease: "release nonces",
  nonceUndo: "rollback to nonces",
} as const;

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

  /** `sqlite`: the SQLite store's writer thread, where every write of the table runs. */
  constructor(
    private readonly db: Kysely<unknown>,
    private readonly sqlite?: SqliteWriterThread,
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
          : await this.acceptGrouped(sqlite, { keyid, nonce, createdS, bucket, perKeyidMax: limits.perKeyidMax });
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
        const pruned = await sqlite.call<{ readonly deleted: number; readonly total: number }>(
          { op: "prune", cutoffS, oldestBucket },
          true,
        );
        this.totalEstimate = pruned.total;
        return pruned.deleted;
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
   * SQLite: the accepts that arrive in one turn of the event loop share one immediate transaction
   * on the writer thread (one lock, one commit; while a batch's transaction is open they join it and
   * are answered once it commits, or decided again on their own if it rolls back), each decided in
   * arrival order as if alone: the count it reads includes the bumps of the ones before it, and a
   * nonce twice in one group is "replayed" the second time. The thread commits without an fsync of
   * its own (synchronous = NORMAL, see WalSync): the write-ahead log is appended in
   * order and every batch's sync covers all of it, so a command that became durable never loses
   * the nonce of the request that made it; a power cut may forget only nonces of requests that
   * changed nothing.
   */
  private acceptGrouped(thread: SqliteWriterThread, request: NonceRequest): Promise<NonceVerdict> {
    return new Promise((resolve, reject) => {
      this.group.push({
        ...request,
        settle: (outcome) => {
          if (outcome instanceof Error) reject(outcome);
          else resolve(outcome);
        },
      });
      if (this.group.length === 1) setImmediate(() => void this.runGroup(thread));
    });
  }

  private async runGroup(thread: SqliteWriterThread): Promise<void> {
    const group = this.group;
    this.group = [];
    try {
      const verdicts = await thread.call<NonceVerdict[]>(
        {
          op: "nonces",
          group: group.map(({ keyid, nonce, createdS, bucket, perKeyidMax }) => ({ keyid, nonce, createdS, bucket, perKeyidMax })),
        },
        true,
      );
      group.forEach((request, i) => {
        request.settle(verdicts[i] ?? "replayed");
      });
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      for (const request of group) request.settle(error);
    }
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
