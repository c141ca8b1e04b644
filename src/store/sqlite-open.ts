// The connections of one SQLite store, opened together: the main connection (reads outside
// batches, migrations, loading the book), the writer thread every write runs on, the checkpointer
// and the log's syncs. They share the file only in WAL mode, so anything else is refused. File I/O.
import Database from "better-sqlite3";
import { SQLITE_NONCE_STATEMENTS } from "./nonce-table.js";
import { SQLITE_BATCH_STATEMENTS } from "./sqlite-batch.js";
import { AUTOCHECKPOINT_PAGES, SqliteCheckpointer, WAL_RESTART_FRAMES } from "./sqlite-checkpointer.js";
import { SqliteWriterThread } from "./sqlite-writer-thread.js";
import { WalSync } from "./wal-sync.js";

/** How long SQLite waits for another process's write lock before it reports busy. */
const SQLITE_BUSY_TIMEOUT_MS = 10_000;

/** The open parts of one SQLite store. */
export interface SqliteFile {
  readonly database: Database.Database;
  readonly writerThread: SqliteWriterThread;
  readonly checkpointer: SqliteCheckpointer;
  readonly walSync: WalSync;
}

/**
 * Opens `path` (created when missing) in WAL mode with its writer thread, checkpointer and log
 * syncs. Invariant: while the checkpointer runs, the writer's automatic checkpoint waits for
 * WAL_RESTART_FRAMES of log (to start the log again), not SQLite's usual 1,000 pages.
 * @throws Error (it cannot be opened, or WAL mode does not work on it: ":memory:", a network file system)
 */
export function openSqliteFile(path: string): SqliteFile {
  const database = new Database(path);
  const mode = String(database.pragma("journal_mode = WAL", { simple: true }));
  if (mode !== "wal") {
    // The writer thread's connection and this one must share the file, and readers here must
    // never wait for its writes: only a file in WAL mode gives both.
    database.close();
    throw new Error(`its journal mode is ${mode}, not wal: give the path of a file on a local disk (not :memory:)`);
  }
  // In WAL mode commits need no fsync of their own: a batch syncs the log off the event loop (WalSync).
  database.pragma("synchronous = NORMAL");
  database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  database.pragma("wal_autocheckpoint = 0");
  // The writer's own checkpoint copies what the checkpointer left, so that the log starts again.
  const writerThread = new SqliteWriterThread(
    path,
    SQLITE_BUSY_TIMEOUT_MS,
    { ...SQLITE_BATCH_STATEMENTS, ...SQLITE_NONCE_STATEMENTS },
    WAL_RESTART_FRAMES,
  );
  const checkpointer = new SqliteCheckpointer(path, SQLITE_BUSY_TIMEOUT_MS, () => {
    // The writer thread commits, so its connection checkpoints (the main one writes only migrations).
    writerThread.call({ op: "pragma", text: `wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}` }, true).catch(() => undefined);
    if (database.open) database.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  });
  return { database, writerThread, checkpointer, walSync: new WalSync(`${database.name}-wal`) };
}
