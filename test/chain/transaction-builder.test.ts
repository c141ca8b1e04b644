// The embedded chain's hot-path codecs against kit's: base58 and address bytes give kit's text and
// bytes, and buildSignedTransaction gives, for random instructions, roles, signers and fee payers,
// the wire bytes kit's createTransactionMessage -> signTransactionMessageWithSigners ->
// getTransactionEncoder pipeline gives (or refuses where kit refuses).
import {
  AccountRole,
  appendTransactionMessageInstructions,
  createTransactionMessage,
  downgradeRoleToNonSigner,
  getAddressDecoder,
  getBase58Decoder,
  getBase58Encoder,
  getCompiledTransactionMessageDecoder,
  getTransactionEncoder,
  isSignerRole,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
} from "@solana/kit";
import type { Address, Blockhash, Instruction } from "@solana/kit";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addressBytes, addressOfBytes } from "../../src/chain/address-bytes.js";
import { base58Decode, base58Encode } from "../../src/chain/base58.js";
import { PresentedSignature, walletSigner } from "../../src/chain/signer.js";
import type { MessageSigner } from "../../src/chain/signer.js";
import { buildSignedTransaction } from "../../src/chain/transaction-builder.js";
import { Wallet } from "../../src/chain/wallet.js";
import { isMarketError } from "../../src/core/errors.js";

const kitBase58Text = getBase58Decoder();
const kitBase58Bytes = getBase58Encoder();
const kitAddress = getAddressDecoder();

describe("base58", () => {
  it("gives kit's text for any bytes, leading zeros included, and decodes it back", () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 80 }),
      fc
        .tuple(fc.nat(6), fc.uint8Array({ maxLength: 64 }))
        .map(([zeros, rest]) => Uint8Array.from([...new Array<number>(zeros).fill(0), ...rest])),
    );
    fc.assert(
      fc.property(bytes, (value) => {
        const text = base58Encode(value);
        expect(text).toBe(kitBase58Text.decode(value));
        expect(Buffer.from(base58Decode(text) ?? [])).toEqual(Buffer.from(value));
      }),
      { numRuns: 2000 },
    );
  });

  it("decodes what kit decodes, and refuses non-base58 digits", () => {
    const digits = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...Array.from({ length: digits.length }, (_, i) => digits.charAt(i))), { maxLength: 90 }),
        (chars) => {
          const text = chars.join("");
          expect(Buffer.from(base58Decode(text) ?? [])).toEqual(Buffer.from(kitBase58Bytes.encode(text)));
        },
      ),
      { numRuns: 2000 },
    );
    for (const bad of ["0", "O", "I", "l", "abc+", "é"]) expect(base58Decode(bad)).toBeUndefined();
  });

  it("converts addresses both ways as kit does, and refuses what is no address", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (value) => {
        const address = addressOfBytes(value);
        expect(address).toBe(kitAddress.decode(value));
        expect(Buffer.from(addressBytes(address))).toEqual(Buffer.from(value));
      }),
    );
    // Remembered by a prefix of the bytes: addresses sharing it still each get their own text.
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 6, maxLength: 6 }),
        fc.array(fc.uint8Array({ minLength: 26, maxLength: 26 }), { minLength: 2, maxLength: 4 }),
        (prefix, rests) => {
          for (const value of [...rests, ...rests].map((rest) => Uint8Array.from([...prefix, ...rest]))) {
            expect(addressOfBytes(value)).toBe(kitAddress.decode(value));
          }
        },
      ),
    );
    const codes = ["11111111111111111111111111111111111", "0OIl", "1"].map((text) => {
      try {
        addressBytes(text);
        return "accepted";
      } catch (e) {
        return isMarketError(e) ? e.code : "other";
      }
    });
    expect(codes).toEqual(["INVALID_ADDRESS", "INVALID_ADDRESS", "INVALID_ADDRESS"]);
  });
});

const wallets = Array.from({ length: 5 }, () => Wallet.generate());
/** Addresses nobody here holds a key of: programs and plain accounts. */
const others = Array.from({ length: 5 }, () => Wallet.generate().address);

interface AccountPlan {
  readonly who: number;
  readonly role: AccountRole;
  readonly withSigner: boolean;
}
const accountPlan = fc.record({
  who: fc.nat(wallets.length + others.length - 1),
  role: fc.constantFrom(AccountRole.READONLY, AccountRole.WRITABLE, AccountRole.READONLY_SIGNER, AccountRole.WRITABLE_SIGNER),
  /** Now and then a signer role without its signer: kit refuses the unsigned transaction. */
  withSigner: fc.oneof({ arbitrary: fc.constant(true), weight: 9 }, { arbitrary: fc.constant(false), weight: 1 }),
});
const instructionPlan = fc.record({
  /** Mostly a program nobody here holds a key of; now and then a wallet (kit refuses it when it must also be writable). */
  program: fc.oneof(
    { arbitrary: fc.integer({ min: wallets.length, max: wallets.length + others.length - 1 }), weight: 4 },
    { arbitrary: fc.nat(wallets.length - 1), weight: 1 },
  ),
  accounts: fc.array(accountPlan, { maxLength: 6 }),
  data: fc.option(fc.uint8Array({ maxLength: 40 }), { nil: undefined }),
});

function instructionOf(plan: { program: number; accounts: readonly AccountPlan[]; data: Uint8Array | undefined }): Instruction {
  const addressOf = (who: number): Address => wallets[who]?.address ?? (others[who - wallets.length] as Address);
  return {
    programAddress: addressOf(plan.program),
    accounts: plan.accounts.map(({ who, role, withSigner }) => {
      const wallet = wallets[who];
      const signs = isSignerRole(role);
      if (!signs || !withSigner) return { address: addressOf(who), role };
      // A signer role with its signer; an address nobody here can sign for is an account it only reads or writes.
      return wallet === undefined
        ? { address: addressOf(who), role: downgradeRoleToNonSigner(role) }
        : { address: wallet.address, role, signer: walletSigner(wallet) };
    }),
    ...(plan.data === undefined ? {} : { data: plan.data }),
  };
}

async function kitWire(feePayer: Wallet, blockhash: string, instructions: Instruction[]): Promise<string> {
  try {
    const signed = await pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(walletSigner(feePayer), m),
      (m) => setTransactionMessageLifetimeUsingBlockhash({ blockhash: blockhash as Blockhash, lastValidBlockHeight: 0n }, m),
      (m) => appendTransactionMessageInstructions(instructions, m),
      (m) => signTransactionMessageWithSigners(m),
    );
    return Buffer.from(getTransactionEncoder().encode(signed)).toString("hex");
  } catch {
    return "refused";
  }
}

function builtWire(feePayer: Wallet, blockhash: string, instructions: Instruction[]): string {
  try {
    return Buffer.from(buildSignedTransaction({ feePayer, blockhash, instructions }).wire).toString("hex");
  } catch (e) {
    if (!isMarketError(e)) throw e;
    return "refused";
  }
}

describe("buildSignedTransaction", () => {
  it("gives kit's wire bytes (or refuses where kit refuses) for random instructions, roles and signers", async () => {
    let built = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.nat(wallets.length - 1),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.array(instructionPlan, { minLength: 1, maxLength: 5 }),
        async (payer, hash, plans) => {
          const feePayer = wallets[payer] as Wallet;
          const blockhash = kitBase58Text.decode(hash);
          const instructions = plans.map(instructionOf);
          const expected = await kitWire(feePayer, blockhash, instructions);
          expect(builtWire(feePayer, blockhash, instructions)).toBe(expected);
          if (expected !== "refused") built++;
        },
      ),
      { numRuns: 600 },
    );
    expect(built).toBeGreaterThan(100);
  });

  it("reports the message's accounts, header and programs as kit's decoder reads them", () => {
    const [payer, party] = wallets as [Wallet, Wallet];
    const instruction = instructionOf({
      program: wallets.length,
      accounts: [
        { who: 1, role: AccountRole.WRITABLE_SIGNER, withSigner: true },
        { who: wallets.length + 1, role: AccountRole.WRITABLE, withSigner: false },
        { who: wallets.length + 2, role: AccountRole.READONLY, withSigner: false },
      ],
      data: Uint8Array.from([1, 2, 3]),
    });
    const blockhash = kitBase58Text.decode(new Uint8Array(32).fill(7));
    const built = buildSignedTransaction({ feePayer: payer, blockhash, instructions: [instruction] });
    const decoded = getCompiledTransactionMessageDecoder().decode(built.messageBytes);
    expect(built.staticAccounts).toEqual(decoded.staticAccounts);
    expect(built.header).toEqual(decoded.header);
    const decodedInstructions = "instructions" in decoded ? decoded.instructions : [];
    expect(built.instructions.map((i) => i.programAddressIndex)).toEqual(decodedInstructions.map((i) => i.programAddressIndex));
    expect(built.lifetimeToken).toBe(decoded.lifetimeToken);
    expect(built.staticAccountBytes.map((bytes) => addressOfBytes(bytes))).toEqual(decoded.staticAccounts);
    expect(Object.keys(built.signatures)).toEqual([payer.address, party.address]);
    expect(Wallet.verify(party.address, built.messageBytes, built.signatures[party.address] ?? new Uint8Array())).toBe(true);
  });

  it("throws the SIGNATURE_REQUIRED of a party that signed another message, with this message", () => {
    const [payer, buyer] = wallets as [Wallet, Wallet];
    const instructionSignedBy = (signer: MessageSigner): Instruction => {
      const account = { address: buyer.address, role: AccountRole.WRITABLE_SIGNER, signer: walletSigner(signer) };
      return { programAddress: others[0] as Address, accounts: [account] };
    };
    const blockhash = kitBase58Text.decode(new Uint8Array(32).fill(9));
    let thrown: unknown;
    try {
      buildSignedTransaction({ feePayer: payer, blockhash, instructions: [instructionSignedBy(new PresentedSignature(buyer.address))] });
    } catch (e) {
      thrown = e;
    }
    const built = buildSignedTransaction({ feePayer: payer, blockhash, instructions: [instructionSignedBy(buyer)] });
    expect(isMarketError(thrown, "SIGNATURE_REQUIRED") ? thrown.details.message : thrown).toBe(
      Buffer.from(built.messageBytes).toString("base64"),
    );
  });
});
