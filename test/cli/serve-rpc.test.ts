// `molt-market serve --chain rpc`: the marketplace on a validator over JSON-RPC (the spec's
// MOLT_RPC_URL, MOLT_MINT and MOLT_WALLET_PATH), here the embedded chain served by localnet. A job
// goes from funding to settlement with both parties co-signing on their side; the balances the
// chain reports over RPC are exact.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EmbeddedMoltClient } from "../../src/chain/embedded/embedded-client.js";
import { startLocalnet } from "../../src/chain/localnet/rpc-server.js";
import { Wallet } from "../../src/chain/wallet.js";
import { MarketClient } from "../../src/client/client.js";
import { attest, confirm } from "../../src/settlement/statements.js";
import { serveProcess } from "../support/serve-process.js";

describe("molt-market serve --chain rpc", () => {
  it("funds, runs and settles a job on a validator over JSON-RPC", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "molt-serve-rpc-"));
    const chain = await EmbeddedMoltClient.open({ dataDir: join(dir, "chain") });
    const localnet = await startLocalnet(chain, { port: 0 });
    const server = await serveProcess(join(dir, "server"), {
      args: ["--chain", "rpc", "--no-demo"],
      env: { MOLT_RPC_URL: localnet.rpcUrl, MOLT_MINT: chain.mint, MOLT_WALLET_PATH: join(dir, "chain", "operator.json") },
    });
    try {
      const [providerWallet, buyerWallet] = [Wallet.generate(), Wallet.generate()];
      const provider = new MarketClient({ baseUrl: server.url, wallet: providerWallet });
      const buyer = new MarketClient({ baseUrl: server.url, wallet: buyerWallet });
      await buyer.airdrop("10");
      await provider.addOffer({ gpuCapacity: { gpuCount: 1, gpuModel: "L4", vramGb: 24 }, pricePerHour: "3.6", availableHours: 4 });
      const { orderId } = await buyer.submitOrder({
        requirements: { minGpuCount: 1, minVramGb: 24, maxPricePerHour: "3.6", estimatedHours: 1 },
      });
      const escrow = await buyer.fundEscrow(orderId);
      expect(escrow).toMatchObject({ state: "Locked", amount: "3.6", ratePerSecond: "1000000" });
      await provider.startJob(orderId);
      const startedAtMs = (await provider.getOrder(orderId)).job.startedAtMs ?? 0;
      await new Promise((resolve) => setTimeout(resolve, 2100));
      const proof = {
        escrowId: escrow.escrowId,
        orderId,
        offerId: escrow.offerId,
        provider: providerWallet.address,
        gpuModel: "L4",
        gpuCount: 1,
        startedAtMs,
        endedAtMs: startedAtMs + 2000,
        exitStatus: 0,
        outputDigest: "c".repeat(64),
        usageDigest: "d".repeat(64),
      };
      await provider.endJob(orderId, "complete", attest(proof, providerWallet));
      const settled = await buyer.settle(orderId, {
        actualHours: (2 / 3600).toFixed(9),
        confirmation: confirm({ proof, buyer: buyerWallet, accepted: true, billedSeconds: 2 }),
      });
      expect(settled.status).toBe("Settled");
      // 2 s at 1,000,000 base units/s; the fee is 2.5 % of each second (25,000).
      expect((await provider.balance(providerWallet.address)).molt).toBe("0.00195");
      expect((await buyer.balance(buyerWallet.address)).molt).toBe("9.998");
      expect(await chain.balance(providerWallet.address).then((a) => a.toString())).toBe("0.00195");
    } finally {
      expect((await server.stop()).code).toBe(0);
      await localnet.close();
      chain.close();
    }
  });
});
