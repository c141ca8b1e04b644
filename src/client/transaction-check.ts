// What a client checks before it co-signs a chain transaction the server built: its key may do
// only what the step needs. Funding (funding-check.ts): one transfer of exactly the escrowed amount
// into a new escrow account this message proves is 2-of-3 of the parties, and its rent. A payout: only as a co-signer of transfers out of, and the closing of, the order's
// escrow account. A deposit (an extension): one transfer of exactly its cost from the signer's
// MOLT account into the order's escrow account. Anything else (paying fees, another program, another account) is refused, so a
// dishonest server cannot spend a party's MOLT or SOL. Pure.
import { getBase64Encoder, getCompiledTransactionMessageDecoder } from "@solana/kit";
import { ASSOCIATED_TOKEN_PROGRAM_ADDRESS, TOKEN_PROGRAM_ADDRESS, getTransferCheckedInstructionDataDecoder } from "@solana-program/token";
import { Amount } from "../core/amount.js";
import { MarketError } from "../core/errors.js";
import { checkDeposit, checkFunding } from "./funding-check.js";
import type { DepositExpectation, FundingExpectation } from "./funding-check.js";

/** SPL Token instruction tags the checks know. */
const TRANSFER_CHECKED = 12;
const CLOSE_ACCOUNT = 9;

/** What a step may ask a party to sign. */
export type SigningExpectation =
  /** Funding: one TransferChecked of `amount` into a new escrow of signer, provider and arbiter (checkFunding). */
  | FundingExpectation
  /** A deposit into a funded escrow (an extension): one TransferChecked of `amount` from the signer's account to the escrow's (checkDeposit). */
  | DepositExpectation
  /**
   * A payout: the signer only co-signs (as a multisig member) transfers out of `escrow` and its
   * closing, and its own token account `receives.account` gets exactly `receives.amount` (at least,
   * with `orMore`).
   */
  | {
      readonly kind: "payout";
      readonly signer: string;
      readonly escrow: string;
      readonly receives: { readonly account: string; readonly amount: Amount; readonly orMore: boolean };
    };

function refuse(reason: string): never {
  throw new MarketError("ESCROW_ERROR", { reason: `refused to sign the server's transaction: ${reason}` });
}

/** The amount a TransferChecked instruction's data moves. @throws ESCROW_ERROR (malformed data) */
function transferredAmount(data: Uint8Array): bigint {
  try {
    return getTransferCheckedInstructionDataDecoder().decode(data).amount;
  } catch {
    return refuse("a transfer in it is malformed");
  }
}

/**
 * Checks a transaction message (base64, as SIGNATURE_REQUIRED gives it) against what the step
 * needs from `expectation.signer`, and says in words what signing it does.
 * @throws ESCROW_ERROR (the message asks for more, or is not a transaction message)
 */
export function checkTransactionToSign(messageBase64: string, expectation: SigningExpectation): string {
  let message: ReturnType<ReturnType<typeof getCompiledTransactionMessageDecoder>["decode"]>;
  try {
    message = getCompiledTransactionMessageDecoder().decode(Uint8Array.from(getBase64Encoder().encode(messageBase64)));
  } catch {
    return refuse("it is not a transaction message");
  }
  if (!("instructions" in message)) return refuse(`transaction version ${String(message.version)} is not one this client reads`);
  const accounts = message.staticAccounts as readonly string[];
  const signerIndex = accounts.indexOf(expectation.signer);
  if (signerIndex < 0 || signerIndex >= message.header.numSignerAccounts) refuse("it does not ask this wallet to sign");
  if (signerIndex === 0) refuse("it would make this wallet pay the fees");
  if (expectation.kind === "fund") return checkFunding(accounts, message.header.numSignerAccounts, message.instructions, expectation);
  if (expectation.kind === "deposit") return checkDeposit(accounts, message.instructions, expectation);
  let payouts = 0;
  let received = 0n;
  for (const instruction of message.instructions) {
    const indices = instruction.accountIndices ?? [];
    if (!indices.includes(signerIndex)) continue;
    const program = accounts[instruction.programAddressIndex];
    const data = Uint8Array.from(instruction.data ?? []);
    // Creating the wallet's own token account for a payout (accounts: payer, account, owner, ...) needs no authority of it.
    if (program === ASSOCIATED_TOKEN_PROGRAM_ADDRESS && indices.indexOf(signerIndex) === 2 && indices.lastIndexOf(signerIndex) === 2)
      continue;
    if (program !== TOKEN_PROGRAM_ADDRESS) refuse(`it uses this wallet in a call to program ${program ?? "?"}`);
    const tag = data[0];
    // TransferChecked: source, mint, destination, owner, signers...; CloseAccount: account, destination, owner, signers...
    const source = accounts[indices[0] ?? -1];
    // Where this wallet stands in the instruction: a co-signer (after the owner), or for a close the rent's destination.
    const positions = indices.flatMap((index, position) => (index === signerIndex ? [position] : []));
    const firstSigner = tag === CLOSE_ACCOUNT ? 3 : 4;
    const allowed = positions.every((position) => position >= firstSigner || (tag === CLOSE_ACCOUNT && position === 1));
    if ((tag !== TRANSFER_CHECKED && tag !== CLOSE_ACCOUNT) || source !== expectation.escrow || !allowed) {
      refuse(`it uses this wallet for something other than paying out escrow ${expectation.escrow}`);
    }
    if (tag === TRANSFER_CHECKED && accounts[indices[2] ?? -1] === expectation.receives.account) received += transferredAmount(data);
    payouts++;
  }
  if (payouts === 0) refuse(`it does not pay out escrow ${expectation.escrow}`);
  const { amount, orMore } = expectation.receives;
  if (orMore ? received < amount.baseUnits : received !== amount.baseUnits) {
    refuse(
      `it pays this wallet ${Amount.fromLamports(received).toString()} MOLT; its terms give it ${orMore ? "at least " : ""}${amount.toString()} MOLT`,
    );
  }
  return `co-signs the payout of escrow ${expectation.escrow}, which pays this wallet ${Amount.fromLamports(received).toString()} MOLT`;
}
