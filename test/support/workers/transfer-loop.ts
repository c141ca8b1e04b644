// Child process of the SIGKILL tests: opens the embedded chain in the given directory and makes
// transfers forever, `lanes` at a time (argv[3], default 1; each lane its own payer, so that the
// transfers in flight are distinct transactions and share the chain log's fsyncs), printing
// "payer <address>" first, then "confirmed <id> <type>" after each one returns.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { EmbeddedMoltClient } from "../../../src/chain/embedded/embedded-client.js";
import { Wallet } from "../../../src/chain/wallet.js";
import { Amount } from "../../../src/core/amount.js";

const dir = process.argv[2] ?? "";
const lanes = Number(process.argv[3] ?? "1");
const chain = await EmbeddedMoltClient.open({ dataDir: dir, snapshotEvery: 5 });
const sinkPath = join(dir, "sink.json");
if (!existsSync(sinkPath)) Wallet.generate().save(sinkPath);
const sink = Wallet.fromFile(sinkPath);

async function lane(): Promise<void> {
  const payer = Wallet.generate();
  console.log(`payer ${payer.address}`);
  const drop = await chain.airdrop(payer.address, Amount.fromMolt(1000));
  console.log(`confirmed ${drop.id} Airdrop`);
  for (;;) {
    const sent = await chain.transfer(payer, sink.address, Amount.fromMolt(1));
    console.log(`confirmed ${sent.id} Transfer`);
  }
}
await Promise.all(Array.from({ length: lanes }, lane));
