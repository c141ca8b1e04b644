// `molt-market localnet`: serves the embedded chain (a data directory) over Solana JSON-RPC on
// 127.0.0.1 until interrupted, then writes a snapshot. Reads and writes the data directory, which it
// holds locked while it runs.
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { EmbeddedMoltClient } from "../chain/embedded/embedded-client.js";
import { startLocalnet } from "../chain/localnet/rpc-server.js";
import { lockDataDir } from "./data-dir-lock.js";
import { parsePort, untilStopped } from "./process.js";

/** Default data directory of the embedded chain. */
export const DEFAULT_CHAIN_DIR = ".molt-market/chain";

/** Usage of the localnet command. */
export const LOCALNET_USAGE = `Usage: molt-market localnet [--data-dir DIR] [--port N]

Serves the embedded MOLT chain (LiteSVM with the SPL Token program) over Solana JSON-RPC on
127.0.0.1, with signature and slot subscriptions over websocket, so stock Solana clients
(@solana/kit, @solana/web3.js, the solana CLI) can use it: send and confirm, airdrops, balances,
token accounts, an address's recent signatures and transactions. A slot (and a new blockhash)
comes every 400 ms. Unknown methods answer -32601. Stop it with Ctrl-C.

  --data-dir DIR   where the chain lives (default ${DEFAULT_CHAIN_DIR})
  --port N         HTTP JSON-RPC port (default 8899; websocket on N + 1, as solana-test-validator;
                   0 picks free ones: pass the printed websocket URL to your client)
`;

/**
 * Runs `localnet` until SIGINT or SIGTERM, holding the chain directory's lock meanwhile.
 * @throws MarketError for bad flags, DATA_DIR_LOCKED (another process runs this chain), STORE_ERROR
 */
export async function runLocalnet(args: readonly string[], out: (text: string) => void): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: { "data-dir": { type: "string" }, port: { type: "string" }, help: { type: "boolean", short: "h", default: false } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    out(LOCALNET_USAGE);
    return;
  }
  const port = parsePort(values.port, 8899);
  const dataDir = resolve(values["data-dir"] ?? DEFAULT_CHAIN_DIR);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const lock = lockDataDir(dataDir, `molt-market localnet --data-dir ${dataDir} --port ${port}`);
  try {
    const chain = await EmbeddedMoltClient.open({ dataDir });
    const localnet = await startLocalnet(chain, { port });
    lock.setUrl(localnet.rpcUrl);
    const stopped = untilStopped(); // listening before saying it serves, so an immediate stop is clean
    out(
      `localnet serving ${localnet.rpcUrl}\nwebsocket ${localnet.wsUrl}\nmint ${chain.mint}\noperator ${chain.operator.address}\ndata ${dataDir}\n`,
    );
    await stopped;
    await localnet.close();
    chain.close();
  } finally {
    lock.release();
  }
  out("localnet stopped; state saved\n");
}
