// Browser wallets through the Wallet Standard (what Phantom, Solflare and Backpack implement): the
// registered wallets that can sign for the market, and an AsyncSigner over one of them:
// solana:signMessage signs request signature bases and statements, solana:signTransaction signs
// the chain steps' transaction messages. Holds no key; every signature is the wallet's.
import { getCompiledTransactionMessageDecoder, getTransactionDecoder, getTransactionEncoder } from "@solana/kit";
import type { SignatureBytes, TransactionMessageBytes } from "@solana/kit";
import { SolanaSignMessage, SolanaSignTransaction } from "@solana/wallet-standard-features";
import type { SolanaSignMessageFeature, SolanaSignTransactionFeature } from "@solana/wallet-standard-features";
import { getWallets } from "@wallet-standard/app";
import type { IdentifierString, Wallet, WalletAccount, WalletWithFeatures } from "@wallet-standard/base";
import { StandardConnect, StandardDisconnect } from "@wallet-standard/features";
import type { StandardConnectFeature, StandardDisconnectFeature } from "@wallet-standard/features";
import { MarketError } from "../../../src/core/errors.js";
import { addressToBytes, isAddress } from "../../../src/core/address.js";
import type { Address } from "../../../src/core/address.js";
import { verifySigned } from "../../../src/core/signer.js";
import type { AsyncSigner } from "../../../src/core/signer.js";

/** A registered wallet that can connect, sign messages and sign transactions. */
export type StandardSigningWallet = WalletWithFeatures<
  StandardConnectFeature & SolanaSignMessageFeature & SolanaSignTransactionFeature & Partial<StandardDisconnectFeature>
>;

/** How connectWallet signs: the chain named to the wallet's signTransaction (absent: the wallet's choice). */
export interface ConnectOptions {
  readonly chain?: IdentifierString;
}

function walletError(wallet: Wallet, reason: string): MarketError<"WALLET_ERROR"> {
  return new MarketError("WALLET_ERROR", { reason: `${wallet.name}: ${reason}` });
}

/** Does `wallet` have what the market needs (standard:connect, solana:signMessage, solana:signTransaction). */
function canSign(wallet: Wallet): wallet is StandardSigningWallet {
  return StandardConnect in wallet.features && SolanaSignMessage in wallet.features && SolanaSignTransaction in wallet.features;
}

/** The registered wallets that can sign for the market, in registration order. Never throws. */
export function listSigningWallets(): readonly StandardSigningWallet[] {
  return getWallets().get().filter(canSign);
}

/**
 * Calls `onChange` with the signing wallets each time a wallet is registered or unregistered.
 * Invariant: the returned function stops the calls. Never throws.
 */
export function onWalletsChanged(onChange: (wallets: readonly StandardSigningWallet[]) => void): () => void {
  const wallets = getWallets();
  const changed = (): void => {
    onChange(listSigningWallets());
  };
  const offs = [wallets.on("register", changed), wallets.on("unregister", changed)];
  return () => {
    for (const off of offs) off();
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

/** The account's address, checked against its public key. @throws WALLET_ERROR */
function accountAddress(wallet: Wallet, account: WalletAccount): Address {
  if (!isAddress(account.address) || !sameBytes(addressToBytes(account.address), Uint8Array.from(account.publicKey)))
    throw walletError(wallet, `its account ${JSON.stringify(account.address)} is not a Solana address matching its public key`);
  return account.address;
}

/**
 * A wire transaction of `message` with a zeroed signature slot for every signer it requires, as
 * solana:signTransaction takes it. @throws WALLET_ERROR (not a transaction message)
 */
function unsignedTransaction(wallet: Wallet, message: Uint8Array): Uint8Array {
  let signers: readonly Address[];
  try {
    const compiled = getCompiledTransactionMessageDecoder().decode(message);
    signers = compiled.staticAccounts.slice(0, compiled.header.numSignerAccounts);
  } catch {
    throw walletError(wallet, "the market asked to sign something that is not a transaction message");
  }
  const signatures: Record<Address, SignatureBytes | null> = Object.fromEntries(signers.map((signer) => [signer, null]));
  return Uint8Array.from(getTransactionEncoder().encode({ messageBytes: message as unknown as TransactionMessageBytes, signatures }));
}

/** This account's signature in a signed wire transaction of exactly `message`. @throws WALLET_ERROR */
function signatureIn(wallet: Wallet, signedTransaction: Uint8Array, message: Uint8Array, address: Address): Uint8Array {
  let decoded: ReturnType<ReturnType<typeof getTransactionDecoder>["decode"]>;
  try {
    decoded = getTransactionDecoder().decode(signedTransaction);
  } catch {
    throw walletError(wallet, "it returned something that is not a signed transaction");
  }
  if (!sameBytes(Uint8Array.from(decoded.messageBytes), message))
    throw walletError(wallet, "it changed the transaction it was asked to sign; nothing was sent");
  const signature: SignatureBytes | null | undefined = decoded.signatures[address];
  if (signature === null || signature === undefined || signature.every((byte) => byte === 0))
    throw walletError(wallet, `it returned no signature for ${address}`);
  if (!verifySigned(address, message, signature)) throw walletError(wallet, `its signature for ${address} does not verify`);
  return Uint8Array.from(signature);
}

/**
 * Connects `wallet` (standard:connect) and gives a signer for its first account: `sign` is
 * solana:signMessage of the bytes, `signTransactionMessage` is solana:signTransaction of a wire
 * transaction of the message. Invariant: every signature it returns verifies for the account over
 * exactly the bytes asked; anything else is refused.
 * @throws WALLET_ERROR (no account, the user's refusal, a changed message, a missing or wrong signature)
 * @example const signer = await connectWallet(listSigningWallets()[0]); new MarketClient({ baseUrl, wallet: signer })
 */
export async function connectWallet(wallet: StandardSigningWallet, options: ConnectOptions = {}): Promise<AsyncSigner> {
  const ask = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (e) {
      if (e instanceof MarketError) throw e;
      throw walletError(wallet, `${what} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const { accounts } = await ask("connecting", () => wallet.features[StandardConnect].connect());
  const account = accounts[0] ?? wallet.accounts[0];
  if (account === undefined) throw walletError(wallet, "it connected no account");
  const address = accountAddress(wallet, account);
  return {
    address,
    sign: async (message) => {
      const [output] = await ask("signing a message", () => wallet.features[SolanaSignMessage].signMessage({ account, message }));
      if (output === undefined) throw walletError(wallet, "it returned no signature for the message");
      if (!sameBytes(Uint8Array.from(output.signedMessage), message))
        throw walletError(wallet, "it signed other bytes than the message it was asked to sign");
      const signature = Uint8Array.from(output.signature);
      if (!verifySigned(address, message, signature)) throw walletError(wallet, `its signature for ${address} does not verify`);
      return signature;
    },
    signTransactionMessage: async (message) => {
      const transaction = unsignedTransaction(wallet, message);
      const [output] = await ask("signing a transaction", () =>
        wallet.features[SolanaSignTransaction].signTransaction({
          account,
          transaction,
          ...(options.chain === undefined ? {} : { chain: options.chain }),
        }),
      );
      if (output === undefined) throw walletError(wallet, "it returned no signed transaction");
      return signatureIn(wallet, Uint8Array.from(output.signedTransaction), message, address);
    },
  };
}

/** Disconnects `wallet` when it supports standard:disconnect (the page forgets its signer either way). @throws WALLET_ERROR */
export async function disconnectWallet(wallet: StandardSigningWallet): Promise<void> {
  const feature = wallet.features[StandardDisconnect];
  if (feature === undefined) return;
  try {
    await feature.disconnect();
  } catch (e) {
    throw walletError(wallet, `disconnecting failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}
