// Connecting a wallet: every registered Wallet Standard wallet that can sign messages and
// transactions, and on a local network (localnet, embedded) the import of a Solana CLI keypair
// file, kept in this page's memory only.
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { connectWallet, disconnectWallet, listSigningWallets, onWalletsChanged } from "../wallet/standard-wallets.js";
import type { StandardSigningWallet } from "../wallet/standard-wallets.js";
import { importKeypair } from "../wallet/keypair-signer.js";
import { ActionMessages } from "../session/action-messages.js";
import { startSession } from "../session/session.js";
import { useAction } from "../session/use-action.js";

/** Networks on which a keypair file may be imported into the page. */
const LOCAL_NETWORKS: readonly string[] = ["localnet", "embedded"];

/** The wallets to connect and, on a local network, the keypair import. */
export function WalletConnect(props: { readonly network: string | undefined }): JSX.Element {
  const [wallets, setWallets] = useState<readonly StandardSigningWallet[]>(listSigningWallets);
  const action = useAction();
  useEffect(() => onWalletsChanged(setWallets), []);

  const connect = (wallet: StandardSigningWallet): void => {
    void action.run(
      `Connecting ${wallet.name}`,
      async () => {
        const signer = await connectWallet(wallet);
        startSession(signer, wallet.name, () => disconnectWallet(wallet));
        return signer;
      },
      (signer) => `Connected ${wallet.name}: ${signer.address}`,
    );
  };
  const importFile = (input: HTMLInputElement): void => {
    const file = input.files?.[0];
    if (file === undefined) return;
    void action.run(
      `Importing ${file.name}`,
      async () => {
        const signer = await importKeypair(await file.text());
        startSession(signer, `keypair ${file.name}`, () => Promise.resolve());
        return signer;
      },
      (signer) => `Imported ${signer.address} (kept in this page's memory only)`,
    );
    input.value = "";
  };

  return (
    <section class="card" aria-labelledby="connect-title">
      <h2 id="connect-title">Connect a wallet</h2>
      {wallets.length === 0 ? (
        <p class="muted">No Wallet Standard wallet is installed in this browser (Phantom, Solflare, Backpack and others are).</p>
      ) : (
        <ul class="actions" aria-label="Wallets">
          {wallets.map((wallet) => (
            <li key={wallet.name} style={{ listStyle: "none" }}>
              <button
                type="button"
                disabled={action.busy !== undefined}
                onClick={() => {
                  connect(wallet);
                }}
              >
                Connect {wallet.name}
              </button>
            </li>
          ))}
        </ul>
      )}
      {props.network !== undefined && LOCAL_NETWORKS.includes(props.network) ? (
        <p>
          <label>
            Import keypair file (a Solana CLI keypair JSON; this {props.network} market only, kept in memory)
            <input
              type="file"
              accept=".json,application/json"
              onChange={(event) => {
                importFile(event.currentTarget);
              }}
            />
          </label>
        </p>
      ) : null}
      <ActionMessages state={action} />
    </section>
  );
}
