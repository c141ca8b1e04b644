// Child process of the SIGKILL test: opens the embedded chain in the given directory and makes
// transfers forever, printing "payer <address>" first, then "confirmed <id> <type>" after each one returns.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { EmbeddedMoltClient } from "../../../src/chain/embedded/embedded-client.js";
import { Wallet } from "../../../src/chain/wallet.js";
import { Amount } from "../../../src/core/amount.js";

const dir = process.argv[2] ?? "";
const chain = await EmbeddedMoltClient.open({ dataDir: dir, snapshotEvery: 5 });
const sinkPath = join(dir, "sink.json");
if (!existsSync(sinkPath)) Wallet.generate().save(sinkPath);
const sink = Wallet.fromFile(sinkPath);
const payer = Wallet.generate();
console.log(`payer ${payer.address}`);
const drop = await chain.airdrop(payer.address, Amount.fromMolt(1000));
console.log(`confirmed ${drop.id} Airdrop`);
for (;;) {
  const sent = await chain.transfer(payer, sink.address, Amount.fromMolt(1));
  console.log(`confirmed ${sent.id} Transfer`);
}
