// The order page /orders/:id: status and next step with its deadline, match, escrow, job and its
// receipts, settlement split, dispute, and the actions valid now for the connected wallet.
import type { JSX } from "preact";
import type { EscrowView } from "../../../src/contract/escrows.js";
import type { OrderDetails } from "../../../src/contract/orders.js";
import { useSession } from "../session/session.js";
import { when } from "../format.js";
import { Link } from "../router.js";
import { NextStepText } from "../next-step-text.js";
import { useRead } from "../use-read.js";
import { JobDetails } from "./job-details.js";
import { OrderActions } from "./order-actions.js";

/** How often an order that can still move is re-read. */
const ORDER_REFRESH_MS = 2_000;

function Row(props: { readonly label: string; readonly children: JSX.Element | string | number | null }): JSX.Element {
  return (
    <>
      <dt>{props.label}</dt>
      <dd>{props.children ?? "—"}</dd>
    </>
  );
}

/** One order. */
export function OrderPage(props: { readonly orderId: string }): JSX.Element {
  const session = useSession();
  const path = `/v1/orders/${encodeURIComponent(props.orderId)}`;
  const read = useRead<OrderDetails>(path, ORDER_REFRESH_MS);
  const order = read.data;
  // Read again as soon as the order moves (a settlement releases the escrow).
  const escrow = useRead<EscrowView>(order?.escrowId == null ? undefined : `${path}/escrow`, ORDER_REFRESH_MS, order?.status);
  if (order === undefined)
    return (
      <div class="stack">
        <h1>Order {props.orderId}</h1>
        {read.error === undefined ? (
          <p class="muted">Loading…</p>
        ) : (
          <p role="alert" class="alert">
            {read.error}
          </p>
        )}
      </div>
    );
  const match = order.match;
  return (
    <div class="stack">
      <h1>
        Order <span class="mono">{order.orderId}</span>
      </h1>
      <section class="card" aria-labelledby="status-title">
        <h2 id="status-title">
          Status:{" "}
          <span class="status" data-testid="order-status">
            {order.status}
          </span>
        </h2>
        <p>
          <strong>Next step:</strong> <NextStepText order={order} viewer={session?.signer.address} />
        </p>
        {session === undefined ? (
          <p>
            <Link href="/account">Connect a wallet</Link> to act on this order.
          </p>
        ) : (
          <OrderActions order={order} escrow={escrow.data} session={session} onDone={read.reload} />
        )}
      </section>
      <div class="grid">
        <section class="card" aria-labelledby="match-title">
          <h2 id="match-title">Match</h2>
          {match === null ? (
            <p class="muted">Not matched yet.</p>
          ) : (
            <dl class="kv">
              <Row label="Buyer">
                <span class="mono">{order.buyerId}</span>
              </Row>
              <Row label="Provider">
                <span class="mono">{match.providerId}</span>
              </Row>
              <Row label="Offer">
                <span class="mono">{match.offerId}</span>
              </Row>
              <Row label="GPUs × hours">{`${match.gpuCount} × ${order.job.gpuModel ?? "GPU"} × ${match.hours} h`}</Row>
              <Row label="Price">{`${match.pricePerHour} MOLT / GPU-hour`}</Row>
              <Row label="Total (incl. fee)">{`${match.totalCost} MOLT (fee ${match.platformFee})`}</Row>
              <Row label="Score">{match.score.toFixed(3)}</Row>
            </dl>
          )}
        </section>
        <section class="card" aria-labelledby="escrow-title">
          <h2 id="escrow-title">Escrow</h2>
          {escrow.data === undefined ? (
            <p class="muted">{order.escrowId === null ? "Not funded yet." : "Loading…"}</p>
          ) : (
            <dl class="kv">
              <Row label="Escrow">
                <span class="mono">{escrow.data.escrowId}</span>
              </Row>
              <Row label="State">
                <span data-testid="escrow-state">{escrow.data.state}</span>
              </Row>
              <Row label="Amount">{`${escrow.data.amount} MOLT`}</Row>
              <Row label="Allocated">{`${escrow.data.allocatedSeconds} s`}</Row>
              <Row label="Locked until">{when(escrow.data.lockedUntil)}</Row>
              <Row label="Token account">
                <span class="mono">{escrow.data.address}</span>
              </Row>
              <Row label="2-of-3 owner">
                <span class="mono">{escrow.data.multisig}</span>
              </Row>
            </dl>
          )}
        </section>
      </div>
      <JobDetails order={order} />
    </div>
  );
}
