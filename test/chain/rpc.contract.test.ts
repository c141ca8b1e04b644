// The MoltClient contract on the rpc backend: kit's RPC client talking to a localnet server over
// HTTP (started here, on a free port, over a fresh embedded chain per test).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmbeddedMoltClient } from "../../src/chain/embedded/embedded-client.js";
import { startLocalnet } from "../../src/chain/localnet/rpc-server.js";
import { Network } from "../../src/chain/network.js";
import { RpcMoltClient } from "../../src/chain/rpc/rpc-client.js";
import { Wallet } from "../../src/chain/wallet.js";
import { moltClientContract } from "./molt-client.contract.js";

moltClientContract("rpc over localnet", async () => {
  const chain = await EmbeddedMoltClient.open({ dataDir: mkdtempSync(join(tmpdir(), "molt-rpc-contract-")) });
  const localnet = await startLocalnet(chain, { port: 0 });
  const payer = Wallet.generate();
  chain.airdropLamports(payer.address, 100_000_000_000n);
  const client = new RpcMoltClient({
    network: Network.custom(localnet.rpcUrl, localnet.wsUrl),
    payer,
    mint: chain.mint,
    mintAuthority: chain.operator,
    confirmTimeoutMs: 10_000,
  });
  return Object.assign(client, {
    close: (): void => {
      void localnet.close().then(() => {
        chain.close();
      });
    },
  });
});
