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

/** Named bounds of the telemetry a receipt may come with. */
export const TELEMETRY_LIMITS = { devicesMax: 64, deviceUuidLengthMax: 64 } as const;

/** What a provider may report beside a receipt: per-device GPU utilization (0..100) and device UUIDs. */
export interface Telemetry {
  readonly gpuUtilizationPct?: readonly number[];
  readonly deviceUuids?: readonly string[];
}

/**
 * SHA-256 (hex) of telemetry in its canonical form (fields in a fixed order, absent lists as empty),
 * the digest a receipt signs; of nothing when none is sent. Invariant: equal telemetry, equal digest.
 * @throws INVALID_FIELD (beyond TELEMETRY_LIMITS)
 */
export function telemetryDigest(telemetry: Telemetry | undefined): string {
  if (telemetry === undefined) return NO_TELEMETRY_DIGEST;
  const utilization = telemetry.gpuUtilizationPct ?? [];
  const devices = telemetry.deviceUuids ?? [];
  const bad =
    utilization.length > TELEMETRY_LIMITS.devicesMax ||
    devices.length > TELEMETRY_LIMITS.devicesMax ||
    utilization.some((pct) => !Number.isInteger(pct) || pct < 0 || pct > 100) ||
    devices.some((uuid) => typeof uuid !== "string" || uuid.length > TELEMETRY_LIMITS.deviceUuidLengthMax);
  if (bad) {
    throw new MarketError("INVALID_FIELD", {
      field: "telemetry",
      value: `${utilization.length} utilizations, ${devices.length} devices`,
      allowed: `at most ${TELEMETRY_LIMITS.devicesMax} integer utilizations 0..100 and device UUIDs of at most ${TELEMETRY_LIMITS.deviceUuidLengthMax} characters`,
    });
  }
  return createHash("sha256")
    .update(JSON.stringify({ gpuUtilizationPct: utilization, deviceUuids: devices }))
    .digest("hex");
}

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

/** What a buyer signs to countersign a receipt: it agrees the job of this escrow had run `secondsRun` by receipt `sequence`. */
export function receiptCountersignMessage(receipt: Pick<UsageReceipt, "escrowId" | "sequence" | "secondsRun">, buyer: Address): Uint8Array {
  return tagged(DOMAIN_TAGS.receiptCountersign)
    .text("escrowId", receipt.escrowId)
    .address("buyer", buyer)
    .u64("sequence", receipt.sequence)
    .u64("secondsRun", receipt.secondsRun)
    .bytes();
}

/** The buyer's countersignature (hex) of a receipt. @throws INVALID_FIELD, OUT_OF_RANGE, INVALID_ADDRESS (encoding) */
export function countersignUsageReceipt(receipt: Pick<UsageReceipt, "escrowId" | "sequence" | "secondsRun">, buyer: Signer): string {
  return Buffer.from(buyer.sign(receiptCountersignMessage(receipt, buyer.address))).toString("hex");
}

/** Is `signature` the buyer's countersignature of this receipt. Never throws: false. */
export function verifyReceiptCountersign(
  receipt: Pick<UsageReceipt, "escrowId" | "sequence" | "secondsRun">,
  buyer: Address,
  signature: string,
): boolean {
  return verifyStatementHex(buyer, () => receiptCountersignMessage(receipt, buyer), signature);
}
