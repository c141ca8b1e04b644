// The client's HTTP transport: every POST signed with the wallet (RFC 9421, the contract's scheme)
// under an Idempotency-Key, a transport failure retried with the same key, an error answer turned
// back into its MarketError. Talks HTTP only through fetch; runs in Node and in a browser.
import { systemClock } from "../core/clock.js";
import type { Clock } from "../core/clock.js";
import { MARKET_ERROR_TABLE, MarketError } from "../core/errors.js";
import type { MarketErrorCode, MarketErrorDetails } from "../core/errors.js";
import type { AsyncSigner } from "../core/signer.js";
import { newNonce, signRequestAsync } from "../contract/request-signing.js";

/** Attempts of one request when the connection fails (same key, fresh signature each time). */
export const CLIENT_ATTEMPTS_MAX = 3;

/** How the transport reaches the server and signs. */
export interface TransportOptions {
  /** The server, e.g. http://127.0.0.1:8080 */
  readonly baseUrl: string;
  /** Signs mutating requests (a Wallet, or a browser wallet's AsyncSigner); reads need none. */
  readonly wallet?: AsyncSigner;
  readonly clock?: Clock;
  readonly fetch?: typeof fetch;
}

function isCode(code: unknown): code is MarketErrorCode {
  return typeof code === "string" && Object.hasOwn(MARKET_ERROR_TABLE, code);
}

/** A query string of the defined values of `filter`. */
export function queryOf(filter: Readonly<Record<string, string | number | undefined>>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filter)) if (value !== undefined) params.set(name, String(value));
  return params.toString();
}

/** Sends requests to one server. Invariant: a retried request carries the same Idempotency-Key, so it takes effect once. */
export class HttpTransport {
  private readonly baseUrl: string;
  private readonly clock: Clock;
  private readonly fetcher: typeof fetch;
  /** The wallet that signs, if any. */
  readonly wallet: AsyncSigner | undefined;

  constructor(options: TransportOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.clock = options.clock ?? systemClock;
    // A browser's fetch must be called on the window, never as a method of this transport.
    this.fetcher = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.wallet = options.wallet;
  }

  /**
   * One request; the answer's JSON as `T` (the contract's type of the route). A POST is signed and
   * carries `key` as its Idempotency-Key (default: 128 random bits, base64url, from getRandomValues,
   * which a browser offers outside secure contexts too, unlike randomUUID).
   * @throws WALLET_ERROR (a POST without a wallet), what the wallet throws (a refusal), the server's MarketError, Error (unreachable, or an answer that is not one)
   */
  async request<T>(method: "GET" | "POST", path: string, body?: unknown, key: string = newNonce()): Promise<T> {
    const payload = body === undefined ? "" : JSON.stringify(body);
    for (let attempt = 1; ; attempt++) {
      const headers: Record<string, string> = { accept: "application/json" };
      if (method === "POST") {
        if (this.wallet === undefined)
          throw new MarketError("WALLET_ERROR", { reason: `${method} ${path} must be signed: give the client a wallet` });
        // The signature covers the Idempotency-Key: a captured request cannot be sent again under another key.
        Object.assign(
          headers,
          await signRequestAsync(
            { method, path: path.split("?")[0] ?? path, body: payload, idempotencyKey: key },
            this.wallet,
            this.clock.now(),
          ),
          { "content-type": "application/json" },
        );
      }
      let response: Response;
      try {
        response = await this.fetcher(`${this.baseUrl}${path}`, { method, headers, ...(method === "POST" ? { body: payload } : {}) });
      } catch (e) {
        if (attempt < CLIENT_ATTEMPTS_MAX) continue;
        throw new Error(
          `cannot reach ${this.baseUrl} (${CLIENT_ATTEMPTS_MAX} attempts): ${e instanceof Error ? e.message : String(e)}; is the server running?`,
          { cause: e },
        );
      }
      const text = await response.text();
      const json: unknown = text === "" ? undefined : JSON.parse(text);
      if (response.ok) return json as T;
      const error = json as { code?: unknown; details?: unknown; message?: unknown } | undefined;
      if (isCode(error?.code)) throw new MarketError(error.code, error.details as MarketErrorDetails[typeof error.code]);
      throw new Error(
        `${method} ${path}: HTTP ${response.status} ${typeof error?.message === "string" ? error.message : text.slice(0, 200)}`,
      );
    }
  }
}
