// Escrow safety on the real SPL Token program (LiteSVM in process): 2-of-3 release, refund and a
// one-transaction settlement split move exact amounts; no single key, the operator's included,
// moves escrowed funds; a substituted mint or authority is refused; a second release moves nothing.
import { FailedTransactionMetadata, LiteSVM } from "litesvm";
import {
  appendTransactionMessageInstructions,
  createTransactionMessage,
  lamports,
  pipe,
  setTransactionMessageFeePayerSigner,
  signTransactionMessageWithSigners,
} from "@solana/kit";
import type { Address, Instruction, TransactionSigner } from "@solana/kit";
import { getCreateAccountInstruction } from "@solana-program/system";
import {
  TOKEN_PROGRAM_ADDRESS,
  findAssociatedTokenPda,
  getCreateAssociatedTokenIdempotentInstruction,
  getInitializeAccount3Instruction,
  getInitializeMint2Instruction,
  getMintSize,
  getMintToCheckedInstruction,
  getMultisigSize,
  getTokenDecoder,
  getTokenSize,
  getTransferCheckedInstruction,
} from "@solana-program/token";
import { getInitializeMultisig2Instruction } from "@solana-program/token";
import { beforeEach, describe, expect, it } from "vitest";
import {
  ESCROW_SIGNATURES_REQUIRED,
  createEscrowInstructions,
  defaultRentExemptLamports,
  escrowAccountKeys,
  payoutInstructions,
} from "../../src/chain/escrow-instructions.js";
import type { EscrowParties } from "../../src/chain/escrow-instructions.js";
import { walletSigner } from "../../src/chain/signer.js";
import { transferCheckedInstruction } from "../../src/chain/token-instructions.js";
import { Wallet } from "../../src/chain/wallet.js";
import { Amount } from "../../src/core/amount.js";
import { isMarketError } from "../../src/core/errors.js";

const MOLT = (text: string): Amount => Amount.parse(text);

class Chain {
  readonly svm = new LiteSVM();
  readonly operator = Wallet.generate();
  readonly mint = Wallet.generate();

  async send(instructions: Instruction[], payer: Wallet = this.operator): Promise<boolean> {
    const transaction = await pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(walletSigner(payer), m),
      (m) => this.svm.setTransactionMessageLifetimeUsingLatestBlockhash(m),
      (m) => appendTransactionMessageInstructions(instructions, m),
      (m) => signTransactionMessageWithSigners(m),
    );
    const result = this.svm.sendTransaction(transaction);
    this.svm.expireBlockhash(); // the next transaction gets a fresh blockhash, so repeats are new transactions
    return !(result instanceof FailedTransactionMetadata);
  }

  rent(size: number): bigint {
    return this.svm.minimumBalanceForRentExemption(BigInt(size));
  }

  /** Funds escrow `escrowId` of `parties` from `buyer` (who gets SOL for the rent first): the market's funding instructions. */
  async fund(escrowId: string, parties: EscrowParties, buyer: Wallet, buyerAccount: Address, amount: Amount): Promise<boolean> {
    this.svm.airdrop(buyer.address, lamports(1_000_000_000n));
    return this.send(
      createEscrowInstructions({
        keys: escrowAccountKeys(this.operator, escrowId),
        parties,
        mint: this.mint.address,
        buyer: walletSigner(buyer),
        buyerTokenAccount: buyerAccount,
        amount,
        rent: { multisigLamports: this.rent(getMultisigSize()), accountLamports: this.rent(getTokenSize()) },
      }),
    );
  }

  /** A 2-of-3 multisig of `members`, at a fresh address. */
  async multisigOf(members: readonly Address[]): Promise<Address> {
    const multisig = Wallet.generate();
    expect(
      await this.send([
        getCreateAccountInstruction({
          payer: walletSigner(this.operator),
          newAccount: walletSigner(multisig),
          lamports: this.rent(getMultisigSize()),
          space: getMultisigSize(),
          programAddress: TOKEN_PROGRAM_ADDRESS,
        }),
        getInitializeMultisig2Instruction({ multisig: multisig.address, signers: [...members], m: ESCROW_SIGNATURES_REQUIRED }),
      ]),
    ).toBe(true);
    return multisig.address;
  }

  async setUp(): Promise<void> {
    this.svm.airdrop(this.operator.address, lamports(100_000_000_000n));
    const ok = await this.send([
      getCreateAccountInstruction({
        payer: walletSigner(this.operator),
        newAccount: walletSigner(this.mint),
        lamports: this.rent(getMintSize()),
        space: getMintSize(),
        programAddress: TOKEN_PROGRAM_ADDRESS,
      }),
      getInitializeMint2Instruction({ mint: this.mint.address, decimals: 9, mintAuthority: this.operator.address }),
    ]);
    expect(ok).toBe(true);
  }

  async tokenAccount(owner: Address, mint: Address = this.mint.address): Promise<Address> {
    const [ata] = await findAssociatedTokenPda({ owner, mint, tokenProgram: TOKEN_PROGRAM_ADDRESS });
    await this.send([getCreateAssociatedTokenIdempotentInstruction({ payer: walletSigner(this.operator), ata, owner, mint })]);
    return ata;
  }

  async mintTo(account: Address, amount: Amount): Promise<void> {
    expect(
      await this.send([
        getMintToCheckedInstruction({
          mint: this.mint.address,
          token: account,
          mintAuthority: walletSigner(this.operator),
          amount: amount.baseUnits,
          decimals: 9,
        }),
      ]),
    ).toBe(true);
  }

  balance(account: Address): bigint | undefined {
    const found = this.svm.getAccount(account);
    return found.exists ? getTokenDecoder().decode(found.data).amount : undefined;
  }
}

describe("escrow instructions on the SPL Token program", () => {
  let chain: Chain;
  let buyer: Wallet;
  let provider: Wallet;
  let arbiter: Wallet;
  let parties: EscrowParties;
  let accounts: { buyer: Address; provider: Address; fees: Address };
  let escrow: Address;
  let multisig: Address;
  const escrowId = "esc_01JD3Q0000000000000000000A";

  beforeEach(async () => {
    chain = new Chain();
    await chain.setUp();
    buyer = Wallet.generate();
    provider = Wallet.generate();
    arbiter = Wallet.generate();
    parties = { buyer: buyer.address, provider: provider.address, arbiter: arbiter.address };
    accounts = {
      buyer: await chain.tokenAccount(buyer.address),
      provider: await chain.tokenAccount(provider.address),
      fees: await chain.tokenAccount(chain.operator.address),
    };
    await chain.mintTo(accounts.buyer, MOLT("1000"));
    const keys = escrowAccountKeys(chain.operator, escrowId);
    multisig = keys.multisig.address;
    escrow = keys.account.address;
    expect(await chain.fund(escrowId, parties, buyer, accounts.buyer, MOLT("100"))).toBe(true);
    expect(chain.balance(escrow)).toBe(MOLT("100").baseUnits);
    expect(chain.balance(accounts.buyer)).toBe(MOLT("900").baseUnits);
  });

  function payout(cosigners: [Wallet, Wallet], payouts: { destination: Address; amount: Amount }[]): Instruction[] {
    return payoutInstructions({
      escrow,
      mint: chain.mint.address,
      multisig,
      cosigners: [walletSigner(cosigners[0]), walletSigner(cosigners[1])],
      payouts,
      rentDestination: chain.operator.address,
    });
  }

  it("releases to the provider with provider + arbiter, and closes the account so its rent returns", async () => {
    const lamportsBefore = chain.svm.getBalance(chain.operator.address) ?? 0n;
    expect(await chain.send(payout([provider, arbiter], [{ destination: accounts.provider, amount: MOLT("100") }]))).toBe(true);
    expect(chain.balance(accounts.provider)).toBe(MOLT("100").baseUnits);
    expect(chain.balance(escrow)).toBeUndefined();
    // The account's rent comes back to the operator, less this transaction's fee: 3 signatures x 5000.
    expect((chain.svm.getBalance(chain.operator.address) ?? 0n) - lamportsBefore).toBe(chain.rent(getTokenSize()) - 15_000n);
  });

  it("refunds the buyer with buyer + arbiter", async () => {
    expect(await chain.send(payout([buyer, arbiter], [{ destination: accounts.buyer, amount: MOLT("100") }]))).toBe(true);
    expect(chain.balance(accounts.buyer)).toBe(MOLT("1000").baseUnits);
  });

  it("settles payment, fee and refund in one transaction, exact to the base unit", async () => {
    const payment = Amount.fromLamports(59_999_999_999n);
    const fee = Amount.fromLamports(3_000_000_001n);
    const refund = MOLT("100").sub(payment).sub(fee);
    expect(
      await chain.send(
        payout(
          [provider, arbiter],
          [
            { destination: accounts.provider, amount: payment },
            { destination: accounts.fees, amount: fee },
            { destination: accounts.buyer, amount: refund },
          ],
        ),
      ),
    ).toBe(true);
    expect(chain.balance(accounts.provider)).toBe(payment.baseUnits);
    expect(chain.balance(accounts.fees)).toBe(fee.baseUnits);
    expect(chain.balance(accounts.buyer)).toBe(MOLT("900").add(refund).baseUnits);
    expect(
      (chain.balance(accounts.provider) ?? 0n) +
        (chain.balance(accounts.fees) ?? 0n) +
        (chain.balance(accounts.buyer) ?? 0n) -
        MOLT("900").baseUnits,
    ).toBe(MOLT("100").baseUnits);
  });

  it("no single key moves escrowed funds: not the buyer, the provider, the arbiter or the operator", async () => {
    for (const alone of [buyer, provider, arbiter, chain.operator]) {
      const single = getTransferCheckedInstruction({
        source: escrow,
        mint: chain.mint.address,
        destination: accounts.provider,
        authority: multisig,
        amount: 1n,
        decimals: 9,
        multiSigners: [walletSigner(alone)],
      });
      expect(await chain.send([single])).toBe(false);
      // Signing as the owner directly is refused too: the owner is the multisig, not a key.
      const direct = getTransferCheckedInstruction({
        source: escrow,
        mint: chain.mint.address,
        destination: accounts.provider,
        authority: walletSigner(alone),
        amount: 1n,
        decimals: 9,
      });
      expect(await chain.send([direct])).toBe(false);
    }
    // Two signatures of one key count once.
    expect(() => payout([arbiter, arbiter], [{ destination: accounts.provider, amount: MOLT("100") }])).toThrow(/two different parties/);
    const doubled = getTransferCheckedInstruction({
      source: escrow,
      mint: chain.mint.address,
      destination: accounts.provider,
      authority: multisig,
      amount: 1n,
      decimals: 9,
      multiSigners: [walletSigner(arbiter), walletSigner(arbiter)],
    });
    expect(await chain.send([doubled])).toBe(false);
    expect(chain.balance(escrow)).toBe(MOLT("100").baseUnits);
  });

  it("refuses a substituted mint, token account or authority, and an outsider co-signer", async () => {
    const fakeMint = Wallet.generate();
    expect(
      await chain.send([
        getCreateAccountInstruction({
          payer: walletSigner(chain.operator),
          newAccount: walletSigner(fakeMint),
          lamports: chain.rent(getMintSize()),
          space: getMintSize(),
          programAddress: TOKEN_PROGRAM_ADDRESS,
        }),
        getInitializeMint2Instruction({ mint: fakeMint.address, decimals: 9, mintAuthority: chain.operator.address }),
      ]),
    ).toBe(true);
    const wrongMint = payoutInstructions({
      escrow,
      mint: fakeMint.address,
      multisig,
      cosigners: [walletSigner(provider), walletSigner(arbiter)],
      payouts: [{ destination: accounts.provider, amount: MOLT("100") }],
      rentDestination: chain.operator.address,
    });
    expect(await chain.send(wrongMint)).toBe(false);
    // An attacker's own multisig, made of keys they hold, is not the escrow's owner.
    const attackers = { buyer: Wallet.generate(), provider: Wallet.generate(), arbiter: Wallet.generate() };
    const attackerParties = { buyer: attackers.buyer.address, provider: attackers.provider.address, arbiter: attackers.arbiter.address };
    const attackerMultisig = await chain.multisigOf([attackerParties.buyer, attackerParties.provider, attackerParties.arbiter]);
    const wrongAuthority = payoutInstructions({
      escrow,
      mint: chain.mint.address,
      multisig: attackerMultisig,
      cosigners: [walletSigner(attackers.buyer), walletSigner(attackers.provider)],
      payouts: [{ destination: accounts.provider, amount: MOLT("100") }],
      rentDestination: chain.operator.address,
    });
    expect(await chain.send(wrongAuthority)).toBe(false);
    // A substituted token account: another escrow's (another party triple's) account, drained with
    // this escrow's multisig and co-signers, is refused; so is the buyer's own account.
    const victimBuyer = Wallet.generate();
    const victimParties = { buyer: victimBuyer.address, provider: Wallet.generate().address, arbiter: Wallet.generate().address };
    const victimAccount = await chain.tokenAccount(victimBuyer.address);
    await chain.mintTo(victimAccount, MOLT("50"));
    const victimEscrowId = "esc_01JD3Q0000000000000000000V";
    expect(await chain.fund(victimEscrowId, victimParties, victimBuyer, victimAccount, MOLT("50"))).toBe(true);
    const victimEscrow = escrowAccountKeys(chain.operator, victimEscrowId).account.address;
    for (const source of [victimEscrow, accounts.buyer]) {
      const substituted = payoutInstructions({
        escrow: source,
        mint: chain.mint.address,
        multisig,
        cosigners: [walletSigner(provider), walletSigner(arbiter)],
        payouts: [{ destination: accounts.provider, amount: MOLT("1") }],
        rentDestination: chain.operator.address,
      });
      expect(await chain.send(substituted)).toBe(false);
    }
    expect(chain.balance(victimEscrow)).toBe(MOLT("50").baseUnits);
    expect(chain.balance(accounts.buyer)).toBe(MOLT("900").baseUnits);
    const outsider = payout([provider, Wallet.generate()], [{ destination: accounts.provider, amount: MOLT("100") }]);
    expect(await chain.send(outsider)).toBe(false);
    expect(chain.balance(escrow)).toBe(MOLT("100").baseUnits);
    expect(chain.balance(accounts.provider)).toBe(0n);
  });

  it("a second release fails and moves nothing; payouts that don't add up move nothing", async () => {
    const partial = payout([provider, arbiter], [{ destination: accounts.provider, amount: MOLT("60") }]);
    expect(await chain.send(partial)).toBe(false); // the close needs an empty account: all or nothing
    expect(chain.balance(escrow)).toBe(MOLT("100").baseUnits);
    expect(chain.balance(accounts.provider)).toBe(0n);
    const release = payout([provider, arbiter], [{ destination: accounts.provider, amount: MOLT("100") }]);
    expect(await chain.send(release)).toBe(true);
    expect(await chain.send(payout([provider, arbiter], [{ destination: accounts.provider, amount: MOLT("100") }]))).toBe(false);
    expect(chain.balance(accounts.provider)).toBe(MOLT("100").baseUnits);
  });

  it("each escrow gets new accounts at addresses only the operator can derive; a funding proves them new", async () => {
    const again = escrowAccountKeys(chain.operator, escrowId);
    expect([again.multisig.address, again.account.address]).toEqual([multisig, escrow]);
    expect(escrowAccountKeys(chain.operator, "esc_01JD3Q0000000000000000000B").account.address).not.toBe(escrow);
    expect(escrowAccountKeys(Wallet.generate(), escrowId).multisig.address).not.toBe(multisig); // another operator's secret, other addresses
    // The buyer paid both accounts' rent, as Solana's default rent computes it.
    expect(chain.svm.getBalance(multisig)).toBe(defaultRentExemptLamports(getMultisigSize()));
    expect(chain.svm.getBalance(escrow)).toBe(defaultRentExemptLamports(getTokenSize()));
    // A second funding of the same escrow fails whole (its accounts exist) and moves nothing.
    expect(await chain.fund(escrowId, parties, buyer, accounts.buyer, MOLT("100"))).toBe(false);
    expect(chain.balance(accounts.buyer)).toBe(MOLT("900").baseUnits);
    // Lamports sent to an escrow's address before its funding make the funding fail whole: no MOLT leaves the buyer.
    const poisonedId = "esc_01JD3Q0000000000000000000P";
    chain.svm.airdrop(escrowAccountKeys(chain.operator, poisonedId).multisig.address, lamports(1_000_000n));
    expect(chain.svm.getBalance(escrowAccountKeys(chain.operator, poisonedId).multisig.address)).toBe(1_000_000n);
    expect(await chain.fund(poisonedId, parties, buyer, accounts.buyer, MOLT("10"))).toBe(false);
    expect(chain.balance(accounts.buyer)).toBe(MOLT("900").baseUnits);
    try {
      createEscrowInstructions({
        keys: again,
        parties: { ...parties, provider: buyer.address },
        mint: chain.mint.address,
        buyer: walletSigner(buyer),
        buyerTokenAccount: accounts.buyer,
        amount: MOLT("1"),
        rent: { multisigLamports: 1n, accountLamports: 1n },
      });
      throw new Error("same key twice accepted");
    } catch (e) {
      expect(isMarketError(e, "ESCROW_ERROR")).toBe(true);
    }
  });

  it("transfers with the TransferChecked @solana-program's builder makes, from a signer or a multisig with its signers", () => {
    const [source, destination] = [Wallet.generate().address, Wallet.generate().address];
    const signers = [walletSigner(buyer), walletSigner(provider), walletSigner(arbiter)];
    const plain = (instruction: Instruction): unknown => ({
      ...instruction,
      data: Buffer.from(instruction.data ?? []).toString("hex"),
      accounts: instruction.accounts?.map((meta) => ({
        ...meta,
        ...("signer" in meta ? { signer: (meta.signer as { address: string }).address } : {}),
      })),
    });
    for (const amount of [0n, 1n, 6_500_000_000n, 2n ** 64n - 1n]) {
      for (const decimals of [0, 9, 255]) {
        const bySigner = { source, mint: chain.mint.address, destination, authority: signers[0] as TransactionSigner, amount, decimals };
        expect(plain(transferCheckedInstruction(bySigner))).toEqual(plain(getTransferCheckedInstruction(bySigner)));
        const byMultisig = { ...bySigner, authority: multisig, multiSigners: [signers[1], signers[2]] as TransactionSigner[] };
        expect(plain(transferCheckedInstruction(byMultisig))).toEqual(plain(getTransferCheckedInstruction(byMultisig)));
      }
    }
    expect(() =>
      transferCheckedInstruction({ source, mint: chain.mint.address, destination, authority: multisig, amount: 2n ** 64n, decimals: 9 }),
    ).toThrow(RangeError);
  });

  it("funds with the instructions @solana-program's builders make (createAccount, initializeAccount3 written without their codecs)", () => {
    const keys = escrowAccountKeys(chain.operator, escrowId);
    const buyerSigner = walletSigner(buyer);
    for (const rent of [
      { multisigLamports: 1n, accountLamports: 2n },
      { multisigLamports: defaultRentExemptLamports(getMultisigSize()), accountLamports: 2n ** 64n - 1n },
    ]) {
      const built = createEscrowInstructions({
        keys,
        parties,
        mint: chain.mint.address,
        buyer: buyerSigner,
        buyerTokenAccount: accounts.buyer,
        amount: MOLT("3"),
        rent,
      });
      const expected = [
        getCreateAccountInstruction({
          payer: buyerSigner,
          newAccount: walletSigner(keys.multisig),
          lamports: rent.multisigLamports,
          space: getMultisigSize(),
          programAddress: TOKEN_PROGRAM_ADDRESS,
        }),
        getCreateAccountInstruction({
          payer: buyerSigner,
          newAccount: walletSigner(keys.account),
          lamports: rent.accountLamports,
          space: getTokenSize(),
          programAddress: TOKEN_PROGRAM_ADDRESS,
        }),
        getInitializeAccount3Instruction({ account: keys.account.address, mint: chain.mint.address, owner: keys.multisig.address }),
      ];
      // Signers are compared by address (each walletSigner call makes a new object).
      const plain = (instruction: Instruction | undefined): unknown => ({
        ...instruction,
        data: Buffer.from(instruction?.data ?? []).toString("hex"),
        accounts: instruction?.accounts?.map((meta) => ({
          ...meta,
          ...("signer" in meta ? { signer: (meta.signer as { address: string }).address } : {}),
        })),
      });
      expect([built[0], built[2], built[3]].map(plain)).toEqual(expected.map(plain));
    }
  });
});
