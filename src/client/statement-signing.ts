// The signed statements a buyer sends through the client (a confirmation to settle, a dispute, a
// receipt's countersignature), signed by an AsyncSigner such as a browser wallet. The statement and
// the bytes signed are those the settlement module builds for a sync Signer: the builder runs once
// to learn the message, then the async signer signs it. Pure apart from the signer.
import { getBase16Decoder } from "@solana/codecs-strings";
import { MarketError } from "../core/errors.js";
import type { AsyncSigner, Signer } from "../core/signer.js";
import { confirm, openDisputeStatement } from "../settlement/statements.js";
import type { Confirmation, Dispute } from "../settlement/statements.js";
import { countersignUsageReceipt } from "../settlement/usage-receipt.js";
import type { UsageReceipt } from "../settlement/usage-receipt.js";

/** Length of an ed25519 signature in bytes. */
const SIGNATURE_BYTES = 64;

/**
 * Builds a statement with `build` (a sync builder of the settlement module), then has `signer` sign
 * the one message the builder signed. Invariant: the result is what `build` returns with a real
 * signature of `signer` in place of the placeholder. @throws WALLET_ERROR (a signature that is not 64 bytes), what `build` and the signer throw
 */
async function signedAsync<T>(signer: AsyncSigner, build: (signer: Signer) => T, withSignature: (built: T, hex: string) => T): Promise<T> {
  const messages: Uint8Array[] = [];
  const built = build({
    address: signer.address,
    sign: (message) => {
      messages.push(Uint8Array.from(message));
      return new Uint8Array(SIGNATURE_BYTES);
    },
  });
  const [message] = messages;
  if (message === undefined || messages.length !== 1)
    throw new MarketError("WALLET_ERROR", { reason: `a statement signs one message; this one signed ${messages.length}` });
  const signature = await signer.sign(message);
  if (signature.length !== SIGNATURE_BYTES)
    throw new MarketError("WALLET_ERROR", {
      reason: `the wallet gave a ${signature.length}-byte signature; ed25519 signatures are 64 bytes`,
    });
  // Every signed statement carries its signature in hex.
  return withSignature(built, getBase16Decoder().decode(signature));
}

/**
 * The buyer's confirmation (accept or reject) of a proof, signed by an async signer: what `confirm`
 * makes with a Wallet. @throws WALLET_ERROR, encoding codes, what the signer throws
 * @example const confirmation = await confirmAsync({ proof, buyer: browserSigner, accepted: true, billedSeconds })
 */
export function confirmAsync(input: Omit<Parameters<typeof confirm>[0], "buyer"> & { readonly buyer: AsyncSigner }): Promise<Confirmation> {
  return signedAsync(
    input.buyer,
    (buyer) => confirm({ ...input, buyer }),
    (built, signature) => ({ ...built, signature }),
  );
}

/**
 * A party's dispute statement, signed by an async signer: what `openDisputeStatement` makes with a
 * Wallet. @throws WALLET_ERROR, LIMIT_EXCEEDED and encoding codes, what the signer throws
 */
export function openDisputeStatementAsync(
  input: Omit<Parameters<typeof openDisputeStatement>[0], "party"> & { readonly party: AsyncSigner },
): Promise<Dispute> {
  return signedAsync(
    input.party,
    (party) => openDisputeStatement({ ...input, party }),
    (built, signature) => ({ ...built, signature }),
  );
}

/**
 * The buyer's countersignature (hex) of a usage receipt, by an async signer: what
 * `countersignUsageReceipt` makes with a Wallet. @throws WALLET_ERROR, encoding codes, what the signer throws
 */
export function countersignUsageReceiptAsync(
  receipt: Pick<UsageReceipt, "escrowId" | "sequence" | "secondsRun">,
  buyer: AsyncSigner,
): Promise<string> {
  return signedAsync(
    buyer,
    (signer) => countersignUsageReceipt(receipt, signer),
    (_built, signature) => signature,
  );
}
