// The answers that need the market as well as the contract's mappers: an order (the market's
// OrderView, with its job record) and an escrow with where it is on chain. Mapping only.
import { escrowJson } from "../contract/escrows.js";
import type { EscrowView } from "../contract/escrows.js";
import { matchJson } from "../contract/orders.js";
import type { OrderDetails } from "../contract/orders.js";
import type { Marketplace } from "../market/marketplace.js";
import type { OrderView } from "../market/views.js";
import type { EscrowAccount } from "../settlement/escrow-account.js";

/** An order as JSON: its match with amounts as decimal strings, its job as the market recorded it. */
export function orderJson(order: OrderView): OrderDetails {
  return {
    orderId: order.orderId,
    status: order.status,
    buyerId: order.buyerId,
    offerId: order.offerId,
    escrowId: order.escrowId,
    match: order.match === undefined ? null : matchJson(order.match),
    job: order.job,
  };
}

/** An escrow as JSON, with its token account and multisig (derived from its parties when the escrow is not funded yet) and the market's mint. */
export async function escrowView(market: Marketplace, escrow: EscrowAccount): Promise<EscrowView> {
  const chain =
    escrow.chain ??
    (await market.payments.client.escrowHandleFor({
      escrowId: escrow.id,
      buyer: escrow.buyer,
      provider: escrow.provider,
      arbiter: escrow.arbiter,
      amount: escrow.amount,
    }));
  return escrowJson(escrow, { address: chain.address, multisig: chain.multisig, mint: market.payments.client.mint });
}
