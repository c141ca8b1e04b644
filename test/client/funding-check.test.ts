// The buyer's check of a funding message, against the messages a dishonest server could build:
// the honest one passes; MOLT sent to an account the message does not create, an escrow owned by
// another multisig (another arbiter, 1-of-3, a 2-of-2), another mint, an overcharged rent, the
// provider signing along: each is refused before the buyer signs. Messages are compiled with the
// real instruction builders; no chain is needed to read them.
import {
  appendTransactionMessageInstructions,
  compileTransactionMessage,
  createTransactionMessage,
  getBase64Decoder,
  getCompiledTransactionMessageEncoder,
  pipe,
  setTransactionMessageFeePayer,
  setTransactionMessageLifetimeUsingBlockhash,
} from "@solana/kit";
import type { Address, Blockhash, Instruction } from "@solana/kit";
import { getCreateAccountInstruction } from "@solana-program/system";
import {
  TOKEN_PROGRAM_ADDRESS,
  getInitializeMultisig2Instruction,
  getMultisigSize,
  getTokenSize,
  getTransferCheckedInstruction,
} from "@solana-program/token";
import { describe, expect, it } from "vitest";
import { createEscrowInstructions, defaultRentExemptLamports, escrowAccountKeys } from "../../src/chain/escrow-instructions.js";
import { walletSigner } from "../../src/chain/signer.js";
import { Wallet } from "../../src/chain/wallet.js";
import { Amount } from "../../src/core/amount.js";
import { checkTransactionToSign } from "../../src/client/transaction-check.js";

const [operator, buyer, provider, arbiter, attacker, mint, fakeMint] = [
  Wallet.generate(),
  Wallet.generate(),
  Wallet.generate(),
  Wallet.generate(),
  Wallet.generate(),
  Wallet.generate(),
  Wallet.generate(),
];
const buyerAccount = Wallet.generate().address;
const amount = Amount.parse("6");
const rent = { multisigLamports: defaultRentExemptLamports(getMultisigSize()), accountLamports: defaultRentExemptLamports(getTokenSize()) };
const expectation = {
  kind: "fund" as const,
  signer: buyer.address,
  amount,
  mint: mint.address,
  provider: provider.address,
  arbiter: arbiter.address,
};

/** A message as the server would hand it out (base64), paid by the operator. */
function messageOf(instructions: Instruction[]): string {
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayer(operator.address, m),
    (m) =>
      setTransactionMessageLifetimeUsingBlockhash(
        { blockhash: "11111111111111111111111111111111" as Blockhash, lastValidBlockHeight: 100n },
        m,
      ),
    (m) => appendTransactionMessageInstructions(instructions, m),
  );
  return getBase64Decoder().decode(getCompiledTransactionMessageEncoder().encode(compileTransactionMessage(message)));
}

function funding(
  changes: { parties?: { buyer: Address; provider: Address; arbiter: Address }; mint?: Address; rent?: typeof rent } = {},
): Instruction[] {
  return createEscrowInstructions({
    keys: escrowAccountKeys(operator, "esc_01JD3Q0000000000000000000A"),
    parties: changes.parties ?? { buyer: buyer.address, provider: provider.address, arbiter: arbiter.address },
    mint: changes.mint ?? mint.address,
    buyer: walletSigner(buyer),
    buyerTokenAccount: buyerAccount,
    amount,
    rent: changes.rent ?? rent,
  });
}

describe("the buyer's check of a funding message", () => {
  it("signs the honest funding and says what it does", () => {
    const said = checkTransactionToSign(messageOf(funding()), expectation);
    expect(said, said).toMatch(/moves 6 MOLT .* owned 2-of-3 by you, the provider and the arbiter, and pays 0\.00540096 SOL of rent/);
  });

  it("refuses MOLT sent to an account the message does not create as the escrow (the theft the old check signed)", () => {
    const theft = getTransferCheckedInstruction({
      source: buyerAccount,
      mint: mint.address,
      destination: attacker.address,
      authority: walletSigner(buyer),
      amount: amount.baseUnits,
      decimals: 9,
    });
    expect(() => checkTransactionToSign(messageOf([theft]), expectation)).toThrow(/does not create as the escrow's new token account/);
    // The honest accounts created, but the transfer goes elsewhere.
    const honest = funding();
    expect(() => checkTransactionToSign(messageOf([...honest.slice(0, 4), theft]), expectation)).toThrow(/does not create/);
  });

  it("refuses an escrow owned by any other multisig: another arbiter, 1-of-3, 2-of-2, or no multisig at all", () => {
    expect(() =>
      checkTransactionToSign(
        messageOf(funding({ parties: { buyer: buyer.address, provider: provider.address, arbiter: attacker.address } })),
        expectation,
      ),
    ).toThrow(/not 2-of-3 of you/);
    const instructions = funding();
    const multisig = escrowAccountKeys(operator, "esc_01JD3Q0000000000000000000A").multisig.address;
    const oneOfThree = getInitializeMultisig2Instruction({ multisig, signers: [buyer.address, provider.address, arbiter.address], m: 1 });
    expect(() =>
      checkTransactionToSign(messageOf([instructions[0] as Instruction, oneOfThree, ...instructions.slice(2)]), expectation),
    ).toThrow(/1-of-3/);
    const twoOfTwo = getInitializeMultisig2Instruction({ multisig, signers: [provider.address, arbiter.address], m: 2 });
    expect(() =>
      checkTransactionToSign(messageOf([instructions[0] as Instruction, twoOfTwo, ...instructions.slice(2)]), expectation),
    ).toThrow(/2-of-2/);
    expect(() => checkTransactionToSign(messageOf([instructions[0] as Instruction, ...instructions.slice(2)]), expectation)).toThrow(
      /not a multisig it creates/,
    );
  });

  it("refuses another mint, an overcharged rent, an account of another program, and the provider signing along", () => {
    expect(() => checkTransactionToSign(messageOf(funding({ mint: fakeMint.address })), expectation)).toThrow(/not MOLT/);
    expect(() =>
      checkTransactionToSign(messageOf(funding({ rent: { ...rent, multisigLamports: rent.multisigLamports + 1n } })), expectation),
    ).toThrow(/pay 3361681 lamports for an account whose rent is 3361680/);
    const foreign = getCreateAccountInstruction({
      payer: walletSigner(buyer),
      newAccount: walletSigner(Wallet.generate()),
      lamports: rent.accountLamports,
      space: getTokenSize(),
      programAddress: attacker.address,
    });
    expect(() => checkTransactionToSign(messageOf([foreign, ...funding()]), expectation)).toThrow(/not an escrow account/);
    const withProvider = [
      ...funding(),
      getCreateAccountInstruction({
        payer: walletSigner(operator),
        newAccount: walletSigner(provider),
        lamports: 1n,
        space: 0,
        programAddress: TOKEN_PROGRAM_ADDRESS,
      }),
    ];
    expect(() => checkTransactionToSign(messageOf(withProvider), expectation)).toThrow(/the provider signs it too/);
  });
});
