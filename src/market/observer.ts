// What a marketplace process tells whoever watches it (the server's metrics): each command's
// outcome, each chain transaction with its latency, each payout recorded, each sweep. Plain calls
// with bounded values (command names and chain kinds are this code's own, error codes a fixed set);
// no I/O, and an observer that throws changes nothing in the market.
import { isMarketError } from "../core/errors.js";
import type { MarketErrorCode } from "../core/errors.js";
import type { PayoutOp, SettlementSummary } from "./pending-step.js";
import type { SweepResult } from "./sweeper.js";

/** How a command or a chain transaction ended: "ok", or the code of the MarketError that refused it. */
export type ObservedOutcome = "ok" | MarketErrorCode;

/** A watcher of one marketplace process; every method is optional. */
export interface MarketObserver {
  /** A command was answered: "ok" once its batch committed, else the code it was refused with. */
  commandAnswered?(name: string, outcome: ObservedOutcome): void;
  /**
   * A chain transaction was sent and confirmed (or refused) after `latencyMs`; `kind` is its step's
   * outcome command (fundEscrow, settle, refund, resolve, extendJob) or airdrop.
   */
  chainTransaction?(kind: string, outcome: ObservedOutcome, latencyMs: number): void;
  /** A payout of `op` was recorded (committed) with these amounts, decimal MOLT strings. */
  payoutRecorded?(op: PayoutOp, summary: SettlementSummary): void;
  /** A sweep committed with this result. */
  swept?(result: SweepResult): void;
}

/** The outcome of an error: its MarketError code, else STORE_ERROR (what the queue answers for a broken batch). */
export function outcomeOf(error: unknown): ObservedOutcome {
  return isMarketError(error) ? error.code : "STORE_ERROR";
}

/**
 * The observers of one marketplace, called in turn: a set to add to and remove from, itself a
 * MarketObserver. Invariant: an observer that throws is skipped, never seen by the market.
 */
export class MarketObservers implements Required<MarketObserver> {
  private readonly observers = new Set<MarketObserver>();

  /** Adds `observer`; returns its removal. */
  add(observer: MarketObserver): () => void {
    this.observers.add(observer);
    return () => {
      this.observers.delete(observer);
    };
  }

  commandAnswered(name: string, outcome: ObservedOutcome): void {
    this.each((observer) => observer.commandAnswered?.(name, outcome));
  }

  chainTransaction(kind: string, outcome: ObservedOutcome, latencyMs: number): void {
    this.each((observer) => observer.chainTransaction?.(kind, outcome, latencyMs));
  }

  payoutRecorded(op: PayoutOp, summary: SettlementSummary): void {
    this.each((observer) => observer.payoutRecorded?.(op, summary));
  }

  swept(result: SweepResult): void {
    this.each((observer) => observer.swept?.(result));
  }

  private each(call: (observer: MarketObserver) => void): void {
    for (const observer of this.observers) {
      try {
        call(observer);
      } catch {
        // An observer's failure is its own: the market goes on.
      }
    }
  }
}
