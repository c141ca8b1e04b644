// A provider's earnings: the payments made to it by settled and resolved jobs (the newest
// ordersScannedMax), summed exactly.
import type { JSX } from "preact";
import { Amount } from "../../../src/core/amount.js";
import type { OrderListView } from "../../../src/contract/order-list.js";
import { queryString } from "../api.js";
import { useRead } from "../use-read.js";

/** Paid orders summed at most (one page of the order list). */
const ORDERS_SCANNED_MAX = 100;

/** The sum of the provider's settled payments. */
export function Earnings(props: { readonly address: string }): JSX.Element {
  const paid = useRead<OrderListView>(
    `/v1/orders${queryString({ provider: props.address, status: "Settled,Resolved", limit: ORDERS_SCANNED_MAX })}`,
    10_000,
  );
  const orders = paid.data?.orders ?? [];
  const total = orders.reduce((sum, order) => sum.add(Amount.parse(order.job.settlement?.providerPayment ?? "0")), Amount.parse("0"));
  return (
    <section class="card" aria-labelledby="earnings-title">
      <h2 id="earnings-title">Earnings</h2>
      {paid.error !== undefined ? (
        <p role="alert" class="alert">
          {paid.error}
        </p>
      ) : (
        <p>
          <strong data-testid="earnings">{total.toString()} MOLT</strong> paid to this wallet by {orders.length} settled job
          {orders.length === 1 ? "" : "s"}
          {paid.data?.next == null ? "" : ` (the newest ${ORDERS_SCANNED_MAX})`}.
        </p>
      )}
    </section>
  );
}
