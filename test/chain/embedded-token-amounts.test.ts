// The embedded chain's memory of token amounts (token-amounts.ts): a balance read after any change
// of the chain shows the change, whoever made it, and always equals a read of the account itself.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LiteSVM } from "litesvm";
import { LiteSvm } from "litesvm/dist/internal.js";
import { lamports } from "@solana/kit";
import { AccountState, TOKEN_PROGRAM_ADDRESS, getTokenEncoder } from "@solana-program/token";
import { describe, expect, it } from "vitest";
import { EmbeddedMoltClient } from "../../src/chain/embedded/embedded-client.js";
import { nativeOf } from "../../src/chain/embedded/native-svm.js";
import { READ_ONLY_METHODS, TokenAmounts } from "../../src/chain/embedded/token-amounts.js";
import { tokenAmountOf } from "../../src/chain/token-account.js";
import { transferCheckedInstruction } from "../../src/chain/token-instructions.js";
import { buildSignedTransaction } from "../../src/chain/transaction-builder.js";
import { walletSigner } from "../../src/chain/signer.js";
import { Wallet } from "../../src/chain/wallet.js";
import { Amount, MOLT_DECIMALS } from "../../src/core/amount.js";
import type { Address } from "../../src/core/address.js";

const MOLT = (text: string): Amount => Amount.parse(text);

function openChain(dataDir = join(mkdtempSync(join(tmpdir(), "molt-amounts-")), "chain")): Promise<EmbeddedMoltClient> {
  return EmbeddedMoltClient.open({ dataDir });
}

/** `owner`'s MOLT read from its token account itself, past any memory. */
async function uncachedBalance(chain: EmbeddedMoltClient, owner: Address): Promise<string> {
  const account = chain.account(await chain.tokenAccount(owner));
  return (account === undefined ? Amount.zero() : Amount.fromLamports(tokenAmountOf(account.data))).toString();
}

/** `owner`'s balance, read twice (the second from memory), checked against the account itself. */
async function freshBalance(chain: EmbeddedMoltClient, owner: Address): Promise<string> {
  const first = (await chain.balance(owner)).toString();
  expect((await chain.balance(owner)).toString()).toBe(first);
  expect(first).toBe(await uncachedBalance(chain, owner));
  return first;
}

/** SPL Token account data holding `amount`. */
function tokenAccountData(amount: bigint): Uint8Array {
  const someone = Wallet.generate().address;
  return Uint8Array.from(
    getTokenEncoder().encode({
      mint: someone,
      owner: someone,
      amount,
      delegate: null,
      state: AccountState.Initialized,
      isNative: null,
      delegatedAmount: 0,
      closeAuthority: null,
    }),
  );
}

describe("TokenAmounts", () => {
  it("reads an account set directly on the runtime again after each change, and answers undefined where none is", () => {
    const svm = new LiteSVM();
    const amounts = new TokenAmounts(nativeOf(svm));
    const address = Wallet.generate().address;
    expect(amounts.amountAt(address)).toBeUndefined();
    for (const amount of [5n, 7n, 0n, 2n ** 64n - 1n]) {
      // setAccount is called by no code of the chain: only the wrapping of every method notices it.
      svm.setAccount({
        address,
        data: tokenAccountData(amount),
        executable: false,
        lamports: lamports(2_039_280n),
        programAddress: TOKEN_PROGRAM_ADDRESS,
        space: 165n,
      });
      expect(amounts.amountAt(address)).toBe(amount);
      expect(amounts.amountAt(address)).toBe(amount);
    }
  });

  it("wraps every method of the native runtime but the read-only ones, which all exist", () => {
    const native = nativeOf(new LiteSVM());
    new TokenAmounts(native);
    const names = Object.getOwnPropertyNames(LiteSvm.prototype);
    for (const name of READ_ONLY_METHODS) expect(names).toContain(name);
    for (const name of names) expect([name, Object.hasOwn(native, name)]).toEqual([name, !READ_ONLY_METHODS.has(name)]);
  });
});

describe("EmbeddedMoltClient balances from memory", () => {
  it("are fresh after airdrops, transfers, escrow funding, deposit and release, external and failed transactions, simulations and a restart", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "molt-amounts-")), "chain");
    const chain = await openChain(dataDir);
    const [alice, bob, provider, arbiter] = [Wallet.generate(), Wallet.generate(), Wallet.generate(), Wallet.generate()];
    expect(await freshBalance(chain, alice.address)).toBe("0");

    await chain.airdrop(alice.address, MOLT("100"));
    expect(await freshBalance(chain, alice.address)).toBe("100");
    expect(await freshBalance(chain, bob.address)).toBe("0");

    await chain.transfer(alice, bob.address, MOLT("12.5"));
    expect(await freshBalance(chain, alice.address)).toBe("87.5");
    expect(await freshBalance(chain, bob.address)).toBe("12.5");

    const { escrow } = await chain.createEscrow({
      escrowId: "esc_01JD3Q000000000000000000A1",
      buyer: alice,
      provider: provider.address,
      arbiter: arbiter.address,
      amount: MOLT("30"),
    });
    expect(await freshBalance(chain, alice.address)).toBe("57.5");
    await chain.depositToEscrow(escrow, alice, MOLT("2.5"));
    expect(await freshBalance(chain, alice.address)).toBe("55");
    expect(await freshBalance(chain, provider.address)).toBe("0");
    await chain.releaseEscrow(escrow, provider, arbiter);
    expect(await freshBalance(chain, provider.address)).toBe("32.5");

    // A transaction from outside (the localnet RPC's path): bob pays its fee and signs it himself.
    const transferBy = (from: Wallet, baseUnits: bigint, source: Address, destination: Address): Uint8Array =>
      buildSignedTransaction({
        feePayer: from,
        blockhash: chain.latestBlockhash(),
        instructions: [
          transferCheckedInstruction({
            source,
            mint: chain.mint,
            destination,
            authority: walletSigner(from),
            amount: baseUnits,
            decimals: MOLT_DECIMALS,
          }),
        ],
      }).wire;
    await chain.airdrop(bob.address, MOLT("1")); // also gives bob SOL for fees
    const [bobAccount, aliceAccount] = [await chain.tokenAccount(bob.address), await chain.tokenAccount(alice.address)];
    expect(await freshBalance(chain, bob.address)).toBe("13.5");
    expect(chain.submitWire(transferBy(bob, 3_500_000_000n, bobAccount, aliceAccount)).error).toBeUndefined();
    expect(await freshBalance(chain, bob.address)).toBe("10");
    expect(await freshBalance(chain, alice.address)).toBe("58.5");

    // One that fails while executing (more than bob holds): its fee is charged, no MOLT moves.
    const lamportsBefore = await chain.lamportsOf(bob.address);
    const failed = chain.submitWire(transferBy(bob, 11_000_000_000n, bobAccount, aliceAccount));
    expect(failed.error).toBeDefined();
    expect(await chain.lamportsOf(bob.address)).toBeLessThan(lamportsBefore);
    expect(await freshBalance(chain, bob.address)).toBe("10");
    expect(chain.simulateWire(transferBy(bob, 1n, bobAccount, aliceAccount)).error).toBeUndefined();
    expect(await freshBalance(chain, bob.address)).toBe("10");
    chain.close();

    const reopened = await openChain(dataDir);
    expect(await freshBalance(reopened, alice.address)).toBe("58.5");
    await reopened.transfer(alice, bob.address, MOLT("0.5"));
    expect(await freshBalance(reopened, bob.address)).toBe("10.5");
    reopened.close();
  });

  it("equal a read of the account itself after every one of many random transfers among wallets read between them", async () => {
    const chain = await openChain();
    const wallets = Array.from({ length: 6 }, () => Wallet.generate());
    for (const wallet of wallets) await chain.airdrop(wallet.address, MOLT("50"));
    let seed = 7;
    const next = (below: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % below;
    };
    for (let step = 0; step < 40; step++) {
      const from = wallets[next(wallets.length)];
      const to = wallets[next(wallets.length)];
      if (from === undefined || to === undefined || from === to) continue;
      const held = await chain.balance(from.address);
      const amount = Amount.fromLamports(BigInt(1 + next(1_000_000_000)));
      if (held.lt(amount)) continue;
      await chain.transfer(from, to.address, amount);
      expect((await chain.balance(from.address)).toString()).toBe(held.sub(amount).toString());
      for (const wallet of wallets) await freshBalance(chain, wallet.address);
    }
    chain.close();
  });
});
