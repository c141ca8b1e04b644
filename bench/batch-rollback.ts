// bench:batch — what a refused command costs a group-commit batch against what an accepted one
// costs, in the same process, as the batch fills: a hostile client's refused commands (an order its
// balance cannot back, say) land in the batches of everyone else, and their rollback must cost what
// they changed, not what the batch holds. Each command writes an order, its event and its stored
// answer (the rows of a submitOrder); a refused one is rolled back to its mark.
// Flags: `--sizes=10,200,1000` (rows already in the batch), `--json` prints one JSON object last.
import { BatchBuilder } from "../src/market/batch.js";
import { orderRow } from "../test/support/order-row.js";
import { benchArgs, fixed, nowNs, printTable } from "./report.js";

const { json, sizes } = benchArgs();
const BATCH_ROWS = sizes ?? [10, 200, 1000];
/** Commands timed per size and kind, in rounds that alternate the two kinds. */
const TIMED = 50_000;
const ROUNDS = 10;

/** One command's rows, as submitOrder writes them. */
function command(batch: BatchBuilder, n: number): void {
  const id = `ord_${n}`;
  batch.putOrder(orderRow(id, `buyer-${n % 97}`, "Pending"));
  batch.marketEvent({ type: "OrderRested", entityId: id });
  batch.putCommand({ key: `key-${n}`, requestHash: "hash", response: "{}", atMs: 0 });
}

/** A batch holding `rows` commands already. */
function batchOf(rows: number): BatchBuilder {
  const batch = new BatchBuilder(0, "bench", 0);
  for (let i = 0; i < rows; i++) command(batch, i);
  return batch;
}

/** µs per command on a batch of `rows`: accepted ones kept (the batch grows by `count`), refused ones rolled back. */
function time(rows: number, refused: boolean, count: number, start: number): number {
  const batch = batchOf(rows);
  const begin = nowNs();
  for (let i = 0; i < count; i++) {
    const mark = batch.mark();
    command(batch, start + i);
    if (refused) batch.rollback(mark);
  }
  return Number(nowNs() - begin) / 1000 / count;
}

const results = BATCH_ROWS.map((rows) => {
  const accepted: number[] = [];
  const refused: number[] = [];
  let n = 1_000_000;
  for (let round = 0; round < ROUNDS; round++) {
    accepted.push(time(rows, false, Math.min(TIMED / ROUNDS, 1000), (n += TIMED)));
    refused.push(time(rows, true, TIMED / ROUNDS, (n += TIMED)));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  return { rows, acceptedUs: median(accepted), refusedUs: median(refused) };
});

printTable(
  `bench:batch — a command in a group-commit batch, µs (median of ${ROUNDS} rounds; accepted: up to 1,000 more rows each round)`,
  results.map((r) => ({
    "rows in the batch": r.rows,
    "accepted µs": fixed(r.acceptedUs, 2),
    "refused µs": fixed(r.refusedUs, 2),
    "refused / accepted": fixed(r.refusedUs / r.acceptedUs, 2),
  })),
);
if (json) console.log(JSON.stringify({ bench: "batch", node: process.version, results }));
