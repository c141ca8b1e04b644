// getProgramAccounts: the accounts a program owns, narrowed by a validator's filters (dataSize,
// memcmp on base58 or base64 bytes), by a scan of the chain's state. Reads the chain only.
import { getBase58Encoder, getBase64Encoder } from "@solana/kit";
import type { ReadonlyUint8Array } from "@solana/kit";
import type { Address } from "../../core/address.js";
import type { EmbeddedMoltClient } from "../embedded/embedded-client.js";
import { PROGRAM_ACCOUNTS_MAX } from "./rpc-limits.js";
import { RPC_ERROR, RpcError, addressAt, configAt, contextFor, invalidParams } from "./rpc-params.js";

/** Most filters in one call (a validator's MAX_GET_PROGRAM_ACCOUNT_FILTERS). */
const FILTERS_MAX = 4;
/** Longest memcmp pattern (a validator's MAX_DATA_SIZE for memcmp bytes). */
const MEMCMP_BYTES_MAX = 128;

type Filter = (data: ReadonlyUint8Array) => boolean;

function filterOf(filter: unknown): Filter {
  const { dataSize, memcmp } = (typeof filter === "object" && filter !== null ? filter : {}) as { dataSize?: unknown; memcmp?: unknown };
  if (typeof dataSize === "number" && Number.isInteger(dataSize) && dataSize >= 0) return (data) => data.length === dataSize;
  const { offset, bytes, encoding } = (typeof memcmp === "object" && memcmp !== null ? memcmp : {}) as Record<string, unknown>;
  if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0 || typeof bytes !== "string")
    throw invalidParams("a filter is { dataSize } or { memcmp: { offset, bytes } }");
  let pattern: ReadonlyUint8Array;
  try {
    pattern = encoding === "base64" ? getBase64Encoder().encode(bytes) : getBase58Encoder().encode(bytes);
  } catch {
    throw invalidParams("memcmp bytes are not in their encoding");
  }
  if (pattern.length > MEMCMP_BYTES_MAX) throw invalidParams(`memcmp bytes longer than ${MEMCMP_BYTES_MAX}`);
  return (data) => offset + pattern.length <= data.length && pattern.every((byte, index) => data[offset + index] === byte);
}

/**
 * Addresses of the accounts `program` owns whose data passes every filter. Invariant: at most
 * PROGRAM_ACCOUNTS_MAX; more is refused rather than cut short.
 * @throws RpcError (bad filters, too many accounts)
 */
export function programAccountsMatching(chain: EmbeddedMoltClient, program: Address, filters: readonly Filter[]): Address[] {
  const matching = chain
    .programAccounts(program)
    .filter(({ data }) => filters.every((passes) => passes(data)))
    .map(({ address }) => address);
  if (matching.length > PROGRAM_ACCOUNTS_MAX)
    throw new RpcError(RPC_ERROR.invalidRequest, `more than ${PROGRAM_ACCOUNTS_MAX} accounts match; narrow the filters`);
  return matching;
}

/** getProgramAccounts: `encode` writes each account as getAccountInfo would. @throws RpcError */
export function getProgramAccounts(
  chain: EmbeddedMoltClient,
  args: readonly unknown[],
  encode: (address: Address, config: Readonly<Record<string, unknown>>) => unknown,
): unknown {
  const program = addressAt(args, 0) as Address;
  const config = configAt(args, 1);
  const filters = config["filters"] ?? [];
  if (!Array.isArray(filters) || filters.length > FILTERS_MAX) throw invalidParams(`at most ${FILTERS_MAX} filters`);
  const context = contextFor(chain, config);
  const value = programAccountsMatching(chain, program, filters.map(filterOf)).map((pubkey) => ({
    pubkey,
    account: encode(pubkey, config),
  }));
  return config["withContext"] === true ? { context, value } : value;
}
