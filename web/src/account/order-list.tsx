// A party's orders in every status (GET /v1/orders?buyer=|provider=, newest first), each with its
// escrow, job state, settlement and next step with its deadline ("fund within 12 min"), paged.
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { OrderListView } from "../../../src/contract/order-list.js";
import type { OrderDetails } from "../../../src/contract/orders.js";
import { queryString } from "../api.js";
import { shortId } from "../format.js";
import { NextStepText } from "../next-step-text.js";
import { Link } from "../router.js";
import { useRead } from "../use-read.js";

/** Orders per page. */
const ORDERS_PER_PAGE = 25;
/** How often the list refreshes (statuses move on their own: the provider, the sweeper). */
const ORDERS_REFRESH_MS = 5_000;

function settlementText(order: OrderDetails): string {
  const s = order.job.settlement;
  if (s === undefined) return "";
  return `${s.status}: provider ${s.providerPayment}, fee ${s.platformFee}, refund ${s.buyerRefund}`;
}

/** The orders of `address` as `role`, a page at a time. */
export function OrderList(props: { readonly address: string; readonly role: "buyer" | "provider"; readonly caption: string }): JSX.Element {
  const [after, setAfter] = useState<string[]>([]);
  const path = `/v1/orders${queryString({ [props.role]: props.address, limit: ORDERS_PER_PAGE, after: after.at(-1) })}`;
  const list = useRead<OrderListView>(path, ORDERS_REFRESH_MS);
  const orders = list.data?.orders ?? [];
  if (list.error !== undefined)
    return (
      <p role="alert" class="alert">
        {list.error}
      </p>
    );
  return (
    <div>
      <div class="scroll">
        <table>
          <caption>{props.caption}</caption>
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Status</th>
              <th scope="col">GPUs</th>
              <th scope="col" class="num">
                Total (MOLT)
              </th>
              <th scope="col">Escrow</th>
              <th scope="col">Settlement</th>
              <th scope="col">Next step</th>
            </tr>
          </thead>
          <tbody>
            {list.data === undefined ? (
              <tr>
                <td colSpan={7} class="muted">
                  Loading…
                </td>
              </tr>
            ) : orders.length === 0 ? (
              <tr>
                <td colSpan={7} class="muted">
                  No orders yet.
                </td>
              </tr>
            ) : null}
            {orders.map((order) => (
              <tr key={order.orderId} data-order={order.orderId}>
                <th scope="row">
                  <Link href={`/orders/${encodeURIComponent(order.orderId)}`}>{shortId(order.orderId, 8)}</Link>
                </th>
                <td>
                  <span class="status">{order.status}</span>
                </td>
                <td>{order.match === null ? "—" : `${order.match.gpuCount} × ${order.job.gpuModel ?? "GPU"}, ${order.match.hours} h`}</td>
                <td class="num">{order.match?.totalCost ?? "—"}</td>
                <td class="mono">{order.escrowId === null ? "—" : shortId(order.escrowId, 6)}</td>
                <td class="wrap">{settlementText(order)}</td>
                <td class="wrap">
                  <NextStepText order={order} viewer={props.address} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav class="pager" aria-label={`Pages of ${props.caption}`}>
        <button
          type="button"
          class="secondary"
          disabled={after.length === 0}
          onClick={() => {
            setAfter(after.slice(0, -1));
          }}
        >
          Newer
        </button>
        <button
          type="button"
          class="secondary"
          disabled={list.data?.next == null}
          onClick={() => {
            const next = list.data?.next;
            if (next != null) setAfter([...after, next]);
          }}
        >
          Older
        </button>
      </nav>
    </div>
  );
}
