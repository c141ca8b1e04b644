// What a failed job's escrow pays, as the client checks it before co-signing: a job failed by its
// provider's proof or without receipts refunds everything; one whose provider was lost pays the
// seconds of the provider's last signed receipt, verified here, never the server's word.
import { Amount } from "../core/amount.js";
import { MarketError } from "../core/errors.js";
import type { EscrowView } from "../contract/escrows.js";
import type { OrderDetails } from "../contract/orders.js";
import { billSeconds, receiptedSplit } from "../settlement/billing.js";
import type { ChargeSplit } from "../settlement/billing.js";
import { verifyUsageReceipt } from "../settlement/usage-receipt.js";
import { rateOf } from "./chain-steps.js";

/**
 * The split of a failed order's escrow. Invariant: the provider is paid no more than a receipt it
 * signed for this escrow attests. @throws ESCROW_ERROR (the server's seconds are not those of a valid receipt)
 */
export function receiptedShare(order: OrderDetails, escrow: EscrowView): ChargeSplit {
  const terms = { amount: Amount.parse(escrow.amount), rate: rateOf(escrow), allocatedSeconds: escrow.allocatedSeconds };
  const secondsRun = order.job.failure?.secondsRun;
  if (secondsRun === undefined || secondsRun === 0) return billSeconds(0, terms.amount, terms.rate);
  const receipt = order.job.receipt;
  const valid =
    receipt !== undefined &&
    receipt.escrowId === escrow.escrowId &&
    receipt.provider === escrow.provider &&
    receipt.secondsRun === secondsRun &&
    verifyUsageReceipt(receipt);
  if (!valid)
    throw new MarketError("ESCROW_ERROR", {
      reason: `the market would pay ${secondsRun} s of order ${order.orderId}, which no usage receipt signed by provider ${escrow.provider} attests; not co-signing`,
    });
  return receiptedSplit(terms, secondsRun);
}
