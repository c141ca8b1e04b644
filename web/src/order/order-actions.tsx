// The actions valid now on an order for the connected wallet, signed in the browser through the
// MarketClient (which checks every chain transaction before the wallet signs it): cancel, fund,
// settle (the buyer with its signed confirmation, as the CLI settles), refund, dispute, and accept
// the arbiter's decision.
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { confirmAsync, openDisputeStatementAsync } from "../../../src/client/statement-signing.js";
import type { EscrowView } from "../../../src/contract/escrows.js";
import type { OrderDetails } from "../../../src/contract/orders.js";
import { MarketError } from "../../../src/core/errors.js";
import { newDisputeId } from "../../../src/core/ids.js";
import { proofSeconds } from "../../../src/settlement/settle-job.js";
import { ActionMessages } from "../session/action-messages.js";
import type { Session } from "../session/session.js";
import { useAction } from "../session/use-action.js";

/** The buttons of the actions `session` may take on `order` now; `onDone` re-reads the order. */
export function OrderActions(props: {
  readonly order: OrderDetails;
  readonly escrow: EscrowView | undefined;
  readonly session: Session;
  readonly onDone: () => void;
}): JSX.Element {
  const { order, escrow, session } = props;
  const { client, signer } = session;
  const action = useAction();
  const [reason, setReason] = useState("");
  const me = signer.address;
  const isBuyer = me === order.buyerId;
  const isProvider = me === order.match?.providerId;
  const id = order.orderId;
  const run = <T,>(label: string, work: () => Promise<T>, done: (result: T) => string): void => {
    void action.run(label, work, done).then(props.onDone);
  };

  const settle = (): void => {
    run(
      isBuyer && order.status === "Completed"
        ? "Settling (sign the confirmation, then co-sign the payout)"
        : "Settling (co-sign the payout)",
      async () => {
        // A failed job pays its receipted seconds (the client computes them); a completed one, the buyer confirms its proof.
        if (order.status === "Failed") return client.settle(id, {});
        const attestation = order.job.attestation;
        if (attestation === undefined || escrow === undefined)
          throw new MarketError("INVALID_STATE_TRANSITION", { entity: "order", from: order.status, to: "Settled" });
        const confirmation = isBuyer
          ? await confirmAsync({
              proof: attestation.proof,
              buyer: signer,
              accepted: true,
              billedSeconds: Math.min(proofSeconds(attestation.proof), escrow.allocatedSeconds),
            })
          : undefined;
        return client.settle(id, confirmation === undefined ? {} : { confirmation });
      },
      (settled) => `Order ${settled.orderId}: ${settled.status}`,
    );
  };
  const dispute = (event: Event): void => {
    event.preventDefault();
    run(
      "Opening a dispute",
      async () => {
        if (escrow === undefined)
          throw new MarketError("INVALID_STATE_TRANSITION", { entity: "order", from: order.status, to: "Disputed" });
        const statement = await openDisputeStatementAsync({
          id: newDisputeId(Date.now()),
          escrowId: escrow.escrowId,
          party: signer,
          reason: reason.trim(),
          evidence: [],
          openedAtMs: Date.now(),
        });
        return client.openDispute(id, statement);
      },
      (result) => `Order ${result.orderId}: ${result.status}; the arbiter decides the split`,
    );
  };

  const party = isBuyer || isProvider;
  const now = Date.now();
  const passed = (deadline: string | null): boolean => deadline !== null && Date.parse(deadline) <= now;
  const buttons: JSX.Element[] = [];
  // Settling a completed job and opening a dispute read the escrow: until its read is back they
  // wait (a click before it would be refused here as if the order could not move).
  const escrowLoading = escrow === undefined;
  const button = (label: string, onClick: () => void, secondary = false, needsEscrow = false): void => {
    buttons.push(
      <button
        key={label}
        type="button"
        class={secondary ? "secondary" : undefined}
        disabled={action.busy !== undefined || (needsEscrow && escrowLoading)}
        onClick={onClick}
      >
        {label}
      </button>,
    );
  };
  if (isBuyer && (order.status === "Pending" || order.status === "Matched"))
    button(
      "Cancel order",
      () => {
        run(
          "Cancelling",
          () => client.cancelOrder(id),
          (r) => `Order ${r.orderId} cancelled`,
        );
      },
      order.status === "Matched",
    );
  if (isBuyer && order.status === "Matched" && !passed(order.deadlines.fundBy))
    button("Fund escrow", () => {
      run(
        "Funding the escrow (sign the deposit)",
        () => client.fundEscrow(id),
        (e) => `Escrow ${e.escrowId}: ${e.state}`,
      );
    });
  const { disputeUntil, lockedUntil } = order.deadlines;
  const receipted = order.job.failure?.secondsRun !== undefined;
  // The provider settles a completed job alone only once the buyer's dispute window has closed.
  if (order.status === "Completed" && (isBuyer || (isProvider && passed(disputeUntil))))
    button(isBuyer ? "Confirm and settle" : "Settle", settle, false, true);
  if (order.status === "Failed" && receipted && party) button("Pay out the receipted seconds", settle);
  // A failed job without receipts, or a funded job that never completed by the escrow's lock, is refunded to the buyer.
  const refundable =
    (order.status === "Failed" && !receipted) || ((order.status === "Escrowed" || order.status === "Running") && passed(lockedUntil));
  if (isBuyer && refundable)
    button("Refund", () => {
      run(
        "Refunding (co-sign the refund)",
        () => client.refund(id),
        (r) => `Order ${r.orderId}: ${r.status}`,
      );
    });
  if (party && order.status === "Disputed" && order.job.decision !== undefined)
    button("Accept the decision", () => {
      run(
        "Accepting the arbiter's decision (co-sign the payout)",
        () => client.acceptDecision(id),
        (r) => `Order ${r.orderId}: ${r.status}`,
      );
    });
  const canDispute = party && (order.status === "Completed" || order.status === "Failed") && !passed(disputeUntil);

  if (!party) return <p class="muted">The connected wallet is not a party to this order: no action.</p>;
  return (
    <div>
      {buttons.length === 0 && !canDispute ? <p class="muted">No action for you now.</p> : <div class="actions">{buttons}</div>}
      {canDispute ? (
        <form class="fields" aria-label="Open a dispute" onSubmit={dispute} style={{ marginTop: "0.75rem" }}>
          <label>
            Dispute reason
            <input
              name="reason"
              required
              maxLength={500}
              value={reason}
              onInput={(e) => {
                setReason(e.currentTarget.value);
              }}
            />
          </label>
          <div class="actions">
            <button type="submit" class="secondary" disabled={action.busy !== undefined || escrowLoading}>
              Open dispute
            </button>
          </div>
        </form>
      ) : null}
      <ActionMessages state={action} />
    </div>
  );
}
