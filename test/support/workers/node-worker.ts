// Child process of the multi-node test: one marketplace process on a shared PostgreSQL schema.
// On "go" (stdin) it submits its orders, 64 at a time, and prints "done <matched> <pending>"; on
// "snapshot" it prints a digest of its book and its last seq; on "exit" it closes.
import { createHash } from "node:crypto";
import { mkdtempSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { EmbeddedMoltClient } from "../../../src/chain/embedded/embedded-client.js";
import { Wallet } from "../../../src/chain/wallet.js";
import { Marketplace } from "../../../src/market/marketplace.js";
import { PaymentService } from "../../../src/payments/payment-service.js";
import { SqlStore } from "../../../src/store/sql-store.js";

const [url = "", schema = "", nodeId = "node", countText = "600"] = process.argv.slice(2);
const chain = await EmbeddedMoltClient.open({ dataDir: mkdtempSync(join(tmpdir(), "molt-node-")) });
const store = await SqlStore.openPostgres(url, { schema });
// This worker measures convergence of two nodes under 1,200 orders of two synthetic buyers, not abuse:
// per-wallet caps and the backing of orders (tested in test/market/wallet-limits.test.ts) are lifted.
const walletLimits = { backedOrders: false, restingOrdersPerBuyerMax: 1_000_000, unfundedMatchesPerBuyerMax: 1_000_000 };
const market = await Marketplace.open({
  store,
  payments: new PaymentService({ client: chain, arbiter: Wallet.generate() }),
  nodeId,
  walletLimits,
});
const say = (line: string): void => {
  writeSync(1, `${line}\n`);
};

async function submitAll(count: number): Promise<void> {
  let next = 0;
  let matched = 0;
  let pending = 0;
  const client = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const result = await market.submitOrder(`${nodeId}-${i}`, {
        buyerId: `buyer-${nodeId}`,
        requirements: { minGpuCount: 1 + (i % 4), minVramGb: 40, maxPricePerHour: "5", estimatedHours: 1 },
      });
      if (result.status === "Matched") matched++;
      else pending++;
    }
  };
  await Promise.all(Array.from({ length: 64 }, () => client()));
  say(`done ${matched} ${pending}`);
}

say("ready");
createInterface({ input: process.stdin }).on("line", (line) => {
  if (line === "go") void submitAll(Number(countText));
  else if (line === "snapshot") {
    void market.follow().then(() => {
      say(`snapshot ${createHash("sha256").update(JSON.stringify(market.book.snapshot())).digest("hex")} ${market.lastSeq}`);
    });
  } else if (line === "exit") {
    void market.close().then(() => {
      chain.close();
      process.exit(0);
    });
  }
});
