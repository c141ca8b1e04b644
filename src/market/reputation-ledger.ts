// The reputation ledger: a deterministic fold over the market's event log, in seq order, into each
// provider's outcome counts, uptime and Bayesian estimate. Pure, no I/O, never reads the wall clock.
import { Amount } from "../core/amount.js";
import { SECONDS_PER_HOUR } from "../settlement/billing.js";
import type { EventRow } from "../store/store.js";
import type { JobRecord } from "./views.js";

/**
 * Every constant of the estimate.
 * - priorSuccesses / priorFailures: the Beta(α0, β0) prior, 1 + 1 = 2 pseudo-outcomes, mean 0.5
 *   (a new provider starts where the book's default reputation is)
 * - halfLifeMs: an outcome's weight halves every 30 days of event time before the provider's latest outcome
 * - weights: what one outcome adds to the successes (s) or failures (f) before decay. A job exited
 *   non-zero weighs a quarter: the workload is the buyer's and is often what failed.
 * - recentMax: outcomes kept per provider for the explanation
 */
export const REPUTATION_MODEL = {
  priorSuccesses: 1,
  priorFailures: 1,
  halfLifeMs: 30 * 24 * 60 * 60_000,
  weights: {
    settled: { success: 1, failure: 0 },
    disputeWon: { success: 1, failure: 0 },
    disputeLost: { success: 0, failure: 1 },
    failedExitStatus: { success: 0, failure: 0.25 },
    lost: { success: 0, failure: 1 },
    timedOut: { success: 0, failure: 1 },
  },
  recentMax: 20,
} as const;

/** What ended a job, for its provider's reputation. */
export type ReputationOutcome = keyof typeof REPUTATION_MODEL.weights;

/** One outcome as the ledger keeps it. */
export interface RecentOutcome {
  readonly orderId: string;
  readonly outcome: ReputationOutcome;
  readonly atMs: number;
}

/** A provider's counts and estimate. Invariant: 0 <= estimate <= 1; a provider without outcomes has the prior mean. */
export interface ProviderReputation {
  readonly providerId: string;
  readonly counts: { readonly [O in ReputationOutcome]: number };
  /** Receipted seconds / allocated seconds of its finished jobs that had receipts (null: none had). */
  readonly uptime: number | null;
  /** Decayed success and failure weights, as of `latestAtMs`. */
  readonly successWeight: number;
  readonly failureWeight: number;
  readonly estimate: number;
  readonly latestAtMs: number | null;
  /** Newest first, at most REPUTATION_MODEL.recentMax. */
  readonly recent: readonly RecentOutcome[];
}

interface Tally {
  counts: Record<ReputationOutcome, number>;
  receiptedSeconds: number;
  allocatedSeconds: number;
  success: number;
  failure: number;
  latestAtMs: number | undefined;
  recent: RecentOutcome[];
}

/**
 * The estimate: reputation = (α0 + s) / (α0 + β0 + s + f), the mean of the Beta(α0 + s, β0 + f)
 * posterior, where s and f sum each outcome's REPUTATION_MODEL weight decayed by
 * 2^(-age / halfLifeMs), age measured from the provider's latest outcome in event time. Invariant:
 * in [0, 1]; the prior mean α0 / (α0 + β0) = 0.5 without outcomes; rises with s, falls with f.
 */
export function reputationEstimate(successWeight: number, failureWeight: number): number {
  const { priorSuccesses, priorFailures } = REPUTATION_MODEL;
  return (priorSuccesses + successWeight) / (priorSuccesses + priorFailures + successWeight + failureWeight);
}

/** 2^(-ageMs / halfLife): the weight left of an outcome `ageMs` older than the reference. */
function decay(ageMs: number): number {
  return Math.pow(2, -ageMs / REPUTATION_MODEL.halfLifeMs);
}

/** The base units of a MOLT decimal, or undefined when it does not parse. */
function baseUnitsOf(value: string): bigint | undefined {
  try {
    return Amount.parse(value).asLamports();
  } catch {
    return undefined;
  }
}

/** The fields an order's `Order<Status>` event carries for the ledger: its provider, and what ended the job. */
export function outcomeFields(
  providerId: string | undefined,
  hours: number | undefined,
  to: string,
  job: JobRecord,
): Record<string, unknown> {
  if (providerId === undefined) return {};
  const fields: Record<string, unknown> = { providerId };
  if (to === "Failed" && job.failure?.kind !== undefined) fields["failureKind"] = job.failure.kind;
  if ((to === "Failed" || to === "Settled") && job.receipt !== undefined && hours !== undefined) {
    fields["secondsReceipted"] = job.receipt.secondsRun;
    fields["secondsAllocated"] = hours * SECONDS_PER_HOUR;
  }
  if (to === "Resolved" && job.settlement !== undefined) {
    // In base units; settlement figures are MOLT decimals. A figure that does not parse leaves the dispute uncounted.
    const { providerPayment, platformFee, buyerRefund } = job.settlement;
    const [payment, fee, refund] = [providerPayment, platformFee, buyerRefund].map(baseUnitsOf);
    if (payment !== undefined && fee !== undefined && refund !== undefined) {
      fields["providerShare"] = (payment + fee).toString();
      fields["escrowAmount"] = (payment + fee + refund).toString();
    }
  }
  return fields;
}

interface OutcomeEventBody {
  readonly type?: unknown;
  readonly from?: unknown;
  readonly providerId?: unknown;
  readonly failureKind?: unknown;
  readonly secondsReceipted?: unknown;
  readonly secondsAllocated?: unknown;
  readonly providerShare?: unknown;
  readonly escrowAmount?: unknown;
}

const FAILURE_OUTCOMES: { readonly [kind: string]: ReputationOutcome } = {
  ExitStatus: "failedExitStatus",
  ProviderLost: "lost",
  Timeout: "timedOut",
};

const DECIMAL = /^\d{1,40}$/;

/** The events outcomeOf reads a tally from: those of the outcome statuses (Settled, Failed, Resolved). */
export const OUTCOME_EVENT_TYPES: readonly string[] = ["OrderSettled", "OrderFailed", "OrderResolved"];

/**
 * The outcome an event records, with its provider, or undefined. Rules: OrderSettled from
 * Completed is settled (a lost job's receipted payout settles from Failed and was counted failed);
 * OrderFailed by its failure kind; OrderResolved is a dispute won when the arbiter's provider share
 * is at least half the escrow (2 x share >= escrow), lost otherwise. Events without a providerId
 * (written before it was recorded, or overruled by the chain) count for nobody.
 */
export function outcomeOf(
  event: EventRow,
): { readonly providerId: string; readonly outcome: ReputationOutcome; body: OutcomeEventBody } | undefined {
  if (!OUTCOME_EVENT_TYPES.includes(event.type)) return undefined;
  const body = JSON.parse(event.payload) as OutcomeEventBody;
  if (typeof body.providerId !== "string") return undefined;
  const providerId = body.providerId;
  if (event.type === "OrderSettled") return body.from === "Completed" ? { providerId, outcome: "settled", body } : undefined;
  if (event.type === "OrderFailed") {
    const outcome = typeof body.failureKind === "string" ? FAILURE_OUTCOMES[body.failureKind] : undefined;
    return outcome === undefined ? undefined : { providerId, outcome, body };
  }
  if (typeof body.providerShare !== "string" || typeof body.escrowAmount !== "string") return undefined;
  if (!DECIMAL.test(body.providerShare) || !DECIMAL.test(body.escrowAmount)) return undefined;
  const won = 2n * BigInt(body.providerShare) >= BigInt(body.escrowAmount);
  return { providerId, outcome: won ? "disputeWon" : "disputeLost", body };
}

function newTally(): Tally {
  return {
    counts: { settled: 0, disputeWon: 0, disputeLost: 0, failedExitStatus: 0, lost: 0, timedOut: 0 },
    receiptedSeconds: 0,
    allocatedSeconds: 0,
    success: 0,
    failure: 0,
    latestAtMs: undefined,
    recent: [],
  };
}

/** Adds one outcome to a tally (decaying the older weights to the newer reference time). */
function addOutcome(tally: Tally, orderId: string, outcome: ReputationOutcome, body: OutcomeEventBody, atMs: number): void {
  const weight = REPUTATION_MODEL.weights[outcome];
  if (tally.latestAtMs === undefined || atMs >= tally.latestAtMs) {
    const kept = tally.latestAtMs === undefined ? 1 : decay(atMs - tally.latestAtMs);
    tally.success = tally.success * kept + weight.success;
    tally.failure = tally.failure * kept + weight.failure;
    tally.latestAtMs = atMs;
  } else {
    // An event stamped before the latest (another node's clock): it counts as old as it is.
    const kept = decay(tally.latestAtMs - atMs);
    tally.success += weight.success * kept;
    tally.failure += weight.failure * kept;
  }
  tally.counts[outcome]++;
  const { secondsReceipted, secondsAllocated } = body;
  if (typeof secondsReceipted === "number" && typeof secondsAllocated === "number" && secondsAllocated > 0 && secondsReceipted >= 0) {
    tally.receiptedSeconds += Math.min(secondsReceipted, secondsAllocated);
    tally.allocatedSeconds += secondsAllocated;
  }
  tally.recent.unshift({ orderId, outcome, atMs });
  if (tally.recent.length > REPUTATION_MODEL.recentMax) tally.recent.length = REPUTATION_MODEL.recentMax;
}

/**
 * Providers' tallies folded from events in seq order. Invariant: the same events in the same order
 * give the same tallies, bit for bit (only event contents and their atMs are read).
 */
export class ReputationLedger {
  private readonly tallies = new Map<string, Tally>();
  private seqValue = 0;

  /** The seq of the last event folded. */
  get seq(): number {
    return this.seqValue;
  }

  /** Folds one event (events at or before `seq` are skipped); returns the provider whose estimate it moved, if any. */
  apply(event: EventRow): string | undefined {
    if (event.seq <= this.seqValue) return undefined;
    this.seqValue = event.seq;
    const found = outcomeOf(event);
    if (found === undefined) return undefined;
    let tally = this.tallies.get(found.providerId);
    if (tally === undefined) {
      tally = newTally();
      this.tallies.set(found.providerId, tally);
    }
    addOutcome(tally, event.entityId, found.outcome, found.body, event.atMs);
    return found.providerId;
  }

  /** The providers with at least one outcome. */
  providers(): IterableIterator<string> {
    return this.tallies.keys();
  }

  /** A provider's estimate (the prior mean without outcomes). */
  estimateOf(providerId: string): number {
    const tally = this.tallies.get(providerId);
    return tally === undefined ? reputationEstimate(0, 0) : reputationEstimate(tally.success, tally.failure);
  }

  /** A provider's counts, uptime, estimate and recent outcomes. */
  reportOf(providerId: string): ProviderReputation {
    const tally = this.tallies.get(providerId) ?? newTally();
    return {
      providerId,
      counts: { ...tally.counts },
      uptime: tally.allocatedSeconds === 0 ? null : tally.receiptedSeconds / tally.allocatedSeconds,
      successWeight: tally.success,
      failureWeight: tally.failure,
      estimate: reputationEstimate(tally.success, tally.failure),
      latestAtMs: tally.latestAtMs ?? null,
      recent: [...tally.recent],
    };
  }

  /** A copy of one provider's tally in a new ledger at the same seq (to try a batch's events without changing this one). */
  forkFor(providerId: string): ReputationLedger {
    const fork = new ReputationLedger();
    fork.seqValue = this.seqValue;
    const tally = this.tallies.get(providerId);
    if (tally !== undefined) fork.tallies.set(providerId, { ...tally, counts: { ...tally.counts }, recent: [...tally.recent] });
    return fork;
  }
}
