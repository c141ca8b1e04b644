// One transaction on the embedded runtime with the balances of its accounts read around it (the
// meta RPC reports), a recent blockhash let through as a validator would, and whether a failure
// still charged the fee (then it changed state, and the log must record it). Writes nothing.
import { FailedTransactionMetadata } from "litesvm";
import type { LiteSVM } from "litesvm";
import { addressBytes } from "../address-bytes.js";
import { balanceChanges, balancesOf } from "./balance-changes.js";
import type { NativeSvm } from "./native-svm.js";
import type { BalanceChanges } from "./recent-transactions.js";

/** A sent transaction's message: its accounts (and their bytes, when known), header, programs and blockhash. */
export type SentMessage = Parameters<typeof balancesOf>[1] & { readonly lifetimeToken: string };
/** What the runtime returns for a transaction it executed or refused. */
export type SendResult = ReturnType<LiteSVM["sendTransaction"]>;

/**
 * Runs `send` (which executes `message`'s transaction) with the balances around it. A blockhash
 * `acceptsBlockhash` still accepts is let through like the latest one (signatures and repeats are
 * still checked by the runtime). Invariant: the blockhash check is on again when this returns.
 */
export function sendWithBalances(input: {
  readonly svm: LiteSVM;
  readonly native: NativeSvm;
  readonly message: SentMessage;
  readonly send: () => SendResult;
  readonly acceptsBlockhash: (blockhash: string) => boolean;
}): { readonly result: SendResult; readonly balances: BalanceChanges; readonly feeCharged: boolean } {
  const { svm, native, message } = input;
  const first = message.staticAccounts[0];
  const feePayer = message.staticAccountBytes?.[0] ?? (first === undefined ? undefined : addressBytes(first));
  const before = feePayer === undefined ? null : native.getBalance(feePayer);
  const balancesBefore = balancesOf(native, message);
  // The runtime knows only its latest blockhash.
  const recent = message.lifetimeToken !== svm.latestBlockhash() && input.acceptsBlockhash(message.lifetimeToken);
  if (recent) svm.withBlockhashCheck(false);
  let result: SendResult;
  try {
    result = input.send();
  } finally {
    if (recent) svm.withBlockhashCheck(true);
  }
  const feeCharged = result instanceof FailedTransactionMetadata && feePayer !== undefined && native.getBalance(feePayer) !== before;
  return { result, balances: balanceChanges(balancesBefore, balancesOf(native, message, balancesBefore)), feeCharged };
}
