// The MoltClient contract: every chain backend runs this same suite (embedded now; rpc against a
// localnet when it exists). Transfers, balances, errors, airdrops, and escrow create / release /
// refund / split, exact to the base unit.
import { describe, expect, it } from "vitest";
import type { MoltClient } from "../../src/chain/molt-client.js";
import { PresentedSignature } from "../../src/chain/signer.js";
import { Wallet } from "../../src/chain/wallet.js";
import { Amount } from "../../src/core/amount.js";
import { isMarketError } from "../../src/core/errors.js";
import { rejectionCode } from "../support/error-code.js";

const MOLT = (text: string): Amount => Amount.parse(text);

let escrowCounter = 0;
function nextEscrowId(): string {
  escrowCounter++;
  return `esc_01JD3Q${String(escrowCounter).padStart(20, "0")}`;
}

/** Runs the contract against the clients `open` makes (a fresh chain per test). */
export function moltClientContract(name: string, open: () => Promise<MoltClient & { close(): void }>): void {
  describe(`MoltClient contract: ${name}`, () => {
    async function funded(amount: string): Promise<{ chain: MoltClient & { close(): void }; wallet: Wallet }> {
      const chain = await open();
      const wallet = Wallet.generate();
      await chain.airdrop(wallet.address, MOLT(amount));
      return { chain, wallet };
    }

    it("escrows made at the same time each get their own new multisig and account, whose rent the buyer pays", async () => {
      const { chain, wallet } = await funded("10");
      const [provider, arbiter] = [Wallet.generate(), Wallet.generate()];
      const solBefore = await chain.lamportsOf(wallet.address);
      const made = await Promise.all(
        [1, 2, 3].map(() =>
          chain.createEscrow({
            escrowId: nextEscrowId(),
            buyer: wallet,
            provider: provider.address,
            arbiter: arbiter.address,
            amount: MOLT("1"),
          }),
        ),
      );
      expect(new Set(made.map((m) => m.escrow.multisig)).size).toBe(3);
      expect((await chain.balance(wallet.address)).toString()).toBe("7");
      // The buyer paid the rent of 3 multisigs (355 bytes) and 3 token accounts (165 bytes); the operator paid the fees.
      const rentEach = (128n + 355n) * 6960n + (128n + 165n) * 6960n;
      expect(solBefore - (await chain.lamportsOf(wallet.address))).toBe(3n * rentEach);
      // A funding of a buyer with MOLT but no SOL is refused before anything is sent.
      const noSol = Wallet.generate();
      await chain.transfer(wallet, noSol.address, MOLT("2"));
      expect(
        await rejectionCode(
          chain.createEscrow({
            escrowId: nextEscrowId(),
            buyer: noSol,
            provider: provider.address,
            arbiter: arbiter.address,
            amount: MOLT("1"),
          }),
        ),
      ).toBe("INSUFFICIENT_SOL");
      expect((await chain.balance(noSol.address)).toString()).toBe("2");
      chain.close();
    });

    it("a buyer who signs elsewhere funds an escrow: the message asked for, signed, then sent after other transactions", async () => {
      const { chain, wallet } = await funded("10");
      const [provider, arbiter] = [Wallet.generate(), Wallet.generate()];
      const input = { escrowId: nextEscrowId(), provider: provider.address, arbiter: arbiter.address, amount: MOLT("4") };
      const asked = await chain.createEscrow({ ...input, buyer: new PresentedSignature(wallet.address) }).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (!isMarketError(asked, "SIGNATURE_REQUIRED")) throw new Error(`expected SIGNATURE_REQUIRED, got ${String(asked)}`);
      expect(asked.details.signer).toBe(wallet.address);
      const message = asked.details.message;
      const signature = Buffer.from(wallet.sign(Buffer.from(message, "base64"))).toString("base64");
      // Other transactions in between: the message keeps its blockhash while the chain accepts it.
      await chain.airdrop(Wallet.generate().address, MOLT("1"));
      // A signature for another amount, or a forged one, moves nothing.
      expect(
        await rejectionCode(
          chain.createEscrow({ ...input, amount: MOLT("5"), buyer: new PresentedSignature(wallet.address, { message, signature }) }),
        ),
      ).toBe("SIGNATURE_REQUIRED");
      expect(
        () =>
          new PresentedSignature(wallet.address, {
            message,
            signature: Buffer.from(Wallet.generate().sign(Buffer.from(message, "base64"))).toString("base64"),
          }),
      ).toThrow(expect.objectContaining({ code: "INVALID_SIGNATURE" }) as Error);
      expect((await chain.balance(wallet.address)).toString()).toBe("10");
      const made = await chain.createEscrow({ ...input, buyer: new PresentedSignature(wallet.address, { message, signature }) });
      expect((await chain.escrowBalance(made.escrow))?.toString()).toBe("4");
      expect((await chain.balance(wallet.address)).toString()).toBe("6");
      chain.close();
    });

    it("transfers move exact amounts and both balances show them", async () => {
      const { chain, wallet } = await funded("10");
      const to = Wallet.generate();
      const sent = await chain.transfer(wallet, to.address, MOLT("0.000000001"));
      expect(sent.status.kind).toBe("Confirmed");
      expect((await chain.balance(wallet.address)).toString()).toBe("9.999999999");
      expect((await chain.balance(to.address)).toString()).toBe("0.000000001");
      expect((await chain.getTransaction(sent.id))?.amount.toString()).toBe("0.000000001");
      chain.close();
    });

    it("an overdraft says what is required and available, and moves nothing", async () => {
      const { chain, wallet } = await funded("3");
      const to = Wallet.generate();
      try {
        await chain.transfer(wallet, to.address, MOLT("12.5"));
        throw new Error("overdraft accepted");
      } catch (e) {
        expect(isMarketError(e, "INSUFFICIENT_BALANCE") && e.details.required === "12.5" && e.details.available === "3").toBe(true);
      }
      expect((await chain.balance(to.address)).isZero()).toBe(true);
      chain.close();
    });

    it("refuses invalid addresses, empty and oversized airdrops", async () => {
      const { chain, wallet } = await funded("1");
      expect(await rejectionCode(chain.transfer(wallet, "0OIl" as never, MOLT("1")))).toBe("INVALID_ADDRESS");
      expect(await rejectionCode(chain.balance("nope" as never))).toBe("INVALID_ADDRESS");
      expect(await rejectionCode(chain.airdrop(wallet.address, Amount.zero()))).toBe("INVALID_FIELD");
      expect(await rejectionCode(chain.airdrop(wallet.address, MOLT("1000000.000000001")))).toBe("LIMIT_EXCEEDED");
      expect(chain.network.isProduction()).toBe(false); // test chains only: mainnet refuses airdrops (rpc tests)
      chain.close();
    });

    it("escrow: create and fund, then release to the provider", async () => {
      const { chain, wallet: buyer } = await funded("100");
      const provider = Wallet.generate();
      const arbiter = Wallet.generate();
      const { escrow, transaction } = await chain.createEscrow({
        escrowId: nextEscrowId(),
        buyer,
        provider: provider.address,
        arbiter: arbiter.address,
        amount: MOLT("40"),
      });
      expect(transaction.type).toBe("EscrowCreate");
      expect((await chain.escrowBalance(escrow))?.toString()).toBe("40");
      expect((await chain.balance(buyer.address)).toString()).toBe("60");
      await chain.releaseEscrow(escrow, provider, arbiter);
      expect((await chain.balance(provider.address)).toString()).toBe("40");
      expect(await chain.escrowBalance(escrow)).toBeUndefined();
      // A second release fails and moves nothing.
      expect(await rejectionCode(chain.releaseEscrow(escrow, provider, arbiter))).toBe("ESCROW_ERROR");
      expect((await chain.balance(provider.address)).toString()).toBe("40");
      chain.close();
    });

    it("escrow: refund to the buyer, and the roles are checked", async () => {
      const { chain, wallet: buyer } = await funded("100");
      const provider = Wallet.generate();
      const arbiter = Wallet.generate();
      const { escrow } = await chain.createEscrow({
        escrowId: nextEscrowId(),
        buyer,
        provider: provider.address,
        arbiter: arbiter.address,
        amount: MOLT("25"),
      });
      expect(await rejectionCode(chain.releaseEscrow(escrow, buyer, arbiter))).toBe("ESCROW_ERROR");
      expect(await rejectionCode(chain.refundEscrow(escrow, provider, arbiter))).toBe("ESCROW_ERROR");
      expect(await rejectionCode(chain.settleEscrow(escrow, [arbiter, arbiter], [{ owner: buyer.address, amount: MOLT("25") }]))).toBe(
        "ESCROW_ERROR",
      );
      expect(
        await rejectionCode(chain.settleEscrow(escrow, [arbiter, Wallet.generate()], [{ owner: buyer.address, amount: MOLT("25") }])),
      ).toBe("ESCROW_ERROR");
      await chain.refundEscrow(escrow, buyer, arbiter);
      expect((await chain.balance(buyer.address)).toString()).toBe("100");
      chain.close();
    });

    it("escrow: a split pays payment, fee and refund in one transaction that adds up to the escrow", async () => {
      const { chain, wallet: buyer } = await funded("100");
      const provider = Wallet.generate();
      const arbiter = Wallet.generate();
      const treasury = Wallet.generate();
      const { escrow } = await chain.createEscrow({
        escrowId: nextEscrowId(),
        buyer,
        provider: provider.address,
        arbiter: arbiter.address,
        amount: MOLT("50"),
      });
      const payment = MOLT("33.333333334");
      const fee = MOLT("1.666666666");
      const refund = MOLT("15");
      expect(
        await rejectionCode(
          chain.settleEscrow(
            escrow,
            [provider, arbiter],
            [
              { owner: provider.address, amount: payment },
              { owner: treasury.address, amount: fee },
            ],
          ),
        ),
      ).toBe("ESCROW_ERROR");
      const settled = await chain.settleEscrow(
        escrow,
        [provider, arbiter],
        [
          { owner: provider.address, amount: payment },
          { owner: treasury.address, amount: fee },
          { owner: buyer.address, amount: refund },
        ],
      );
      expect(settled.type).toBe("EscrowSettle");
      expect((await chain.balance(provider.address)).toString()).toBe("33.333333334");
      expect((await chain.balance(treasury.address)).toString()).toBe("1.666666666");
      expect((await chain.balance(buyer.address)).toString()).toBe("65");
      expect(await chain.escrowBalance(escrow)).toBeUndefined();
      chain.close();
    });

    it("escrow: the buyer deposits more into a funded escrow (also signing elsewhere), and a split pays out all it holds", async () => {
      const { chain, wallet: buyer } = await funded("100");
      const [provider, arbiter] = [Wallet.generate(), Wallet.generate()];
      await chain.airdrop(provider.address, MOLT("5"));
      const { escrow } = await chain.createEscrow({
        escrowId: nextEscrowId(),
        buyer,
        provider: provider.address,
        arbiter: arbiter.address,
        amount: MOLT("20"),
      });
      const deposit = await chain.depositToEscrow(escrow, buyer, MOLT("7.000000001"));
      expect(deposit.type).toBe("EscrowDeposit");
      expect((await chain.getTransaction(deposit.id))?.amount.toString()).toBe("7.000000001");
      expect((await chain.escrowBalance(escrow))?.toString()).toBe("27.000000001");
      expect((await chain.balance(buyer.address)).toString()).toBe("72.999999999");
      // Only the buyer deposits, something, that it holds; nothing moves when refused.
      expect(await rejectionCode(chain.depositToEscrow(escrow, provider, MOLT("1")))).toBe("ESCROW_ERROR");
      expect(await rejectionCode(chain.depositToEscrow(escrow, buyer, Amount.zero()))).toBe("INVALID_FIELD");
      expect(await rejectionCode(chain.depositToEscrow(escrow, buyer, MOLT("73")))).toBe("INSUFFICIENT_BALANCE");
      expect((await chain.escrowBalance(escrow))?.toString()).toBe("27.000000001");
      // Signed elsewhere: the message is asked for, then the signed one lands once.
      const asked = await chain.depositToEscrow(escrow, new PresentedSignature(buyer.address), MOLT("3")).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (!isMarketError(asked, "SIGNATURE_REQUIRED")) throw new Error(`expected SIGNATURE_REQUIRED, got ${String(asked)}`);
      const message = asked.details.message;
      const signature = Buffer.from(buyer.sign(Buffer.from(message, "base64"))).toString("base64");
      expect(
        await rejectionCode(chain.depositToEscrow(escrow, new PresentedSignature(buyer.address, { message, signature }), MOLT("4"))),
      ).toBe("SIGNATURE_REQUIRED");
      await chain.depositToEscrow(escrow, new PresentedSignature(buyer.address, { message, signature }), MOLT("3"));
      expect((await chain.escrowBalance(escrow))?.toString()).toBe("30.000000001");
      await chain.settleEscrow(
        escrow,
        [provider, arbiter],
        [
          { owner: provider.address, amount: MOLT("30") },
          { owner: buyer.address, amount: MOLT("0.000000001") },
        ],
      );
      expect((await chain.balance(provider.address)).toString()).toBe("35");
      expect((await chain.balance(buyer.address)).toString()).toBe("70");
      expect(await rejectionCode(chain.depositToEscrow(escrow, buyer, MOLT("1")))).toBe("ESCROW_ERROR");
      expect((await chain.balance(buyer.address)).toString()).toBe("70");
      chain.close();
    });

    it("escrow: the buyer must hold the amount, ids are single-use, and each escrow has its own multisig", async () => {
      const { chain, wallet: buyer } = await funded("10");
      const provider = Wallet.generate();
      const arbiter = Wallet.generate();
      expect(
        await rejectionCode(
          chain.createEscrow({ escrowId: nextEscrowId(), buyer, provider: provider.address, arbiter: arbiter.address, amount: MOLT("11") }),
        ),
      ).toBe("INSUFFICIENT_BALANCE");
      const id = nextEscrowId();
      const first = await chain.createEscrow({
        escrowId: id,
        buyer,
        provider: provider.address,
        arbiter: arbiter.address,
        amount: MOLT("2"),
      });
      expect(
        await rejectionCode(
          chain.createEscrow({ escrowId: id, buyer, provider: provider.address, arbiter: arbiter.address, amount: MOLT("2") }),
        ),
      ).toBe("ESCROW_ERROR");
      const second = await chain.createEscrow({
        escrowId: nextEscrowId(),
        buyer,
        provider: provider.address,
        arbiter: arbiter.address,
        amount: MOLT("3"),
      });
      expect(second.escrow.multisig).not.toBe(first.escrow.multisig);
      expect(second.escrow.address).not.toBe(first.escrow.address);
      expect(
        await rejectionCode(
          chain.createEscrow({ escrowId: nextEscrowId(), buyer, provider: buyer.address, arbiter: arbiter.address, amount: MOLT("1") }),
        ),
      ).toBe("ESCROW_ERROR");
      chain.close();
    });
  });
}
