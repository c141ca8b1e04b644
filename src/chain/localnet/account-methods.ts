// The localnet's JSON-RPC methods about accounts: lamports, account data (base58, base64 or
// jsonParsed, with a data slice), a program's accounts, SPL Token balances and accounts by owner, and
// the faucet.
// Reads the chain; only requestAirdrop changes it.
import { getBase58Decoder, getBase64Decoder } from "@solana/kit";
import type { ReadonlyUint8Array } from "@solana/kit";
import { TOKEN_PROGRAM_ADDRESS, getTokenDecoder } from "@solana-program/token";
import type { Address } from "../../core/address.js";
import type { EmbeddedMoltClient } from "../embedded/embedded-client.js";
import { getProgramAccounts, programAccountsMatching } from "./program-accounts.js";
import { LAMPORT_AIRDROP_MAX, MULTIPLE_ACCOUNTS_MAX } from "./rpc-limits.js";
import { RPC_ERROR, RpcError, addressAt, configAt, contextFor, encodingOf, invalidParams, uiTokenAmount } from "./rpc-params.js";
import type { RpcMethod } from "./rpc-params.js";
import { TOKEN_ACCOUNT_SIZE, mintDecimals, parsedTokenAccount } from "./token-json.js";

/** Largest data a base58 answer carries (a validator's limit; larger needs base64). */
const BASE58_DATA_BYTES_MAX = 128;
/** rentEpoch of every account since rent collection ended (u64::MAX). */
const RENT_EPOCH_EXEMPT = 18446744073709551615n;

type Config = Readonly<Record<string, unknown>>;

/** Account encodings served (not base64+zstd). */
const ACCOUNT_ENCODINGS = ["base58", "base64", "jsonParsed"] as const;
type ChainAccount = NonNullable<ReturnType<EmbeddedMoltClient["account"]>>;

function decimalsOf(chain: EmbeddedMoltClient, mint: string): number | undefined {
  const account = chain.account(mint as Address);
  return account?.owner === TOKEN_PROGRAM_ADDRESS ? mintDecimals(account.data) : undefined;
}

function sliced(data: Uint8Array, config: Config): Uint8Array {
  const slice = config["dataSlice"];
  if (slice === undefined) return data;
  const { offset, length } = (slice ?? {}) as { offset?: unknown; length?: unknown };
  if (
    typeof offset !== "number" ||
    typeof length !== "number" ||
    !Number.isInteger(offset) ||
    !Number.isInteger(length) ||
    offset < 0 ||
    length < 0
  )
    throw invalidParams("dataSlice needs integer offset and length >= 0");
  return data.subarray(offset, offset + length);
}

/** An account in Solana's UiAccount form, its data in the encoding `config` asks for (base58 by default, as a validator). */
function encodeAccount(chain: EmbeddedMoltClient, account: ChainAccount, config: Config): unknown {
  const encoding = encodingOf(config, ACCOUNT_ENCODINGS, "base58");
  let data: unknown;
  const parsed =
    encoding === "jsonParsed" && account.owner === TOKEN_PROGRAM_ADDRESS
      ? parsedTokenAccount(account.data, (mint) => decimalsOf(chain, mint))
      : undefined;
  if (parsed !== undefined) data = parsed;
  else if (encoding === "base58") {
    const bytes = sliced(account.data, config);
    if (bytes.length > BASE58_DATA_BYTES_MAX)
      throw new RpcError(
        RPC_ERROR.invalidRequest,
        `Encoded binary (base 58) data should be less than ${BASE58_DATA_BYTES_MAX} bytes, please use Base64 encoding.`,
      );
    data = config["encoding"] === undefined ? getBase58Decoder().decode(bytes) : [getBase58Decoder().decode(bytes), "base58"];
  } else data = [getBase64Decoder().decode(sliced(account.data, config)), "base64"];
  return {
    data,
    executable: account.executable,
    lamports: account.lamports,
    owner: account.owner,
    rentEpoch: RENT_EPOCH_EXEMPT,
    space: BigInt(account.data.length),
  };
}

function accountInfo(chain: EmbeddedMoltClient, address: string, config: Config): unknown {
  encodingOf(config, ACCOUNT_ENCODINGS, "base58"); // refused even when there is no account to encode
  const account = chain.account(address as Address);
  return account === undefined ? null : encodeAccount(chain, account, config);
}

function tokenAccountBalance(chain: EmbeddedMoltClient, args: readonly unknown[]): unknown {
  const account = chain.account(addressAt(args, 0) as Address);
  if (account?.owner !== TOKEN_PROGRAM_ADDRESS || account.data.length !== TOKEN_ACCOUNT_SIZE) throw invalidParams("not a Token account");
  const token = getTokenDecoder().decode(account.data);
  const decimals = decimalsOf(chain, token.mint);
  if (decimals === undefined) throw invalidParams("Token mint could not be unpacked");
  return { context: contextFor(chain, configAt(args, 1)), value: uiTokenAmount(token.amount, decimals) };
}

/** Token accounts of `owner`, of one mint or of the SPL Token program: a scan of the program's accounts. */
function tokenAccountsByOwner(chain: EmbeddedMoltClient, args: readonly unknown[]): unknown {
  const owner = addressAt(args, 0);
  const filter = configAt(args, 1);
  const config = configAt(args, 2);
  const mint = filter["mint"];
  const program = filter["programId"];
  if ((mint === undefined) === (program === undefined)) throw invalidParams("give exactly one of mint or programId");
  if (mint !== undefined && decimalsOf(chain, addressAt([mint], 0)) === undefined) throw invalidParams("could not find mint");
  if (program !== undefined && addressAt([program], 0) !== TOKEN_PROGRAM_ADDRESS) throw invalidParams("unrecognized Token program id");
  const context = contextFor(chain, config);
  const ofOwner = (data: ReadonlyUint8Array): boolean => {
    if (data.length !== TOKEN_ACCOUNT_SIZE) return false;
    const token = getTokenDecoder().decode(data);
    return token.owner === owner && (mint === undefined || token.mint === mint);
  };
  const value = programAccountsMatching(chain, TOKEN_PROGRAM_ADDRESS, [ofOwner]).map((pubkey) => ({
    pubkey,
    account: accountInfo(chain, pubkey, config),
  }));
  return { context, value };
}

/** The account methods by name. */
export const ACCOUNT_METHODS: Readonly<Record<string, RpcMethod>> = {
  getBalance: (chain, args) => {
    const address = addressAt(args, 0);
    return { context: contextFor(chain, configAt(args, 1)), value: chain.account(address as Address)?.lamports ?? 0n };
  },
  getAccountInfo: (chain, args) => {
    const address = addressAt(args, 0);
    const config = configAt(args, 1);
    return { context: contextFor(chain, config), value: accountInfo(chain, address, config) };
  },
  getMultipleAccounts: (chain, args) => {
    const addresses = args[0];
    if (!Array.isArray(addresses) || addresses.length > MULTIPLE_ACCOUNTS_MAX) throw invalidParams(`1..${MULTIPLE_ACCOUNTS_MAX} addresses`);
    const config = configAt(args, 1);
    const checked = addresses.map((_, index) => addressAt(addresses, index));
    return { context: contextFor(chain, config), value: checked.map((address) => accountInfo(chain, address, config)) };
  },
  getTokenAccountBalance: tokenAccountBalance,
  getTokenAccountsByOwner: tokenAccountsByOwner,
  getProgramAccounts: (chain, args) => getProgramAccounts(chain, args, (address, config) => accountInfo(chain, address, config)),
  requestAirdrop: (chain, args) => {
    const to = addressAt(args, 0);
    const amount = args[1];
    if (typeof amount !== "number" || !Number.isSafeInteger(amount) || amount <= 0 || BigInt(amount) > LAMPORT_AIRDROP_MAX)
      throw invalidParams(`lamports must be 1..${LAMPORT_AIRDROP_MAX.toString()}`);
    return chain.airdropLamports(to as Address, BigInt(amount));
  },
};
