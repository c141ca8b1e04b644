// Text for people from the money commands' results: escrows, settlements, offer and job lists.
// Pure: no I/O, no signing; the --json output never goes through here.
import type { EscrowView } from "../contract/escrows.js";
import type { OfferView } from "../contract/offers.js";
import type { MatchView, OrderDetails } from "../contract/orders.js";

/** The platform's fee of a match in people's words: "platform fee 0.25 MOLT (2.5 %) out of the provider's payment". Pure. */
export function feeText(match: Pick<MatchView, "feeBps" | "platformFee">): string {
  return `platform fee ${match.platformFee} MOLT (${match.feeBps / 100} %) out of the provider's payment`;
}

/** An order's status and, once settled, its payout lines (payment, fee, refund, transactions). Pure. */
export function settlementText(order: OrderDetails): string {
  const s = order.job.settlement;
  if (s === undefined) return `order ${order.orderId}: ${order.status}`;
  return [
    `order ${order.orderId}: ${order.status} (${s.status})`,
    `  provider payment  ${s.providerPayment} MOLT`,
    `  platform fee      ${s.platformFee} MOLT`,
    `  buyer refund      ${s.buyerRefund} MOLT`,
    `  transaction       ${s.transactions.join(", ") || "-"}`,
  ].join("\n");
}

/** An escrow's state, amount, parties and lock; funding and payout transactions only when known. Pure. */
export function escrowText(escrow: EscrowView): string {
  return [
    `escrow ${escrow.escrowId}: ${escrow.state}`,
    `  amount        ${escrow.amount} MOLT (${escrow.gpuCount} GPUs x ${escrow.allocatedSeconds / 3600} h at ${escrow.pricePerHour} MOLT/GPU-h)`,
    `  account       ${escrow.address} (owner: 2-of-3 multisig ${escrow.multisig})`,
    `  buyer         ${escrow.buyer}`,
    `  provider      ${escrow.provider}`,
    `  arbiter       ${escrow.arbiter}`,
    `  locked until  ${escrow.lockedUntil}`,
    ...(escrow.transactionId === undefined ? [] : [`  funded by     ${escrow.transactionId}`]),
    ...(escrow.settlementTransactionId === undefined ? [] : [`  paid out by   ${escrow.settlementTransactionId}`]),
  ].join("\n");
}

/** Offers as an aligned table, one row each in the given order, or "no offers". Pure. */
export function offerTable(offers: readonly OfferView[]): string {
  if (offers.length === 0) return "no offers";
  const rows = offers.map((o) => [
    o.offerId,
    o.status,
    o.gpuModel,
    `${o.freeGpus}/${o.gpuCount}`,
    `${o.vramGb} GB`,
    o.pricePerHour,
    o.providerId,
  ]);
  const header = ["OFFER", "STATUS", "MODEL", "FREE", "VRAM", "MOLT/GPU-H", "PROVIDER"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  return [header, ...rows]
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** What happened to an order's job, line by line for `order show`: start, latest receipt, failure, re-match, payout. Pure. */
export function jobLines(order: OrderDetails): string[] {
  const job = order.job;
  const iso = (ms: number): string => new Date(ms).toISOString();
  const lines: string[] = [];
  if (order.successorOf !== null) lines.push(`  continues ${order.successorOf} (re-matched after its job failed)`);
  if (job.startedAtMs !== undefined) lines.push(`  started   ${iso(job.startedAtMs)}`);
  if (job.receipt !== undefined)
    lines.push(
      `  receipt   #${job.receipt.sequence}: ${job.receipt.secondsRun} s run, signed ${iso(job.receipt.atMs)}${job.countersigned?.sequence === job.receipt.sequence ? " (countersigned)" : ""}`,
    );
  if (job.failure !== undefined) lines.push(`  failed    ${job.failure.reason}`);
  if (job.successor !== undefined)
    lines.push(
      `  re-match  successor order ${job.successor} for the remaining hours: see it with molt-market order show ${job.successor}, fund it with molt-market escrow fund ${job.successor}`,
    );
  else if (order.rematch && order.status === "Failed") lines.push("  re-match  none: no hours remain, or no provider is left to try");
  if (job.settlement !== undefined)
    lines.push(
      `  paid out  ${job.settlement.status}: provider ${job.settlement.providerPayment}, fee ${job.settlement.platformFee}, buyer refund ${job.settlement.buyerRefund} MOLT`,
    );
  return lines;
}
