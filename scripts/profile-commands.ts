// Profiles durable submitOrder under group commit on SQLite (node --cpu-prof): 20,000 offers, 30,000 orders, 2,000 in flight.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmbeddedMoltClient } from "../src/chain/embedded/embedded-client.js";
import { Wallet } from "../src/chain/wallet.js";
import { Marketplace } from "../src/market/marketplace.js";
import { PaymentService } from "../src/payments/payment-service.js";
import { SqlStore } from "../src/store/sql-store.js";

const dir = mkdtempSync(join(tmpdir(), "molt-prof-cmd-"));
const chain = await EmbeddedMoltClient.open({ dataDir: join(dir, "chain") });
const market = await Marketplace.open({
  store: SqlStore.openSqlite(join(dir, "market.db")),
  payments: new PaymentService({ client: chain, arbiter: Wallet.generate() }),
  follow: false,
});
await Promise.all(
  Array.from({ length: 20_000 }, (_, i) =>
    market.addOffer(`o${i}`, {
      providerId: `p${i % 100}`,
      gpuCapacity: { gpuCount: 8, gpuModel: "H100", vramGb: 80 },
      pricePerHour: (2 + (i % 50) / 10).toFixed(2),
      availableHours: 100,
    }),
  ),
);
const count = 30_000;
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: 2000 }, async () => {
    while (next < count) {
      const i = next++;
      await market.submitOrder(`r${i}`, {
        buyerId: "buyer",
        requirements: { minGpuCount: 1 + (i % 2), minVramGb: 40, maxPricePerHour: "9", estimatedHours: 1 },
      });
    }
  }),
);
console.log(`${Math.round(count / ((performance.now() - started) / 1000))} commands/s`);
await market.close();
chain.close();
