// Usage receipts: while a job runs its provider signs, every receipt interval, how many seconds it
// has run so far (cumulative, with a sequence number and the time, and a digest of optional
// telemetry). The market keeps the latest per job; a job silent too long is a lost provider, paid
// its last receipted seconds. Here: the statement, its signature, and the rules a new receipt must
// keep against the escrow and the latest one. Pure apart from signing.
import { createHash } from "node:crypto";
import { MarketError } from "../core/errors.js";
import type { Address } from "../core/address.js";
import type { Signer } from "../core/signer.js";
import type { EscrowAccount } from "./escrow-account.js";
import { tagged, verifyStatementHex } from "./statement-writer.js";
import { DOMAIN_TAGS } from "./statements.js";

/** How far a receipt's time may differ from the market's clock (clocks of two machines differ); a provider can over-count by at most this. */
export const RECEIPT_CLOCK_SKEW_MS = 5_000;

/** SHA-256 of no telemetry: the digest a receipt carries when its provider sends none. */
const NO_TELEMETRY_DIGEST = createHash("sha256").digest("hex");

/** A provider's signed statement of how long a running job has run. */
export interface UsageReceipt {
  readonly escrowId: string;
  readonly provider: Address;
  /** 1 for the first receipt of a job, then strictly increasing (a lost receipt leaves a gap). */
  readonly sequence: number;
  /** Seconds the job has run since it started, cumulative. */
  readonly secondsRun: number;
  /** When the provider signed it, milliseconds since the epoch. */
  readonly atMs: number;
  /** SHA-256 (hex) of the telemetry sent beside it (GPU utilization, device UUIDs), or of nothing. */
  readonly telemetryDigest: string;
  /** Hex, 64 bytes. */
  readonly signature: string;
}

/** The bytes a provider signs for a receipt. @throws INVALID_FIELD, OUT_OF_RANGE, INVALID_ADDRESS */
export function usageReceiptMessage(receipt: Omit<UsageReceipt, "signature">): Uint8Array {
  return tagged(DOMAIN_TAGS.usageReceipt)
    .text("escrowId", receipt.escrowId)
    .address("provider", receipt.provider)
    .u64("sequence", receipt.sequence)
    .u64("secondsRun", receipt.secondsRun)
    .u64("atMs", receipt.atMs)
    .digest("telemetryDigest", receipt.telemetryDigest)
    .bytes();
}

/**
 * The provider signs a receipt (telemetry digest: that of no telemetry unless given).
 * @throws INVALID_FIELD, OUT_OF_RANGE, INVALID_ADDRESS (encoding)
 * @example signUsageReceipt({ escrowId, provider: wallet, sequence: 1, secondsRun: 60, atMs: Date.now() })
 */
export function signUsageReceipt(input: {
  readonly escrowId: string;
  readonly provider: Signer;
  readonly sequence: number;
  readonly secondsRun: number;
  readonly atMs: number;
  readonly telemetryDigest?: string;
}): UsageReceipt {
  const unsigned = {
    escrowId: input.escrowId,
    provider: input.provider.address,
    sequence: input.sequence,
    secondsRun: input.secondsRun,
    atMs: input.atMs,
    telemetryDigest: input.telemetryDigest ?? NO_TELEMETRY_DIGEST,
  };
  return { ...unsigned, signature: Buffer.from(input.provider.sign(usageReceiptMessage(unsigned))).toString("hex") };
}

/** Is the receipt signed by its provider over exactly these fields. Never throws: false. */
export function verifyUsageReceipt(receipt: UsageReceipt): boolean {
  return verifyStatementHex(receipt.provider, () => usageReceiptMessage(receipt), receipt.signature);
}

/** What a new receipt is checked against. */
export interface UsageReceiptCheck {
  readonly escrow: Pick<EscrowAccount, "id" | "provider" | "allocatedSeconds" | "lockedUntil">;
  /** When the job started (the market's record of startJob). */
  readonly startedAtMs: number;
  /** The latest receipt the market kept for this job, if any. */
  readonly latest?: UsageReceipt;
  readonly receipt: UsageReceipt;
  /** The market's clock. */
  readonly nowMs: number;
}

function mismatch(field: string, expected: string, actual: string | number): MarketError {
  return new MarketError("PROOF_MISMATCH", { field, expected, actual: String(actual) });
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Checks a new receipt. Invariants: signed by the escrow's provider; sequence and time strictly
 * after the latest; seconds never decrease, never exceed the allocation, and never count more time
 * than has passed since the job started nor since the latest receipt; signed inside the escrow's
 * window, and off the market's clock by at most RECEIPT_CLOCK_SKEW_MS.
 * @throws INVALID_SIGNATURE, PROOF_MISMATCH, INVALID_FIELD, OUT_OF_RANGE, INVALID_ADDRESS
 */
export function checkUsageReceipt(input: UsageReceiptCheck): void {
  const { escrow, latest, receipt } = input;
  usageReceiptMessage(receipt);
  if (receipt.provider !== escrow.provider || !verifyUsageReceipt(receipt)) {
    throw new MarketError("INVALID_SIGNATURE", { statement: "usage receipt", signer: escrow.provider });
  }
  if (receipt.escrowId !== escrow.id) throw mismatch("receipt.escrowId", escrow.id, receipt.escrowId);
  if (receipt.atMs > input.nowMs + RECEIPT_CLOCK_SKEW_MS)
    throw mismatch("receipt.atMs", `at or before now (${iso(input.nowMs)})`, iso(receipt.atMs));
  if (receipt.atMs < input.startedAtMs - RECEIPT_CLOCK_SKEW_MS)
    throw mismatch("receipt.atMs", `at or after the job's start (${iso(input.startedAtMs)})`, iso(receipt.atMs));
  if (receipt.atMs > escrow.lockedUntil.getTime()) {
    throw mismatch("receipt.atMs", `at or before the escrow's end (${escrow.lockedUntil.toISOString()})`, iso(receipt.atMs));
  }
  if (receipt.secondsRun > escrow.allocatedSeconds) {
    throw mismatch("receipt.secondsRun", `at most the ${escrow.allocatedSeconds} s allocated`, receipt.secondsRun);
  }
  const sinceStartS = Math.max(0, Math.floor((receipt.atMs - input.startedAtMs) / 1000));
  if (receipt.secondsRun > sinceStartS)
    throw mismatch("receipt.secondsRun", `at most the ${sinceStartS} s since the job started`, receipt.secondsRun);
  if (latest === undefined) {
    if (receipt.sequence < 1) throw mismatch("receipt.sequence", "1 or more", receipt.sequence);
    return;
  }
  if (receipt.sequence <= latest.sequence)
    throw mismatch("receipt.sequence", `more than ${latest.sequence}, the latest receipt's`, receipt.sequence);
  if (receipt.atMs <= latest.atMs) throw mismatch("receipt.atMs", `after the latest receipt's ${iso(latest.atMs)}`, iso(receipt.atMs));
  if (receipt.secondsRun < latest.secondsRun) {
    throw mismatch(
      "receipt.secondsRun",
      `at least ${latest.secondsRun}, the latest receipt's (seconds run never decrease)`,
      receipt.secondsRun,
    );
  }
  const sinceLatestS = Math.ceil((receipt.atMs - latest.atMs) / 1000);
  if (receipt.secondsRun - latest.secondsRun > sinceLatestS) {
    throw mismatch(
      "receipt.secondsRun",
      `at most ${latest.secondsRun + sinceLatestS} (the latest receipt's ${latest.secondsRun} s plus the ${sinceLatestS} s since)`,
      receipt.secondsRun,
    );
  }
}
