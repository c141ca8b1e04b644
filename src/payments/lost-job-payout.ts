// The payout of a job whose provider was lost (or that ran past its escrow's end): the provider is
// paid its last receipted seconds at the escrow's rate, the fee comes out of that, the rest goes back
// to the buyer, in one transaction co-signed by the arbiter and whichever party acts first.
import { ImmutableDate } from "../core/validate.js";
import type { TransactionId } from "../core/transaction-id.js";
import type { MessageSigner } from "../chain/signer.js";
import { receiptedSplit } from "../settlement/billing.js";
import type { ChargeSplit } from "../settlement/billing.js";
import { assertEscrowTransition, transitionEscrow } from "../settlement/escrow-account.js";
import type { EscrowAccount } from "../settlement/escrow-account.js";
import { expectSigner, payOut } from "./escrow-payout.js";
import type { PaymentService } from "./payment-service.js";

/**
 * Pays a lost job out in ONE transaction signed by the arbiter and `cosigner` (the buyer or the
 * provider): receiptedSplit of its receipted seconds. Locked -> Released (Refunded when nothing is paid).
 * @throws INVALID_STATE_TRANSITION (escrow not Locked), NOT_A_PARTY, ESCROW_ERROR, CHAIN_ERROR
 */
export async function payLostJob(
  payments: PaymentService,
  escrow: EscrowAccount,
  secondsRun: number,
  cosigner: MessageSigner,
  nowMs: number,
): Promise<{ readonly escrow: EscrowAccount; readonly split: ChargeSplit; readonly transactions: readonly TransactionId[] }> {
  const split = receiptedSplit(escrow, secondsRun);
  const state = split.charge.isZero() ? "Refunded" : "Released";
  assertEscrowTransition(escrow.state, state);
  expectSigner(escrow, cosigner, ["buyer", "provider"]);
  const transactionId = await payOut(payments.client, payments.arbiter, escrow, cosigner, split);
  return {
    escrow: transitionEscrow(escrow, state, { releasedAt: new ImmutableDate(nowMs), settlementTransactionId: transactionId }),
    split,
    transactions: [transactionId],
  };
}
