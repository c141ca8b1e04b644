// What the localnet's JSON-RPC methods share: the JSON-RPC error, the reading of positional params
// and config objects, and Solana's JSON shapes of a response's context and a token amount. Pure.
import { isAddress } from "../../core/address.js";
import type { EmbeddedMoltClient } from "../embedded/embedded-client.js";

/** Error codes of Solana's JSON-RPC server used here (solana-rpc-client-api custom_error.rs). */
export const RPC_ERROR = {
  parse: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internal: -32603,
  sendTransactionPreflightFailure: -32002,
  minContextSlotNotReached: -32016,
  unsupportedTransactionVersion: -32015,
} as const;

/** A JSON-RPC error as Solana's validator reports it (code, message, optional data). */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/** One JSON-RPC method: answers its positional params against the chain. */
export type RpcMethod = (chain: EmbeddedMoltClient, args: readonly unknown[]) => unknown;

/** An invalid-params error ("Invalid param: ..." as a validator words it). */
export function invalidParams(message: string): RpcError {
  return new RpcError(RPC_ERROR.invalidParams, `Invalid param: ${message}`);
}

/** The config object at `args[index]` ({} when absent). @throws RpcError (not an object) */
export function configAt(args: readonly unknown[], index: number): Readonly<Record<string, unknown>> {
  const config = args[index];
  if (config === undefined || config === null) return {};
  if (typeof config !== "object" || Array.isArray(config)) throw invalidParams(`param ${index} must be a config object`);
  return config as Record<string, unknown>;
}

/** A base58 address param. @throws RpcError */
export function addressAt(args: readonly unknown[], index: number): string {
  const value = args[index];
  if (!isAddress(value)) throw invalidParams("not a base58 address");
  return value;
}

/** A base58 signature param (64 bytes: 87 or 88 characters). @throws RpcError */
export function signatureParam(value: unknown): string {
  if (typeof value !== "string" || !/^[1-9A-HJ-NP-Za-km-z]{64,88}$/.test(value)) throw invalidParams("not a base58 signature");
  return value;
}

/** The encoding a config asks for, among `allowed` (`fallback` when absent). @throws RpcError */
export function encodingOf<E extends string>(config: Readonly<Record<string, unknown>>, allowed: readonly E[], fallback: E): E {
  const encoding = config["encoding"] ?? fallback;
  if (!allowed.includes(encoding as E)) {
    throw invalidParams(`this localnet serves encoding ${allowed.join(", ")} here, not ${JSON.stringify(encoding)}`);
  }
  return encoding as E;
}

/**
 * The context of a response at the current slot; refuses a config whose minContextSlot is ahead of it.
 * @throws RpcError (-32016)
 */
export function contextFor(chain: EmbeddedMoltClient, config: Readonly<Record<string, unknown>> = {}): { readonly slot: bigint } {
  const slot = chain.slot;
  const min = config["minContextSlot"];
  if (typeof min === "number" && BigInt(min) > slot) {
    throw new RpcError(RPC_ERROR.minContextSlotNotReached, "Minimum context slot has not been reached", { contextSlot: slot });
  }
  return { slot };
}

/** Solana's UiTokenAmount: the base-unit amount as a string, and as a decimal string and a (display-only) number. */
export function uiTokenAmount(
  amount: bigint,
  decimals: number,
): { readonly amount: string; readonly decimals: number; readonly uiAmount: number; readonly uiAmountString: string } {
  const scale = 10n ** BigInt(decimals);
  const whole = amount / scale;
  const fraction = (amount % scale).toString().padStart(decimals, "0").replace(/0+$/, "");
  const uiAmountString = fraction === "" ? whole.toString() : `${whole}.${fraction}`;
  return { amount: amount.toString(), decimals, uiAmount: Number(uiAmountString), uiAmountString };
}
