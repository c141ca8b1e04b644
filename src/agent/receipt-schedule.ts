// When the agent sends a running job's next usage receipt, and what it says: the next sequence
// number and the most seconds the market's rules (settlement's checkUsageReceipt) allow at that
// moment, never more. Pure, no I/O; the clock is the caller's.
import type { UsageReceipt } from "../settlement/usage-receipt.js";

/** The receipt interval when the provider names none, in seconds. */
export const RECEIPT_INTERVAL_S_DEFAULT = 60;
/** The shortest and longest receipt interval a provider may choose, in seconds. */
export const RECEIPT_INTERVAL_S_MIN = 1;
export const RECEIPT_INTERVAL_S_MAX = 3600;

/** What the next receipt of a job is computed from. */
export interface ReceiptBasis {
  /** The market's record of the job's start, milliseconds since the epoch. */
  readonly startedAtMs: number;
  /** The escrow's allocation and window. */
  readonly allocatedSeconds: number;
  readonly lockedUntilMs: number;
  /** The latest receipt the market kept (or the agent sent), if any. */
  readonly latest?: Pick<UsageReceipt, "sequence" | "secondsRun" | "atMs"> | undefined;
  /** The provider's receipt interval, in seconds. */
  readonly intervalS: number;
}

/** The fields of the next receipt (the caller signs them), or why none is sent now. */
export type ReceiptPlan =
  | { readonly send: true; readonly sequence: number; readonly secondsRun: number; readonly atMs: number }
  | { readonly send: false; readonly reason: "not-due" | "window-ended"; readonly dueAtMs?: number };

/** When the next receipt is due: an interval after the latest one, or after the start for the first. */
export function receiptDueAtMs(basis: ReceiptBasis): number {
  return (basis.latest?.atMs ?? basis.startedAtMs) + basis.intervalS * 1000;
}

/**
 * The next receipt at `nowMs`, if one is due. Invariants (checkUsageReceipt's rules): the sequence is
 * one more than the latest; atMs is strictly after the latest and within the escrow's window;
 * seconds run never decrease, never exceed the allocation, the whole seconds since the start, nor
 * the latest's plus the seconds since it.
 */
export function planReceipt(basis: ReceiptBasis, nowMs: number): ReceiptPlan {
  const { latest } = basis;
  if (nowMs > basis.lockedUntilMs) return { send: false, reason: "window-ended" };
  const dueAtMs = receiptDueAtMs(basis);
  if (nowMs < dueAtMs || (latest !== undefined && nowMs <= latest.atMs)) return { send: false, reason: "not-due", dueAtMs };
  const sinceStartS = Math.max(0, Math.floor((nowMs - basis.startedAtMs) / 1000));
  let secondsRun = Math.min(basis.allocatedSeconds, sinceStartS);
  if (latest !== undefined) {
    secondsRun = Math.min(secondsRun, latest.secondsRun + Math.ceil((nowMs - latest.atMs) / 1000));
    // A latest receipt counting more than the start allows (another clock's) is never undercut: wait for time to catch up.
    if (secondsRun < latest.secondsRun) return { send: false, reason: "not-due", dueAtMs: nowMs + 1000 };
  }
  return { send: true, sequence: (latest?.sequence ?? 0) + 1, secondsRun, atMs: nowMs };
}
