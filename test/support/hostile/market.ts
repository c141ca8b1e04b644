// A market as the hostile suite attacks it: a Marketplace on one store and one chain backend,
// behind the real HTTP app listening on 127.0.0.1, and its people: the arbiter (held by the
// market), a buyer, a provider and an attacker, each a fresh wallet with SOL and MOLT of its own,
// each with a typed MarketClient.
import type { FastifyInstance } from "fastify";
import type { Address } from "../../../src/core/address.js";
import { Wallet } from "../../../src/chain/wallet.js";
import { MarketClient } from "../../../src/client/client.js";
import type { EscrowView } from "../../../src/contract/escrows.js";
import { Marketplace } from "../../../src/market/marketplace.js";
import { PaymentService } from "../../../src/payments/payment-service.js";
import { buildApp } from "../../../src/server/app.js";
import type { HostileChain } from "./chains.js";
import type { HostileStore } from "./stores.js";

/** MOLT a fresh buyer holds; every other party holds a little (so its token account exists). */
export const BUYER_MOLT = "1000";
export const PARTY_MOLT = "1";

/** A wallet with SOL and MOLT of its own, and its client of the market. */
export interface Party {
  readonly wallet: Wallet;
  readonly client: MarketClient;
}

/** A served market and its people. */
export interface HostileMarket {
  readonly chain: HostileChain;
  readonly market: Marketplace;
  readonly app: FastifyInstance;
  readonly baseUrl: string;
  readonly arbiter: Wallet;
  readonly buyer: Party;
  readonly provider: Party;
  readonly attacker: Party;
  /** A fresh wallet with SOL and `molt` MOLT. */
  party(molt?: string): Promise<Party>;
  close(): Promise<void>;
}

/** Gives a wallet SOL (the chain's fees and rent: funding, payouts) and MOLT. */
export async function fundWallet(chain: HostileChain, address: Address, molt: string): Promise<void> {
  await chain.fundSol(address);
  await chain.fundMolt(address, molt);
}

/** Opens a market on a fresh store of `store` over `chain`, served on a free port. */
export async function openHostileMarket(store: HostileStore, chain: HostileChain): Promise<HostileMarket> {
  const { store: opened, dispose } = await store.fresh();
  const arbiter = Wallet.generate();
  await fundWallet(chain, arbiter.address, PARTY_MOLT);
  const market = await Marketplace.open({ store: opened, payments: new PaymentService({ client: chain.client, arbiter }), follow: false });
  // Signatures are verified on a worker thread, as `serve` does.
  const app = await buildApp({ market, requestsPerMinute: 1_000_000, verifyThreads: 1 });
  const baseUrl = await app.listen({ host: "127.0.0.1", port: 0 });
  const party = async (molt = PARTY_MOLT): Promise<Party> => {
    const wallet = Wallet.generate();
    await fundWallet(chain, wallet.address, molt);
    return { wallet, client: new MarketClient({ baseUrl, wallet }) };
  };
  const [buyer, provider, attacker] = [await party(BUYER_MOLT), await party(), await party()];
  return {
    chain,
    market,
    app,
    baseUrl,
    arbiter,
    buyer,
    provider,
    attacker,
    party,
    async close() {
      await app.close();
      await market.close();
      await dispose();
    },
  };
}

/** A job the provider lists and the buyer orders and funds through the HTTP API: the order and its escrow. */
export async function fundedJob(
  m: HostileMarket,
  shape: { readonly gpus: number; readonly price: string; readonly hours: number } = { gpus: 2, price: "2.5", hours: 1 },
): Promise<{ readonly orderId: string; readonly escrow: EscrowView }> {
  await m.provider.client.addOffer({
    gpuCapacity: { gpuCount: shape.gpus, gpuModel: "H100", vramGb: 80 },
    pricePerHour: shape.price,
    availableHours: 24,
  });
  const order = await m.buyer.client.submitOrder({
    requirements: { minGpuCount: shape.gpus, minVramGb: 80, maxPricePerHour: shape.price, estimatedHours: shape.hours },
  });
  if (order.status !== "Matched") throw new Error(`the order did not match: ${order.status}`);
  return { orderId: order.orderId, escrow: await m.buyer.client.fundEscrow(order.orderId) };
}
