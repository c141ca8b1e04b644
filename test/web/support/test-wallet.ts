// A Wallet Standard wallet backed by a local ed25519 key, for tests: the browser test registers it
// in the page (testWalletInitScript, for Playwright's addInitScript), Node tests use the same
// factory directly. It signs with WebCrypto Ed25519 and counts its signing calls, so a test can
// assert that signing went through the wallet. createTestWallet is serialized with
// Function.prototype.toString: its body uses nothing but its parameters and the platform's globals.
import type { SolanaSignMessageFeature, SolanaSignTransactionFeature } from "@solana/wallet-standard-features";
import type { WalletAccount, WalletWithFeatures } from "@wallet-standard/base";
import type { StandardConnectFeature, StandardDisconnectFeature, StandardEventsFeature } from "@wallet-standard/features";

/** How many times each feature of a test wallet was called. */
export interface TestWalletCalls {
  connect: number;
  signMessage: number;
  signTransaction: number;
}

/** A test wallet: every feature the market uses, and the count of its calls. */
export type TestWallet = WalletWithFeatures<
  StandardConnectFeature & StandardDisconnectFeature & StandardEventsFeature & SolanaSignMessageFeature & SolanaSignTransactionFeature
> & { readonly calls: TestWalletCalls };

/** The property of `window` where the init script exposes the wallet's TestWalletCalls. */
export const TEST_WALLET_CALLS_GLOBAL = "__moltTestWalletCalls";

/**
 * A Wallet Standard wallet named `name` for the Solana CLI keypair `secretKey64` (seed, then public
 * key). Self-contained (serialized into pages). Invariant: it signs only for its own account, and
 * signTransaction changes nothing but its own signature slot. Its methods reject on a foreign
 * account or a transaction that does not ask it to sign.
 */
export function createTestWallet(secretKey64: Uint8Array, name: string): TestWallet {
  const base58 = (bytes: Uint8Array): string => {
    const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let value = bytes.reduce((sum, byte) => sum * 256n + BigInt(byte), 0n);
    let text = "";
    while (value > 0n) {
      text = (alphabet[Number(value % 58n)] ?? "") + text;
      value /= 58n;
    }
    for (const byte of bytes) {
      if (byte !== 0) break;
      text = `1${text}`;
    }
    return text;
  };
  /** A compact-u16 (shortvec) at `offset`: its value and its length in bytes. */
  const shortVec = (bytes: Uint8Array, offset: number): readonly [value: number, size: number] => {
    let value = 0;
    for (let size = 0; size < 3; size++) {
      const byte = bytes[offset + size];
      if (byte === undefined) break;
      value |= (byte & 0x7f) << (7 * size);
      if ((byte & 0x80) === 0) return [value, size + 1];
    }
    throw new Error(`${name}: the transaction is malformed`);
  };
  const seed = secretKey64.slice(0, 32);
  const publicKey = secretKey64.slice(32, 64);
  const pkcs8 = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20, ...seed);
  const key = crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, false, ["sign"]);
  const sign = async (message: Uint8Array): Promise<Uint8Array> =>
    new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, await key, Uint8Array.from(message)));
  const address = base58(publicKey);
  const chains = ["solana:localnet", "solana:devnet", "solana:testnet", "solana:mainnet"] as const;
  const account: WalletAccount = Object.freeze({
    address,
    publicKey,
    chains,
    features: ["solana:signMessage", "solana:signTransaction"] as const,
    label: name,
  });
  const calls: TestWalletCalls = { connect: 0, signMessage: 0, signTransaction: 0 };
  let accounts: readonly WalletAccount[] = [];
  let listeners: ((properties: { accounts: readonly WalletAccount[] }) => void)[] = [];
  const setAccounts = (next: readonly WalletAccount[]): void => {
    accounts = next;
    for (const listener of listeners) listener({ accounts });
  };
  const ownAccount = (asked: WalletAccount): void => {
    if (asked.address !== address) throw new Error(`${name} holds no key for ${asked.address}`);
  };
  /** The wire transaction with this wallet's signature in its slot (its index among the message's signers). */
  const signTransaction = async (transaction: Uint8Array): Promise<Uint8Array> => {
    const [slots, slotsSize] = shortVec(transaction, 0);
    const message = transaction.slice(slotsSize + 64 * slots);
    let offset = ((message[0] ?? 0) & 0x80) === 0 ? 0 : 1; // a versioned message starts with 0x80 | version
    const signersRequired = message[offset] ?? 0;
    offset += 3;
    const [keys, keysSize] = shortVec(message, offset);
    offset += keysSize;
    let index = -1;
    for (let i = 0; i < Math.min(keys, signersRequired, slots); i++) {
      const start = offset + 32 * i;
      if (publicKey.every((byte, j) => message[start + j] === byte)) index = i;
    }
    if (index < 0) throw new Error(`${name}: the transaction does not ask ${address} to sign`);
    const signed = Uint8Array.from(transaction);
    signed.set(await sign(message), slotsSize + 64 * index);
    return signed;
  };
  return {
    version: "1.0.0",
    name,
    icon: "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCAxIDEiLz4=",
    chains,
    get accounts() {
      return accounts;
    },
    calls,
    features: {
      "standard:connect": {
        version: "1.0.0",
        connect: () => {
          calls.connect++;
          setAccounts([account]);
          return Promise.resolve({ accounts });
        },
      },
      "standard:disconnect": {
        version: "1.0.0",
        disconnect: () => {
          setAccounts([]);
          return Promise.resolve();
        },
      },
      "standard:events": {
        version: "1.0.0",
        on: (_event, listener) => {
          listeners.push(listener);
          return () => {
            listeners = listeners.filter((other) => other !== listener);
          };
        },
      },
      "solana:signMessage": {
        version: "1.1.0",
        signMessage: (...inputs) =>
          Promise.all(
            inputs.map(async (input) => {
              ownAccount(input.account);
              calls.signMessage++;
              return { signedMessage: input.message, signature: await sign(input.message), signatureType: "ed25519" as const };
            }),
          ),
      },
      "solana:signTransaction": {
        version: "1.0.0",
        supportedTransactionVersions: ["legacy", 0],
        signTransaction: (...inputs) =>
          Promise.all(
            inputs.map(async (input) => {
              ownAccount(input.account);
              calls.signTransaction++;
              return { signedTransaction: await signTransaction(input.transaction) };
            }),
          ),
      },
    },
  };
}

/**
 * Self-contained JavaScript for Playwright's page.addInitScript: it registers a test wallet of
 * `secretKey64` by the Wallet Standard's protocol (a wallet-standard:register-wallet event, and an
 * answer to wallet-standard:app-ready) and exposes its calls as window[TEST_WALLET_CALLS_GLOBAL].
 * @throws Error (a key that is not 64 bytes)
 */
export function testWalletInitScript(secretKey64: Uint8Array, name = "Molt Test Wallet"): string {
  if (secretKey64.length !== 64) throw new Error(`a Solana keypair is 64 bytes, not ${secretKey64.length}`);
  // A transpiler that keeps function names (esbuild's keepNames, as tsx runs) wraps them in __name(fn, "name"): supply it.
  return `(() => {
  const __name = (target, value) => Object.defineProperty(target, "name", { value, configurable: true });
  const wallet = (${createTestWallet.toString()})(new Uint8Array(${JSON.stringify(Array.from(secretKey64))}), ${JSON.stringify(name)});
  Object.defineProperty(window, ${JSON.stringify(TEST_WALLET_CALLS_GLOBAL)}, { value: wallet.calls });
  const callback = ({ register }) => { register(wallet); };
  window.addEventListener("wallet-standard:app-ready", (event) => callback(event.detail));
  window.dispatchEvent(new CustomEvent("wallet-standard:register-wallet", { detail: callback }));
})();
`;
}
