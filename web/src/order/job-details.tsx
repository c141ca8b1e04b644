// An order's job: when it was funded and started, its latest usage receipt, its proof, failure,
// dispute and decision, and the settlement's split (payment + fee + refund = escrowed).
import type { JSX } from "preact";
import type { OrderDetails } from "../../../src/contract/orders.js";
import { deadlineText } from "../../../src/contract/next-step.js";
import { when } from "../format.js";

function Item(props: { readonly label: string; readonly value: string | undefined }): JSX.Element | null {
  if (props.value === undefined) return null;
  return (
    <>
      <dt>{props.label}</dt>
      <dd>{props.value}</dd>
    </>
  );
}

/** The job and its outcome. */
export function JobDetails(props: { readonly order: OrderDetails }): JSX.Element {
  const { job, deadlines } = props.order;
  const proof = job.attestation?.proof;
  const s = job.settlement;
  const at = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : when(ms));
  const nowMs = Date.now();
  const due = (deadline: string | null): string | undefined =>
    deadline === null ? undefined : `${when(deadline)} (${deadlineText(deadline, nowMs)})`;
  return (
    <div class="grid">
      <section class="card" aria-labelledby="job-title">
        <h2 id="job-title">Job</h2>
        <dl class="kv">
          <Item label="Funded" value={at(job.fundedAtMs)} />
          <Item label="Started" value={at(job.startedAtMs)} />
          <Item
            label="Latest receipt"
            value={
              job.receipt === undefined
                ? undefined
                : `#${job.receipt.sequence}: ${job.receipt.secondsRun} s run, at ${when(job.receipt.atMs)}`
            }
          />
          <Item
            label="Countersigned"
            value={job.countersigned === undefined ? undefined : `#${job.countersigned.sequence}, ${job.countersigned.secondsRun} s`}
          />
          <Item
            label="Proof"
            value={
              proof === undefined ? undefined : `${Math.floor((proof.endedAtMs - proof.startedAtMs) / 1000)} s, exit ${proof.exitStatus}`
            }
          />
          <Item label="Failure" value={job.failure === undefined ? undefined : `${job.failure.kind ?? "failed"}: ${job.failure.reason}`} />
          <Item label="Fund by" value={due(deadlines.fundBy)} />
          <Item label="Start or receipt by" value={due(deadlines.receiptDueBy)} />
          <Item label="Locked until" value={due(deadlines.lockedUntil)} />
          <Item label="Dispute until" value={due(deadlines.disputeUntil)} />
        </dl>
        {job.fundedAtMs === undefined && job.failure === undefined ? <p class="muted">No job yet.</p> : null}
      </section>
      <section class="card" aria-labelledby="settlement-title">
        <h2 id="settlement-title">Settlement</h2>
        {s === undefined ? (
          <p class="muted">Not settled yet.</p>
        ) : (
          <table>
            <caption>{s.status}: the escrow split in one transaction</caption>
            <tbody>
              {(
                [
                  ["Provider payment", "provider-payment", s.providerPayment],
                  ["Platform fee", "platform-fee", s.platformFee],
                  ["Buyer refund", "buyer-refund", s.buyerRefund],
                ] as const
              ).map(([label, testId, amount]) => (
                <tr key={testId}>
                  <th scope="row">{label}</th>
                  <td class="num" data-testid={testId}>
                    {amount} MOLT
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {job.dispute === undefined ? null : (
          <>
            <h3>Dispute</h3>
            <p>
              Opened by <span class="mono">{job.dispute.openedBy}</span>: {job.dispute.reason}
            </p>
            {job.decision === undefined ? (
              <p class="muted">Waiting for the arbiter's decision.</p>
            ) : (
              <p>
                Decision: {job.decision.providerShare} MOLT to the provider — {job.decision.reason}
              </p>
            )}
          </>
        )}
      </section>
    </div>
  );
}
