// Child process of the crash test: a marketplace (store + embedded chain in the given directory)
// taking commands from 16 concurrent clients until it is killed. After each acknowledged command
// it prints "ack <kind> <key> <id>" (synchronously), so the parent knows what must survive.
import { writeSync } from "node:fs";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { EmbeddedMoltClient } from "../../../src/chain/embedded/embedded-client.js";
import { Wallet } from "../../../src/chain/wallet.js";
import { Amount } from "../../../src/core/amount.js";
import { isMarketError } from "../../../src/core/errors.js";
import { Marketplace } from "../../../src/market/marketplace.js";
import { PaymentService } from "../../../src/payments/payment-service.js";
import { attest, confirm } from "../../../src/settlement/statements.js";
import { SqlStore } from "../../../src/store/sql-store.js";

const [dir = "", run = "0", dialect = "sqlite", url = "", schema = ""] = process.argv.slice(2);
const wallet = (name: string): Wallet => {
  const path = join(dir, `${name}.json`);
  if (!existsSync(path)) Wallet.generate().save(path);
  return Wallet.fromFile(path);
};
const [arbiter, buyer, provider] = [wallet("arbiter"), wallet("buyer"), wallet("provider")];
const chain = await EmbeddedMoltClient.open({ dataDir: join(dir, "chain"), snapshotEvery: 50 });
if ((await chain.balance(buyer.address)).isZero()) await chain.airdrop(buyer.address, Amount.parse("1000000"));
const store = dialect === "sqlite" ? SqlStore.openSqlite(join(dir, "market.db")) : await SqlStore.openPostgres(url, { schema });
// One buyer and one provider stand for many here (this tests durability under kill -9, not abuse):
// their per-wallet caps are lifted; the orders stay backed by the buyer's 1,000,000 MOLT.
const walletLimits = { offersPerProviderMax: 1_000_000, restingOrdersPerBuyerMax: 1_000_000, unfundedMatchesPerBuyerMax: 1_000_000 };
const market = await Marketplace.open({ store, payments: new PaymentService({ client: chain, arbiter }), follow: false, walletLimits });
const ack = (kind: string, key: string, id: string): void => {
  writeSync(1, `ack ${kind} ${key} ${id}\n`);
};
writeSync(1, "ready\n");

let counter = 0;
const nextKey = (): string => `${run}-${++counter}`;
/** Takes a matched order through fund, start, complete and settle, from wherever it is now. */
async function jobFlow(orderId: string): Promise<void> {
  const status = (await market.getOrder(orderId)).status;
  if (status === "Matched") {
    const fundKey = nextKey();
    await market.fundEscrow(fundKey, orderId, buyer);
    ack("fund", fundKey, orderId);
  }
  const escrow = await market.getEscrow(orderId);
  if (status === "Matched" || status === "Escrowed") {
    const startKey = nextKey();
    await market.startJob(startKey, orderId, provider.address);
    ack("start", startKey, orderId);
  }
  const proof = {
    escrowId: escrow.id,
    orderId,
    offerId: escrow.offerId,
    provider: provider.address,
    gpuModel: "H100",
    gpuCount: escrow.gpuCount,
    startedAtMs: escrow.createdAt.getTime(),
    endedAtMs: Date.now(),
    exitStatus: 0,
    outputDigest: "a".repeat(64),
    usageDigest: "b".repeat(64),
  };
  if (status !== "Completed") {
    const completeKey = nextKey();
    await market.completeJob(completeKey, orderId, attest(proof, provider), provider.address);
    ack("complete", completeKey, orderId);
  }
  const completed = (await market.getOrder(orderId)).job.attestation?.proof ?? proof;
  const seconds = Math.floor((completed.endedAtMs - completed.startedAtMs) / 1000);
  const settleKey = nextKey();
  await market.settle(
    settleKey,
    orderId,
    { actualHours: seconds / 3600, confirmation: confirm({ proof: completed, buyer, accepted: true, billedSeconds: seconds }) },
    provider,
  );
  ack("settle", settleKey, orderId);
}

async function client(): Promise<never> {
  for (;;) {
    const pick = Math.random();
    const key = nextKey();
    try {
      if (pick < 0.25) {
        const { offerId } = await market.addOffer(key, {
          providerId: provider.address,
          gpuCapacity: { gpuCount: 1 + Math.floor(Math.random() * 8), gpuModel: "H100", vramGb: 80 },
          pricePerHour: (1 + Math.random() * 3).toFixed(3),
          availableHours: 24,
        });
        ack("offer", key, offerId);
      } else {
        const { orderId, status } = await market.submitOrder(key, {
          buyerId: buyer.address,
          requirements: { minGpuCount: 1 + Math.floor(Math.random() * 4), minVramGb: 40, maxPricePerHour: "5", estimatedHours: 1 },
        });
        ack("order", key, orderId);
        if (status === "Matched" && Math.random() < 0.3) await jobFlow(orderId);
        else if (status === "Pending" && Math.random() < 0.2) {
          const cancelKey = nextKey();
          await market.cancelOrder(cancelKey, orderId, buyer.address);
          ack("cancel", cancelKey, orderId);
        }
      }
    } catch (e) {
      if (!isMarketError(e)) throw e;
      if (process.env.MOLT_WORKER_DEBUG !== undefined && !["INVALID_STATE_TRANSITION", "ORDER_NOT_FOUND"].includes(e.code))
        writeSync(2, `error ${e.code}: ${e.message}\n`);
    }
  }
}

/** Runs jobs of matched orders, this round's or left by an earlier one. */
async function jobClient(): Promise<never> {
  for (;;) {
    const rows = await store.ordersWithStatus(["Matched", "Escrowed", "Running", "Completed"], 50);
    const row = rows[Math.floor(Math.random() * rows.length)];
    try {
      if (row !== undefined) await jobFlow(row.id);
      else await new Promise((resolve) => setTimeout(resolve, 10));
    } catch (e) {
      if (!isMarketError(e)) throw e;
    }
  }
}

await Promise.all([...Array.from({ length: 12 }, () => client()), ...Array.from({ length: 4 }, () => jobClient())]);
