// Where the CLI finds the market server and the wallet: the defaults, the environment, and a
// server given without a scheme (localhost:8080 means http://localhost:8080). Pure.

/** Where the CLI finds the server when neither --server nor MOLT_SERVER_URL says. */
export const DEFAULT_SERVER_URL = "http://127.0.0.1:8080";
/** The wallet file used when neither --wallet nor MOLT_WALLET_PATH says. */
export const DEFAULT_WALLET_PATH = ".molt-market/wallet.json";

/**
 * The server's URL from --server, else MOLT_SERVER_URL, else DEFAULT_SERVER_URL. Invariant: a
 * value without a scheme gets http:// (a value with one, https:// included, is kept as given).
 */
export function serverUrl(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  const given = flag ?? env.MOLT_SERVER_URL ?? DEFAULT_SERVER_URL;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(given) ? given : `http://${given}`;
}
