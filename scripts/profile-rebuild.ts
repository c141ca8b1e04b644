// Profiles Marketplace.open on a SQLite store of N offers (created on the first run): node --cpu-prof.
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmbeddedMoltClient } from "../src/chain/embedded/embedded-client.js";
import { Wallet } from "../src/chain/wallet.js";
import { Marketplace } from "../src/market/marketplace.js";
import { generateOffers } from "../test/support/sample-market.js";
import { PaymentService } from "../src/payments/payment-service.js";
import { SqlStore } from "../src/store/sql-store.js";

const [path = "/tmp/prof/market.db", countText = "200000"] = process.argv.slice(2);
const chain = await EmbeddedMoltClient.open({ dataDir: mkdtempSync(join(tmpdir(), "molt-prof-")) });
const payments = new PaymentService({ client: chain, arbiter: Wallet.generate() });
if (!existsSync(path)) {
  const market = await Marketplace.open({ store: SqlStore.openSqlite(path), payments, follow: false });
  const offers = generateOffers({ seed: 7, offers: Number(countText), nowMs: Date.now() }).map((o) => ({
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
const started = performance.now();
const market = await Marketplace.open({ store: SqlStore.openSqlite(path), payments, follow: false });
console.log(`open ${((performance.now() - started) / 1000).toFixed(2)} s, ${market.book.offerCount} offers`);
await market.close();
chain.close();
