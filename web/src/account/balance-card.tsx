// The connected wallet's MOLT balance and, on a test network, a button for test MOLT.
import type { JSX } from "preact";
import type { BalanceView } from "../../../src/contract/market-data.js";
import { ActionMessages } from "../session/action-messages.js";
import { endSession } from "../session/session.js";
import type { Session } from "../session/session.js";
import { useAction } from "../session/use-action.js";
import { useRead } from "../use-read.js";

/** MOLT an airdrop asks for. */
const AIRDROP_MOLT = "1000";

/** The wallet's address, balance, test MOLT and disconnect. */
export function BalanceCard(props: { readonly session: Session; readonly network: string | undefined }): JSX.Element {
  const { session } = props;
  const balance = useRead<BalanceView>(`/v1/balances/${encodeURIComponent(session.signer.address)}`);
  const action = useAction();
  const airdrop = (): void => {
    void action
      .run(
        `Asking for ${AIRDROP_MOLT} test MOLT`,
        () => session.client.airdrop(AIRDROP_MOLT),
        (drop) => `Received ${drop.molt} test MOLT`,
      )
      .then(balance.reload);
  };
  return (
    <section class="card" aria-labelledby="wallet-title">
      <h2 id="wallet-title">Wallet</h2>
      <dl class="kv">
        <dt>Wallet</dt>
        <dd>{session.walletName}</dd>
        <dt>Address</dt>
        <dd class="mono">{session.signer.address}</dd>
        <dt>Balance</dt>
        <dd data-testid="balance">{balance.data === undefined ? (balance.error ?? "…") : `${balance.data.molt} MOLT`}</dd>
        <dt>Network</dt>
        <dd>{props.network ?? "…"}</dd>
      </dl>
      <div class="actions" style={{ marginTop: "0.75rem" }}>
        {props.network !== undefined && props.network !== "mainnet" ? (
          <button type="button" disabled={action.busy !== undefined} onClick={airdrop}>
            Get test MOLT
          </button>
        ) : null}
        <button type="button" class="secondary" onClick={balance.reload}>
          Refresh balance
        </button>
        <button type="button" class="secondary" onClick={() => void endSession()}>
          Disconnect
        </button>
      </div>
      <ActionMessages state={action} />
    </section>
  );
}
