// The answers that need the market as well as the contract's mappers: an order (the market's
// OrderView, with its job record) and an escrow with where it is on chain. Mapping only.
import { escrowJson } from "../contract/escrows.js";
import type { EscrowView } from "../contract/escrows.js";
import { matchJson } from "../contract/orders.js";
import type { OrderDetails } from "../contract/orders.js";
import { decodeEscrow } from "../market/codec.js";
import { deadlinesOf } from "../market/deadlines.js";
import type { Marketplace } from "../market/marketplace.js";
import type { OrderView } from "../market/views.js";
import type { EscrowAccount } from "../settlement/escrow-account.js";
import type { EscrowRow, EventRow } from "../store/store.js";

/**
 * An order as JSON: its match with amounts as decimal strings and the market's fee, its job as the
 * market recorded it, and its deadlines by the market's clocks (its escrow read from the store).
 * @throws STORE_ERROR
 */
export async function orderJson(market: Marketplace, order: OrderView): Promise<OrderDetails> {
  const escrowRow = order.escrowId === null ? undefined : await market.store.getEscrow(order.escrowId);
  return orderJsonWith(market, order, escrowRow);
}

/** orderJson with the order's escrow row already read (undefined: none, or not stored yet). Pure. */
export function orderJsonWith(market: Marketplace, order: OrderView, escrowRow: EscrowRow | undefined): OrderDetails {
  const escrow = escrowRow === undefined ? undefined : decodeEscrow(escrowRow.doc);
  const feeBps = market.payments.feeBps;
  return {
    orderId: order.orderId,
    status: order.status,
    buyerId: order.buyerId,
    offerId: order.offerId,
    escrowId: order.escrowId,
    match: order.match === undefined ? null : matchJson(order.match, feeBps),
    job: order.job,
    rematch: order.rematch,
    successorOf: order.successorOf,
    requirements: order.requirements,
    deadlines: deadlinesOf(order, escrow, {
      fundingWindowMs: market.fundingWindowMs,
      receiptTimeoutMs: market.receiptTimeoutMs,
      disputeWindowMs: market.payments.disputeWindowMs,
    }),
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

/**
 * An event as anyone may read it: an order's workload is for its buyer and matched provider only
 * (POST /v1/orders/{id}/workload), so it is taken out of the order a book event carries. The
 * stored event keeps it (other nodes rebuild their book from it). Invariant: no public event holds a workload.
 */
export function publicEvent(event: EventRow): EventRow {
  if (!event.payload.includes('"workload"')) return event;
  const payload = JSON.parse(event.payload) as { order?: Record<string, unknown> };
  if (payload.order?.workload === undefined) return event;
  // JSON drops the undefined workload.
  return { ...event, payload: JSON.stringify({ ...payload, order: { ...payload.order, workload: undefined, hasWorkload: true } }) };
}
