// What a payout must give each party, computed on the client from the order's signed statements and
// the escrow's terms by the market's own rules, never taken from the server: a completed job's
// billed seconds, an arbiter's decision. Pure: no I/O.
import { Amount } from "../core/amount.js";
import { MarketError } from "../core/errors.js";
import type { EscrowView } from "../contract/escrows.js";
import type { OrderDetails } from "../contract/orders.js";
import { billSeconds, splitCharge } from "../settlement/billing.js";
import type { ChargeSplit } from "../settlement/billing.js";
import { billedSecondsOf } from "../settlement/settle-job.js";
import { rateOf } from "./chain-steps.js";
import { receiptedShare } from "./receipted-share.js";

/**
 * The split of settling `order` as `signer`: a failed job's receipted seconds, else the attested
 * proof's seconds (the provider may bill fewer with `actualHours`). Invariant: payment + fee +
 * refund = the escrow's amount. @throws INVALID_STATE_TRANSITION (no attested proof), what receiptedShare throws
 */
export function settlementShare(
  order: OrderDetails,
  escrow: EscrowView,
  signer: string | undefined,
  actualHours: string | undefined,
): ChargeSplit {
  if (order.status === "Failed") return receiptedShare(order, escrow);
  const attestation = order.job.attestation;
  if (attestation === undefined)
    throw new MarketError("INVALID_STATE_TRANSITION", { entity: "order", from: "not completed", to: "Settled" });
  const role = signer === escrow.buyer ? "buyer" : "provider";
  return billSeconds(
    billedSecondsOf({ ...(actualHours === undefined ? {} : { actualHours }), proof: attestation.proof }, escrow, role),
    Amount.parse(escrow.amount),
    rateOf(escrow),
  );
}

/** The split the arbiter decided for `order`'s dispute. Invariant: payment + fee + refund = the escrow's amount. @throws ESCROW_ERROR (not decided yet) */
export function decisionShare(order: OrderDetails, escrow: EscrowView): ChargeSplit {
  const decision = order.job.decision;
  if (decision === undefined)
    throw new MarketError("ESCROW_ERROR", { reason: `the arbiter has not decided the dispute of order ${order.orderId} yet` });
  return splitCharge(Amount.parse(decision.providerShare), Amount.parse(escrow.amount), rateOf(escrow));
}
