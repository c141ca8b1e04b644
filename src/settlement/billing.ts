// Billing arithmetic of a settlement: the per-second rate fixed when an escrow is made, billed
// seconds read exactly from hours, and the split of a charge into payment, fee and refund.
// Pure, no I/O; bigint base units throughout, every division names its rounding.
import { Amount } from "../core/amount.js";
import { MarketError, describeValue } from "../core/errors.js";
import { HOURS_MAX } from "../core/limits.js";

/** Seconds in an hour. */
export const SECONDS_PER_HOUR = 3600;
/** Basis points in 100 %: a fee of FEE_BPS_MAX takes the whole charge. */
export const FEE_BPS_MAX = 10_000;
/** Longest decimal string accepted for hours. */
export const HOURS_STRING_LENGTH_MAX = 40;
/** Longest grace period after an escrow's allocated hours, in hours (30 days). */
export const GRACE_HOURS_MAX = 30 * 24;
/**
 * Most hours a settlement may state: the longest allocation plus the longest grace period, so a
 * proof that ran into the grace of the longest job still settles (it is billed up to its allocation).
 */
export const SETTLEMENT_HOURS_MAX = HOURS_MAX + GRACE_HOURS_MAX;

const HOURS_PATTERN = /^(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d{1,3}))?$/;

/**
 * What an escrow bills, fixed when it is made.
 * Invariant: 1 <= ratePerSecond; 0 <= feeRatePerSecond <= ratePerSecond.
 */
export interface BillingRate {
  /** Base units per second for all GPUs of the job: ceil(pricePerHour x gpuCount / 3600). */
  readonly ratePerSecond: bigint;
  /** The fee's part of each second: floor(ratePerSecond x feeBps / 10000). */
  readonly feeRatePerSecond: bigint;
}

/** How a charge divides. Invariant: providerPayment + platformFee + buyerRefund = escrowed. */
export interface ChargeSplit {
  readonly charge: Amount;
  readonly providerPayment: Amount;
  readonly platformFee: Amount;
  readonly buyerRefund: Amount;
}

/** Throws OUT_OF_RANGE unless `feeBps` is an integer in 0..10000. @throws OUT_OF_RANGE */
export function assertFeeBps(feeBps: number): void {
  if (!Number.isInteger(feeBps) || feeBps < 0 || feeBps > FEE_BPS_MAX) {
    throw new MarketError("OUT_OF_RANGE", { field: "feeBps", value: describeValue(feeBps), min: "0", max: String(FEE_BPS_MAX) });
  }
}

/**
 * The rate of a job: price per GPU-hour x GPUs, per second, rounded up to a whole base unit
 * (the provider loses no fraction; the escrow cap bounds what the buyer pays). Billing per second
 * at a fixed whole rate is what makes pay additive: n one-second jobs pay what one n-second job pays.
 * @throws OUT_OF_RANGE (gpuCount, feeBps), INVALID_FIELD (zero price)
 * @example billingRate(Amount.parse("2.5"), 4, 250) // 10 MOLT per hour, 2,777,778 base units per second, fee 2.5%
 */
export function billingRate(pricePerHour: Amount, gpuCount: number, feeBps: number): BillingRate {
  if (!Number.isSafeInteger(gpuCount) || gpuCount < 1) {
    throw new MarketError("OUT_OF_RANGE", {
      field: "gpuCount",
      value: describeValue(gpuCount),
      min: "1",
      max: String(Number.MAX_SAFE_INTEGER),
    });
  }
  if (pricePerHour.isZero())
    throw new MarketError("INVALID_FIELD", { field: "pricePerHour", value: "0", allowed: "a price greater than 0" });
  assertFeeBps(feeBps);
  const perHour = pricePerHour.baseUnits * BigInt(gpuCount);
  const ratePerSecond = (perHour + BigInt(SECONDS_PER_HOUR) - 1n) / BigInt(SECONDS_PER_HOUR); // ceil
  const feeRatePerSecond = (ratePerSecond * BigInt(feeBps)) / BigInt(FEE_BPS_MAX); // floor
  return { ratePerSecond, feeRatePerSecond };
}

/**
 * Splits a charge of an escrow. The fee is floor(charge x feeRate / rate): exactly
 * feeRatePerSecond x seconds below the cap, and never more than the charge.
 * Invariant: payment + fee + refund = escrowed. @throws AMOUNT_UNDERFLOW (charge > escrowed)
 */
export function splitCharge(charge: Amount, escrowed: Amount, rate: BillingRate): ChargeSplit {
  const fee = (charge.baseUnits * rate.feeRatePerSecond) / rate.ratePerSecond; // floor
  return {
    charge,
    platformFee: Amount.fromLamports(fee),
    providerPayment: Amount.fromLamports(charge.baseUnits - fee),
    buyerRefund: escrowed.sub(charge),
  };
}

/**
 * The split for `billedSeconds` of an escrow: charge = min(rate x seconds, escrowed).
 * Invariant: payment + fee + refund = escrowed; below the cap every part is linear in seconds.
 * @example billSeconds(1800, escrowed, rate) // { payment, fee, refund } that add up to escrowed
 */
export function billSeconds(billedSeconds: number, escrowed: Amount, rate: BillingRate): ChargeSplit {
  const uncapped = rate.ratePerSecond * BigInt(billedSeconds);
  const charge = uncapped < escrowed.baseUnits ? Amount.fromLamports(uncapped) : escrowed;
  return splitCharge(charge, escrowed, rate);
}

/**
 * The split of a failed job paid by its receipts (a lost provider): `secondsRun`, floored, at least
 * 0 and capped at the allocation, billed at the escrow's rate. Invariant: payment + fee + refund =
 * escrowed; never more than the receipts attest.
 */
export function receiptedSplit(
  escrow: { readonly amount: Amount; readonly rate: BillingRate; readonly allocatedSeconds: number },
  secondsRun: number,
): ChargeSplit {
  return billSeconds(Math.min(Math.max(0, Math.floor(secondsRun)), escrow.allocatedSeconds), escrow.amount, escrow.rate);
}

/**
 * The split of a match's escrow when its job runs every allocated second: the fee a buyer sees
 * before paying. Invariant: the same as settling that escrow for its whole allocation.
 * @throws OUT_OF_RANGE, INVALID_FIELD (as billingRate)
 */
export function fullRunSplit(
  match: { readonly pricePerHour: Amount; readonly gpuCount: number; readonly hours: number; readonly totalCost: Amount },
  feeBps: number,
): ChargeSplit {
  return billSeconds(match.hours * SECONDS_PER_HOUR, match.totalCost, billingRate(match.pricePerHour, match.gpuCount, feeBps));
}

/**
 * Whole seconds in `hours`, read exactly from its decimal form (a number is read as the shortest
 * decimal that prints it, so 0.1 h is 360 s), rounded to the nearest second with an exact half
 * second rounded down: n / 3600 computed in floating point always reads back as n seconds.
 * @throws INVALID_FIELD (not a decimal), OUT_OF_RANGE (negative or over `maxHours`, HOURS_MAX by default)
 */
export function hoursToSeconds(hours: number | string, field = "actualHours", maxHours: number = HOURS_MAX): number {
  const text = typeof hours === "number" ? String(hours) : hours;
  const match = text.length <= HOURS_STRING_LENGTH_MAX ? HOURS_PATTERN.exec(text) : null;
  if (typeof hours === "number" && !(hours >= 0)) {
    throw new MarketError("OUT_OF_RANGE", { field, value: describeValue(hours), min: "0", max: String(maxHours) });
  }
  if (match === null) {
    throw new MarketError("INVALID_FIELD", {
      field,
      value: describeValue(hours),
      allowed: `a non-negative decimal number of hours, like 23.5, at most ${maxHours}`,
    });
  }
  const fraction = match[2] ?? "";
  const digits = BigInt(`${match[1] ?? "0"}${fraction}`);
  const exponent = Number(match[3] ?? "0") - fraction.length;
  const scaled = digits * BigInt(SECONDS_PER_HOUR);
  const divisor = 10n ** BigInt(Math.max(0, -exponent));
  const exact = scaled * 10n ** BigInt(Math.max(0, exponent));
  const seconds = (exact + (divisor - 1n) / 2n) / divisor; // to the nearest second, a tie down
  if (seconds > BigInt(maxHours * SECONDS_PER_HOUR)) {
    throw new MarketError("OUT_OF_RANGE", { field, value: describeValue(hours), min: "0", max: String(maxHours) });
  }
  return Number(seconds);
}
