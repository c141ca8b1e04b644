// The one settlement transaction of a funded escrow: its chain handle, the check that a co-signer
// is one of its parties, and the payout of a split. Never decides a split; sends one transaction at most.
import { MarketError } from "../core/errors.js";
import type { EscrowHandle, MoltClient, SettlementPayout } from "../chain/molt-client.js";
import type { TransactionId } from "../core/transaction-id.js";
import type { MessageSigner } from "../chain/signer.js";
import type { Wallet } from "../chain/wallet.js";
import type { ChargeSplit } from "../settlement/billing.js";
import { partyRole } from "../settlement/escrow-account.js";
import type { EscrowAccount } from "../settlement/escrow-account.js";

/** The role of `wallet` in `escrow`, which must be one of `roles`. Sends nothing. @throws NOT_A_PARTY */
export function expectSigner(escrow: EscrowAccount, wallet: MessageSigner, roles: readonly ("buyer" | "provider")[]): "buyer" | "provider" {
  const role = partyRole(escrow, wallet.address);
  if (role === undefined || !roles.includes(role)) {
    throw new MarketError("NOT_A_PARTY", { escrowId: escrow.id, address: wallet.address, allowed: `the escrow's ${roles.join(" or ")}` });
  }
  return role;
}

/**
 * Sends one transaction, signed by `arbiter` and `cosigner`, that pays provider, fee recipient and
 * buyer and closes the escrow. MOLT that someone sent into the escrow account beyond what was
 * locked goes back to the buyer, so a stray deposit cannot block a settlement. Invariant: the
 * payouts add up to what the account holds; nothing is sent when it holds less than was locked.
 * @throws ESCROW_ERROR (not funded, closed, or short), CHAIN_ERROR
 */
export async function payOut(
  client: MoltClient,
  arbiter: Wallet,
  escrow: EscrowAccount,
  cosigner: MessageSigner,
  split: ChargeSplit,
): Promise<TransactionId> {
  const handle = escrowHandle(escrow);
  const held = await client.escrowBalance(handle);
  if (held === undefined) throw new MarketError("ESCROW_ERROR", { reason: `escrow ${escrow.id} is closed on chain already` });
  if (held.lt(escrow.amount))
    throw new MarketError("ESCROW_ERROR", {
      reason: `escrow ${escrow.id} holds ${held.toString()} MOLT on chain, less than the ${escrow.amount.toString()} MOLT locked`,
    });
  const payouts: SettlementPayout[] = [
    { owner: escrow.provider, amount: split.providerPayment },
    { owner: escrow.feeRecipient, amount: split.platformFee },
    { owner: escrow.buyer, amount: split.buyerRefund.add(held.sub(escrow.amount)) },
  ];
  const transaction = await client.settleEscrow(handle, [arbiter, cosigner], payouts);
  return transaction.id;
}

/** The chain's view of a funded escrow. @throws ESCROW_ERROR (not funded yet) */
export function escrowHandle(escrow: EscrowAccount): EscrowHandle {
  if (escrow.chain === undefined) throw new MarketError("ESCROW_ERROR", { reason: `escrow ${escrow.id} is not funded on chain yet` });
  return {
    escrowId: escrow.id,
    address: escrow.chain.address,
    multisig: escrow.chain.multisig,
    parties: { buyer: escrow.buyer, provider: escrow.provider, arbiter: escrow.arbiter },
    amount: escrow.amount,
  };
}
