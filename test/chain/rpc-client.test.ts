// The rpc backend's own rules: a lost answer is retried with the same signed bytes and the transfer
// happens once; no airdrops on mainnet; clear errors when the network is down.
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EmbeddedMoltClient } from "../../src/chain/embedded/embedded-client.js";
import { startLocalnet } from "../../src/chain/localnet/rpc-server.js";
import { Network } from "../../src/chain/network.js";
import { RpcMoltClient } from "../../src/chain/rpc/rpc-client.js";
import { Wallet } from "../../src/chain/wallet.js";
import { Amount } from "../../src/core/amount.js";
import { rejectionCode } from "../support/error-code.js";

/**
 * Forwards to `target`, but loses the first sendTransaction: its answer after forwarding
 * ("answer"), or the request itself before forwarding ("request").
 */
async function lossyProxy(
  target: string,
  lose: "answer" | "request",
): Promise<{ url: string; dropped: () => number; forwardedSends: () => number; close: () => Promise<void> }> {
  let dropped = 0;
  let sends = 0;
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (c: Buffer) => chunks.push(c));
    incoming.on("end", () => {
      const body = Buffer.concat(chunks);
      const isSend = body.toString().includes('"sendTransaction"');
      if (isSend && lose === "request" && dropped === 0) {
        dropped++;
        outgoing.destroy(); // lost on the way: the chain never saw it
        return;
      }
      if (isSend) sends++;
      const forward = httpRequest(target, { method: "POST", headers: { "content-type": "application/json" } }, (answer) => {
        const parts: Buffer[] = [];
        answer.on("data", (c: Buffer) => parts.push(c));
        answer.on("end", () => {
          if (isSend && lose === "answer" && dropped === 0) {
            dropped++;
            outgoing.destroy(); // the transaction landed; its answer is lost
            return;
          }
          outgoing.writeHead(answer.statusCode ?? 200, { "content-type": "application/json" }).end(Buffer.concat(parts));
        });
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    dropped: () => dropped,
    forwardedSends: () => sends,
    close: () =>
      new Promise((resolve) =>
        server.close(() => {
          resolve();
        }),
      ),
  };
}

describe("RpcMoltClient", () => {
  for (const lose of ["answer", "request"] as const) {
    it(`a lost ${lose} of a send: the transfer happens exactly once, with the same signed bytes`, async () => {
      const chain = await EmbeddedMoltClient.open({ dataDir: mkdtempSync(join(tmpdir(), "molt-rpc-retry-")) });
      const localnet = await startLocalnet(chain, { port: 0 });
      const proxy = await lossyProxy(localnet.rpcUrl, lose);
      const payer = Wallet.generate();
      chain.airdropLamports(payer.address, 10_000_000_000n);
      const alice = Wallet.generate();
      const bob = Wallet.generate();
      await chain.airdrop(alice.address, Amount.parse("10"));
      // The proxy carries HTTP only; its websocket URL leads nowhere, so confirmation falls back to polling.
      const client = new RpcMoltClient({
        network: Network.custom(proxy.url, "ws://127.0.0.1:9"),
        payer,
        mint: chain.mint,
        confirmTimeoutMs: 10_000,
      });
      const sent = await client.transfer(alice, bob.address, Amount.parse("4"));
      expect(sent.status.kind).toBe("Confirmed");
      expect(proxy.dropped()).toBe(1);
      // A lost answer needs no resend (the status shows it landed); a lost request is resent once.
      expect(proxy.forwardedSends()).toBe(1);
      expect(chain.signatureStatus(sent.id)?.error).toBeUndefined();
      expect((await chain.balance(bob.address)).toString()).toBe("4");
      expect((await chain.balance(alice.address)).toString()).toBe("6");
      await proxy.close();
      await localnet.close();
      chain.close();
    });
  }

  it("refuses airdrops on mainnet before any request, and reports an unreachable network", async () => {
    const mainnet = new RpcMoltClient({ network: Network.mainnet(), payer: Wallet.generate(), mint: Wallet.generate().address });
    expect(await rejectionCode(mainnet.airdrop(Wallet.generate().address, Amount.parse("1")))).toBe("INVALID_NETWORK");
    const down = new RpcMoltClient({
      network: Network.custom("http://127.0.0.1:9"),
      payer: Wallet.generate(),
      mint: Wallet.generate().address,
      confirmTimeoutMs: 1000,
    });
    const alice = Wallet.generate();
    await expect(down.balance(alice.address)).rejects.toThrow();
    const noAuthority = new RpcMoltClient({
      network: Network.custom("http://127.0.0.1:9"),
      payer: Wallet.generate(),
      mint: Wallet.generate().address,
    });
    expect(await rejectionCode(noAuthority.airdrop(alice.address, Amount.parse("1")))).toBe("WALLET_ERROR");
  });
});
