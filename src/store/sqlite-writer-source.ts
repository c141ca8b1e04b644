// The program of the SQLite writer thread (sqlite-writer-thread.ts), as the source of an eval
// worker: its own connection to the file, the statements it is given by name, prepared on first
// use, and the requests it runs in arrival order. A batch's reads and writes must come inside its
// transaction; a write that fails makes the batch's COMMIT a ROLLBACK. A nonce group that comes
// while a batch is open joins its transaction inside a savepoint and is answered once the batch
// commits, or decided again on its own if it rolls back; a prune waits for the batch to end. The
// calls of one message are answered in one message. A COMMIT may ask for the log's fsync before its
// answer. Worker code and its file I/O.

/** The worker's source: CommonJS run with `eval: true`, so the same code runs from the build, from tsx and under the test runner. */
export const SQLITE_WRITER_SOURCE = `
const { workerData, parentPort } = require("node:worker_threads");
const Database = require(workerData.driver);
const fs = require("node:fs");
const db = new Database(workerData.path);
db.pragma("busy_timeout = " + workerData.busyTimeoutMs);
// The store opened the file in WAL mode (sqlite-open.ts): commits are synced by the store's WalSync.
db.pragma("synchronous = NORMAL");
db.pragma("wal_autocheckpoint = " + workerData.autocheckpointPages);
const prepared = new Map();
const statement = (name) => {
  let s = prepared.get(name);
  if (s === undefined) {
    const text = workerData.statements[name];
    if (text === undefined) throw new Error("no statement named " + name);
    s = db.prepare(text);
    prepared.set(name, s);
  }
  return s;
};
const inBatch = () => { if (!db.inTransaction) throw new Error("a batch's write or read came outside its transaction (its begin failed)"); };
function decide(group) {
  const used = statement("nonceUsed"), insert = statement("nonceInsert"), bump = statement("nonceBump");
  return group.map((r) => {
    if (used.get(r.keyid, r.bucket - 1).used >= r.perKeyidMax) return "keyid-full";
    if (insert.run(r.keyid, r.nonce, r.createdS).changes !== 1) return "replayed";
    bump.run(r.keyid, r.bucket);
    return "accepted";
  });
}
function nonces(group) {
  return db.transaction(() => decide(group)).immediate();
}
// Nonce groups decided inside the open batch's transaction (one commit for both), answered once it
// has committed; if it rolls back instead, they are decided again in a transaction of their own.
let joined = [];
let committed = false;
function join(message) {
  statement("nonceSavepoint").run();
  try {
    joined.push({ message, result: decide(message.op.group) });
    statement("nonceRelease").run();
    return true;
  } catch (e) {
    statement("nonceUndo").run();
    statement("nonceRelease").run();
    return false;
  }
}
function prune(cutoffS, oldestBucket) {
  return db.transaction(() => {
    const deleted = statement("nonceExpire").run(cutoffS).changes;
    statement("nonceCountsExpire").run(oldestBucket);
    return { deleted, total: statement("nonceTotal").get().total };
  }).immediate();
}
// A COMMIT asked to be synced here (the caller has nothing else queued): the log is fsync'd before
// the answer, saving the main thread a trip through libuv's pool. A failed fsync is answered, not
// thrown: the transaction has committed either way.
let walFd;
function syncLog() {
  try {
    if (walFd === undefined) walFd = fs.openSync(workerData.path + "-wal", "r");
    fs.fsyncSync(walFd);
    return { synced: true };
  } catch (e) {
    return { syncError: String((e && e.message) || e) };
  }
}
// A batch op that failed inside the open transaction: its COMMIT is refused (rolled back instead),
// so the batch's writes may be sent without waiting for each answer.
let failedInBatch = false;
function run(m) {
  switch (m.op) {
    case "exec":
      if (m.s === "begin") failedInBatch = false;
      if (m.s === "commit" && failedInBatch) {
        failedInBatch = false;
        if (db.inTransaction) statement("rollback").run();
        throw new Error("the batch was rolled back: one of its writes failed");
      }
      statement(m.s).run();
      if (m.s === "commit") {
        committed = true;
        if (m.sync) return syncLog();
      }
      return undefined;
    case "rollback": failedInBatch = false; if (db.inTransaction) statement("rollback").run(); return undefined;
    case "all": inBatch(); return statement(m.s).all(...m.args);
    case "get": inBatch(); return statement(m.s).get(...m.args);
    case "getEach": { inBatch(); const s = statement(m.s); return m.args.map((a) => s.get(...a)); }
    case "write":
      inBatch();
      try {
        for (const [name, rows, exact] of m.parts) {
          const s = statement(name);
          for (let i = 0; i < rows.length; i++) {
            if (s.run(rows[i]).changes !== 1 && exact) throw Object.assign(new Error("no row changed"), { name: "NoRowChanged", statement: name, index: i });
          }
        }
      } catch (e) {
        failedInBatch = true;
        throw e;
      }
      return undefined;
    case "nonces": return nonces(m.group);
    case "prune": return prune(m.cutoffS, m.oldestBucket);
    case "pragma": db.pragma(m.text); return undefined;
  }
  throw new Error("unknown request " + m.op);
}
const waiting = [];
function handle(message, replies) {
  if (message.standalone && db.inTransaction) {
    if (message.op.op === "nonces" && !failedInBatch && join(message)) return;
    waiting.push(message);
    return;
  }
  committed = false;
  try { replies.push({ id: message.id, result: run(message.op) }); }
  catch (e) { replies.push({ id: message.id, error: { name: e.name, message: e.message, code: e.code, statement: e.statement, index: e.index } }); }
  if (!db.inTransaction && joined.length > 0) {
    const ended = joined;
    joined = [];
    if (committed) for (const { message: m, result } of ended) replies.push({ id: m.id, result });
    else waiting.unshift(...ended.map(({ message: m }) => m));
  }
  while (waiting.length > 0 && !db.inTransaction) handle(waiting.shift(), replies);
}
// A message is the calls of one turn of the main thread's microtasks; the answers go back as one.
parentPort.on("message", (message) => {
  if (message === "close") { if (walFd !== undefined) fs.closeSync(walFd); db.close(); parentPort.close(); return; }
  const replies = [];
  for (const m of message) handle(m, replies);
  if (replies.length > 0) parentPort.postMessage(replies);
});
`;
