// Child process of the kill test: loads, then waits for one line of arguments on stdin (so the test
// can start it while it checks the round before). It then opens the market the test set up (a store
// and an embedded chain in the given directory, wallets in files there), drives one new job to the
// chain step under test and prints, synchronously, "step <name> <orderId> <key>" right before
// calling it, "sending" / "sent" around the chain transaction inside it, then "done" (or "error
// <code> <message>"), and waits to be killed. Writes nothing but the market's own files. The steps:
// fund, settle, refund, resolve, lostPayout (a running job with one usage receipt, failed
// ProviderLost by a sweep, paid its receipted seconds) and extend (the buyer adds hours to it).
import { writeSync } from "node:fs";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { EmbeddedMoltClient } from "../../../src/chain/embedded/embedded-client.js";
import { Wallet } from "../../../src/chain/wallet.js";
import { Amount } from "../../../src/core/amount.js";
import { HOUR_MS } from "../../../src/core/clock.js";
import { isMarketError } from "../../../src/core/errors.js";
import { newDisputeId } from "../../../src/core/ids.js";
import type { MoltClient } from "../../../src/chain/molt-client.js";
import { Marketplace } from "../../../src/market/marketplace.js";
import { PaymentService } from "../../../src/payments/payment-service.js";
import { attest, confirm, openDisputeStatement } from "../../../src/settlement/statements.js";
import type { EscrowAccount } from "../../../src/settlement/escrow-account.js";
import type { ExecutionProof } from "../../../src/settlement/statements.js";
import { signUsageReceipt } from "../../../src/settlement/usage-receipt.js";
import { SqlStore } from "../../../src/store/sql-store.js";

/** The chain steps a kill lands in. */
export const KILL_STEPS = ["fund", "settle", "refund", "resolve", "lostPayout", "extend"] as const;
export type KillStep = (typeof KILL_STEPS)[number];

/** The GPU model of the test offer, repeated in every proof. */
export const KILL_GPU_MODEL = "NVIDIA H100 80GB";
/** How long each job ran by its proof: 90 of its 2 allocated hours. */
export const KILL_JOB_RAN_MS = 90 * 60_000;
/** How far the worker's clock jumps after funding, so the proof's end is in the past. */
export const KILL_JOB_CLOCK_JUMP_MS = 2 * HOUR_MS;
/** How long a lost job ran before its one usage receipt, by the worker's clock: 40 minutes of its 2 allocated hours. */
export const KILL_LOST_RAN_MS = 40 * 60_000;
/** The seconds that receipt attests (all of KILL_LOST_RAN_MS): what the lost job's provider is paid for. */
export const KILL_LOST_SECONDS = KILL_LOST_RAN_MS / 1000;
/** The worker's receipt timeout: its sweep, this much (and a second) after the receipt, fails the job ProviderLost. */
export const KILL_RECEIPT_TIMEOUT_MS = 60_000;
/** Hours the extend step adds to a running job. */
export const KILL_EXTEND_HOURS = 1;
/** The order every job submits: 1 GPU, 2 hours, backed many times over by the buyer's MOLT. */
export const killOrderRequirements = { minGpuCount: 1, minVramGb: 40, maxPricePerHour: "5", estimatedHours: 2 } as const;

/** The proof of a job funded under `escrow`: it ran KILL_JOB_RAN_MS from the escrow's creation. */
export function killProof(
  escrow: Pick<EscrowAccount, "id" | "orderId" | "offerId" | "provider" | "gpuCount" | "createdAt">,
  exitStatus: number,
): ExecutionProof {
  const startedAtMs = escrow.createdAt.getTime();
  return {
    escrowId: escrow.id,
    orderId: escrow.orderId,
    offerId: escrow.offerId,
    provider: escrow.provider,
    gpuModel: KILL_GPU_MODEL,
    gpuCount: escrow.gpuCount,
    startedAtMs,
    endedAtMs: startedAtMs + KILL_JOB_RAN_MS,
    exitStatus,
    outputDigest: "a".repeat(64),
    usageDigest: "b".repeat(64),
  };
}

/** The chain client, saying "sending" and "sent" around each transaction of the step once `armed()`. */
function announced(chain: MoltClient, armed: () => boolean, say: (line: string) => void): MoltClient {
  return new Proxy(chain, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      const method = (value as (...args: unknown[]) => unknown).bind(target);
      if (property !== "createEscrow" && property !== "settleEscrow" && property !== "depositToEscrow") return method;
      return async (...args: unknown[]) => {
        if (armed()) say("sending");
        const result = await method(...args);
        if (armed()) say("sent");
        return result;
      };
    },
  });
}

/** One line of arguments from stdin: dir, round, step, clock shift (ms), dialect[, url, schema]. Exits when stdin closes first. */
function readArguments(): Promise<string[]> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: process.stdin });
    lines.once("line", (line) => {
      resolve(JSON.parse(line) as string[]);
    });
    // The test is gone: never outlive it.
    lines.once("close", () => process.exit(0));
  });
}

/** Main: only when run as a process (the test imports the constants above). */
async function main(): Promise<void> {
  const [dir = "", round = "0", stepName = "fund", clockShift = "0", dialect = "sqlite", url = "", schema = ""] = await readArguments();
  const step = stepName as KillStep;
  let shiftMs = Number(clockShift);
  const clock = { now: () => Date.now() + shiftMs };
  const [arbiter, buyer, provider] = ["arbiter", "buyer", "provider"].map((name) => Wallet.fromFile(join(dir, `${name}.json`))) as [
    Wallet,
    Wallet,
    Wallet,
  ];
  const chain = await EmbeddedMoltClient.open({ dataDir: join(dir, "chain"), snapshotEvery: 3 });
  const store = dialect === "sqlite" ? SqlStore.openSqlite(join(dir, "market.db")) : await SqlStore.openPostgres(url, { schema });
  const say = (line: string): void => {
    writeSync(1, `${line}\n`);
  };
  let armed = false;
  const client = announced(chain, () => armed, say);
  const market = await Marketplace.open({
    store,
    payments: new PaymentService({ client, arbiter, clock }),
    clock,
    follow: false,
    receiptTimeoutMs: KILL_RECEIPT_TIMEOUT_MS,
  });
  const key = (name: string): string => `r${round}-${name}`;

  const { orderId, status } = await market.submitOrder(key("order"), { buyerId: buyer.address, requirements: killOrderRequirements });
  if (status !== "Matched") throw new Error(`order ${orderId} is ${status}, not Matched`);
  const at = async (name: KillStep, run: (stepKey: string) => Promise<unknown>): Promise<void> => {
    const stepKey = key(name);
    say(`step ${name} ${orderId} ${stepKey}`);
    armed = true;
    try {
      await run(stepKey);
      say("done");
    } catch (e) {
      if (!isMarketError(e)) throw e;
      say(`error ${e.code} ${e.message.replace(/\n/g, " ")}`);
    }
  };
  // Odd rounds are co-signed (or accepted, or paid out) by the provider, even ones by the buyer.
  const cosigner = Number(round) % 2 === 1 ? provider : buyer;
  if (step === "fund") {
    await at("fund", (stepKey) => market.fundEscrow(stepKey, orderId, buyer));
  } else if (step === "lostPayout" || step === "extend") {
    const escrow = await market.fundEscrow(key("fund"), orderId, buyer);
    await market.startJob(key("start"), orderId, provider.address);
    if (step === "extend") {
      await at("extend", (stepKey) => market.extendJob(stepKey, orderId, KILL_EXTEND_HOURS, buyer));
    } else {
      shiftMs += KILL_LOST_RAN_MS;
      const receipt = signUsageReceipt({ escrowId: escrow.id, provider, sequence: 1, secondsRun: KILL_LOST_SECONDS, atMs: clock.now() });
      await market.recordReceipt(key("receipt"), orderId, { receipt }, provider.address);
      shiftMs += KILL_RECEIPT_TIMEOUT_MS + 1000;
      await market.sweep();
      const lost = await market.getOrder(orderId);
      if (lost.status !== "Failed") throw new Error(`order ${orderId} is ${lost.status} after the sweep, not Failed ProviderLost`);
      await at("lostPayout", (stepKey) =>
        cosigner === provider ? market.settle(stepKey, orderId, {}, provider) : market.refund(stepKey, orderId, buyer),
      );
    }
  } else {
    const escrow = await market.fundEscrow(key("fund"), orderId, buyer);
    await market.startJob(key("start"), orderId, provider.address);
    shiftMs += KILL_JOB_CLOCK_JUMP_MS;
    const proof = killProof(escrow, step === "refund" ? 1 : 0);
    if (step === "refund") {
      await market.failJob(key("fail"), orderId, attest(proof, provider), provider.address);
      await at("refund", (stepKey) => market.refund(stepKey, orderId, buyer));
    } else {
      await market.completeJob(key("complete"), orderId, attest(proof, provider), provider.address);
      if (step === "settle") {
        const billedSeconds = Math.floor(KILL_JOB_RAN_MS / 1000);
        await at("settle", (stepKey) =>
          market.settle(stepKey, orderId, { confirmation: confirm({ proof, buyer, accepted: true, billedSeconds }) }, cosigner),
        );
      } else {
        const dispute = openDisputeStatement({
          id: newDisputeId(clock.now()),
          escrowId: escrow.id,
          party: buyer,
          reason: "the output is wrong",
          openedAtMs: clock.now(),
        });
        await market.openDispute(key("dispute"), orderId, dispute);
        // A share that varies by round, in base units, so payout, fee and refund are all non-zero.
        const share = Amount.fromBaseUnits((escrow.amount.baseUnits * BigInt(20 + ((Number(round) * 7) % 60))) / 100n);
        await market.decideDispute(key("decide"), orderId, { providerShare: share, reason: "partly done" }, arbiter.address);
        await at("resolve", (stepKey) => market.resolveDispute(stepKey, orderId, cosigner));
      }
    }
  }
  // Wait for the kill: the test always sends one.
  setInterval(() => undefined, 1 << 30);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
