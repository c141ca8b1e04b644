// A small market for payment tests: an embedded chain in a fresh directory, a buyer with MOLT, a
// provider with an offer in an order book, an arbiter's PaymentService, all on one manual clock.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmbeddedMoltClient } from "../../src/chain/embedded/embedded-client.js";
import { Wallet } from "../../src/chain/wallet.js";
import { Amount } from "../../src/core/amount.js";
import { HOUR_MS, ManualClock } from "../../src/core/clock.js";
import { createOffer } from "../../src/core/offer.js";
import { createOrder } from "../../src/core/order.js";
import type { OrderMatch } from "../../src/core/types.js";
import { OrderBook } from "../../src/orderbook/order-book.js";
import { PaymentService } from "../../src/payments/payment-service.js";
import type { EscrowAccount } from "../../src/settlement/escrow-account.js";
import { attest, confirm } from "../../src/settlement/statements.js";
import type { Attestation, Confirmation, ExecutionProof } from "../../src/settlement/statements.js";
import { T0 } from "./arbitraries.js";

/** Everything a payment test needs. */
export interface JobMarket {
  readonly clock: ManualClock;
  readonly chain: EmbeddedMoltClient;
  readonly book: OrderBook;
  readonly payments: PaymentService;
  readonly buyer: Wallet;
  readonly provider: Wallet;
  readonly arbiter: Wallet;
  /** Matches an order of `gpus` GPUs for `hours` hours against the provider's offer (2.5 MOLT per GPU-hour). */
  match(gpus?: number, hours?: number): OrderMatch;
  /** A proof of `escrow`'s job that ran `seconds` from `startOffsetMs` after the escrow was made. */
  proof(escrow: EscrowAccount, seconds: number, changes?: Partial<ExecutionProof>, startOffsetMs?: number): ExecutionProof;
  attest(proof: ExecutionProof): Attestation;
  confirm(proof: ExecutionProof, billedSeconds: number, accepted?: boolean, reason?: string): Confirmation;
  /** MOLT balances of buyer, provider and arbiter (the fee recipient). */
  balances(): Promise<{ readonly buyer: Amount; readonly provider: Amount; readonly arbiter: Amount }>;
}

/** The price every test offer asks. */
export const PRICE_PER_GPU_HOUR = Amount.parse("2.5");
/** What the buyer starts with. */
export const BUYER_FUNDS = Amount.parse("1000");
/** The dispute window and grace period of the test PaymentService. */
export const WINDOW_MS = HOUR_MS;

/** Opens a fresh market. */
export async function openJobMarket(): Promise<JobMarket> {
  const clock = new ManualClock(T0);
  const chain = await EmbeddedMoltClient.open({ dataDir: mkdtempSync(join(tmpdir(), "molt-payments-")), clock });
  const [buyer, provider, arbiter] = [Wallet.generate(), Wallet.generate(), Wallet.generate()];
  await chain.airdrop(buyer.address, BUYER_FUNDS);
  const book = new OrderBook({ clock });
  book.addOffer(
    createOffer(
      {
        providerId: provider.address,
        gpuCapacity: { gpuCount: 64, gpuModel: "NVIDIA H100 80GB", vramGb: 80 },
        pricePerHour: PRICE_PER_GPU_HOUR,
        availableHours: 100,
        minCommitmentHours: 1,
        features: [],
      },
      { clock },
    ),
  );
  const payments = new PaymentService({ client: chain, arbiter, clock, disputeWindowMs: WINDOW_MS, gracePeriodMs: WINDOW_MS });
  return {
    clock,
    chain,
    book,
    payments,
    buyer,
    provider,
    arbiter,
    match(gpus = 4, hours = 8) {
      const result = book.submitOrder(
        createOrder(
          { buyerId: buyer.address, requirements: { minGpuCount: gpus, minVramGb: 40, maxPricePerHour: "3", estimatedHours: hours } },
          { clock },
        ),
      );
      if (result.status !== "Matched") throw new Error("test offer did not match");
      return result.match;
    },
    proof(escrow, seconds, changes = {}, startOffsetMs = 60_000) {
      const startedAtMs = escrow.createdAt.getTime() + startOffsetMs;
      return {
        escrowId: escrow.id,
        orderId: escrow.orderId,
        offerId: escrow.offerId,
        provider: provider.address,
        gpuModel: "NVIDIA H100 80GB",
        gpuCount: escrow.gpuCount,
        startedAtMs,
        endedAtMs: startedAtMs + seconds * 1000,
        exitStatus: 0,
        outputDigest: "a".repeat(64),
        usageDigest: "b".repeat(64),
        ...changes,
      };
    },
    attest: (proof) => attest(proof, provider),
    confirm: (proof, billedSeconds, accepted = true, reason = "") => confirm({ proof, buyer, accepted, billedSeconds, reason }),
    async balances() {
      return {
        buyer: await chain.balance(buyer.address),
        provider: await chain.balance(provider.address),
        arbiter: await chain.balance(arbiter.address),
      };
    },
  };
}
