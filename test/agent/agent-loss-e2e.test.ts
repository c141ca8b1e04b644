// Jobs that survive their participants, end to end: `molt-market serve` and two `provider run`
// agents spawned as processes. An agent killed with SIGKILL mid-job: within the receipt timeout the
// job fails ProviderLost, the provider is paid exactly its receipted seconds and the buyer refunded
// the rest (balances on chain), the successor order matches the other provider, whose agent runs it
// to settlement. And a running job extended by its buyer, with a refused extension beside it.
import { afterEach, describe, expect, it } from "vitest";
import { Amount } from "../../src/core/amount.js";
import { isMarketError } from "../../src/core/errors.js";
import type { EscrowView } from "../../src/contract/escrows.js";
import type { OrderDetails } from "../../src/contract/orders.js";
import { receiptedSplit } from "../../src/settlement/billing.js";
import type { AgentMarket } from "../support/agent-market.js";
import { BUYER_AIRDROP_MOLT, agentMarket, fundedOrder } from "../support/agent-market.js";
import { agentProcess } from "../support/agent-process.js";
import type { AgentProcess } from "../support/agent-process.js";

/** The spawned server's receipt timeout and sweep interval (AGENT_SERVE_ARGS). */
const RECEIPT_TIMEOUT_MS = 3000;
const SWEEP_INTERVAL_MS = 1000;

const opened: { markets: AgentMarket[]; agents: AgentProcess[] } = { markets: [], agents: [] };
afterEach(async () => {
  for (const agent of opened.agents.splice(0)) await agent.stop("SIGKILL");
  for (const market of opened.markets.splice(0)) await market.close();
});

function startAgent(market: AgentMarket, index: number): AgentProcess {
  const provider = market.providers[index];
  if (provider === undefined) throw new Error("no such provider");
  const agent = agentProcess({ wallet: provider.walletFile, server: market.server.url, stateDir: market.stateDir(`provider-${index}`) });
  opened.agents.push(agent);
  return agent;
}

/** Polls the order until `done` holds (every 100 ms, up to `timeoutMs`). */
async function until(
  market: AgentMarket,
  orderId: string,
  done: (order: OrderDetails) => boolean,
  timeoutMs = 60_000,
): Promise<OrderDetails> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const order = await market.reader.getOrder(orderId);
    if (done(order)) return order;
    if (Date.now() > deadline) throw new Error(`order ${orderId} stayed ${order.status}: ${JSON.stringify(order.job)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const termsOf = (escrow: EscrowView) => ({
  amount: Amount.parse(escrow.amount),
  rate: { ratePerSecond: BigInt(escrow.ratePerSecond), feeRatePerSecond: BigInt(escrow.feeRatePerSecond) },
  allocatedSeconds: escrow.allocatedSeconds,
});

const molt = async (market: AgentMarket, address: string): Promise<Amount> => Amount.parse((await market.reader.balance(address)).molt);

describe("jobs that survive their participants", () => {
  it(
    "an agent killed mid-job: ProviderLost within the timeout, its receipted seconds paid exactly, the successor runs on the other provider",
    { timeout: 300_000 },
    async () => {
      const market = await agentMarket();
      opened.markets.push(market);
      const agents = [startAgent(market, 0), startAgent(market, 1)];
      for (const agent of agents) await agent.waitFor(/agent of /);
      const orderId = await fundedOrder(market, undefined, { seconds: 8, rematch: true });
      const first = await market.reader.getOrder(orderId);
      const lostIndex = market.providers.findIndex((p) => p.wallet.address === first.match?.providerId);
      const otherIndex = 1 - lostIndex;
      const lostAgent = agents[lostIndex];
      const lostProvider = market.providers[lostIndex];
      const otherProvider = market.providers[otherIndex];
      if (lostAgent === undefined || lostProvider === undefined || otherProvider === undefined) throw new Error("no matched provider");
      await lostAgent.waitFor(new RegExp(`receipt ${orderId} #2:`), 60_000);
      expect(await lostAgent.stop("SIGKILL")).toBeNull();
      const killedAtMs = Date.now();
      const receiptAtKill = (await market.reader.getOrder(orderId)).job.receipt;

      const failed = await until(market, orderId, (order) => order.status === "Failed");
      // Lost within the timeout (after the last receipt) plus one sweep, with slack for a loaded machine.
      expect(Date.now() - killedAtMs).toBeLessThan(RECEIPT_TIMEOUT_MS + SWEEP_INTERVAL_MS + 5000);
      const receipt = failed.job.receipt;
      expect(receipt?.sequence).toBeGreaterThanOrEqual(receiptAtKill?.sequence ?? 2);
      expect(failed.job.failure).toMatchObject({ kind: "ProviderLost", secondsRun: receipt?.secondsRun });
      const escrow = await market.reader.getEscrow(orderId);
      const split = receiptedSplit(termsOf(escrow), receipt?.secondsRun ?? 0);
      expect(split.providerPayment.isZero()).toBe(false);

      // The buyer is told of the successor (the order, the feed) and pays the lost job out: the provider gets its receipted seconds.
      const successorId = failed.job.successor ?? "";
      const rematched = (await market.reader.events(0, 1000)).events.find((event) => event.type === "OrderRematched");
      expect(JSON.parse(rematched?.payload ?? "{}")).toMatchObject({ entityId: orderId, successor: successorId });
      const settled = await market.buyer.client.refund(orderId);
      expect(settled.status).toBe("Settled");
      expect(settled.job.settlement).toMatchObject({
        providerPayment: split.providerPayment.toString(),
        platformFee: split.platformFee.toString(),
        buyerRefund: split.buyerRefund.toString(),
      });
      expect((await molt(market, lostProvider.wallet.address)).equals(split.providerPayment)).toBe(true);

      const successor = await market.reader.getOrder(successorId);
      expect(successor.successorOf).toBe(orderId);
      expect(successor.match?.providerId).toBe(otherProvider.wallet.address);
      await market.buyer.client.fundEscrow(successorId);
      const done = await until(market, successorId, (order) => order.status === "Settled", 120_000);
      expect(done.job.attestation?.proof.exitStatus).toBe(0);
      const second = done.job.settlement;
      const secondEscrow = await market.reader.getEscrow(successorId);
      expect((await molt(market, otherProvider.wallet.address)).toString()).toBe(second?.providerPayment);
      const expectedBuyer = Amount.parse(BUYER_AIRDROP_MOLT)
        .sub(Amount.parse(escrow.amount))
        .add(split.buyerRefund)
        .sub(Amount.parse(secondEscrow.amount))
        .add(Amount.parse(second?.buyerRefund ?? "0"));
      expect((await molt(market, market.buyer.wallet.address)).equals(expectedBuyer)).toBe(true);
    },
  );

  it(
    "the buyer extends a running job the agent keeps running; an extension beyond the offer is refused with the hours that remain",
    { timeout: 300_000 },
    async () => {
      const market = await agentMarket({ providers: 1 });
      opened.markets.push(market);
      const agent = startAgent(market, 0);
      await agent.waitFor(/agent of /);
      const provider = market.providers[0];
      if (provider === undefined) throw new Error("no provider");
      const orderId = await fundedOrder(market, provider, { seconds: 6, hours: 2 });
      await agent.waitFor(new RegExp(`receipt ${orderId} #1:`), 60_000);
      const before = await market.reader.getEscrow(orderId);
      // The offer takes jobs of at most 24 h: this 2 h job can grow by 22 h at most.
      const refused = await market.buyer.client.extendJob(orderId, 23).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isMarketError(refused, "EXTENSION_REFUSED")).toBe(true);
      expect((refused as Error).message).toMatch(/22/);
      expect((await market.reader.getEscrow(orderId)).amount).toBe(before.amount);

      const extended = await market.buyer.client.extendJob(orderId, 1);
      expect(extended).toBeDefined();
      const after = await market.reader.getEscrow(orderId);
      expect(Amount.parse(after.amount).equals(Amount.parse(before.amount).add(Amount.parse("2.5")))).toBe(true);
      expect(after.allocatedSeconds).toBe(before.allocatedSeconds + 3600);
      expect(Date.parse(after.lockedUntil) - Date.parse(before.lockedUntil)).toBe(3_600_000);
      expect((await market.reader.getOrder(orderId)).match?.hours).toBe(3);

      const done = await until(market, orderId, (order) => order.status === "Settled", 120_000);
      const settlement = done.job.settlement;
      const [payment, fee, refund] = [settlement?.providerPayment, settlement?.platformFee, settlement?.buyerRefund].map((m) =>
        Amount.parse(m ?? "0"),
      );
      expect(
        (payment ?? Amount.zero())
          .add(fee ?? Amount.zero())
          .add(refund ?? Amount.zero())
          .toString(),
      ).toBe(after.amount);
      expect((await molt(market, provider.wallet.address)).toString()).toBe(settlement?.providerPayment);
      expect(
        (await molt(market, market.buyer.wallet.address)).equals(
          Amount.parse(BUYER_AIRDROP_MOLT)
            .sub(Amount.parse(after.amount))
            .add(refund ?? Amount.zero()),
        ),
      ).toBe(true);
    },
  );
});
