// The header's wallet line: who is connected, or a link to connect.
import type { JSX } from "preact";
import { shortId } from "../format.js";
import { Link } from "../router.js";
import { useSession } from "./session.js";

/** "Connected: <wallet> <address>" or "Connect a wallet". */
export function WalletBadge(): JSX.Element {
  const session = useSession();
  return (
    <p class="wallet-badge">
      {session === undefined ? (
        <Link href="/account">Connect a wallet</Link>
      ) : (
        <>
          {session.walletName}:{" "}
          <span class="mono" title={session.signer.address}>
            {shortId(session.signer.address)}
          </span>
        </>
      )}
    </p>
  );
}
