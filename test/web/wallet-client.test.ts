// The dashboard's signing end to end in Node: a MarketClient whose wallet is a Wallet Standard
// wallet (the test wallet, connected with connectWallet) submits, funds (a chain step signed with
// solana:signTransaction), settles with a confirmation signed by the wallet, and cancels, against a
// real listening server with SQLite and the embedded chain; a client on an imported keypair file
// orders and cancels too. Every signature goes through the wallet: its calls are counted.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getWallets } from "@wallet-standard/app";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MarketClient } from "../../src/client/client.js";
import { confirmAsync } from "../../src/client/statement-signing.js";
import type { Wallet } from "../../src/chain/wallet.js";
import { attest } from "../../src/settlement/statements.js";
import type { ExecutionProof } from "../../src/settlement/statements.js";
import { openServedMarket } from "../support/server.js";
import type { ServedMarket } from "../support/server.js";
import { importKeypair } from "../../web/src/wallet/keypair-signer.js";
import { connectWallet, listSigningWallets } from "../../web/src/wallet/standard-wallets.js";
import { createTestWallet } from "./support/test-wallet.js";

let served: ServedMarket;
beforeAll(async () => {
  served = await openServedMarket({ listen: true });
});
afterAll(() => served.close());

/** The keypair file of `wallet`, as the CLI writes it. */
function keypairFileOf(wallet: Wallet): string {
  const path = join(mkdtempSync(join(tmpdir(), "molt-web-e2e-")), "buyer.json");
  wallet.save(path);
  return readFileSync(path, "utf8");
}

const resting = { requirements: { minGpuCount: 900, minVramGb: 24, maxPricePerHour: "3", estimatedHours: 1 } };

describe("a MarketClient signing through a browser wallet", () => {
  it("submits, funds, settles and cancels, every signature the wallet's", async () => {
    const { parties, baseUrl } = served;
    const testWallet = createTestWallet(Uint8Array.from(JSON.parse(keypairFileOf(parties.buyer)) as number[]), "Molt Test Wallet");
    const unregister = getWallets().register(testWallet);
    const [wallet] = listSigningWallets().filter((candidate) => candidate.name === "Molt Test Wallet");
    if (wallet === undefined) throw new Error("the test wallet is not listed");
    const signer = await connectWallet(wallet, { chain: "solana:localnet" });
    unregister();
    expect(signer.address).toBe(parties.buyer.address);
    const buyer = new MarketClient({ baseUrl, wallet: signer });
    const provider = new MarketClient({ baseUrl, wallet: parties.provider });
    const before = await parties.chain.balance(parties.buyer.address);

    await provider.addOffer({ gpuCapacity: { gpuCount: 2, gpuModel: "RTX 4090", vramGb: 24 }, pricePerHour: "3", availableHours: 10 });
    const { orderId } = await buyer.submitOrder({
      requirements: { minGpuCount: 2, minVramGb: 24, maxPricePerHour: "3", estimatedHours: 1 },
    });
    const escrow = await buyer.fundEscrow(orderId);
    expect(escrow).toMatchObject({ state: "Locked", amount: "6", buyer: parties.buyer.address });
    expect(testWallet.calls.signTransaction).toBe(1);

    await provider.startJob(orderId);
    const startedAtMs = (await provider.getOrder(orderId)).job.startedAtMs ?? 0;
    const proof: ExecutionProof = {
      escrowId: escrow.escrowId,
      orderId,
      offerId: escrow.offerId,
      provider: parties.provider.address,
      gpuModel: "RTX 4090",
      gpuCount: 2,
      startedAtMs,
      endedAtMs: startedAtMs + 1000,
      exitStatus: 0,
      outputDigest: "ab".repeat(32),
      usageDigest: "ab".repeat(32),
    };
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, proof.endedAtMs - Date.now() + 5)));
    await provider.endJob(orderId, "complete", attest(proof, parties.provider));
    const confirmation = await confirmAsync({ proof, buyer: signer, accepted: true, billedSeconds: 1 });
    const settled = await buyer.settle(orderId, { actualHours: (1 / 3600).toFixed(9), confirmation });
    expect(settled.status).toBe("Settled");
    // 1 s at rate ceil(3 x 2 x 1e9 / 3600) = 1,666,667 base units; the rest of the 6 MOLT came back.
    expect((await parties.chain.balance(parties.buyer.address)).baseUnits).toBe(before.baseUnits - 1_666_667n);
    expect(testWallet.calls.signTransaction).toBe(2);

    const rested = await buyer.submitOrder(resting);
    await buyer.cancelOrder(rested.orderId);
    expect((await buyer.getOrder(rested.orderId)).status).toBe("Cancelled");
    // POSTs signed by the wallet: submit, fund (twice: asking, then with the signature), settle (twice), confirm, submit, cancel.
    expect(testWallet.calls).toEqual({ connect: 1, signMessage: 8, signTransaction: 2 });
  });

  it("a client on an imported keypair file orders and cancels", async () => {
    const { parties, baseUrl } = served;
    const signer = await importKeypair(keypairFileOf(parties.buyer));
    const buyer = new MarketClient({ baseUrl, wallet: signer });
    const { orderId } = await buyer.submitOrder(resting);
    await buyer.cancelOrder(orderId);
    expect(await buyer.getOrder(orderId)).toMatchObject({ status: "Cancelled" });
  });
});
