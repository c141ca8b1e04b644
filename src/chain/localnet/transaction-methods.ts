// The localnet's JSON-RPC methods about transactions: send (with a preflight simulation unless
// skipped, as a validator), simulate, statuses, an address's signatures and a transaction by
// signature, from the embedded chain's history and its window of recent transactions.
import { getBase58Encoder, getBase64Encoder } from "@solana/kit";
import { isMarketError } from "../../core/errors.js";
import type { EmbeddedMoltClient } from "../embedded/embedded-client.js";
import type { SignatureStatus } from "../embedded/transaction-history.js";
import { RPC_BODY_BYTES_MAX, SIGNATURE_STATUSES_MAX, SIGNATURES_FOR_ADDRESS_MAX } from "./rpc-limits.js";
import { RPC_ERROR, RpcError, addressAt, configAt, contextFor, encodingOf, invalidParams, signatureParam } from "./rpc-params.js";
import type { RpcMethod } from "./rpc-params.js";
import { TRANSACTION_ENCODINGS, memoOf, transactionJson, versionOf } from "./transaction-json.js";

type Config = Readonly<Record<string, unknown>>;

/** Wire bytes of a transaction param, base58 (a validator's default) or base64. @throws RpcError */
function wireParam(value: unknown, config: Config): Uint8Array {
  const encoding = encodingOf(config, ["base58", "base64"], "base58");
  if (typeof value !== "string" || value.length > 2 * RPC_BODY_BYTES_MAX) throw invalidParams("transaction must be a string");
  try {
    return Uint8Array.from(encoding === "base64" ? getBase64Encoder().encode(value) : getBase58Encoder().encode(value));
  } catch {
    throw invalidParams(`not ${encoding}`);
  }
}

function errOf(status: SignatureStatus): unknown {
  return status.error === undefined ? null : (status.errorJson ?? status.error);
}

function blockTimeOf(timeMs: number | undefined): bigint | null {
  return timeMs === undefined ? null : BigInt(Math.floor(timeMs / 1000));
}

/** `run` over bytes that may be no transaction: the chain's refusal becomes an invalid-params error, as a validator's. */
function onWire<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (isMarketError(e, "CHAIN_ERROR")) throw invalidParams(`invalid transaction: ${e.details.reason}`);
    throw e;
  }
}

/** Runs a preflight simulation unless skipped, then executes: a validator's sendTransaction. */
function sendTransaction(chain: EmbeddedMoltClient, args: readonly unknown[]): string {
  const config = configAt(args, 1);
  const wire = wireParam(args[0], config);
  contextFor(chain, config);
  if (config["skipPreflight"] !== true) {
    const simulated = onWire(() => chain.simulateWire(wire));
    if (simulated.error !== undefined) {
      const err = simulated.errorJson ?? simulated.error;
      throw new RpcError(
        RPC_ERROR.sendTransactionPreflightFailure,
        `Transaction simulation failed: ${typeof err === "string" ? err : JSON.stringify(err)}`,
        {
          err,
          logs: simulated.logs,
          accounts: null,
          unitsConsumed: simulated.unitsConsumed,
          returnData: null,
        },
      );
    }
  }
  // Without preflight a refused transaction still has its signature answered, as a validator
  // forwards it; its status then shows the failure when it landed (a fee was charged), or nothing.
  const result = onWire(() => chain.submitWire(wire));
  if (result.signature === "") throw invalidParams("the transaction has no fee payer signature");
  return result.signature;
}

function simulateTransaction(chain: EmbeddedMoltClient, args: readonly unknown[]): unknown {
  const config = configAt(args, 1);
  const wire = wireParam(args[0], config);
  if (config["sigVerify"] === true && config["replaceRecentBlockhash"] === true)
    throw invalidParams("sigVerify may not be used with replaceRecentBlockhash");
  const context = contextFor(chain, config);
  const result = onWire(() =>
    chain.simulateWire(wire, {
      sigVerify: config["sigVerify"] === true,
      replaceRecentBlockhash: config["replaceRecentBlockhash"] === true,
    }),
  );
  const err = result.error === undefined ? null : (result.errorJson ?? result.error);
  return {
    context,
    value: { err, logs: result.logs, accounts: null, unitsConsumed: result.unitsConsumed, returnData: null },
  };
}

function signatureStatuses(chain: EmbeddedMoltClient, args: readonly unknown[]): unknown {
  const signatures = args[0];
  if (!Array.isArray(signatures) || signatures.length > SIGNATURE_STATUSES_MAX)
    throw invalidParams(`1..${SIGNATURE_STATUSES_MAX} signatures`);
  const checked = signatures.map(signatureParam);
  return {
    context: contextFor(chain, configAt(args, 1)),
    value: checked.map((signature) => {
      const status = chain.signatureStatus(signature);
      if (status === undefined) return null;
      const err = errOf(status);
      // Every landed transaction is durable (rooted) at once: finalized, so no confirmation count.
      return {
        slot: status.slot,
        confirmations: null,
        err,
        confirmationStatus: "finalized",
        status: err === null ? { Ok: null } : { Err: err },
      };
    }),
  };
}

function signaturesForAddress(chain: EmbeddedMoltClient, args: readonly unknown[]): unknown {
  const address = addressAt(args, 0);
  const config = configAt(args, 1);
  contextFor(chain, config);
  const limit = config["limit"] ?? SIGNATURES_FOR_ADDRESS_MAX;
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > SIGNATURES_FOR_ADDRESS_MAX)
    throw invalidParams(`limit must be 1..${SIGNATURES_FOR_ADDRESS_MAX}`);
  const before = config["before"] === undefined ? undefined : signatureParam(config["before"]);
  const until = config["until"] === undefined ? undefined : signatureParam(config["until"]);
  return chain
    .recentFor(address, { limit, ...(before === undefined ? {} : { before }), ...(until === undefined ? {} : { until }) })
    .map((entry) => ({
      signature: entry.signature,
      slot: entry.slot,
      err: entry.error ?? null,
      memo: memoOf(entry.wire),
      blockTime: blockTimeOf(entry.timeMs),
      confirmationStatus: "finalized",
    }));
}

function getTransaction(chain: EmbeddedMoltClient, args: readonly unknown[]): unknown {
  const signature = signatureParam(args[0]);
  const config = typeof args[1] === "string" ? { encoding: args[1] } : configAt(args, 1);
  const encoding = encodingOf(config, TRANSACTION_ENCODINGS, "json");
  contextFor(chain, config);
  const entry = chain.recentTransaction(signature);
  const details = chain.transactionDetails(signature);
  if (entry === undefined || details === undefined) return null;
  const version = versionOf(entry.wire);
  const supported = config["maxSupportedTransactionVersion"];
  if (version !== "legacy" && (typeof supported !== "number" || supported < version)) {
    throw new RpcError(
      RPC_ERROR.unsupportedTransactionVersion,
      `Transaction version (${version}) is not supported by the requesting client. Please try the request again with the following configuration parameter: "maxSupportedTransactionVersion": ${version}`,
    );
  }
  return transactionJson(entry, details, encoding, blockTimeOf(entry.timeMs));
}

/** The transaction methods by name. */
export const TRANSACTION_METHODS: Readonly<Record<string, RpcMethod>> = {
  sendTransaction,
  simulateTransaction,
  getSignatureStatuses: signatureStatuses,
  getSignaturesForAddress: signaturesForAddress,
  getTransaction,
};
