// The Marketplace's parts and their wiring: its settings (defaults applied, bounds checked) and one
// feed, command queue, order rows, reputation and observer list shared by the command groups and the
// sweeper. Construction only: no I/O (Marketplace.open migrates the store and rebuilds the book).
import { systemClock } from "../core/clock.js";
import { assertIntInRange } from "../core/errors.js";
import type { PaymentService } from "../payments/payment-service.js";
import type { Store } from "../store/store.js";
import { BookCommands } from "./book-commands.js";
import { ChainCommands } from "./chain-commands.js";
import { ChainSteps } from "./chain-steps.js";
import { CommandQueue } from "./command-queue.js";
import { ExtendCommand } from "./extend-command.js";
import { MarketFeed } from "./feed.js";
import { JobCommands } from "./job-commands.js";
import { MARKET_LIMITS } from "./limits.js";
import { LostJobPayouts } from "./lost-job.js";
import type { MarketplaceOptions } from "./marketplace.js";
import { MarketObservers } from "./observer.js";
import { OrderRows } from "./order-rows.js";
import { ReceiptCommands } from "./receipt-commands.js";
import { MarketReputation } from "./reputation.js";
import { Sweeper } from "./sweeper.js";
import { UnfundedMatches } from "./unfunded-matches.js";
import { walletLimits } from "./wallet-limits.js";
import type { WalletLimits } from "./wallet-limits.js";

/** A marketplace's settings and parts; every part shares the one store, feed, queue and observer list. */
export interface MarketParts {
  readonly store: Store;
  readonly payments: PaymentService;
  /** This process's name in the event feed. */
  readonly nodeId: string;
  /** How long a match waits for its escrow to be funded. */
  readonly fundingWindowMs: number;
  /** Per-wallet caps and the backing of orders. */
  readonly walletLimits: WalletLimits;
  /** How long a job may go without a usage receipt before it fails ProviderLost. */
  readonly receiptTimeoutMs: number;
  readonly observers: MarketObservers;
  readonly feed: MarketFeed;
  readonly queue: CommandQueue;
  readonly rows: OrderRows;
  readonly reputation: MarketReputation;
  readonly bookCommands: BookCommands;
  readonly jobCommands: JobCommands;
  readonly chainSteps: ChainSteps;
  readonly chainCommands: ChainCommands;
  readonly receiptCommands: ReceiptCommands;
  readonly lostJobs: LostJobPayouts;
  readonly extendCommand: ExtendCommand;
  readonly sweeper: Sweeper;
}

/**
 * Builds a marketplace's parts from its options, defaults applied, each part wired to the ones it
 * uses; touches neither the store nor the chain. @throws OUT_OF_RANGE (fundingWindowMs, receiptTimeoutMs, walletLimits)
 */
export function wireMarketParts(options: MarketplaceOptions): MarketParts {
  const observers = new MarketObservers();
  const { store, payments } = options;
  const clock = options.clock ?? systemClock;
  const nodeId = options.nodeId ?? `node-${process.pid}`;
  const fundingWindowMs = options.fundingWindowMs ?? MARKET_LIMITS.fundingWindowMs;
  assertIntInRange("fundingWindowMs", fundingWindowMs, 1000, MARKET_LIMITS.fundingWindowMsMax);
  const limits = walletLimits(options.walletLimits);
  const receiptTimeoutMs = options.receiptTimeoutMs ?? MARKET_LIMITS.receiptTimeoutMs;
  assertIntInRange("receiptTimeoutMs", receiptTimeoutMs, MARKET_LIMITS.receiptTimeoutMsMin, MARKET_LIMITS.receiptTimeoutMsMax);
  const feed = new MarketFeed(store, clock, options.bookLimits ?? {});
  const queue = new CommandQueue(store, feed, clock, nodeId, options.batchMax ?? MARKET_LIMITS.batchMax, observers);
  const reputation = new MarketReputation(store, feed);
  const rows = new OrderRows(store, feed, reputation);
  const unfunded = new UnfundedMatches(feed, store);
  const bookCommands = new BookCommands(queue, feed, rows, payments, clock, limits, unfunded);
  const jobCommands = new JobCommands(queue, rows, payments);
  const chainSteps = new ChainSteps(queue, rows, store, payments, observers);
  const chainCommands = new ChainCommands(queue, chainSteps, rows, store, payments, observers);
  const extendCommand = new ExtendCommand(queue, chainSteps, rows, store, payments);
  const receiptCommands = new ReceiptCommands(queue, rows);
  const lostJobs = new LostJobPayouts(chainSteps, rows, payments, clock);
  const sweeper = new Sweeper(queue, feed, rows, store, payments, fundingWindowMs, receiptTimeoutMs, clock);
  return {
    store,
    payments,
    nodeId,
    fundingWindowMs,
    walletLimits: limits,
    receiptTimeoutMs,
    observers,
    feed,
    queue,
    rows,
    reputation,
    bookCommands,
    jobCommands,
    chainSteps,
    chainCommands,
    receiptCommands,
    lostJobs,
    extendCommand,
    sweeper,
  };
}
