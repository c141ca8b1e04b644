// Profiles durable submitOrder under group commit on SQLite (node --cpu-prof, or PROFILE_OUT=file for the submit loop alone): 20,000 offers, 30,000 orders of 4,999 funded buyers, 2,000 in flight.
import { mkdtempSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmbeddedMoltClient } from "../src/chain/embedded/embedded-client.js";
import { Wallet } from "../src/chain/wallet.js";
import { Amount } from "../src/core/amount.js";
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
      providerId: `provider-${i % 997}`,
      gpuCapacity: { gpuCount: 8, gpuModel: "H100", vramGb: 80 },
      pricePerHour: (2 + (i % 50) / 10).toFixed(2),
      availableHours: 100,
    }),
  ),
);
// Funded buyers (orders are backed by the buyer's MOLT), enough that none reaches its cap of unfunded matches.
const buyers = Array.from({ length: 4999 }, () => Wallet.generate().address);
for (const buyer of buyers) await chain.airdrop(buyer, Amount.parse("1000000"));
const count = 30_000;
let next = 0;
// With PROFILE_OUT=<file>, only the submit loop is profiled (not the setup above): node:inspector's profiler.
const profileOut = process.env.PROFILE_OUT;
const session = new Session();
if (profileOut !== undefined) {
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
}
const started = performance.now();
await Promise.all(
  Array.from({ length: 2000 }, async () => {
    while (next < count) {
      const i = next++;
      await market.submitOrder(`r${i}`, {
        buyerId: buyers[i % buyers.length] ?? "",
        requirements: { minGpuCount: 1 + (i % 2), minVramGb: 40, maxPricePerHour: "9", estimatedHours: 1 },
      });
    }
  }),
);
console.log(`${Math.round(count / ((performance.now() - started) / 1000))} commands/s`);
if (profileOut !== undefined) {
  const { profile } = await session.post("Profiler.stop");
  writeFileSync(profileOut, JSON.stringify(profile));
  session.disconnect();
}
await market.close();
chain.close();
