// The demo market `serve` lists on a first start: the first DEMO_OFFERS offers of the shipped sample
// market, each under a wallet of its sample provider (one file per provider in DIR/demo-providers),
// and an index of those wallets by address with the offers each serves. Writes those files.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Wallet } from "../chain/wallet.js";
import type { CreateOfferInput } from "../core/offer.js";
import type { Marketplace } from "../market/marketplace.js";
import { SAMPLE_MARKET_URL, readMarketOffers } from "./market-file.js";

/** Offers of the sample market listed as the demo market on a first start. */
export const DEMO_OFFERS = 40;
/** The folder of the data directory that holds the demo providers' wallets and their index. */
const DEMO_PROVIDERS_DIR = "demo-providers";

/** A demo provider's wallet and the file it is kept in. */
interface DemoProvider {
  readonly wallet: Wallet;
  readonly path: string;
}

/**
 * The wallets of the demo market's providers, one file per sample provider in `dir` (made on first
 * use), so a demo offer's jobs can be funded, run and settled like any other.
 */
function demoProviders(dir: string): (sampleId: string) => DemoProvider {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const providers = new Map<string, DemoProvider>();
  return (sampleId) => {
    const name = sampleId.replace(/[^A-Za-z0-9_-]/g, "_");
    let provider = providers.get(name);
    if (provider === undefined) {
      const path = join(dir, `${name}.json`);
      if (!existsSync(path)) Wallet.generate().save(path);
      provider = { wallet: Wallet.fromFile(path), path };
      providers.set(name, provider);
    }
    return provider;
  };
}

/** Where the index of the demo providers is: which wallet file serves which offers, by address. */
export function demoIndexPath(dataDir: string): string {
  return join(dataDir, DEMO_PROVIDERS_DIR, "index.json");
}

/**
 * Lists the demo market's offers, each under its sample provider's wallet, and writes the index of
 * those wallets: [{ address, wallet (file), offers }]. @throws what addOffer throws, STORE_ERROR
 */
export async function listDemoMarket(market: Marketplace, dataDir: string): Promise<void> {
  // The shipped sample market: offers as CreateOfferInput, providers named by sample ids.
  const demo = readMarketOffers(SAMPLE_MARKET_URL).slice(0, DEMO_OFFERS) as (CreateOfferInput & { readonly providerId: string })[];
  const providers = demoProviders(join(dataDir, DEMO_PROVIDERS_DIR));
  const listed = await Promise.all(
    demo.map(async (offer, i) => {
      const provider = providers(offer.providerId);
      const { offerId } = await market.addOffer(`demo-${i}`, { ...offer, providerId: provider.wallet.address });
      return { provider, offerId };
    }),
  );
  const index = new Map<string, { address: string; wallet: string; offers: string[] }>();
  for (const { provider, offerId } of listed) {
    const entry = index.get(provider.wallet.address) ?? { address: provider.wallet.address, wallet: provider.path, offers: [] };
    entry.offers.push(offerId);
    index.set(entry.address, entry);
  }
  writeFileSync(demoIndexPath(dataDir), `${JSON.stringify([...index.values()], null, 2)}\n`, { mode: 0o600 });
}
