// The connected wallet of this page: its AsyncSigner, the wallet's name, and the MarketClient that
// signs with it. Kept in memory only (a reload forgets it, an imported key included).
import { useEffect, useState } from "preact/hooks";
import { MarketClient } from "../../../src/client/client.js";
import type { AsyncSigner } from "../../../src/core/signer.js";

/** A connected wallet. */
export interface Session {
  readonly signer: AsyncSigner;
  readonly walletName: string;
  /** Signs every action with `signer`; checks every chain transaction before the wallet signs it. */
  readonly client: MarketClient;
  /** Lets the wallet go (a Wallet Standard disconnect, or dropping an imported key). */
  readonly release: () => Promise<void>;
}

let current: Session | undefined;
const listeners = new Set<(session: Session | undefined) => void>();

function publish(): void {
  for (const listener of listeners) listener(current);
}

/** Makes `signer` this page's wallet (replacing any other). Never throws. */
export function startSession(signer: AsyncSigner, walletName: string, release: () => Promise<void>): void {
  current = {
    signer,
    walletName,
    release,
    client: new MarketClient({ baseUrl: location.origin, wallet: signer, fetch: (input, init) => fetch(input, init) }),
  };
  publish();
}

/** Forgets the wallet (and asks it to disconnect). Never throws: a wallet that fails to disconnect is forgotten anyway. */
export async function endSession(): Promise<void> {
  const ending = current;
  current = undefined;
  publish();
  await ending?.release().catch(() => undefined);
}

/** The connected wallet, re-rendering on connect and disconnect. */
export function useSession(): Session | undefined {
  const [session, setSession] = useState(current);
  useEffect(() => {
    listeners.add(setSession);
    return () => {
      listeners.delete(setSession);
    };
  }, []);
  return session;
}
