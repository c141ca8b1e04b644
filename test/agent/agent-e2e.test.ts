// The provider agent end to end: `molt-market serve` and `molt-market provider run` spawned as
// processes, the command runner over a sleeping test workload. With no hand-typed job command the
// agent starts a funded order of its offer, sends receipts, completes and settles it, and the chain
// holds exactly what the settlement says. Stopped with SIGTERM mid-job, it exits 0; restarted on the
// same state directory it picks the job up, continues the receipt sequence, completes and settles.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Amount } from "../../src/core/amount.js";
import type { AgentMarket } from "../support/agent-market.js";
import { AGENT_SERVE_ARGS, BUYER_AIRDROP_MOLT, agentMarket, fundedOrder } from "../support/agent-market.js";
import { agentProcess } from "../support/agent-process.js";
import type { AgentProcess } from "../support/agent-process.js";

const opened: { markets: AgentMarket[]; agents: AgentProcess[] } = { markets: [], agents: [] };
afterEach(async () => {
  for (const agent of opened.agents.splice(0)) await agent.stop("SIGKILL");
  for (const market of opened.markets.splice(0)) await market.close();
});

async function openMarket(serveArgs?: readonly string[]): Promise<AgentMarket> {
  const market = await agentMarket(serveArgs === undefined ? {} : { serveArgs });
  opened.markets.push(market);
  return market;
}

function startAgent(market: AgentMarket, providerIndex: number, stateName: string): AgentProcess {
  const provider = market.providers[providerIndex];
  if (provider === undefined) throw new Error("no such provider");
  const agent = agentProcess({ wallet: provider.walletFile, server: market.server.url, stateDir: market.stateDir(stateName) });
  opened.agents.push(agent);
  return agent;
}

/** The order settled, its escrow paid out exactly as recorded, and the chain's balances to match. */
async function expectSettledOnChain(market: AgentMarket, orderId: string, providerIndex: number): Promise<void> {
  const order = await market.reader.getOrder(orderId);
  expect(order.status).toBe("Settled");
  const escrow = await market.reader.getEscrow(orderId);
  const settlement = order.job.settlement;
  if (settlement === undefined) throw new Error("no settlement recorded");
  const [payment, fee, refund] = [settlement.providerPayment, settlement.platformFee, settlement.buyerRefund].map((m) => Amount.parse(m));
  if (payment === undefined || fee === undefined || refund === undefined) throw new Error("settlement amounts missing");
  expect(payment.add(fee).add(refund).toString()).toBe(escrow.amount);
  // Paid for the seconds the proof states, at the escrow's rate (payment + fee).
  const proof = order.job.attestation?.proof;
  if (proof === undefined) throw new Error("no attestation");
  expect(proof.exitStatus).toBe(0);
  expect(payment.baseUnits + fee.baseUnits > 0n).toBe(true);
  const provider = market.providers[providerIndex];
  if (provider === undefined) throw new Error("no such provider");
  expect((await market.reader.balance(provider.wallet.address)).molt).toBe(settlement.providerPayment);
  expect((await market.reader.balance(market.buyer.wallet.address)).molt).toBe(
    Amount.parse(BUYER_AIRDROP_MOLT).sub(Amount.parse(escrow.amount)).add(refund).toString(),
  );
}

describe("the provider agent, spawned against a spawned server", () => {
  it(
    "starts a funded order of its offer, sends receipts, completes it and settles it, untouched by hand",
    { timeout: 240_000 },
    async () => {
      const market = await openMarket();
      const agent = startAgent(market, 0, "provider-0");
      await agent.waitFor(/agent of /);
      const provider = market.providers[0];
      if (provider === undefined) throw new Error("no provider");
      const orderId = await fundedOrder(market, provider, { seconds: 3 });
      await agent.waitFor(new RegExp(`started ${orderId}`), 60_000);
      await agent.waitFor(new RegExp(`receipt ${orderId} #2:`), 60_000);
      await agent.waitFor(new RegExp(`completed ${orderId}: exit 0`), 60_000);
      await agent.waitFor(new RegExp(`settled ${orderId}: `), 60_000);
      const order = await market.reader.getOrder(orderId);
      expect(order.job.receipt?.sequence).toBeGreaterThanOrEqual(2);
      // The proof's output digest is SHA-256 of what the workload printed, kept in the agent's job folder.
      const stdout = readFileSync(join(market.stateDir("provider-0"), orderId, "stdout"));
      expect(order.job.attestation?.proof.outputDigest).toBe(createHash("sha256").update(stdout).digest("hex"));
      expect(stdout.toString()).toContain(`order=${orderId} gpus=1`);
      await expectSettledOnChain(market, orderId, 0);
      expect(await agent.stop("SIGTERM")).toBe(0);
    },
  );

  it(
    "stopped with SIGTERM mid-job exits 0; restarted, it carries on: receipts continue, the job completes and settles",
    { timeout: 300_000 },
    async () => {
      // A restart (a new process through tsx: 3 s on an idle machine, over 10 s on a busy one) must come within the receipt timeout, or
      // the job is lost (ProviderLost): this market waits 30 s for a receipt, so a loaded machine passes too.
      const market = await openMarket(AGENT_SERVE_ARGS.map((arg, i) => (AGENT_SERVE_ARGS[i - 1] === "--receipt-timeout" ? "30" : arg)));
      const provider = market.providers[1];
      if (provider === undefined) throw new Error("no provider");
      const first = startAgent(market, 1, "provider-1");
      await first.waitFor(/agent of /);
      // Long enough to outlast the restart, so the second agent has receipts to send.
      const orderId = await fundedOrder(market, provider, { seconds: 12 });
      await first.waitFor(new RegExp(`receipt ${orderId} #2:`), 60_000);
      expect(await first.stop("SIGTERM")).toBe(0);
      expect(first.lines.some((line) => /stopped; 1 job\(s\) left/.test(line))).toBe(true);
      const before = (await market.reader.getOrder(orderId)).job.receipt?.sequence ?? 0;
      expect(before).toBeGreaterThanOrEqual(2);

      const second = startAgent(market, 1, "provider-1");
      await second.waitFor(new RegExp(`resumed ${orderId}: running`), 60_000);
      const next = await second.waitFor(new RegExp(`receipt ${orderId} #\\d+:`), 60_000);
      expect(Number(/#(\d+):/.exec(next)?.[1])).toBeGreaterThan(before);
      await second.waitFor(new RegExp(`completed ${orderId}: exit 0`), 60_000);
      await second.waitFor(new RegExp(`settled ${orderId}: `), 60_000);
      // The workload ran once: started by the first agent only.
      expect(second.lines.some((line) => line.includes(`started ${orderId}`))).toBe(false);
      expect((await market.reader.getOrder(orderId)).job.receipt?.sequence).toBeGreaterThan(before);
      await expectSettledOnChain(market, orderId, 1);
      expect(await second.stop("SIGTERM")).toBe(0);
    },
  );
});
