// The chain backends a hostile suite loops over, each with the attacker's own access to the chain:
// the embedded runtime (LiteSVM in process; raw transactions go in through its wire entry point),
// and the rpc backend against the in-process localnet server (raw transactions go in through a
// stock @solana/kit RPC client, as any Solana user's would).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSolanaRpc, lamports } from "@solana/kit";
import type { Address as KitAddress, Base64EncodedWireTransaction, Blockhash } from "@solana/kit";
import { EmbeddedMoltClient } from "../../../src/chain/embedded/embedded-client.js";
import { startLocalnet } from "../../../src/chain/localnet/rpc-server.js";
import type { Address } from "../../../src/core/address.js";
import type { MoltClient } from "../../../src/chain/molt-client.js";
import { Network } from "../../../src/chain/network.js";
import { RpcMoltClient } from "../../../src/chain/rpc/rpc-client.js";
import { Wallet } from "../../../src/chain/wallet.js";
import { Amount } from "../../../src/core/amount.js";

/** Lamports every party wallet gets: fees and rent for anything a test asks of it. */
export const PARTY_LAMPORTS = 2_000_000_000n;

/** What the chain said to a raw transaction. */
export interface SendOutcome {
  readonly signature: string;
  /** Why the chain refused it; undefined when it executed. */
  readonly error?: string;
}

/** A raw account as the chain holds it. */
export interface RawAccount {
  readonly lamports: bigint;
  readonly owner: string;
  readonly data: Uint8Array;
}

/** Anyone's direct access to the chain: no market in between. */
export interface ChainAccess {
  latestBlockhash(): Promise<{ readonly blockhash: Blockhash; readonly lastValidBlockHeight: bigint }>;
  /** Sends signed wire bytes; a refusal is data, not an exception. */
  send(wire: Uint8Array): Promise<SendOutcome>;
  account(address: string): Promise<RawAccount | undefined>;
}

/** One chain backend, running, with the keys of whoever runs it. */
export interface HostileChain {
  readonly name: "embedded" | "rpc";
  /** The MoltClient a market uses. */
  readonly client: MoltClient;
  /** The attacker's own access. */
  readonly access: ChainAccess;
  /** Keys of the chain's operators by role (HOSTILE_CHAINS names the roles): the market's fee payer, which the escrow addresses derive from, first. */
  readonly operatorKeys: ReadonlyMap<string, Wallet>;
  /** SOL for a party (fees, rent), through this backend's faucet. */
  fundSol(address: Address, amount?: bigint): Promise<void>;
  /** Test MOLT for a party. */
  fundMolt(address: Address, molt: string): Promise<void>;
  close(): Promise<void>;
}

function embeddedAccess(runtime: EmbeddedMoltClient): ChainAccess {
  return {
    latestBlockhash: () =>
      Promise.resolve({ blockhash: runtime.latestBlockhash() as Blockhash, lastValidBlockHeight: runtime.slot + 150n }),
    send: (wire) => Promise.resolve(runtime.submitWire(wire)),
    account: (address) => Promise.resolve(runtime.account(address as Address)),
  };
}

function rpcAccess(rpcUrl: string): ChainAccess {
  const rpc = createSolanaRpc(rpcUrl);
  return {
    latestBlockhash: async () => (await rpc.getLatestBlockhash().send()).value,
    async send(wire) {
      const encoded = Buffer.from(wire).toString("base64") as Base64EncodedWireTransaction;
      try {
        const signature = await rpc.sendTransaction(encoded, { encoding: "base64" }).send();
        const {
          value: [status],
        } = await rpc.getSignatureStatuses([signature]).send();
        return {
          signature,
          ...(status?.err === null || status === null || status === undefined ? {} : { error: JSON.stringify(status.err) }),
        };
      } catch (e) {
        return { signature: "", error: e instanceof Error ? e.message : String(e) };
      }
    },
    async account(address) {
      const { value } = await rpc.getAccountInfo(address as KitAddress, { encoding: "base64" }).send();
      return value === null
        ? undefined
        : { lamports: value.lamports, owner: value.owner, data: Uint8Array.from(Buffer.from(value.data[0], "base64")) };
    },
  };
}

async function openEmbedded(): Promise<HostileChain> {
  const runtime = await EmbeddedMoltClient.open({ dataDir: mkdtempSync(join(tmpdir(), "molt-hostile-chain-")) });
  return {
    name: "embedded",
    client: runtime,
    access: embeddedAccess(runtime),
    operatorKeys: new Map([["operator", runtime.operator]]),
    fundSol: (address, amount = PARTY_LAMPORTS) => {
      runtime.airdropLamports(address, amount);
      return Promise.resolve();
    },
    fundMolt: async (address, molt) => {
      await runtime.airdrop(address, Amount.parse(molt));
    },
    close: () => {
      runtime.close();
      return Promise.resolve();
    },
  };
}

async function openRpc(): Promise<HostileChain> {
  const runtime = await EmbeddedMoltClient.open({ dataDir: mkdtempSync(join(tmpdir(), "molt-hostile-rpc-")) });
  const localnet = await startLocalnet(runtime, { port: 0 });
  const rpc = createSolanaRpc(localnet.rpcUrl);
  const fundSol = async (address: Address, amount = PARTY_LAMPORTS): Promise<void> => {
    await rpc.requestAirdrop(address, lamports(amount)).send();
  };
  const payer = Wallet.generate();
  await fundSol(payer.address, 100n * PARTY_LAMPORTS);
  const client = new RpcMoltClient({
    network: Network.custom(localnet.rpcUrl, localnet.wsUrl),
    payer,
    mint: runtime.mint,
    mintAuthority: runtime.operator,
    confirmTimeoutMs: 10_000,
  });
  return {
    name: "rpc",
    client,
    access: rpcAccess(localnet.rpcUrl),
    operatorKeys: new Map([
      ["operator", payer],
      ["mint authority", runtime.operator],
    ]),
    fundSol,
    fundMolt: async (address, molt) => {
      await client.airdrop(address, Amount.parse(molt));
    },
    close: async () => {
      await localnet.close();
      runtime.close();
    },
  };
}

/** The chain backends, by name, with the roles of their operators' keys: each opens a fresh chain. */
export const HOSTILE_CHAINS: readonly {
  readonly name: HostileChain["name"];
  readonly operatorRoles: readonly string[];
  open(): Promise<HostileChain>;
}[] = [
  // The embedded chain's operator pays fees and rent, is the base of the escrow addresses and holds the mint authority.
  { name: "embedded", operatorRoles: ["operator"], open: openEmbedded },
  // Over RPC the market's payer is the operator; the localnet's operator holds the mint authority.
  { name: "rpc", operatorRoles: ["operator", "mint authority"], open: openRpc },
];
