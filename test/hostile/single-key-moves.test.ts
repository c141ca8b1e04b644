// Hostile: no single key moves a funded escrow. For an escrow funded through the HTTP API, each
// party alone (buyer, provider, arbiter, the chain's operators, an outside attacker) builds SPL
// Token instructions with @solana-program/token, signs them with its one key, pays the fee itself
// and sends them through its own chain access: transfer out, burn, approve a delegate, set the owner
// or close authority, close, freeze, as the owner or as one signer of the 2-of-3 multisig (alone,
// or the same key twice). The operator, who derives the keys of each escrow's own two accounts (the
// token account and the multisig: escrowAccountKeys), also signs with those keys: as the owner, as
// the multisig's signers, and through the system program (withdraw lamports, assign, allocate,
// create again), and initializes both accounts anew. Each attempt must fail on chain, leaving the
// escrow account and its multisig byte for byte as they were and the key's MOLT where it was. A
// control proves the same instructions do move an escrow with two keys, and after every attempt
// the buyer and the arbiter still refund the escrow in full. Both stores x both chains.
import type { Address, TransactionSigner } from "@solana/kit";
import { AccountState, TOKEN_PROGRAM_ADDRESS, findAssociatedTokenPda, getMintDecoder, getTokenDecoder } from "@solana-program/token";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { escrowAccountKeys } from "../../src/chain/escrow-instructions.js";
import type { Wallet } from "../../src/chain/wallet.js";
import { Amount } from "../../src/core/amount.js";
import type { EscrowView } from "../../src/contract/escrows.js";
import { attest } from "../../src/settlement/statements.js";
import { HOSTILE_CHAINS } from "../support/hostile/chains.js";
import type { RawAccount } from "../support/hostile/chains.js";
import { fundedJob, fundWallet, openHostileMarket, PARTY_MOLT } from "../support/hostile/market.js";
import type { HostileMarket } from "../support/hostile/market.js";
import { sendRaw, signerOf } from "../support/hostile/raw-transaction.js";
import { hostileStores } from "../support/hostile/stores.js";
import { hostileTally } from "../support/hostile/tally.js";
import { REINITIALIZE_MOVES, SYSTEM_MOVES, TOKEN_MOVES } from "../support/hostile/token-moves.js";
import type { MoveAuthority } from "../support/hostile/token-moves.js";

const tally = hostileTally();
const stores = await hostileStores("hostile: single-key moves");

/** How one key presents itself as the escrow's authority. */
const FORMS: readonly {
  readonly name: string;
  readonly authority: (self: Wallet, multisig: Address) => MoveAuthority;
  readonly moves: (name: string) => boolean;
}[] = [
  { name: "as its owner", authority: (self) => ({ kind: "key", signer: signerOf(self) }), moves: () => true },
  // The mint has no freeze authority (checked below): the multisig forms of a freeze say nothing more.
  {
    name: "as one signer of the multisig",
    authority: (self, multisig) => ({ kind: "multisig", multisig, signers: [signerOf(self)] }),
    moves: (name) => !name.startsWith("freeze"),
  },
  {
    name: "as both signers of the multisig, one key twice",
    authority: (self, multisig) => ({ kind: "multisig", multisig, signers: [signerOf(self), signerOf(self)] }),
    moves: (name) => !name.startsWith("freeze"),
  },
];

/** How the operator presents the keys it derives for an escrow's own two accounts as the escrow's authority. */
const DERIVED_FORMS: readonly {
  readonly name: string;
  readonly authority: (account: TransactionSigner, multisigKey: TransactionSigner, multisig: Address) => MoveAuthority;
  readonly moves: (name: string) => boolean;
}[] = [
  {
    name: "signing with the escrow account's own key as its owner",
    authority: (account) => ({ kind: "key", signer: account }),
    moves: () => true,
  },
  // The multisig's address is the owner's: its own key signs for that very address, and the token program must still ask for two of its members.
  {
    name: "signing with the multisig's own key as the owner",
    authority: (_account, multisigKey) => ({ kind: "key", signer: multisigKey }),
    moves: () => true,
  },
  {
    name: "with both derived keys as the multisig's signers",
    authority: (account, multisigKey, multisig) => ({ kind: "multisig", multisig, signers: [account, multisigKey] }),
    moves: (name) => !name.startsWith("freeze"),
  },
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
      let beforeMultisig: RawAccount;
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
        const multisig = await m.chain.access.account(escrow.multisig);
        if (multisig === undefined) throw new Error(`multisig ${escrow.multisig} is not on chain`);
        beforeMultisig = multisig;
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
        expect({ delegate: token.delegate, closeAuthority: token.closeAuthority, state: token.state }, attempt).toEqual({
          delegate: { __option: "None" },
          closeAuthority: { __option: "None" },
          state: AccountState.Initialized,
        });
        expect(after.lamports, `${attempt}: escrow lamports`).toBe(before.lamports);
        expect(Buffer.from(after.data).equals(Buffer.from(before.data)), `${attempt}: escrow bytes`).toBe(true);
        const multisig = await m.chain.access.account(escrow.multisig);
        expect(
          { lamports: multisig?.lamports, owner: multisig?.owner, data: multisig && Buffer.from(multisig.data).toString("hex") },
          `${attempt}: multisig account`,
        ).toEqual({
          lamports: beforeMultisig.lamports,
          owner: beforeMultisig.owner,
          data: Buffer.from(beforeMultisig.data).toString("hex"),
        });
      }

      it("control: the same instructions move an escrow of these parties when two of its keys sign, and no one can freeze MOLT", async () => {
        const { provider, arbiter } = { provider: m.provider.wallet, arbiter: m.arbiter };
        const { escrow: control } = await m.chain.client.createEscrow({
          escrowId: `esc_hostile_control_${++controls}`,
          buyer: m.buyer.wallet,
          provider: provider.address,
          arbiter: arbiter.address,
          amount: Amount.parse("1"),
        });
        expect(control.parties).toEqual({ buyer: escrow.buyer, provider: escrow.provider, arbiter: escrow.arbiter });
        const target = {
          account: control.address,
          mint: escrow.mint as Address,
          destination: await tokenAccountOf(provider.address, escrow.mint),
          beneficiary: provider.address,
          amount: 1n,
        };
        const twoKeys: MoveAuthority = { kind: "multisig", multisig: control.multisig, signers: [signerOf(provider), signerOf(arbiter)] };
        const run = async (name: string, authority: MoveAuthority, amount = 1n): Promise<void> => {
          const move = TOKEN_MOVES.find((candidate) => candidate.name === name);
          if (move === undefined) throw new Error(`no move ${name}`);
          expect(
            (await sendRaw(m.chain.access, provider, [move.build({ ...target, amount }, authority)])).error,
            `control ${name}`,
          ).toBeUndefined();
        };
        for (const name of [
          "transfer out (TransferChecked)",
          "transfer out (Transfer)",
          "approve a delegate",
          "burn",
          "set the close authority",
          "set the owner",
        ])
          await run(name, twoKeys);
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
                const target = {
                  account: escrow.address as Address,
                  mint: escrow.mint as Address,
                  destination: await tokenAccountOf(self.address, escrow.mint),
                  beneficiary: self.address,
                  amount: Amount.parse(escrow.amount).baseUnits,
                };
                const moltBefore = await m.chain.client.balance(self.address);
                const outcome = await sendRaw(m.chain.access, self, [move.build(target, form.authority(self, escrow.multisig as Address))]);
                expect(outcome.error, `${role}: ${move.name} ${form.name} executed on chain (${outcome.signature})`).toBeDefined();
                await expectEscrowUnchanged(`${role}: ${move.name} ${form.name}`);
                expect((await m.chain.client.balance(self.address)).toString(), `${role}'s MOLT`).toBe(moltBefore.toString());
              }));
          }
        }
      }

      /** The operator's keys of this escrow's own two accounts (escrowAccountKeys), checked to be the escrow's. */
      function derivedKeys(): { readonly operator: Wallet; readonly account: Wallet; readonly multisig: Wallet } {
        const operator = keys.get("operator");
        if (operator === undefined) throw new Error("no operator key");
        const derived = escrowAccountKeys(operator, escrow.escrowId);
        expect(
          { account: derived.account.address, multisig: derived.multisig.address },
          "the escrow's accounts no longer derive from (operator, escrow id): update DERIVED_FORMS",
        ).toEqual({ account: escrow.address, multisig: escrow.multisig });
        return { operator, ...derived };
      }

      for (const form of DERIVED_FORMS) {
        for (const move of TOKEN_MOVES.filter((candidate) => form.moves(candidate.name))) {
          it(`the operator cannot ${move.name} ${form.name}`, () =>
            tally.attempt(async () => {
              const { operator, account, multisig } = derivedKeys();
              const target = {
                account: escrow.address as Address,
                mint: escrow.mint as Address,
                destination: await tokenAccountOf(operator.address, escrow.mint),
                beneficiary: operator.address,
                amount: Amount.parse(escrow.amount).baseUnits,
              };
              const moltBefore = await m.chain.client.balance(operator.address);
              const outcome = await sendRaw(m.chain.access, operator, [
                move.build(target, form.authority(signerOf(account), signerOf(multisig), escrow.multisig as Address)),
              ]);
              expect(outcome.error, `operator: ${move.name} ${form.name} executed on chain (${outcome.signature})`).toBeDefined();
              await expectEscrowUnchanged(`operator: ${move.name} ${form.name}`);
              expect((await m.chain.client.balance(operator.address)).toString(), "the operator's MOLT").toBe(moltBefore.toString());
            }));
        }
      }

      for (const which of ["escrow account", "multisig"] as const) {
        for (const move of SYSTEM_MOVES) {
          it(`the operator, signing with the ${which}'s own key, cannot ${move.name} through the system program`, () =>
            tally.attempt(async () => {
              const { operator, account, multisig } = derivedKeys();
              const [key, held] = which === "escrow account" ? [account, before] : [multisig, beforeMultisig];
              const outcome = await sendRaw(m.chain.access, operator, [
                move.build({
                  address: key.address,
                  key: signerOf(key),
                  operator: signerOf(operator),
                  lamports: held.lamports,
                  space: held.data.length,
                }),
              ]);
              expect(outcome.error, `operator: ${move.name} of the ${which} executed on chain (${outcome.signature})`).toBeDefined();
              await expectEscrowUnchanged(`operator: ${move.name} of the ${which}`);
            }));
        }
      }

      for (const move of REINITIALIZE_MOVES) {
        it(`the operator cannot ${move.name}`, () =>
          tally.attempt(async () => {
            const { operator } = derivedKeys();
            const outcome = await sendRaw(m.chain.access, operator, [
              move.build({
                account: escrow.address as Address,
                multisig: escrow.multisig as Address,
                mint: escrow.mint as Address,
                operator: operator.address,
              }),
            ]);
            expect(outcome.error, `operator: ${move.name} executed on chain (${outcome.signature})`).toBeDefined();
            await expectEscrowUnchanged(`operator: ${move.name}`);
          }));
      }

      it("after every attempt the escrow still pays out with two keys: the job fails and the buyer and the arbiter refund it in full", async () => {
        await expectEscrowUnchanged("before the refund");
        const buyerBefore = await m.chain.client.balance(m.buyer.wallet.address);
        await m.provider.client.startJob(orderId);
        const startedAtMs = (await m.provider.client.getOrder(orderId)).job.startedAtMs ?? 0;
        const proof = {
          escrowId: escrow.escrowId,
          orderId,
          offerId: escrow.offerId,
          provider: m.provider.wallet.address,
          gpuModel: "H100",
          gpuCount: escrow.gpuCount,
          startedAtMs,
          endedAtMs: Math.max(startedAtMs, Date.now()),
          exitStatus: 137,
          outputDigest: "0".repeat(64),
          usageDigest: "1".repeat(64),
        };
        await m.provider.client.endJob(orderId, "fail", attest(proof, m.provider.wallet));
        expect((await m.buyer.client.refund(orderId)).status).toBe("Refunded");
        expect((await m.chain.client.balance(m.buyer.wallet.address)).toString()).toBe(
          buyerBefore.add(Amount.parse(escrow.amount)).toString(),
        );
        expect(await m.chain.access.account(escrow.address)).toBeUndefined();
      });
    });
  }
}
