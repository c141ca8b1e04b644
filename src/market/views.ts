// How the market reports an order: the OrderView and the JobRecord kept with it, read from a stored
// order row. Pure, no I/O.
import type { ExtensionRecord } from "../contract/extension.js";
import type { OrderRequest } from "../contract/orders.js";
import { MarketError } from "../core/errors.js";
import { OrderStatus } from "../core/enums.js";
import type { OrderMatch } from "../core/types.js";
import type { Attestation, Dispute } from "../settlement/statements.js";
import type { Telemetry, UsageReceipt } from "../settlement/usage-receipt.js";
import type { OrderRow } from "../store/store.js";
import { decodeMatch } from "./codec.js";

/** Lifecycle details of a job, kept with its order. */
export interface JobRecord {
  /** When the order was matched: the funding window runs from here. */
  readonly matchedAtMs?: number;
  /** The GPU model of the matched offer, kept for the job's proof when the offer is gone (orders matched since it was recorded). */
  readonly gpuModel?: string;
  /** When the buyer's funding was recorded: the provider's start window runs from here. */
  readonly fundedAtMs?: number;
  readonly startedAtMs?: number;
  /** The provider's latest usage receipt, as it signed it. */
  readonly receipt?: UsageReceipt;
  /** The telemetry the latest receipt came with, if any (its digest is the receipt's). */
  readonly telemetry?: Telemetry;
  /** When the market recorded the latest receipt, by its own clock: the loss timeout runs from here. */
  readonly receiptedAtMs?: number;
  /** The buyer's countersignature of a receipt: it agrees the job had run that long. */
  readonly countersigned?: { readonly sequence: number; readonly secondsRun: number; readonly signature: string };
  readonly attestation?: Attestation;
  readonly failure?: JobFailure;
  /** The order the market submitted to continue this failed job (re-match). */
  readonly successor?: string;
  readonly dispute?: Dispute;
  /** The arbiter's split of a dispute, waiting for the buyer or the provider to accept it. */
  readonly decision?: { readonly providerShare: string; readonly reason: string; readonly decidedAtMs: number };
  readonly settlement?: {
    readonly status: string;
    readonly providerPayment: string;
    readonly platformFee: string;
    readonly buyerRefund: string;
    readonly transactions: readonly string[];
  };
  readonly settlementDue?: boolean;
  /** The buyer's extensions of the job, oldest first (at most EXTENSIONS_PER_JOB_MAX). */
  readonly extensions?: readonly ExtensionRecord[];
}

/** How a job failed: provider's proof of a non-zero exit, lost provider, or timeout. */
export type FailureKind = "ExitStatus" | "ProviderLost" | "Timeout";

/** Why a job failed. `secondsRun`, when set, is what its escrow pays the provider: its last receipted seconds. */
export interface JobFailure {
  readonly reason: string;
  readonly kind?: FailureKind;
  readonly attestation?: Attestation;
  readonly secondsRun?: number;
}

/** An order as the market reports it. */
export interface OrderView {
  readonly orderId: string;
  readonly status: string;
  readonly buyerId: string;
  readonly offerId: string | null;
  readonly match: OrderMatch | undefined;
  readonly escrowId: string | null;
  readonly job: JobRecord;
  /** Whether a failed job of this order is continued by a successor order. */
  readonly rematch: boolean;
  /** The failed order this one continues, when the market submitted it. */
  readonly successorOf: string | null;
  /** What the buyer asked for, as stored (amounts as decimal strings). */
  readonly requirements: OrderRequest["requirements"];
}

const ORDER_STATUSES: ReadonlySet<string> = new Set(Object.values(OrderStatus));

function isOrderStatus(value: string): value is OrderStatus {
  return ORDER_STATUSES.has(value);
}

/** The job record of a stored order ({} before it has one). */
export function jobOf(order: OrderRow): JobRecord {
  return order.job === null ? {} : (JSON.parse(order.job) as JobRecord);
}

/** The status of a stored order. Invariant: rows are written with an OrderStatus only. @throws STORE_ERROR (a row with another status) */
export function statusOf(order: OrderRow): OrderStatus {
  if (!isOrderStatus(order.status))
    throw new MarketError("STORE_ERROR", { reason: `order ${order.id} has the unknown status ${order.status}` });
  return order.status;
}

/** The re-match fields and the requirements of a stored order document. */
function continuationOf(doc: string): Pick<OrderView, "rematch" | "successorOf" | "requirements"> {
  const order = JSON.parse(doc) as {
    readonly rematch?: boolean;
    readonly successorOf?: string;
    readonly requirements: OrderRequest["requirements"];
  };
  return { rematch: order.rematch === true, successorOf: order.successorOf ?? null, requirements: order.requirements };
}

/** A stored order as the market reports it. */
export function viewOf(row: OrderRow): OrderView {
  return {
    orderId: row.id,
    status: row.status,
    buyerId: row.buyerId,
    offerId: row.offerId,
    match: row.match === null ? undefined : decodeMatch(row.match),
    escrowId: row.escrowId,
    job: jobOf(row),
    ...continuationOf(row.doc),
  };
}
