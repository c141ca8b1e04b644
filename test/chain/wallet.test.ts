// Wallet, Address, Network and TransactionId: the fixed test vector (RFC 8032 test 1 as a Solana
// CLI keypair file, its base58 address computed independently), files, secrecy, configuration.
import { createHash, createHmac, createPrivateKey, createPublicKey, sign as cryptoSign } from "node:crypto";
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { addressFromBytes, addressToBytes, isAddress, parseAddress, shortAddress } from "../../src/core/address.js";
import { Network, chainEnvironment, explorerUrl } from "../../src/chain/network.js";
import { isTransactionId, parseTransactionId, transactionIdFromBytes } from "../../src/core/transaction-id.js";
import { Wallet } from "../../src/chain/wallet.js";
import { isMarketError } from "../../src/core/errors.js";
import type { MarketErrorCode } from "../../src/core/errors.js";

const VECTOR_FILE = new URL("./fixtures/rfc8032-keypair.json", import.meta.url).pathname;
const VECTOR_ADDRESS = "FVen3X669xLzsi6N2V91DoiyzHzg1uAgqiT8jZ9nS96Z";
const VECTOR_SIGNATURE_OF_EMPTY =
  "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
const VECTOR_SIGNATURE_BASE58 = "5awYiUvGiDFA33EJjj4TXJG44a5afJc8QjWRpGgQiu6b23jCr7yndW2fmp9ujwqJVe32J456wV3VF78Asb1obnTc";
const SEED_HEX = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";

function codeOf(fn: () => unknown): MarketErrorCode | undefined {
  try {
    fn();
  } catch (e) {
    return isMarketError(e) ? e.code : undefined;
  }
  return undefined;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "molt-wallet-"));
}

describe("Wallet", () => {
  it("loads a solana-keygen file and has the known address and signature", () => {
    const wallet = Wallet.fromFile(VECTOR_FILE);
    expect(wallet.address).toBe(VECTOR_ADDRESS);
    const signature = wallet.sign(new Uint8Array());
    expect(Buffer.from(signature).toString("hex")).toBe(VECTOR_SIGNATURE_OF_EMPTY);
    expect(transactionIdFromBytes(signature)).toBe(VECTOR_SIGNATURE_BASE58);
    expect(Wallet.verify(wallet.address, new Uint8Array(), signature)).toBe(true);
    expect(Wallet.fromSeed(Buffer.from(SEED_HEX, "hex")).address).toBe(VECTOR_ADDRESS);
  });

  it("has, for any seed and any derived seed, the public key and signatures of a PKCS#8 DER import (the slow path it replaces)", () => {
    const prefix = Buffer.from("302e020100300506032b657004220420", "hex");
    const derImport = (seed: Uint8Array): { publicKey: Buffer; sign: (message: Uint8Array) => Buffer } => {
      const key = createPrivateKey({ key: Buffer.concat([prefix, seed]), format: "der", type: "pkcs8" });
      const spki = createPublicKey(key).export({ format: "der", type: "spki" });
      return { publicKey: spki.subarray(spki.length - 32), sign: (message) => cryptoSign(null, message, key) };
    };
    for (let i = 0; i < 64; i++) {
      const seed = createHash("sha256").update(`seed ${i}`).digest();
      const derivedSeed = createHmac("sha256", seed).update(`label ${i}`, "utf8").digest();
      for (const [wallet, reference] of [
        [Wallet.fromSeed(seed), derImport(seed)],
        [Wallet.fromSeed(seed).derive(`label ${i}`), derImport(derivedSeed)],
      ] as const) {
        expect(Buffer.from(wallet.publicKey)).toEqual(reference.publicKey);
        expect(Buffer.from(wallet.sign(seed))).toEqual(reference.sign(seed));
      }
    }
  });

  it("signs and verifies; a changed message, signature or key fails", () => {
    const wallet = Wallet.generate();
    const other = Wallet.generate();
    const message = new TextEncoder().encode("settle esc_01 for 12.5 MOLT");
    const signature = wallet.sign(message);
    expect(Wallet.verify(wallet.address, message, signature)).toBe(true);
    expect(Wallet.verify(other.address, message, signature)).toBe(false);
    const flipped = Uint8Array.from(signature);
    flipped[10] = (flipped[10] ?? 0) ^ 1;
    expect(Wallet.verify(wallet.address, message, flipped)).toBe(false);
    expect(Wallet.verify(wallet.address, message, signature.subarray(0, 63))).toBe(false);
    expect(Wallet.verify(wallet.address, Uint8Array.from([...message, 0]), signature)).toBe(false);
  });

  it("saves with mode 0600, never overwrites unless asked, and reloads the same keys", () => {
    const dir = tempDir();
    const path = join(dir, "buyer.json");
    const wallet = Wallet.generate();
    wallet.save(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(Wallet.fromFile(path).address).toBe(wallet.address);
    expect(
      codeOf(() => {
        Wallet.generate().save(path);
      }),
    ).toBe("WALLET_ERROR");
    expect(Wallet.fromFile(path).address).toBe(wallet.address);
    writeFileSync(join(dir, "loose.json"), "[]", { mode: 0o644 });
    const replacement = Wallet.generate();
    replacement.save(join(dir, "loose.json"), { overwrite: true });
    expect(statSync(join(dir, "loose.json")).mode & 0o777).toBe(0o600);
    expect(Wallet.fromFile(join(dir, "loose.json")).address).toBe(replacement.address);
  });

  it("refuses files that are not keypairs, saying why, without quoting the secret", () => {
    const dir = tempDir();
    const cases: [string, string, RegExp][] = [
      ["missing.json", "", /no such file/],
      ["text.json", "not json at all", /not JSON/],
      ["object.json", "{}", /JSON array of 64 bytes/],
      ["short.json", JSON.stringify(Array(63).fill(1)), /64 bytes, got 63/],
      ["big.json", JSON.stringify(Array(64).fill(256)), /0\.\.255/],
    ];
    const secretBytes = Wallet.generate();
    for (const [name, content, reason] of cases) {
      const path = join(dir, name);
      if (content !== "") writeFileSync(path, content);
      try {
        Wallet.fromFile(path);
        throw new Error(`${name} loaded`);
      } catch (e) {
        expect(isMarketError(e, "WALLET_ERROR")).toBe(true);
        expect((e as Error).message).toMatch(reason);
        expect((e as Error).message).toContain(path);
      }
    }
    // A keypair whose public half belongs to another key: refused, and no byte of it in the message.
    const raw = JSON.parse(JSON.stringify([...Buffer.from(SEED_HEX, "hex"), ...secretBytes.publicKey])) as number[];
    writeFileSync(join(dir, "mismatch.json"), JSON.stringify(raw));
    try {
      Wallet.fromFile(join(dir, "mismatch.json"));
      throw new Error("mismatch loaded");
    } catch (e) {
      expect((e as Error).message).toMatch(/does not belong/);
      expect((e as Error).message).not.toContain(String(raw.slice(0, 4)));
      expect(JSON.stringify(e)).not.toContain(SEED_HEX.slice(0, 8));
    }
  });

  it("shows only its address in JSON, strings and logs", () => {
    const wallet = Wallet.fromFile(VECTOR_FILE);
    const seedDecimal = [...Buffer.from(SEED_HEX, "hex")].slice(0, 6).join(",");
    for (const shown of [JSON.stringify(wallet), String(wallet), inspect(wallet), inspect({ wallet }, { depth: 5, showHidden: true })]) {
      expect(shown).toContain(VECTOR_ADDRESS);
      expect(shown).not.toContain(seedDecimal);
      expect(shown).not.toContain(SEED_HEX.slice(0, 8));
    }
    expect(Object.keys(wallet)).toEqual(["address", "publicKey"]);
  });
});

describe("Address", () => {
  it("parses, validates and round-trips 32 bytes", () => {
    expect(parseAddress(VECTOR_ADDRESS)).toBe(VECTOR_ADDRESS);
    expect(addressFromBytes(addressToBytes(parseAddress(VECTOR_ADDRESS)))).toBe(VECTOR_ADDRESS);
    expect(isAddress("11111111111111111111111111111111")).toBe(true);
    expect(shortAddress(parseAddress(VECTOR_ADDRESS))).toBe("FVen…S96Z");
    for (const bad of ["", "0OIl", "1111111111111111111111111111111", `${VECTOR_ADDRESS}1`, 42, null]) {
      expect(isAddress(bad)).toBe(false);
      expect(codeOf(() => parseAddress(bad))).toBe("INVALID_ADDRESS");
    }
    expect(codeOf(() => addressFromBytes(new Uint8Array(31)))).toBe("INVALID_ADDRESS");
  });
});

describe("Network", () => {
  it("knows each cluster's URLs, and only mainnet is production", () => {
    expect(Network.devnet().rpcUrl).toBe("https://api.devnet.solana.com");
    expect(Network.mainnet().wsUrl).toBe("wss://api.mainnet-beta.solana.com");
    expect(Network.localnet()).toMatchObject({ rpcUrl: "http://127.0.0.1:8899", wsUrl: "ws://127.0.0.1:8900" });
    expect(Network.custom("http://10.0.0.5:18899").wsUrl).toBe("ws://10.0.0.5:18900");
    expect(Network.custom("https://rpc.example.org/key").wsUrl).toBe("wss://rpc.example.org/key");
    expect([Network.devnet(), Network.testnet(), Network.localnet(), Network.custom("http://x:1")].map((n) => n.isProduction())).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(Network.mainnet().isProduction()).toBe(true);
    expect(Network.parse("mainnet-beta").name).toBe("mainnet");
    expect(codeOf(() => Network.parse("moonnet"))).toBe("INVALID_NETWORK");
    expect(codeOf(() => Network.custom("ftp://x"))).toBe("INVALID_NETWORK");
    expect(codeOf(() => Network.custom("http://x:1", "http://x:2"))).toBe("INVALID_NETWORK");
  });

  it("reads MOLT_NETWORK, MOLT_RPC_URL, MOLT_WALLET_PATH and MOLT_MINT", () => {
    expect(chainEnvironment({}).network.name).toBe("localnet");
    expect(chainEnvironment({ MOLT_NETWORK: "devnet" }).network.rpcUrl).toBe("https://api.devnet.solana.com");
    expect(chainEnvironment({ MOLT_NETWORK: "devnet", MOLT_RPC_URL: "http://127.0.0.1:9000" }).network).toMatchObject({
      name: "custom",
      rpcUrl: "http://127.0.0.1:9000",
      wsUrl: "ws://127.0.0.1:9001",
    });
    expect(chainEnvironment({ MOLT_WALLET_PATH: "/home/a/.config/solana/id.json", MOLT_MINT: VECTOR_ADDRESS })).toMatchObject({
      walletPath: "/home/a/.config/solana/id.json",
      mint: VECTOR_ADDRESS,
    });
    expect(codeOf(() => chainEnvironment({ MOLT_MINT: "not-a-mint" }))).toBe("INVALID_ADDRESS");
    expect(codeOf(() => chainEnvironment({ MOLT_NETWORK: "moonnet" }))).toBe("INVALID_NETWORK");
  });
});

describe("TransactionId", () => {
  it("parses base58 signatures of 64 bytes and links to the explorer", () => {
    const id = parseTransactionId(VECTOR_SIGNATURE_BASE58);
    expect(isTransactionId(id)).toBe(true);
    expect(explorerUrl(id, Network.mainnet())).toBe(`https://explorer.solana.com/tx/${id}`);
    expect(explorerUrl(id, Network.devnet())).toBe(`https://explorer.solana.com/tx/${id}?cluster=devnet`);
    expect(explorerUrl(id, Network.localnet())).toBe(
      `https://explorer.solana.com/tx/${id}?cluster=custom&customUrl=http%3A%2F%2F127.0.0.1%3A8899`,
    );
    for (const bad of [VECTOR_ADDRESS, `${VECTOR_SIGNATURE_BASE58}0`, "", 7])
      expect(codeOf(() => parseTransactionId(bad))).toBe("INVALID_ID");
  });
});
