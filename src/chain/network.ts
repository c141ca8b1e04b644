// Network: which Solana cluster molt-market talks to (devnet, testnet, mainnet, localnet or a custom
// RPC URL), its RPC and websocket URLs, and the chain settings read from the environment
// (MOLT_NETWORK, MOLT_RPC_URL, MOLT_WALLET_PATH, MOLT_MINT). Pure: the environment is passed in.
import { MarketError } from "../core/errors.js";
import { parseAddress } from "../core/address.js";
import type { Address } from "../core/address.js";
import type { TransactionId } from "../core/transaction-id.js";

/** The named clusters. */
export const NETWORK_NAMES = ["devnet", "testnet", "mainnet", "localnet"] as const;
/** A named cluster, or "custom" for any RPC URL. */
export type NetworkName = (typeof NETWORK_NAMES)[number] | "custom";

/** Longest RPC URL accepted. */
export const RPC_URL_LENGTH_MAX = 2048;

const ENDPOINTS: { readonly [N in (typeof NETWORK_NAMES)[number]]: { readonly rpc: string; readonly ws: string } } = {
  devnet: { rpc: "https://api.devnet.solana.com", ws: "wss://api.devnet.solana.com" },
  testnet: { rpc: "https://api.testnet.solana.com", ws: "wss://api.testnet.solana.com" },
  mainnet: { rpc: "https://api.mainnet-beta.solana.com", ws: "wss://api.mainnet-beta.solana.com" },
  localnet: { rpc: "http://127.0.0.1:8899", ws: "ws://127.0.0.1:8900" },
};

/** The websocket URL that goes with an RPC URL: ws(s) scheme, and port + 1 when a port is given (validator convention). */
function websocketUrlFor(rpc: URL): string {
  const ws = new URL(rpc.href);
  ws.protocol = rpc.protocol === "https:" ? "wss:" : "ws:";
  if (rpc.port !== "") ws.port = String(Number(rpc.port) + 1);
  return ws.href.replace(/\/$/, "");
}

function parseRpcUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new MarketError("INVALID_NETWORK", { value: value.slice(0, 200), reason: "not a URL" });
  }
  if (value.length > RPC_URL_LENGTH_MAX)
    throw new MarketError("INVALID_NETWORK", { value: value.slice(0, 200), reason: `longer than ${RPC_URL_LENGTH_MAX} characters` });
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new MarketError("INVALID_NETWORK", { value: value.slice(0, 200), reason: "an RPC URL is http: or https:" });
  }
  return url;
}

/**
 * A Solana cluster and how to reach it.
 * Invariant: rpcUrl is http(s), wsUrl is ws(s).
 * @example Network.devnet().rpcUrl; Network.custom("http://127.0.0.1:8899").wsUrl // "ws://127.0.0.1:8900"
 */
export class Network {
  private constructor(
    readonly name: NetworkName,
    readonly rpcUrl: string,
    readonly wsUrl: string,
  ) {}

  /** Solana devnet. */
  static devnet(): Network {
    return Network.named("devnet");
  }

  /** Solana testnet. */
  static testnet(): Network {
    return Network.named("testnet");
  }

  /** Solana mainnet-beta: real money. */
  static mainnet(): Network {
    return Network.named("mainnet");
  }

  /** A validator on this machine (molt-market localnet or solana-test-validator). */
  static localnet(): Network {
    return Network.named("localnet");
  }

  /** A named cluster. */
  static named(name: (typeof NETWORK_NAMES)[number]): Network {
    return new Network(name, ENDPOINTS[name].rpc, ENDPOINTS[name].ws);
  }

  /** Any RPC endpoint; the websocket URL is derived unless given. @throws INVALID_NETWORK */
  static custom(rpcUrl: string, wsUrl?: string): Network {
    const rpc = parseRpcUrl(rpcUrl);
    let ws = wsUrl;
    if (ws !== undefined) {
      const parsed = (() => {
        try {
          return new URL(ws);
        } catch {
          throw new MarketError("INVALID_NETWORK", { value: ws.slice(0, 200), reason: "not a URL" });
        }
      })();
      if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:")
        throw new MarketError("INVALID_NETWORK", { value: ws.slice(0, 200), reason: "a websocket URL is ws: or wss:" });
    } else ws = websocketUrlFor(rpc);
    return new Network("custom", rpc.href.replace(/\/$/, ""), ws);
  }

  /** A name ("devnet", "mainnet-beta" too) or an http(s) URL. @throws INVALID_NETWORK */
  static parse(value: string): Network {
    const lower = value.trim().toLowerCase();
    if (lower === "mainnet-beta") return Network.mainnet();
    if ((NETWORK_NAMES as readonly string[]).includes(lower)) return Network.named(lower as (typeof NETWORK_NAMES)[number]);
    if (/^https?:\/\//i.test(value.trim())) return Network.custom(value.trim());
    throw new MarketError("INVALID_NETWORK", { value: value.slice(0, 200), reason: "unknown network name" });
  }

  /** Is this mainnet: real money, no airdrops. */
  isProduction(): boolean {
    return this.name === "mainnet";
  }

  /** The explorer's `cluster` query, "" for mainnet. */
  explorerQuery(): string {
    if (this.name === "mainnet") return "";
    if (this.name === "devnet" || this.name === "testnet") return `?cluster=${this.name}`;
    return `?cluster=custom&customUrl=${encodeURIComponent(this.rpcUrl)}`;
  }
}

/** Chain settings a process reads from its environment. */
export interface ChainEnvironment {
  readonly network: Network;
  readonly walletPath?: string;
  readonly mint?: Address;
}

/**
 * Reads MOLT_NETWORK (a name or URL; default localnet), MOLT_RPC_URL (overrides the RPC URL),
 * MOLT_WALLET_PATH and MOLT_MINT (an address).
 * @throws INVALID_NETWORK, INVALID_ADDRESS
 */
export function chainEnvironment(env: Readonly<Record<string, string | undefined>> = process.env): ChainEnvironment {
  const rpcUrl = env.MOLT_RPC_URL?.trim();
  const named = Network.parse(env.MOLT_NETWORK?.trim() || "localnet");
  const network = rpcUrl === undefined || rpcUrl === "" ? named : Network.custom(rpcUrl);
  const walletPath = env.MOLT_WALLET_PATH?.trim();
  const mint = env.MOLT_MINT?.trim();
  return {
    network,
    ...(walletPath === undefined || walletPath === "" ? {} : { walletPath }),
    ...(mint === undefined || mint === "" ? {} : { mint: parseAddress(mint) }),
  };
}

/** Where a person can look the transaction up. */
export function explorerUrl(id: TransactionId, network: Network): string {
  return `https://explorer.solana.com/tx/${id}${network.explorerQuery()}`;
}
