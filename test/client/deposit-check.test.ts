// What a buyer's client checks before it co-signs an extension's deposit: one transfer of exactly
// the extension's cost from its own MOLT account into the order's escrow account, nothing else.
// Messages are the real ones a chain asks to sign (a PresentedSignature without a signature).
import { TOKEN_PROGRAM_ADDRESS, findAssociatedTokenPda } from "@solana-program/token";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EscrowHandle } from "../../src/chain/molt-client.js";
import { PresentedSignature } from "../../src/chain/signer.js";
import { Wallet } from "../../src/chain/wallet.js";
import { checkTransactionToSign } from "../../src/client/transaction-check.js";
import type { SigningExpectation } from "../../src/client/transaction-check.js";
import { Amount } from "../../src/core/amount.js";
import { isMarketError } from "../../src/core/errors.js";
import { openParties } from "../support/market.js";
import type { Parties } from "../support/market.js";

let parties: Parties;
let escrow: EscrowHandle;
let expectation: SigningExpectation & { readonly kind: "deposit" };

beforeAll(async () => {
  parties = await openParties("1000");
  ({ escrow } = await parties.chain.createEscrow({
    escrowId: "esc_01JD3Q00000000000000000001",
    buyer: parties.buyer,
    provider: parties.provider.address,
    arbiter: parties.arbiter.address,
    amount: Amount.parse("20"),
  }));
  const [source] = await findAssociatedTokenPda({
    owner: parties.buyer.address,
    mint: parties.chain.mint,
    tokenProgram: TOKEN_PROGRAM_ADDRESS,
  });
  expectation = {
    kind: "deposit",
    signer: parties.buyer.address,
    amount: Amount.parse("7.5"),
    mint: parties.chain.mint,
    source,
    escrow: escrow.address,
  };
});
afterAll(() => {
  parties.chain.close();
});

/** The message the chain asks the buyer to sign for `step`. */
async function messageOf(step: (buyer: PresentedSignature) => Promise<unknown>): Promise<string> {
  const asked = await step(new PresentedSignature(parties.buyer.address)).catch((e: unknown) => e);
  if (!isMarketError(asked, "SIGNATURE_REQUIRED")) throw new Error(`expected SIGNATURE_REQUIRED, got ${String(asked)}`);
  return asked.details.message;
}

describe("checking an extension's deposit before signing", () => {
  it("accepts the deposit of exactly the cost into the escrow, and says what signing does", async () => {
    const message = await messageOf((buyer) => parties.chain.depositToEscrow(escrow, buyer, Amount.parse("7.5")));
    expect(checkTransactionToSign(message, expectation)).toBe(
      `moves 7.5 MOLT from your wallet into escrow ${escrow.address}, to pay for the job's extension`,
    );
  });

  it("refuses another amount, another escrow, another mint, another source", async () => {
    const message = await messageOf((buyer) => parties.chain.depositToEscrow(escrow, buyer, Amount.parse("7.5")));
    expect(() => checkTransactionToSign(message, { ...expectation, amount: Amount.parse("7.499999999") })).toThrow(
      /transfers 7.5 MOLT, the extension costs 7.499999999 MOLT/,
    );
    expect(() => checkTransactionToSign(message, { ...expectation, escrow: parties.provider.address })).toThrow(/not to escrow/);
    expect(() => checkTransactionToSign(message, { ...expectation, mint: parties.provider.address })).toThrow(/not MOLT/);
    expect(() => checkTransactionToSign(message, { ...expectation, source: parties.provider.address })).toThrow(/MOLT account/);
  });

  it("refuses a transfer to someone else, a new escrow's funding and a payout presented as the deposit", async () => {
    const transfer = await messageOf((buyer) => parties.chain.transfer(buyer, parties.provider.address, Amount.parse("7.5")));
    expect(() => checkTransactionToSign(transfer, expectation)).toThrow(/refused to sign/);
    const funding = await messageOf((buyer) =>
      parties.chain.createEscrow({
        escrowId: "esc_01JD3Q00000000000000000002",
        buyer,
        provider: parties.provider.address,
        arbiter: parties.arbiter.address,
        amount: Amount.parse("7.5"),
      }),
    );
    expect(() => checkTransactionToSign(funding, expectation)).toThrow(/asks more of this wallet than one transfer into the escrow/);
    const payout = await messageOf((buyer) =>
      parties.chain.settleEscrow(escrow, [buyer, parties.arbiter], [{ owner: parties.buyer.address, amount: Amount.parse("20") }]),
    );
    expect(() => checkTransactionToSign(payout, expectation)).toThrow(/refused to sign/);
    expect(() => checkTransactionToSign(transfer, { ...expectation, signer: Wallet.generate().address })).toThrow(
      /does not ask this wallet/,
    );
  });
});
