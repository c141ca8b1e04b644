// Two marketplace processes on one PostgreSQL take 1200 concurrent orders against the same offers:
// never more GPUs allocated than offered, and each process's book equals the other's (and a book
// rebuilt from the database) within a second.
import { spawn } from "node:child_process";
import type { ChildProcessByStdio } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { EmbeddedMoltClient } from "../../src/chain/embedded/embedded-client.js";
import { Wallet } from "../../src/chain/wallet.js";
import { Marketplace } from "../../src/market/marketplace.js";
import { PaymentService } from "../../src/payments/payment-service.js";
import { SqlStore } from "../../src/store/sql-store.js";
import { dropSchema, postgresUrl } from "../support/postgres.js";
import { conservationErrors } from "../support/market.js";

const worker = new URL("../support/workers/node-worker.ts", import.meta.url).pathname;
const url = await postgresUrl("Marketplace multi-node test");
const schema = `molt_nodes_${process.pid}`;
const ORDERS_PER_NODE = 600;

interface Node {
  readonly child: ChildProcessByStdio<Writable, Readable, null>;
  next(prefix: string): Promise<string[]>;
  send(line: string): void;
}

function startNode(nodeId: string): Node {
  const child = spawn(process.execPath, ["--import", "tsx", worker, url ?? "", schema, nodeId, String(ORDERS_PER_NODE)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  createInterface({ input: child.stdout }).on("line", (line) => {
    lines.push(line);
    for (const wake of waiters.splice(0)) wake();
  });
  return {
    child,
    async next(prefix) {
      for (;;) {
        const index = lines.findIndex((line) => line.startsWith(prefix));
        if (index >= 0) return (lines.splice(index, 1)[0] ?? "").split(" ").slice(1);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    send(line) {
      child.stdin.write(`${line}\n`);
    },
  };
}

describe.runIf(url !== undefined)("two marketplace processes on one PostgreSQL", () => {
  afterAll(() => dropSchema(url ?? "", schema));

  it(`${2 * ORDERS_PER_NODE} concurrent orders: GPUs never over-allocated, books equal within a second`, { timeout: 120_000 }, async () => {
    const chain = await EmbeddedMoltClient.open({ dataDir: mkdtempSync(join(tmpdir(), "molt-nodes-")) });
    const payments = new PaymentService({ client: chain, arbiter: Wallet.generate() });
    const seeder = await Marketplace.open({
      store: await SqlStore.openPostgres(url ?? "", { schema }),
      payments,
      nodeId: "seeder",
      follow: false,
    });
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        seeder.addOffer(`offer-${i}`, {
          providerId: `provider-${i % 5}`,
          gpuCapacity: { gpuCount: 8, gpuModel: "H100", vramGb: 80 },
          pricePerHour: (2 + (i % 7) * 0.25).toFixed(2),
          availableHours: 24,
        }),
      ),
    );
    await seeder.close();

    const nodes = [startNode("a"), startNode("b")];
    await Promise.all(nodes.map((node) => node.next("ready")));
    for (const node of nodes) node.send("go");
    const done = await Promise.all(nodes.map((node) => node.next("done")));
    const finishedAt = Date.now();
    const matched = done.reduce((sum, [m]) => sum + Number(m), 0);
    expect(done.reduce((sum, [m, p]) => sum + Number(m) + Number(p), 0)).toBe(2 * ORDERS_PER_NODE);
    expect(matched).toBeGreaterThan(0);

    // Within a second both books are the same.
    let snapshots: string[][];
    for (;;) {
      for (const node of nodes) node.send("snapshot");
      snapshots = await Promise.all(nodes.map((node) => node.next("snapshot")));
      if (snapshots[0]?.join() === snapshots[1]?.join() || Date.now() - finishedAt > 1000) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(Date.now() - finishedAt).toBeLessThanOrEqual(1000);
    expect(snapshots[0]).toEqual(snapshots[1]);

    // The database agrees: capacity conserved, never over-allocated, and a rebuilt book is the same.
    const store = await SqlStore.openPostgres(url ?? "", { schema });
    const rebuilt = await Marketplace.open({ store, payments, nodeId: "checker", follow: false });
    try {
      expect(await conservationErrors(store)).toEqual([]);
      const stored = await store.loadBook();
      expect(stored.allocated).toHaveLength(matched);
      const allocatedGpus = stored.allocated.reduce(
        (sum, row) => sum + (JSON.parse(row.match ?? "{}") as { gpuCount: number }).gpuCount,
        0,
      );
      expect(allocatedGpus).toBeLessThanOrEqual(40 * 8);
      expect(stored.offers.every((o) => o.freeGpus >= 0)).toBe(true);
      const digest = createHash("sha256").update(JSON.stringify(rebuilt.book.snapshot())).digest("hex");
      expect(snapshots[0]).toEqual([digest, String(rebuilt.lastSeq)]);
      const writers = new Set((await store.eventsAfter(0, 100_000)).map((e) => e.node));
      expect(writers).toEqual(new Set(["seeder", "a", "b"]));
    } finally {
      await rebuilt.close();
      for (const node of nodes) node.send("exit");
      await Promise.all(nodes.map((node) => new Promise((resolve) => node.child.on("exit", resolve))));
      chain.close();
    }
  });
});
