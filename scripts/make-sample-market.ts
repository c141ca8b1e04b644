// Writes examples/sample-market.json: 400 offers from the seeded realistic generator, without ids
// or timestamps, so that `molt-market quote` lists them as created now. Run: npx tsx scripts/make-sample-market.ts
import { writeFileSync } from "node:fs";
import { generateOffers } from "../test/support/sample-market.js";

const offers = generateOffers({ seed: 2026, offers: 400, nowMs: Date.parse("2026-11-23T00:00:00Z"), providers: 40 }).map((offer) => ({
  providerId: offer.providerId,
  gpuCapacity: offer.gpuCapacity,
  pricePerHour: offer.pricePerHour.toString(),
  availableHours: offer.availableHours,
  minCommitmentHours: offer.minCommitmentHours,
  features: offer.features,
  location: offer.location,
}));
const market = {
  description:
    "Sample molt-market book: 400 offers of H100, H200, B200, A100, L40S, L4, RTX 4090/5090 and MI300X hosts in ten regions. Prices are MOLT per GPU-hour.",
  offers,
};
writeFileSync(new URL("../examples/sample-market.json", import.meta.url), `${JSON.stringify(market, null, 1)}\n`);
console.log(`wrote ${offers.length} offers`);
