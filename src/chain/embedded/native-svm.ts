// The native runtime inside litesvm's LiteSVM wrapper. The wrapper speaks kit (base58 addresses,
// re-encoded transactions) and builds a new address codec on each call; the embedded chain's hot
// path already holds the bytes, so it calls the runtime directly. No I/O.
import type { LiteSVM } from "litesvm";
import { LiteSvm } from "litesvm/dist/internal.js";
import { MarketError } from "../../core/errors.js";

/** litesvm's napi runtime: accounts by 32 address bytes, transactions as wire bytes. */
export type NativeSvm = LiteSvm;

/**
 * The native runtime `svm` wraps (litesvm keeps it in the wrapper's `inner` field).
 * @throws CHAIN_ERROR (a litesvm version that keeps it elsewhere)
 */
export function nativeOf(svm: LiteSVM): NativeSvm {
  const inner: unknown = Reflect.get(svm, "inner");
  if (!(inner instanceof LiteSvm))
    throw new MarketError("CHAIN_ERROR", { reason: "this litesvm version does not keep its native runtime in LiteSVM.inner" });
  return inner;
}
