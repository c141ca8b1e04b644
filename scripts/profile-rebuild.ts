// Profiles Marketplace.open on a SQLite store of N offers (created on the first run): node --cpu-prof.
// With --memory, first times the in-memory build of N sample offers (bench:store's bound) in the same
// process and prints the ratio; run with --expose-gc to print the heap per offer after the rebuild.
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryBuild } from "../bench/store-memory-build.js";
import { EmbeddedMoltClient } from "../src/chain/embedded/embedded-client.js";
import { Wallet } from "../src/chain/wallet.js";
import { Marketplace } from "../src/market/marketplace.js";
import { generateOffers } from "../test/support/sample-market.js";
import { PaymentService } from "../src/payments/payment-service.js";
import { SqlStore } from "../src/store/sql-store.js";

const args = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const [path = "/tmp/prof/market.db", countText = "200000"] = args;
const count = Number(countText);
const chain = await EmbeddedMoltClient.open({ dataDir: mkdtempSync(join(tmpdir(), "molt-prof-")) });
const payments = new PaymentService({ client: chain, arbiter: Wallet.generate() });
if (!existsSync(path)) {
  const market = await Marketplace.open({ store: SqlStore.openSqlite(path), payments, follow: false });
  const offers = generateOffers({ seed: 7, offers: count, nowMs: Date.now() }).map((o) => ({
    providerId: o.providerId,
    gpuCapacity: o.gpuCapacity,
    pricePerHour: o.pricePerHour.toString(),
    availableHours: o.availableHours,
    minCommitmentHours: o.minCommitmentHours,
    expiresAt: o.expiresAt,
    features: o.features,
    ...(o.location === undefined ? {} : { location: o.location }),
  }));
  for (let i = 0; i < offers.length; i += 50_000) {
    await Promise.all(offers.slice(i, i + 50_000).map((offer, j) => market.addOffer(`o-${i + j}`, offer)));
  }
  await market.close();
}
const collect = (globalThis as { gc?: () => void }).gc;
const memory = process.argv.includes("--memory")
  ? memoryBuild(count, 50_000, (from, size) => generateOffers({ seed: from + 1, offers: size, nowMs: Date.now() }), false)
  : undefined;
collect?.();
const heapBefore = process.memoryUsage().heapUsed;
const started = performance.now();
const cpu = process.cpuUsage();
const market = await Marketplace.open({ store: SqlStore.openSqlite(path), payments, follow: false });
const used = process.cpuUsage(cpu);
const wallSeconds = (performance.now() - started) / 1000;
const cpuSeconds = (used.user + used.system) / 1e6;
console.log(`open ${wallSeconds.toFixed(2)} s (cpu ${cpuSeconds.toFixed(2)} s), ${market.book.offerCount} offers`);
if (memory !== undefined) {
  console.log(
    `in-memory addOffer ${memory.wallSeconds.toFixed(2)} s (cpu ${memory.cpuSeconds.toFixed(2)} s); ratio ${(wallSeconds / memory.wallSeconds).toFixed(2)}x wall, ${(cpuSeconds / memory.cpuSeconds).toFixed(2)}x cpu`,
  );
}
if (collect !== undefined) {
  collect();
  console.log(
    `heap after the rebuild: ${((process.memoryUsage().heapUsed - heapBefore) / market.book.offerCount).toFixed(0)} bytes per offer`,
  );
}
await market.close();
chain.close();
