// The Wallet Standard signer of the dashboard against the test wallet, in Node: discovery, connect,
// message and transaction signatures that verify, and refusals of a wallet that changes the
// message, drops its signature, signs other bytes or is refused by its user. Also the test wallet's
// init script, run as a page would run it, registers the wallet by the standard's protocol.
import { runInNewContext } from "node:vm";
import { getWallets } from "@wallet-standard/app";
import { afterEach, describe, expect, it } from "vitest";
import { Wallet } from "../../src/chain/wallet.js";
import { verifySigned } from "../../src/core/signer.js";
import { connectWallet, disconnectWallet, listSigningWallets, onWalletsChanged } from "../../web/src/wallet/standard-wallets.js";
import type { StandardSigningWallet } from "../../web/src/wallet/standard-wallets.js";
import { savedKeypair, transferMessage } from "./support/keypairs.js";
import { TEST_WALLET_CALLS_GLOBAL, createTestWallet, testWalletInitScript } from "./support/test-wallet.js";
import type { TestWallet, TestWalletCalls } from "./support/test-wallet.js";

const unregisters: (() => void)[] = [];
afterEach(() => {
  for (const unregister of unregisters.splice(0)) unregister();
});

function registered(wallet: StandardSigningWallet | TestWallet): void {
  unregisters.push(getWallets().register(wallet));
}

/** A test wallet whose signTransaction answers with `change` applied to its honest answer. */
function alteredWallet(name: string, change: (signed: Uint8Array, unsigned: Uint8Array) => Uint8Array): TestWallet {
  const wallet = createTestWallet(savedKeypair().secretKey, name);
  const honest = wallet.features["solana:signTransaction"].signTransaction;
  return {
    ...wallet,
    features: {
      ...wallet.features,
      "solana:signTransaction": {
        ...wallet.features["solana:signTransaction"],
        signTransaction: async (...inputs) => {
          const outputs = await honest(...inputs);
          return outputs.map((output, i) => ({
            signedTransaction: change(Uint8Array.from(output.signedTransaction), inputs[i]?.transaction ?? new Uint8Array()),
          }));
        },
      },
    },
  };
}

describe("discovery", () => {
  it("lists the registered wallets that can connect, sign messages and sign transactions, and tells of changes", () => {
    const signing = createTestWallet(savedKeypair().secretKey, "Signs");
    const messageOnly: Record<string, unknown> = { ...signing.features };
    delete messageOnly["solana:signTransaction"];
    const changes: (readonly string[])[] = [];
    const off = onWalletsChanged((wallets) => changes.push(wallets.map((wallet) => wallet.name)));
    registered(signing);
    registered({ ...signing, name: "Signs messages only", features: messageOnly } as unknown as TestWallet);
    expect(listSigningWallets().map((wallet) => wallet.name)).toEqual(["Signs"]);
    off();
    registered(createTestWallet(savedKeypair().secretKey, "After off"));
    expect(changes).toEqual([["Signs"], ["Signs"]]);
    expect(listSigningWallets().map((wallet) => wallet.name)).toEqual(["Signs", "After off"]);
  });
});

describe("connectWallet", () => {
  it("signs messages through solana:signMessage with signatures that verify for the account", async () => {
    const { wallet: keys, secretKey } = savedKeypair();
    const wallet = createTestWallet(secretKey, "Molt Test Wallet");
    const signer = await connectWallet(wallet);
    expect(signer.address).toBe(keys.address);
    const message = new TextEncoder().encode("a request's signature base");
    const signature = await signer.sign(message);
    expect(verifySigned(keys.address, message, signature)).toBe(true);
    expect(Array.from(signature)).toEqual(Array.from(keys.sign(message)));
    expect(wallet.calls).toEqual({ connect: 1, signMessage: 1, signTransaction: 0 });
  });

  it("signs a transaction message through solana:signTransaction: the signature at its index verifies over the message", async () => {
    const { wallet: keys, secretKey } = savedKeypair();
    const wallet = createTestWallet(secretKey, "Molt Test Wallet");
    const signer = await connectWallet(wallet, { chain: "solana:localnet" });
    const message = transferMessage(Wallet.generate().address, keys.address, Wallet.generate().address);
    const signature = await signer.signTransactionMessage?.(message);
    expect(signature !== undefined && verifySigned(keys.address, message, signature)).toBe(true);
    expect(wallet.calls).toEqual({ connect: 1, signMessage: 0, signTransaction: 1 });
  });

  it("refuses a wallet that changes the message it signs, or gives no signature for its account", async () => {
    const tampering = alteredWallet("Tampers", (signed) => {
      signed[signed.length - 1] = (signed[signed.length - 1] ?? 0) ^ 1;
      return signed;
    });
    const silent = alteredWallet("Signs nothing", (_signed, unsigned) => unsigned);
    for (const [wallet, reason] of [
      [tampering, /Tampers: it changed the transaction it was asked to sign/],
      [silent, /Signs nothing: it returned no signature for \w+/],
    ] as const) {
      const signer = await connectWallet(wallet);
      const message = transferMessage(Wallet.generate().address, signer.address, Wallet.generate().address);
      await expect(signer.signTransactionMessage?.(message)).rejects.toMatchObject({ code: "WALLET_ERROR", details: { reason } });
    }
  });

  it("refuses a message signature over other bytes, a user's refusal, and a message that is not a transaction", async () => {
    const wallet = createTestWallet(savedKeypair().secretKey, "Prefixes");
    const honest = wallet.features["solana:signMessage"].signMessage;
    const prefixing: TestWallet = {
      ...wallet,
      features: {
        ...wallet.features,
        "solana:signMessage": {
          ...wallet.features["solana:signMessage"],
          signMessage: (...inputs) => honest(...inputs.map((input) => ({ ...input, message: Uint8Array.of(0, ...input.message) }))),
        },
      },
    };
    const signer = await connectWallet(prefixing);
    await expect(signer.sign(Uint8Array.of(1, 2, 3))).rejects.toMatchObject({
      details: { reason: "Prefixes: it signed other bytes than the message it was asked to sign" },
    });
    await expect(signer.signTransactionMessage?.(Uint8Array.of(1, 2, 3))).rejects.toMatchObject({
      details: { reason: "Prefixes: the market asked to sign something that is not a transaction message" },
    });
    const refusing: TestWallet = {
      ...wallet,
      features: {
        ...wallet.features,
        "solana:signMessage": { version: "1.1.0", signMessage: () => Promise.reject(new Error("User rejected the request.")) },
      },
    };
    await expect((await connectWallet(refusing)).sign(Uint8Array.of(1))).rejects.toMatchObject({
      code: "WALLET_ERROR",
      details: { reason: "Prefixes: signing a message failed: User rejected the request." },
    });
  });

  it("disconnects a wallet that supports standard:disconnect", async () => {
    const wallet = createTestWallet(savedKeypair().secretKey, "Molt Test Wallet");
    await connectWallet(wallet);
    expect(wallet.accounts.length).toBe(1);
    await disconnectWallet(wallet);
    expect(wallet.accounts.length).toBe(0);
  });
});

describe("testWalletInitScript", () => {
  it("registers the wallet in a page by the Wallet Standard protocol, self-contained, and exposes its calls", async () => {
    const { wallet: keys, secretKey } = savedKeypair();
    const script = testWalletInitScript(secretKey);
    const registeredByEvent: TestWallet[] = [];
    // A page whose app listens before the wallet loads (the register-wallet event) ...
    const early = new EventTarget();
    early.addEventListener("wallet-standard:register-wallet", (event) => {
      (event as CustomEvent<(api: { register(wallet: TestWallet): () => void }) => void>).detail({
        register: (wallet) => {
          registeredByEvent.push(wallet);
          return () => undefined;
        },
      });
    });
    runInNewContext(script, { window: early, CustomEvent, crypto, Uint8Array, Object, Error });
    // ... and one whose app loads after it (the app-ready event).
    const late = new EventTarget();
    runInNewContext(script, { window: late, CustomEvent, crypto, Uint8Array, Object, Error });
    late.dispatchEvent(
      Object.assign(new Event("wallet-standard:app-ready"), {
        detail: {
          register: (wallet: TestWallet) => {
            registeredByEvent.push(wallet);
            return () => undefined;
          },
        },
      }),
    );
    expect(registeredByEvent.map((wallet) => wallet.name)).toEqual(["Molt Test Wallet", "Molt Test Wallet"]);
    const [wallet] = registeredByEvent;
    if (wallet === undefined) throw new Error("not registered");
    const signer = await connectWallet(wallet);
    const message = Uint8Array.of(7, 7, 7);
    expect(verifySigned(keys.address, message, await signer.sign(message))).toBe(true);
    expect((early as unknown as Record<string, TestWalletCalls>)[TEST_WALLET_CALLS_GLOBAL]).toEqual({
      connect: 1,
      signMessage: 1,
      signTransaction: 0,
    });
    expect(() => testWalletInitScript(secretKey.subarray(1))).toThrow("a Solana keypair is 64 bytes, not 63");
  });
});
