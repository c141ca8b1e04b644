// The localnet's JSON-RPC methods about the cluster itself: health, version, genesis, slots, block
// height and epochs (one clock: the embedded chain's slot, a block in every slot), blockhashes, fees
// and rent. Reads the chain only.
import { createHash } from "node:crypto";
import { getBase58Decoder, getBase64Encoder, getCompiledTransactionMessageDecoder } from "@solana/kit";
import type { EmbeddedMoltClient } from "../embedded/embedded-client.js";
import { SIGNATURE_FEE_LAMPORTS } from "../embedded/transaction-records.js";
import { EPOCH_SCHEDULE, epochOf } from "./epoch-schedule.js";
import { RPC_BODY_BYTES_MAX } from "./rpc-limits.js";
import { configAt, contextFor, invalidParams } from "./rpc-params.js";
import type { RpcMethod } from "./rpc-params.js";

/** Blocks a blockhash stays usable for after the block that made it (MAX_PROCESSING_AGE). */
const BLOCKHASH_VALID_BLOCKS = 150n;
/** Version of the Solana runtime under LiteSVM, which this localnet's API follows. */
const SOLANA_CORE_VERSION = "4.3.0";
/** Largest account size getMinimumBalanceForRentExemption answers for (MAX_PERMITTED_DATA_LENGTH). */
const ACCOUNT_DATA_BYTES_MAX = 10 * 1024 * 1024;

/** The chain's genesis hash: fixed by its mint, which is fixed by its operator key, so it is the same across restarts. */
function genesisHash(chain: EmbeddedMoltClient): string {
  return getBase58Decoder().decode(createHash("sha256").update(`molt-market localnet genesis ${chain.mint}`).digest());
}

/** Block height: one block in every slot (a single leader skips none). */
function blockHeight(chain: EmbeddedMoltClient, config: Readonly<Record<string, unknown>>): bigint {
  return contextFor(chain, config).slot;
}

/** The fee of a base64 message: one signature fee per required signer; null when its blockhash is no longer valid. */
function feeForMessage(chain: EmbeddedMoltClient, message: unknown): bigint | null {
  if (typeof message !== "string" || message.length > RPC_BODY_BYTES_MAX) throw invalidParams("message must be a base64 string");
  let compiled: ReturnType<ReturnType<typeof getCompiledTransactionMessageDecoder>["decode"]>;
  try {
    compiled = getCompiledTransactionMessageDecoder().decode(getBase64Encoder().encode(message));
  } catch {
    throw invalidParams("not a base64 transaction message");
  }
  if (!chain.isBlockhashValid(compiled.lifetimeToken)) return null;
  return SIGNATURE_FEE_LAMPORTS * BigInt(compiled.header.numSignerAccounts);
}

/** The cluster methods by name. */
export const CLUSTER_METHODS: Readonly<Record<string, RpcMethod>> = {
  getHealth: () => "ok",
  getVersion: () => ({ "solana-core": SOLANA_CORE_VERSION, "feature-set": 0 }),
  getGenesisHash: (chain) => genesisHash(chain),
  getSlot: (chain, args) => contextFor(chain, configAt(args, 0)).slot,
  getBlockHeight: (chain, args) => blockHeight(chain, configAt(args, 0)),
  getEpochInfo: (chain, args) => {
    const slot = contextFor(chain, configAt(args, 0)).slot;
    return { absoluteSlot: slot, blockHeight: slot, ...epochOf(slot), transactionCount: chain.transactionCount };
  },
  getEpochSchedule: () => EPOCH_SCHEDULE,
  getLatestBlockhash: (chain, args) => {
    const context = contextFor(chain, configAt(args, 0));
    return { context, value: { blockhash: chain.latestBlockhash(), lastValidBlockHeight: context.slot + BLOCKHASH_VALID_BLOCKS } };
  },
  isBlockhashValid: (chain, args) => {
    const blockhash = args[0];
    if (typeof blockhash !== "string" || blockhash.length > 64) throw invalidParams("blockhash must be a base58 string");
    return { context: contextFor(chain, configAt(args, 1)), value: chain.isBlockhashValid(blockhash) };
  },
  getFeeForMessage: (chain, args) => ({ context: contextFor(chain, configAt(args, 1)), value: feeForMessage(chain, args[0]) }),
  getMinimumBalanceForRentExemption: (chain, args) => {
    const space = args[0] ?? 0;
    if (typeof space !== "number" || !Number.isInteger(space) || space < 0 || space > ACCOUNT_DATA_BYTES_MAX)
      throw invalidParams(`data length must be 0..${ACCOUNT_DATA_BYTES_MAX}`);
    return chain.rentExemptMinimum(BigInt(space));
  },
};
