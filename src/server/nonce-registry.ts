// Where the server records the nonces of accepted request signatures: in the store by default, so a
// signed request is accepted once across restarts and across nodes sharing one database; in memory
// for one process (embedding, tests). verifyRequest checks the signature first, so a forged request
// burns no nonce.
import { MarketError } from "../core/errors.js";
import type { Address } from "../core/address.js";
import type { NonceLimits, NonceVerdict, Store } from "../store/store.js";
import { SIGNATURE_WINDOW_S, verifySignature } from "../contract/http-signature.js";
import type { SignedRequestParts } from "../contract/http-signature.js";

/** Nonces kept at once, over every keyid (a flood within one window is refused until old ones age out). */
export const NONCES_MAX = 1_000_000;
/**
 * Nonces one keyid (wallet) may record per window-long bucket of time, this one and the one before:
 * a client at the full request rate (6,000 a minute) for a whole window fits, and no wallet fills the table.
 */
export const NONCES_PER_KEYID_MAX = 30_000;
/** The store's nonce bounds the server asks for. */
export const NONCE_LIMITS: NonceLimits = { windowS: SIGNATURE_WINDOW_S, perKeyidMax: NONCES_PER_KEYID_MAX, totalMax: NONCES_MAX };

/** Records a nonce once. Invariant: for one (keyid, nonce) at most one call answers "accepted" while it is remembered. */
export interface NonceRegistry {
  accept(keyid: string, nonce: string, createdS: number, nowS: number): NonceVerdict | Promise<NonceVerdict>;
}

/**
 * The store's nonce table as a registry: once across restarts and every process on the store.
 * @example buildApp({ market, nonces: storeNonces(market.store) }) // the default
 */
export function storeNonces(store: Store, limits: NonceLimits = NONCE_LIMITS): NonceRegistry {
  return { accept: (keyid, nonce, createdS, nowS) => store.acceptNonce(keyid, nonce, createdS, nowS, limits) };
}

/** Remembers nonces in this process for two windows: once per process lifetime only (a restart forgets). */
export class NonceStore implements NonceRegistry {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly windowS: number = SIGNATURE_WINDOW_S,
    private readonly totalMax: number = NONCES_MAX,
  ) {}

  /** Records `nonce` of `keyid` seen at `nowS`, unless seen within two windows or the map is full. */
  accept(keyid: string, nonce: string, _createdS: number, nowS: number): NonceVerdict {
    this.prune(nowS);
    const key = `${keyid}/${nonce}`;
    if (this.seen.has(key)) return "replayed";
    if (this.seen.size >= this.totalMax) return "full";
    this.seen.set(key, nowS);
    return "accepted";
  }

  /** Nonces remembered now. */
  get size(): number {
    return this.seen.size;
  }

  private prune(nowS: number): void {
    // Insertion order is time order (nowS never goes back far): drop from the front.
    for (const [key, at] of this.seen) {
      if (at > nowS - 2 * this.windowS) return;
      this.seen.delete(key);
    }
  }
}

/**
 * Records a verified signature's nonce. Invariant: call it only after the signature verified.
 * @throws UNAUTHORIZED (a replayed nonce, or a bound reached), STORE_ERROR
 */
export async function recordNonce(
  nonces: NonceRegistry,
  signature: { readonly keyid: string; readonly nonce: string; readonly createdS: number },
  nowMs: number,
): Promise<void> {
  const verdict = await nonces.accept(signature.keyid, signature.nonce, signature.createdS, Math.floor(nowMs / 1000));
  if (verdict === "accepted") return;
  const reason = {
    replayed: "this nonce was used already; sign each request with a new nonce",
    "keyid-full": "this wallet signed its most requests for the signature window (noncesPerKeyidMax); retry in a few minutes",
    full: "the server holds its most nonces (noncesMax); retry in a few minutes",
  }[verdict];
  throw new MarketError("UNAUTHORIZED", { reason });
}

/**
 * Checks a request's signature (verifySignature), then records its nonce: a signed request is
 * accepted once; a refused one records nothing. Returns the signer's address.
 * @throws UNAUTHORIZED (with the reason), STORE_ERROR (the registry's store failed)
 */
export async function verifyRequest(
  parts: SignedRequestParts,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  nowMs: number,
  nonces: NonceRegistry,
  windowS: number = SIGNATURE_WINDOW_S,
): Promise<Address> {
  const verified = verifySignature(parts, headers, nowMs, windowS);
  await recordNonce(nonces, verified, nowMs);
  return verified.keyid;
}
