// Crash test: a child marketplace takes commands under load and is killed with SIGKILL at random
// moments, round after round on the same store and chain. After each kill, a marketplace reopened on
// them (rebuild + reconcile) must hold every acknowledged command, keep free + allocated GPUs = offered
// GPUs for every offer, and agree with the chain on every escrow.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";
import { EmbeddedMoltClient } from "../../src/chain/embedded/embedded-client.js";
import { Wallet } from "../../src/chain/wallet.js";
import { Marketplace } from "../../src/market/marketplace.js";
import { decodeEscrow } from "../../src/market/codec.js";
import { PaymentService } from "../../src/payments/payment-service.js";
import { SqlStore } from "../../src/store/sql-store.js";
import type { Store } from "../../src/store/store.js";
import { dropSchema, postgresUrl } from "../support/postgres.js";
import { conservationErrors } from "../support/market.js";

const worker = new URL("../support/workers/crash-worker.ts", import.meta.url).pathname;
const url = await postgresUrl("Marketplace crash test");
const ROUNDS = 6;
const RANK: Record<string, number> = {
  Pending: 0,
  Cancelled: 1,
  Expired: 1,
  Matched: 1,
  Escrowed: 2,
  Running: 3,
  Completed: 4,
  Failed: 4,
  Settled: 5,
  Refunded: 5,
  Disputed: 5,
  Resolved: 6,
};
const NEEDS: Record<string, number> = { order: 0, fund: 2, start: 3, complete: 4, settle: 5 };

interface Ack {
  readonly kind: string;
  readonly key: string;
  readonly id: string;
}

/** Runs the worker until it has acknowledged at least `minAcks` commands and `delayMs` passed, then kills it. */
function runAndKill(args: string[], delayMs: number, minAcks: number): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", worker, ...args], { stdio: ["ignore", "pipe", "inherit"] });
    const acks: Ack[] = [];
    let ready = false;
    let timer: NodeJS.Timeout | undefined;
    const kill = (): void => {
      if (ready && acks.length >= minAcks && timer === undefined) timer = setTimeout(() => child.kill("SIGKILL"), delayMs);
    };
    createInterface({ input: child.stdout }).on("line", (line) => {
      const [word, kind = "", key = "", id = ""] = line.split(" ");
      if (word === "ready") ready = true;
      if (word === "ack") acks.push({ kind, key, id });
      kill();
    });
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL") resolve(acks);
      else reject(new Error(`worker exited by itself: code ${String(code)}, signal ${String(signal)}`));
    });
  });
}

async function check(store: Store, dir: string, acks: readonly Ack[]): Promise<void> {
  const chain = await EmbeddedMoltClient.open({ dataDir: join(dir, "chain") });
  const arbiter = Wallet.fromFile(join(dir, "arbiter.json"));
  const market = await Marketplace.open({ store, payments: new PaymentService({ client: chain, arbiter }), follow: false });
  try {
    for (const ack of acks) {
      if (ack.kind === "offer") {
        expect(await store.getOffer(ack.id), `acknowledged offer ${ack.key}`).toBeDefined();
      } else {
        const order = await store.getOrder(ack.id);
        expect(order, `acknowledged ${ack.kind} ${ack.key}`).toBeDefined();
        if (ack.kind === "cancel") expect(order?.status).toBe("Cancelled");
        else
          expect(RANK[order?.status ?? ""] ?? -1, `${ack.kind} ${ack.key}: order ${ack.id} is ${order?.status}`).toBeGreaterThanOrEqual(
            NEEDS[ack.kind] ?? 0,
          );
      }
    }
    expect(await conservationErrors(store)).toEqual([]);
    expect(await store.pendingEscrows()).toEqual([]); // reconciled
    let after = "";
    for (;;) {
      const page = await store.listEscrows(after, 500);
      if (page.length === 0) break;
      for (const row of page) {
        const escrow = decodeEscrow(row.doc);
        const handle = await chain.escrowHandleFor({
          escrowId: escrow.id,
          buyer: escrow.buyer,
          provider: escrow.provider,
          arbiter: escrow.arbiter,
          amount: escrow.amount,
        });
        const held = await chain.escrowBalance(handle);
        const onChain =
          held === undefined ? "none or closed" : held.equals(escrow.amount) ? "holds the amount" : `holds ${held.toString()}`;
        const expected =
          row.state === "Created"
            ? "none or closed"
            : row.state === "Locked" || row.state === "Disputed"
              ? "holds the amount"
              : "none or closed";
        expect(onChain, `escrow ${row.id} is ${row.state} in the store`).toBe(expected);
      }
      after = page.at(-1)?.id ?? after;
    }
  } finally {
    await market.close();
    chain.close();
  }
}

const dialects: { name: string; args: (dir: string) => string[]; open: (dir: string) => Promise<Store>; drop?: () => Promise<void> }[] = [
  { name: "sqlite", args: () => ["sqlite"], open: (dir) => Promise.resolve(SqlStore.openSqlite(join(dir, "market.db"))) },
];
if (url !== undefined) {
  const schema = `molt_crash_${process.pid}`;
  dialects.push({
    name: "postgres",
    args: () => ["postgres", url, schema],
    open: () => SqlStore.openPostgres(url, { schema }),
    drop: () => dropSchema(url, schema),
  });
}

describe("marketplace crash test (SIGKILL under load)", () => {
  afterAll(async () => {
    for (const dialect of dialects) await dialect.drop?.();
  });
  for (const dialect of dialects) {
    it(
      `${dialect.name}: ${ROUNDS} kills; nothing acknowledged is lost, GPUs conserved, store and chain agree`,
      { timeout: 180_000 },
      async () => {
        const dir = mkdtempSync(join(tmpdir(), "molt-crash-"));
        let total = 0;
        for (let round = 0; round < ROUNDS; round++) {
          const acks = await runAndKill([dir, String(round), ...dialect.args(dir)], 200 + Math.floor(Math.random() * 800), 20);
          total += acks.length;
          if (process.env.MOLT_CRASH_VERBOSE !== undefined) {
            const kinds = new Map<string, number>();
            for (const a of acks) kinds.set(a.kind, (kinds.get(a.kind) ?? 0) + 1);
            console.log(`${dialect.name} round ${round}: ${JSON.stringify(Object.fromEntries(kinds))}`);
          }
          await check(await dialect.open(dir), dir, acks);
        }
        expect(total).toBeGreaterThan(ROUNDS * 20);
      },
    );
  }
});
