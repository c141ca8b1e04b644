// Hostile: no single key moves a funded escrow. For an escrow funded through the HTTP API, each
// party alone (buyer, provider, arbiter, the chain's operators, an outside attacker) builds SPL
// Token instructions with @solana-program/token, signs them with its one key, pays the fee itself
// and sends them through its own chain access: transfer out, burn, approve a delegate, set the owner
// or close authority, close, freeze, as the owner or as one signer of the 2-of-3 multisig (alone,
// or the same key twice); the operator also tries the system program on the derived address. Each
// attempt must fail on chain, leaving the escrow account byte for byte as it was and the key's MOLT
// where it was. A control proves the same instructions do move an escrow with two keys, and after
// every attempt the buyer and the arbiter still refund the escrow in full. Both stores x both chains.
import { createAddressWithSeed } from "@solana/kit";
import type { Address } from "@solana/kit";
import { AccountState, TOKEN_PROGRAM_ADDRESS, findAssociatedTokenPda, getMintDecoder, getTokenDecoder } from "@solana-program/token";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Wallet } from "../../src/chain/wallet.js";
import { Amount } from "../../src/core/amount.js";
import type { EscrowView } from "../../src/client/client.js";
import { attest } from "../../src/settlement/statements.js";
import { HOSTILE_CHAINS } from "./support/chains.js";
import type { RawAccount } from "./support/chains.js";
import { fundedJob, fundWallet, openHostileMarket, PARTY_MOLT } from "./support/market.js";
import type { HostileMarket } from "./support/market.js";
import { sendRaw, signerOf } from "./support/raw-transaction.js";
import { hostileStores } from "./support/stores.js";
import { hostileTally } from "./support/tally.js";
import { SEED_MOVES, TOKEN_MOVES } from "./support/token-moves.js";
import type { MoveAuthority } from "./support/token-moves.js";

const tally = hostileTally();
const stores = await hostileStores("hostile: single-key moves");

/** How one key presents itself as the escrow's authority. */
const FORMS: readonly { readonly name: string; readonly authority: (self: Wallet, multisig: Address) => MoveAuthority; readonly moves: (name: string) => boolean }[] = [
  { name: "as its owner", authority: (self) => ({ kind: "key", signer: signerOf(self) }), moves: () => true },
  // The mint has no freeze authority (checked below): the multisig forms of a freeze say nothing more.
  { name: "as one signer of the multisig", authority: (self, multisig) => ({ kind: "multisig", multisig, signers: [signerOf(self)] }), moves: (name) => !name.startsWith("freeze") },
  { name: "as both signers of the multisig, one key twice", authority: (self, multisig) => ({ kind: "multisig", multisig, signers: [signerOf(self), signerOf(self)] }), moves: (name) => !name.startsWith("freeze") },
];

let controls = 0;

async function tokenAccountOf(owner: string, mint: string): Promise<Address> {
  const [account] = await findAssociatedTokenPda({ owner: owner as Address, mint: mint as Address, tokenProgram: TOKEN_PROGRAM_ADDRESS });
  return account;
}

for (const store of stores) {
  for (const backend of HOSTILE_CHAINS) {
    describe(`hostile: single-key moves of a funded escrow (${store.name} store, ${backend.name} chain)`, () => {
      const roles = ["buyer", "provider", "arbiter", ...backend.operatorRoles, "attacker"];
      let m: HostileMarket;
      let orderId: string;
      let escrow: EscrowView;
      let before: RawAccount;
      const keys = new Map<string, Wallet>();

      beforeAll(async () => {
        m = await openHostileMarket(store, await backend.open());
        ({ orderId, escrow } = await fundedJob(m));
        keys.set("buyer", m.buyer.wallet).set("provider", m.provider.wallet).set("arbiter", m.arbiter).set("attacker", m.attacker.wallet);
        for (const [role, wallet] of m.chain.operatorKeys) {
          keys.set(role, wallet);
          await fundWallet(m.chain, wallet.address, PARTY_MOLT); // a token account to send stolen MOLT to, and SOL for fees
        }
        const account = await m.chain.access.account(escrow.address);
        if (account === undefined) throw new Error(`escrow ${escrow.address} is not on chain`);
        before = account;
      }, 60_000);
      afterAll(async () => {
        await m.close();
        await m.chain.close();
      });

      /** The escrow account is byte for byte what it was: amount and owner first, for a readable failure. */
      async function expectEscrowUnchanged(attempt: string): Promise<void> {
        const after = await m.chain.access.account(escrow.address);
        expect(after, `${attempt}: the escrow account is gone`).toBeDefined();
        if (after === undefined) return;
        const token = getTokenDecoder().decode(after.data);
        expect(token.amount, `${attempt}: escrow balance`).toBe(Amount.parse(escrow.amount).baseUnits);
        expect(token.owner, `${attempt}: escrow owner`).toBe(escrow.multisig);
        expect({ delegate: token.delegate, closeAuthority: token.closeAuthority, state: token.state }, attempt).toEqual({ delegate: { __option: "None" }, closeAuthority: { __option: "None" }, state: AccountState.Initialized });
        expect(after.lamports, `${attempt}: escrow lamports`).toBe(before.lamports);
        expect(Buffer.from(after.data).equals(Buffer.from(before.data)), `${attempt}: escrow bytes`).toBe(true);
      }

      it("control: the same instructions move an escrow of these parties when two of its keys sign, and no one can freeze MOLT", async () => {
        const { provider, arbiter } = { provider: m.provider.wallet, arbiter: m.arbiter };
        const { escrow: control } = await m.chain.client.createEscrow({ escrowId: `esc_hostile_control_${++controls}`, buyer: m.buyer.wallet, provider: provider.address, arbiter: arbiter.address, amount: Amount.parse("1") });
        expect(control.parties).toEqual({ buyer: escrow.buyer, provider: escrow.provider, arbiter: escrow.arbiter });
        const target = { account: control.address, mint: escrow.mint as Address, destination: await tokenAccountOf(provider.address, escrow.mint), beneficiary: provider.address, amount: 1n };
        const twoKeys: MoveAuthority = { kind: "multisig", multisig: control.multisig, signers: [signerOf(provider), signerOf(arbiter)] };
        const run = async (name: string, authority: MoveAuthority, amount = 1n): Promise<void> => {
          const move = TOKEN_MOVES.find((candidate) => candidate.name === name);
          if (move === undefined) throw new Error(`no move ${name}`);
          expect((await sendRaw(m.chain.access, provider, [move.build({ ...target, amount }, authority)])).error, `control ${name}`).toBeUndefined();
        };
        for (const name of ["transfer out (TransferChecked)", "transfer out (Transfer)", "approve a delegate", "burn", "set the close authority", "set the owner"]) await run(name, twoKeys);
        // The provider owns the control escrow now: its one key empties and closes it.
        const self: MoveAuthority = { kind: "key", signer: signerOf(provider) };
        await run("transfer out (TransferChecked)", self, 1_000_000_000n - 3n);
        await run("close the account", self);
        expect(await m.chain.access.account(control.address)).toBeUndefined();
        const mint = await m.chain.access.account(escrow.mint);
        expect(mint && getMintDecoder().decode(mint.data).freezeAuthority).toEqual({ __option: "None" });
      });

      for (const role of roles) {
        for (const form of FORMS) {
          for (const move of TOKEN_MOVES.filter((candidate) => form.moves(candidate.name))) {
            it(`${role} alone cannot ${move.name} ${form.name}`, () =>
              tally.attempt(async () => {
                const self = keys.get(role);
                if (self === undefined) throw new Error(`no key for ${role}`);
                const target = { account: escrow.address as Address, mint: escrow.mint as Address, destination: await tokenAccountOf(self.address, escrow.mint), beneficiary: self.address, amount: Amount.parse(escrow.amount).baseUnits };
                const moltBefore = await m.chain.client.balance(self.address);
                const outcome = await sendRaw(m.chain.access, self, [move.build(target, form.authority(self, escrow.multisig as Address))]);
                expect(outcome.error, `${role}: ${move.name} ${form.name} executed on chain (${outcome.signature})`).toBeDefined();
                await expectEscrowUnchanged(`${role}: ${move.name} ${form.name}`);
                expect((await m.chain.client.balance(self.address)).toString(), `${role}'s MOLT`).toBe(moltBefore.toString());
              }));
          }
        }
      }

      for (const move of SEED_MOVES) {
        it(`the operator, whose key the escrow address derives from, cannot ${move.name}`, () =>
          tally.attempt(async () => {
            const operator = keys.get("operator");
            if (operator === undefined) throw new Error("no operator key");
            // The escrow's address derives from the operator's key and the escrow id (src/chain/escrow-instructions.ts).
            expect(await createAddressWithSeed({ baseAddress: operator.address, programAddress: TOKEN_PROGRAM_ADDRESS, seed: escrow.escrowId }), "the escrow is no longer derived from (operator, escrow id): update SEED_MOVES").toBe(escrow.address);
            const outcome = await sendRaw(m.chain.access, operator, [move.build({ account: escrow.address as Address, base: signerOf(operator), seed: escrow.escrowId, lamports: before.lamports })]);
            expect(outcome.error, `operator: ${move.name} executed on chain (${outcome.signature})`).toBeDefined();
            await expectEscrowUnchanged(`operator: ${move.name}`);
          }));
      }

      it("after every attempt the escrow still pays out with two keys: the job fails and the buyer and the arbiter refund it in full", async () => {
        await expectEscrowUnchanged("before the refund");
        const buyerBefore = await m.chain.client.balance(m.buyer.wallet.address);
        await m.provider.client.startJob(orderId);
        const startedAtMs = (await m.provider.client.getOrder(orderId)).job.startedAtMs ?? 0;
        const proof = { escrowId: escrow.escrowId, orderId, offerId: escrow.offerId, provider: m.provider.wallet.address, gpuModel: "H100", gpuCount: escrow.gpuCount, startedAtMs, endedAtMs: Math.max(startedAtMs, Date.now()), exitStatus: 137, outputDigest: "0".repeat(64), usageDigest: "1".repeat(64) };
        await m.provider.client.endJob(orderId, "fail", attest(proof, m.provider.wallet));
        expect((await m.buyer.client.refund(orderId)).status).toBe("Refunded");
        expect((await m.chain.client.balance(m.buyer.wallet.address)).toString()).toBe(buyerBefore.add(Amount.parse(escrow.amount)).toString());
        expect(await m.chain.access.account(escrow.address)).toBeUndefined();
      });
    });
  }
}
