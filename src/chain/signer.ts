// Who signs a transaction message: a Wallet held here, or a party whose signature a client brings
// (PresentedSignature: the party signs on its own machine, the server never holds its key). The
// bridge to @solana/kit's signer interface lives here too. Pure apart from signing and hashing.
import { getBase64Decoder, getBase64Encoder, getCompiledTransactionMessageDecoder } from "@solana/kit";
import type { SignatureBytes, TransactionPartialSigner } from "@solana/kit";
import { MarketError } from "../core/errors.js";
import { parseAddress } from "../core/address.js";
import type { Address } from "../core/address.js";
import { Wallet } from "./wallet.js";

/** Largest transaction message a client may bring (Solana's packet size bounds a whole transaction). */
export const TRANSACTION_MESSAGE_BYTES_MAX = 1232;

/** A key that signs transaction messages. A Wallet is one. */
export interface MessageSigner {
  readonly address: Address;
  /** The ed25519 signature of `message`. @throws SIGNATURE_REQUIRED when the key is not here */
  sign(message: Uint8Array): Uint8Array;
  /** The blockhash the signed message was built on, when the signature was made elsewhere. */
  readonly blockhash?: string;
  /** True when the key signs elsewhere and has not signed yet: a step only rehearses, to learn the message. */
  readonly awaitingSignature?: boolean;
}

/** The blockhash of the first signer that brings one: a transaction must be rebuilt on it to match its signature. */
export function presentedBlockhash(signers: readonly MessageSigner[]): string | undefined {
  return signers.find((signer) => signer.blockhash !== undefined)?.blockhash;
}

/** The MessageSigner behind each kit signer walletSigner made (transaction-builder signs with it directly). */
const messageSigners = new WeakMap<object, MessageSigner>();

/** A kit TransactionPartialSigner that signs with `signer`. */
export function walletSigner(signer: MessageSigner): TransactionPartialSigner {
  const kitSigner: TransactionPartialSigner = {
    address: signer.address,
    signTransactions: (transactions) =>
      Promise.resolve(
        transactions.map((transaction) => ({ [signer.address]: signer.sign(Uint8Array.from(transaction.messageBytes)) as SignatureBytes })),
      ),
  };
  messageSigners.set(kitSigner, signer);
  return kitSigner;
}

/** The MessageSigner a kit signer made by walletSigner signs with, or undefined for any other signer. */
export function messageSignerOf(kitSigner: unknown): MessageSigner | undefined {
  return typeof kitSigner === "object" && kitSigner !== null ? messageSigners.get(kitSigner) : undefined;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/**
 * A party's signature over one transaction message, brought by a client (or none yet). Signing any
 * other message throws SIGNATURE_REQUIRED with that message, so the client can check and sign it.
 * Invariant: a presented signature verifies for `address` over `message`, or construction throws.
 * @example new PresentedSignature(buyer) // first round: asks for a signature
 */
export class PresentedSignature implements MessageSigner {
  readonly address: Address;
  readonly blockhash?: string;
  readonly awaitingSignature: boolean;
  private readonly presented?: { readonly message: Uint8Array; readonly signature: Uint8Array };

  /** @throws INVALID_ADDRESS, INVALID_FIELD (message not a transaction message, too long), INVALID_SIGNATURE */
  constructor(address: string, presented?: { readonly message: string; readonly signature: string }) {
    this.address = parseAddress(address);
    this.awaitingSignature = presented === undefined;
    if (presented === undefined) return;
    const message = Uint8Array.from(getBase64Encoder().encode(presented.message));
    const signature = Uint8Array.from(getBase64Encoder().encode(presented.signature));
    if (message.length === 0 || message.length > TRANSACTION_MESSAGE_BYTES_MAX) {
      throw new MarketError("INVALID_FIELD", {
        field: "chainSignature.message",
        value: `${message.length} bytes`,
        allowed: `a base64 transaction message of 1..${TRANSACTION_MESSAGE_BYTES_MAX} bytes, as SIGNATURE_REQUIRED gave it`,
      });
    }
    let blockhash: string;
    try {
      blockhash = getCompiledTransactionMessageDecoder().decode(message).lifetimeToken;
    } catch {
      throw new MarketError("INVALID_FIELD", {
        field: "chainSignature.message",
        value: `${message.length} bytes`,
        allowed: "the transaction message SIGNATURE_REQUIRED gave, unchanged",
      });
    }
    if (!Wallet.verify(this.address, message, signature))
      throw new MarketError("INVALID_SIGNATURE", { statement: "transaction", signer: this.address });
    this.presented = { message, signature };
    this.blockhash = blockhash;
  }

  /** The presented signature, when `message` is the one it signs. @throws SIGNATURE_REQUIRED */
  sign(message: Uint8Array): Uint8Array {
    if (this.presented !== undefined && sameBytes(message, this.presented.message)) return this.presented.signature;
    throw new MarketError("SIGNATURE_REQUIRED", { signer: this.address, message: getBase64Decoder().decode(message) });
  }
}
