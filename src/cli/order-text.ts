// Text for people about orders: `order show` (match, escrow, job, dispute, next step, deadlines),
// `order list` and `job list` tables with each next step and its deadline in words. Pure: no I/O;
// --json output never goes through here.
import { deadlineText, nextStepOf } from "../contract/next-step.js";
import type { OrderDetails } from "../contract/orders.js";
import { feeText, jobLines } from "./job-text.js";
import { renderTable } from "./table.js";

/** The dispute of an order and the arbiter's decision, line by line, when it has them. */
function disputeLines(order: OrderDetails, iso: (ms: number) => string): string[] {
  const { dispute, decision } = order.job;
  const lines: string[] = [];
  if (dispute !== undefined) {
    const by =
      dispute.openedBy === order.buyerId ? "the buyer" : dispute.openedBy === order.match?.providerId ? "the provider" : dispute.openedBy;
    lines.push(`  dispute   ${dispute.id}, opened by ${by} at ${iso(dispute.openedAtMs)}: ${dispute.reason}`);
    if (dispute.evidence.length > 0) lines.push(`            evidence sha256 ${dispute.evidence.join(", ")}`);
  }
  if (decision !== undefined)
    lines.push(
      `  decision  ${decision.providerShare} MOLT to the provider (fee included), at ${iso(decision.decidedAtMs)}: ${decision.reason}`,
    );
  return lines;
}

/** What the buyer asked for, in one line: "2 GPUs, 24 GB VRAM or more, at most 1 MOLT/GPU-h, 2 h, features NvLink". */
function wantsText(r: NonNullable<OrderDetails["requirements"]>): string {
  const where = [r.location?.region, r.location?.country].filter((part) => part !== undefined).join(", ");
  return [
    `${r.minGpuCount} GPUs`,
    ...(r.minVramGb > 0 ? [`${r.minVramGb} GB VRAM or more`] : []),
    `at most ${r.maxPricePerHour} MOLT/GPU-h`,
    `${r.estimatedHours} h`,
    ...((r.requiredFeatures ?? []).length > 0 ? [`features ${(r.requiredFeatures ?? []).join(", ")}`] : []),
    ...(where === "" ? [] : [`in ${where}`]),
    ...(r.gpuModels === undefined ? [] : [`models ${r.gpuModels.join(", ")}`]),
    ...(r.minReputation === undefined ? [] : [`reputation ${r.minReputation} or more`]),
    ...(r.providers?.allow === undefined ? [] : [`only providers ${r.providers.allow.join(", ")}`]),
    ...(r.providers?.deny === undefined || r.providers.deny.length === 0 ? [] : [`never providers ${r.providers.deny.join(", ")}`]),
  ].join(", ");
}

/** The deadlines that run for the order, in words. */
function deadlineLines(order: OrderDetails, nowMs: number): string[] {
  const d = order.deadlines;
  const line = (label: string, at: string | null): string[] =>
    at === null ? [] : [`  ${label.padEnd(14)} ${at} (${deadlineText(at, nowMs)})`];
  return [
    ...line("fund by", d.fundBy),
    ...line(order.status === "Running" ? "receipt due" : "start by", d.receiptDueBy),
    ...line("lock ends", d.lockedUntil),
    ...line("disputes until", d.disputeUntil),
  ];
}

/** `order show`: the order, its match, escrow, job, dispute, deadlines and next step for `viewer`. */
export function orderShowText(order: OrderDetails, viewer: string | undefined, nowMs: number): string {
  const m = order.match;
  const iso = (ms: number): string => new Date(ms).toISOString();
  return [
    `order ${order.orderId}: ${order.status}`,
    `  buyer     ${order.buyerId}`,
    ...(order.requirements === undefined ? [] : [`  wants     ${wantsText(order.requirements)}`]),
    m === null
      ? "  match     - (resting until an offer fits)"
      : `  match     offer ${m.offerId} of ${m.providerId}: ${m.gpuCount} GPUs x ${m.hours} h at ${m.pricePerHour} MOLT/GPU-h = ${m.totalCost} MOLT (${feeText(m)})`,
    `  escrow    ${order.escrowId ?? "- (not funded)"}`,
    ...jobLines(order),
    ...disputeLines(order, iso),
    ...deadlineLines(order, nowMs),
    `  next      ${nextStepOf(order, viewer, nowMs).text}`,
  ].join("\n");
}

/** An order's size and cost in one cell: "2 GPUs x 1 h, 6 MOLT", or "-" unmatched. */
function sizeOf(order: OrderDetails): string {
  const m = order.match;
  return m === null ? "-" : `${m.gpuCount} GPUs x ${m.hours} h, ${m.totalCost} MOLT`;
}

/** Orders as a table, newest first as given: id, status, size, the next step's deadline in words, the next step. */
export function orderListText(orders: readonly OrderDetails[], viewer: string | undefined, nowMs: number): string {
  if (orders.length === 0) return "no orders";
  return renderTable(
    [{ header: "ORDER" }, { header: "STATUS" }, { header: "MATCH" }, { header: "DUE" }, { header: "NEXT STEP" }],
    orders.map((order) => {
      const step = nextStepOf(order, viewer, nowMs);
      return [order.orderId, order.status, sizeOf(order), deadlineText(step.deadline, nowMs) || "-", step.text];
    }),
  );
}

/** Jobs (matched orders) with the wallet's role in each, as a table: provider rows, then buyer rows. */
export function jobListText(
  jobs: readonly { readonly role: "buyer" | "provider"; readonly order: OrderDetails }[],
  viewer: string,
  nowMs: number,
): string {
  if (jobs.length === 0) return "no jobs: no order of this wallet, as buyer or provider, was matched";
  return renderTable(
    [{ header: "ORDER" }, { header: "ROLE" }, { header: "STATUS" }, { header: "MATCH" }, { header: "DUE" }, { header: "NEXT STEP" }],
    jobs.map(({ role, order }) => {
      const step = nextStepOf(order, viewer, nowMs);
      return [order.orderId, role, order.status, sizeOf(order), deadlineText(step.deadline, nowMs) || "-", step.text];
    }),
  );
}
