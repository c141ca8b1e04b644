// Escrow safety on the real SPL Token program (LiteSVM in process): 2-of-3 release, refund and a
// one-transaction settlement split move exact amounts; no single key, the operator's included,
// moves escrowed funds; a substituted mint or authority is refused; a second release moves nothing.
import { FailedTransactionMetadata, LiteSVM } from "litesvm";
import { appendTransactionMessageInstructions, createTransactionMessage, lamports, pipe, setTransactionMessageFeePayerSigner, signTransactionMessageWithSigners } from "@solana/kit";
import type { Address, Instruction } from "@solana/kit";
import { getCreateAccountInstruction } from "@solana-program/system";
import {
  TOKEN_PROGRAM_ADDRESS, findAssociatedTokenPda, getCreateAssociatedTokenIdempotentInstruction, getInitializeMint2Instruction,
  getMintSize, getMintToCheckedInstruction, getMultisigSize, getTokenDecoder, getTokenSize, getTransferCheckedInstruction,
} from "@solana-program/token";
import { beforeEach, describe, expect, it } from "vitest";
import {
  createEscrowInstructions, createMultisigInstructions, escrowAddress, multisigAddress, payoutInstructions,
} from "../../src/chain/escrow-instructions.js";
import type { EscrowParties } from "../../src/chain/escrow-instructions.js";
import { walletSigner } from "../../src/chain/signer.js";
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

  async setUp(): Promise<void> {
    this.svm.airdrop(this.operator.address, lamports(100_000_000_000n));
    const ok = await this.send([
      getCreateAccountInstruction({ payer: walletSigner(this.operator), newAccount: walletSigner(this.mint), lamports: this.rent(getMintSize()), space: getMintSize(), programAddress: TOKEN_PROGRAM_ADDRESS }),
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
    expect(await this.send([getMintToCheckedInstruction({ mint: this.mint.address, token: account, mintAuthority: walletSigner(this.operator), amount: amount.baseUnits, decimals: 9 })])).toBe(true);
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
    accounts = { buyer: await chain.tokenAccount(buyer.address), provider: await chain.tokenAccount(provider.address), fees: await chain.tokenAccount(chain.operator.address) };
    await chain.mintTo(accounts.buyer, MOLT("1000"));
    multisig = await multisigAddress(chain.operator.address, parties);
    escrow = await escrowAddress(chain.operator.address, escrowId);
    expect(await chain.send(await createMultisigInstructions({ operator: walletSigner(chain.operator), parties, rentLamports: chain.rent(getMultisigSize()) }))).toBe(true);
    const funded = await chain.send(
      await createEscrowInstructions({
        operator: walletSigner(chain.operator), escrowId, mint: chain.mint.address, multisig, rentLamports: chain.rent(getTokenSize()),
        buyer: walletSigner(buyer), buyerTokenAccount: accounts.buyer, amount: MOLT("100"),
      }),
    );
    expect(funded).toBe(true);
    expect(chain.balance(escrow)).toBe(MOLT("100").baseUnits);
    expect(chain.balance(accounts.buyer)).toBe(MOLT("900").baseUnits);
  });

  function payout(cosigners: [Wallet, Wallet], payouts: { destination: Address; amount: Amount }[]): Instruction[] {
    return payoutInstructions({ escrow, mint: chain.mint.address, multisig, cosigners: [walletSigner(cosigners[0]), walletSigner(cosigners[1])], payouts, rentDestination: chain.operator.address });
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
    expect(await chain.send(payout([provider, arbiter], [
      { destination: accounts.provider, amount: payment },
      { destination: accounts.fees, amount: fee },
      { destination: accounts.buyer, amount: refund },
    ]))).toBe(true);
    expect(chain.balance(accounts.provider)).toBe(payment.baseUnits);
    expect(chain.balance(accounts.fees)).toBe(fee.baseUnits);
    expect(chain.balance(accounts.buyer)).toBe(MOLT("900").add(refund).baseUnits);
    expect((chain.balance(accounts.provider) ?? 0n) + (chain.balance(accounts.fees) ?? 0n) + (chain.balance(accounts.buyer) ?? 0n) - MOLT("900").baseUnits).toBe(MOLT("100").baseUnits);
  });

  it("no single key moves escrowed funds: not the buyer, the provider, the arbiter or the operator", async () => {
    for (const alone of [buyer, provider, arbiter, chain.operator]) {
      const single = getTransferCheckedInstruction({ source: escrow, mint: chain.mint.address, destination: accounts.provider, authority: multisig, amount: 1n, decimals: 9, multiSigners: [walletSigner(alone)] });
      expect(await chain.send([single])).toBe(false);
      // Signing as the owner directly is refused too: the owner is the multisig, not a key.
      const direct = getTransferCheckedInstruction({ source: escrow, mint: chain.mint.address, destination: accounts.provider, authority: walletSigner(alone), amount: 1n, decimals: 9 });
      expect(await chain.send([direct])).toBe(false);
    }
    // Two signatures of one key count once.
    expect(() => payout([arbiter, arbiter], [{ destination: accounts.provider, amount: MOLT("100") }])).toThrow(/two different parties/);
    const doubled = getTransferCheckedInstruction({ source: escrow, mint: chain.mint.address, destination: accounts.provider, authority: multisig, amount: 1n, decimals: 9, multiSigners: [walletSigner(arbiter), walletSigner(arbiter)] });
    expect(await chain.send([doubled])).toBe(false);
    expect(chain.balance(escrow)).toBe(MOLT("100").baseUnits);
  });

  it("refuses a substituted mint, token account or authority, and an outsider co-signer", async () => {
    const fakeMint = Wallet.generate();
    expect(await chain.send([
      getCreateAccountInstruction({ payer: walletSigner(chain.operator), newAccount: walletSigner(fakeMint), lamports: chain.rent(getMintSize()), space: getMintSize(), programAddress: TOKEN_PROGRAM_ADDRESS }),
      getInitializeMint2Instruction({ mint: fakeMint.address, decimals: 9, mintAuthority: chain.operator.address }),
    ])).toBe(true);
    const wrongMint = payoutInstructions({ escrow, mint: fakeMint.address, multisig, cosigners: [walletSigner(provider), walletSigner(arbiter)], payouts: [{ destination: accounts.provider, amount: MOLT("100") }], rentDestination: chain.operator.address });
    expect(await chain.send(wrongMint)).toBe(false);
    // An attacker's own multisig, made of keys they hold, is not the escrow's owner.
    const attackers = { buyer: Wallet.generate(), provider: Wallet.generate(), arbiter: Wallet.generate() };
    const attackerParties = { buyer: attackers.buyer.address, provider: attackers.provider.address, arbiter: attackers.arbiter.address };
    expect(await chain.send(await createMultisigInstructions({ operator: walletSigner(chain.operator), parties: attackerParties, rentLamports: chain.rent(getMultisigSize()) }))).toBe(true);
    const attackerMultisig = await multisigAddress(chain.operator.address, attackerParties);
    const wrongAuthority = payoutInstructions({ escrow, mint: chain.mint.address, multisig: attackerMultisig, cosigners: [walletSigner(attackers.buyer), walletSigner(attackers.provider)], payouts: [{ destination: accounts.provider, amount: MOLT("100") }], rentDestination: chain.operator.address });
    expect(await chain.send(wrongAuthority)).toBe(false);
    // A substituted token account: another escrow's (another party triple's) account, drained with
    // this escrow's multisig and co-signers, is refused; so is the buyer's own account.
    const victimBuyer = Wallet.generate();
    const victimParties = { buyer: victimBuyer.address, provider: Wallet.generate().address, arbiter: Wallet.generate().address };
    const victimAccount = await chain.tokenAccount(victimBuyer.address);
    await chain.mintTo(victimAccount, MOLT("50"));
    expect(await chain.send(await createMultisigInstructions({ operator: walletSigner(chain.operator), parties: victimParties, rentLamports: chain.rent(getMultisigSize()) }))).toBe(true);
    const victimMultisig = await multisigAddress(chain.operator.address, victimParties);
    const victimEscrowId = "esc_01JD3Q0000000000000000000V";
    expect(await chain.send(await createEscrowInstructions({
      operator: walletSigner(chain.operator), escrowId: victimEscrowId, mint: chain.mint.address, multisig: victimMultisig, rentLamports: chain.rent(getTokenSize()),
      buyer: walletSigner(victimBuyer), buyerTokenAccount: victimAccount, amount: MOLT("50"),
    }))).toBe(true);
    const victimEscrow = await escrowAddress(chain.operator.address, victimEscrowId);
    for (const source of [victimEscrow, accounts.buyer]) {
      const substituted = payoutInstructions({ escrow: source, mint: chain.mint.address, multisig, cosigners: [walletSigner(provider), walletSigner(arbiter)], payouts: [{ destination: accounts.provider, amount: MOLT("1") }], rentDestination: chain.operator.address });
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

  it("derives one multisig per party triple and one account per escrow", async () => {
    expect(await multisigAddress(chain.operator.address, parties)).toBe(multisig);
    expect(await multisigAddress(chain.operator.address, { ...parties, arbiter: Wallet.generate().address })).not.toBe(multisig);
    expect(await escrowAddress(chain.operator.address, "esc_01JD3Q0000000000000000000B")).not.toBe(escrow);
    // Reusing the multisig: a second create is refused by the chain, the first stays in use.
    expect(await chain.send(await createMultisigInstructions({ operator: walletSigner(chain.operator), parties, rentLamports: chain.rent(getMultisigSize()) }))).toBe(false);
    try {
      await multisigAddress(chain.operator.address, { buyer: buyer.address, provider: buyer.address, arbiter: arbiter.address });
      throw new Error("same key twice accepted");
    } catch (e) {
      expect(isMarketError(e, "ESCROW_ERROR")).toBe(true);
    }
  });
});
