// A request that sends a chain transaction the wallet co-signs: the server answers
// SIGNATURE_REQUIRED with the transaction message, the client checks the message against what it
// expects (computed here from the escrow's terms, never taken from the server), signs it and sends
// the same request again under the same Idempotency-Key.
import { address, getBase64Decoder, getBase64Encoder } from "@solana/kit";
import { TOKEN_PROGRAM_ADDRESS, findAssociatedTokenPda } from "@solana-program/token";
import { Amount } from "../core/amount.js";
import { MarketError, isMarketError } from "../core/errors.js";
import type { EscrowView } from "../contract/escrows.js";
import { newNonce } from "../contract/request-signing.js";
import type { BillingRate, ChargeSplit } from "../settlement/billing.js";
import { checkTransactionToSign } from "./transaction-check.js";
import type { SigningExpectation } from "./transaction-check.js";
import type { HttpTransport } from "./transport.js";

/** Rounds of SIGNATURE_REQUIRED one chain step goes through before it gives up (the message changes when the chain moves on). */
export const SIGNING_ROUNDS_MAX = 3;

/** Where a chain step is: asking for the transaction, signing it (and what it does), waiting for the chain. */
export type ChainStepProgress =
  { readonly phase: "preparing" } | { readonly phase: "signing"; readonly summary: string } | { readonly phase: "confirming" };

/** How a chain step is sent: under `key` (default a fresh one), telling `onProgress` where it is. */
export interface ChainStepOptions {
  readonly key?: string;
  readonly onProgress?: (progress: ChainStepProgress) => void;
}

/** The billing rate an escrow view states. */
export function rateOf(escrow: EscrowView): BillingRate {
  return { ratePerSecond: BigInt(escrow.ratePerSecond), feeRatePerSecond: BigInt(escrow.feeRatePerSecond) };
}

/**
 * A POST that sends a chain transaction the wallet co-signs: the server answers
 * SIGNATURE_REQUIRED with the message, which is checked against `expect` before it is signed and
 * sent back under the same Idempotency-Key. The wallet signs it with signTransactionMessage when it
 * has one (a browser wallet's signTransaction), else with sign.
 * @throws WALLET_ERROR (no wallet, or the wallet's refusal), ESCROW_ERROR (a message asking more), the server's MarketError
 */
export async function chainStep<T>(
  transport: HttpTransport,
  path: string,
  body: Readonly<Record<string, unknown>>,
  expect: (signer: string) => Promise<SigningExpectation>,
  options: ChainStepOptions,
): Promise<T> {
  const key = options.key ?? newNonce();
  const wallet = transport.wallet;
  if (wallet === undefined) throw new MarketError("WALLET_ERROR", { reason: `POST ${path} must be signed: give the client a wallet` });
  options.onProgress?.({ phase: "preparing" });
  let chainSignature: { readonly message: string; readonly signature: string } | undefined;
  for (let round = 1; ; round++) {
    try {
      if (chainSignature !== undefined) options.onProgress?.({ phase: "confirming" });
      return await transport.request<T>("POST", path, chainSignature === undefined ? body : { ...body, chainSignature }, key);
    } catch (e) {
      if (!isMarketError(e, "SIGNATURE_REQUIRED") || e.details.signer !== wallet.address || round > SIGNING_ROUNDS_MAX) throw e;
      const summary = checkTransactionToSign(e.details.message, await expect(wallet.address));
      options.onProgress?.({ phase: "signing", summary });
      const message = Uint8Array.from(getBase64Encoder().encode(e.details.message));
      const signature = await (wallet.signTransactionMessage === undefined ? wallet.sign(message) : wallet.signTransactionMessage(message));
      chainSignature = { message: e.details.message, signature: getBase64Decoder().decode(signature) };
    }
  }
}

/**
 * What co-signing a payout of `escrow` must give the signer, by `split` (computed by the caller from
 * the escrow's terms). The buyer also gets any MOLT someone sent into the escrow account, so its
 * part is a minimum.
 */
export async function payoutExpectation(escrow: EscrowView, signer: string, split: ChargeSplit): Promise<SigningExpectation> {
  const [account] = await findAssociatedTokenPda({
    owner: address(signer),
    mint: address(escrow.mint),
    tokenProgram: TOKEN_PROGRAM_ADDRESS,
  });
  const isBuyer = signer === escrow.buyer;
  return {
    kind: "payout",
    signer,
    escrow: escrow.address,
    receives: { account, amount: isBuyer ? split.buyerRefund : split.providerPayment, orMore: isBuyer },
  };
}

/**
 * What co-signing the deposit of an extension of `escrow` by `hours` must do: move exactly price
 * per GPU-hour x GPUs x hours (computed here from the escrow's terms) from the signer's MOLT
 * account of `mint` (the market's, pinned) into the escrow's account. @throws ESCROW_ERROR (the escrow is of another mint)
 */
export async function depositExpectation(escrow: EscrowView, signer: string, hours: number, mint: string): Promise<SigningExpectation> {
  if (escrow.mint !== mint)
    throw new MarketError("ESCROW_ERROR", {
      reason: `escrow ${escrow.escrowId} is of mint ${escrow.mint}, not the market's MOLT (${mint})`,
    });
  const [source] = await findAssociatedTokenPda({ owner: address(signer), mint: address(mint), tokenProgram: TOKEN_PROGRAM_ADDRESS });
  const amount = Amount.parse(escrow.pricePerHour).mul(escrow.gpuCount * hours);
  return { kind: "deposit", signer, amount, mint, source, escrow: escrow.address };
}
