// The localnet JSON-RPC server, driven by the stock @solana/kit RPC client: blockhash, airdrop,
// account info, rent, send / simulate / status of a real SPL Token transfer, and error answers.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  appendTransactionMessageInstructions,
  createSolanaRpc,
  createSolanaRpcSubscriptions,
  createTransactionMessage,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  lamports,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
} from "@solana/kit";
import type { Instruction, Rpc, Signature, SolanaRpcApi } from "@solana/kit";
import { getTransferCheckedInstruction } from "@solana-program/token";
import { afterEach, describe, expect, it } from "vitest";
import { EmbeddedMoltClient } from "../../src/chain/embedded/embedded-client.js";
import { startLocalnet } from "../../src/chain/localnet/rpc-server.js";
import type { Localnet } from "../../src/chain/localnet/rpc-server.js";
import { walletSigner } from "../../src/chain/signer.js";
import { Wallet } from "../../src/chain/wallet.js";
import { Amount } from "../../src/core/amount.js";

let running: { localnet: Localnet; chain: EmbeddedMoltClient } | undefined;

/** A transaction of `instructions`, paid and signed by `payer`, with the given blockhash. */
function signedBy(payer: Wallet, latest: Parameters<typeof setTransactionMessageLifetimeUsingBlockhash>[0], instructions: Instruction[]) {
  return pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(walletSigner(payer), m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(latest, m),
    (m) => appendTransactionMessageInstructions(instructions, m),
    (m) => signTransactionMessageWithSigners(m),
  );
}
afterEach(async () => {
  await running?.localnet.close();
  running?.chain.close();
  running = undefined;
});

async function start(
  dir = mkdtempSync(join(tmpdir(), "molt-localnet-")),
): Promise<{ chain: EmbeddedMoltClient; rpc: Rpc<SolanaRpcApi>; dir: string }> {
  const chain = await EmbeddedMoltClient.open({ dataDir: dir });
  const localnet = await startLocalnet(chain, { port: 0 });
  running = { localnet, chain };
  const rpc: Rpc<SolanaRpcApi> = createSolanaRpc(localnet.rpcUrl);
  return { chain, rpc, dir };
}

describe("molt-market localnet (JSON-RPC over the embedded chain)", () => {
  it("announces signatures over websocket subscriptions to kit's rpcSubscriptions", async () => {
    const { chain, rpc } = await start();
    const subscriptions = createSolanaRpcSubscriptions(running?.localnet.wsUrl ?? "");
    const alice = Wallet.generate();
    const signature = await rpc.requestAirdrop(alice.address, lamports(1_000_000_000n)).send();
    // Already known: announced at once.
    const abort = new AbortController();
    const known = await subscriptions
      .signatureNotifications(signature, { commitment: "confirmed" })
      .subscribe({ abortSignal: abort.signal });
    for await (const notification of known) {
      expect(notification.value.err).toBeNull();
      break;
    }
    // Not known yet: announced when it lands.
    await chain.airdrop(alice.address, Amount.parse("3"));
    const { value: latest } = await rpc.getLatestBlockhash().send(); // after the airdrop, which moves the blockhash on
    const transfer = getTransferCheckedInstruction({
      source: await chain.tokenAccount(alice.address),
      mint: chain.mint,
      destination: await chain.tokenAccount(alice.address),
      authority: walletSigner(alice),
      amount: 1n,
      decimals: 9,
    });
    const signed = await signedBy(alice, latest, [transfer]);
    const pending = await subscriptions
      .signatureNotifications(getSignatureFromTransaction(signed), { commitment: "confirmed" })
      .subscribe({ abortSignal: abort.signal });
    const next = pending[Symbol.asyncIterator]().next();
    await rpc.sendTransaction(getBase64EncodedWireTransaction(signed), { encoding: "base64" }).send();
    const announced = await next;
    expect(announced.done).toBe(false);
    if (announced.done !== true) expect(announced.value.value.err).toBeNull();
    abort.abort();
  });

  it("serves kit's RPC client: blockhash, airdrop, balances, accounts, rent", async () => {
    const { chain, rpc } = await start();
    const payer = Wallet.generate();
    expect(await rpc.getHealth().send()).toBe("ok");
    const { value: blockhash } = await rpc.getLatestBlockhash().send();
    expect(blockhash.blockhash).toBe(chain.latestBlockhash());
    const signature = await rpc.requestAirdrop(payer.address, lamports(2_000_000_000n)).send();
    expect((await rpc.getSignatureStatuses([signature]).send()).value[0]?.confirmationStatus).toBe("finalized");
    expect((await rpc.getBalance(payer.address).send()).value).toBe(2_000_000_000n);
    expect(await rpc.getMinimumBalanceForRentExemption(165n).send()).toBe(chain.rentExemptMinimum(165n));
    const mint = await rpc.getAccountInfo(chain.mint, { encoding: "base64" }).send();
    expect(mint.value?.owner).toBe("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
    expect((await rpc.getAccountInfo(Wallet.generate().address, { encoding: "base64" }).send()).value).toBeNull();
  });

  it("sends, simulates and confirms a real MOLT transfer signed by the caller, kept across a restart", async () => {
    const { chain, rpc, dir } = await start();
    const alice = Wallet.generate();
    const bob = Wallet.generate();
    await rpc.requestAirdrop(alice.address, lamports(1_000_000_000n)).send();
    await chain.airdrop(alice.address, Amount.parse("10"));
    await chain.airdrop(bob.address, Amount.parse("1")); // creates bob's token account
    const { value: latest } = await rpc.getLatestBlockhash().send();
    const transfer = getTransferCheckedInstruction({
      source: await chain.tokenAccount(alice.address),
      mint: chain.mint,
      destination: await chain.tokenAccount(bob.address),
      authority: walletSigner(alice),
      amount: 2_500_000_000n,
      decimals: 9,
    });
    const signed = await signedBy(alice, latest, [transfer]);
    const wire = getBase64EncodedWireTransaction(signed);
    const simulated = await rpc.simulateTransaction(wire, { encoding: "base64" }).send();
    expect(simulated.value.err).toBeNull();
    expect((await rpc.getTokenAccountBalance(await chain.tokenAccount(alice.address)).send()).value.amount).toBe("10000000000");
    const signature: Signature = await rpc.sendTransaction(wire, { encoding: "base64" }).send();
    const [status] = (await rpc.getSignatureStatuses([signature]).send()).value;
    expect(status?.err).toBeNull();
    const bobBalance = await rpc.getTokenAccountBalance(await chain.tokenAccount(bob.address)).send();
    expect(bobBalance.value).toMatchObject({ amount: "3500000000", decimals: 9, uiAmountString: "3.5" });
    const fetched = await rpc.getTransaction(signature, { encoding: "base64", maxSupportedTransactionVersion: 0 }).send();
    expect(fetched?.transaction[0]).toBe(wire);
    expect(fetched?.meta?.err).toBeNull();
    expect(fetched?.meta?.fee).toBe(5000n);
    expect(
      await rpc
        .getTransaction("1111111111111111111111111111111111111111111111111111111111111111" as Signature, {
          encoding: "base64",
          maxSupportedTransactionVersion: 0,
        })
        .send(),
    ).toBeNull();
    // Sent over RPC, it is in the durable log like every other transaction: reopen as after a crash.
    await running?.localnet.close();
    running = undefined;
    const reopened = await EmbeddedMoltClient.open({ dataDir: dir });
    expect((await reopened.balance(bob.address)).toString()).toBe("3.5");
    expect((await reopened.getTransaction(signature as never))?.type).toBe("External");
    expect(reopened.transactionDetails(signature)?.wire).toBe(wire);
    reopened.close();
  });

  it("answers bad calls with JSON-RPC errors; preflight refuses a failing transaction, and without preflight its fee survives a restart", async () => {
    const { chain, rpc, dir } = await start();
    await expect(rpc.getBalance("not-an-address" as never).send()).rejects.toThrow();
    const alice = Wallet.generate();
    await rpc.requestAirdrop(alice.address, lamports(1_000_000_000n)).send();
    const { value: latest } = await rpc.getLatestBlockhash().send();
    // A transfer from an account alice doesn't have: refused, with nothing moved.
    const transfer = getTransferCheckedInstruction({
      source: await chain.tokenAccount(alice.address),
      mint: chain.mint,
      destination: await chain.tokenAccount(Wallet.generate().address),
      authority: walletSigner(alice),
      amount: 1n,
      decimals: 9,
    });
    const signed = await signedBy(alice, latest, [transfer]);
    const wire = getBase64EncodedWireTransaction(signed);
    // The preflight simulation refuses it, as a validator's does: nothing runs, no fee is charged.
    await expect(rpc.sendTransaction(wire, { encoding: "base64" }).send()).rejects.toThrow(/simulation failed/);
    expect((await rpc.getBalance(alice.address).send()).value).toBe(1_000_000_000n);
    const preflight = (await (
      await fetch(running?.localnet.rpcUrl ?? "", {
        method: "POST",
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "sendTransaction", params: [wire, { encoding: "base64" }] }),
      })
    ).json()) as { error: { code: number; data: { err: unknown; logs: string[] } } };
    expect(preflight.error.code).toBe(-32002);
    expect(preflight.error.data.err).toEqual({ InstructionError: [0, "InvalidAccountData"] });
    // Without preflight it runs and fails: like on Solana its fee (one signature) is still charged,
    // and its status carries the error.
    const signature = await rpc.sendTransaction(wire, { encoding: "base64", skipPreflight: true }).send();
    expect((await rpc.getBalance(alice.address).send()).value).toBe(1_000_000_000n - 5000n);
    const [status] = (await rpc.getSignatureStatuses([signature]).send()).value;
    expect(status?.err).toEqual({ InstructionError: [0n, "InvalidAccountData"] }); // kit reads numbers as bigints
    const raw = await fetch(running?.localnet.rpcUrl ?? "", {
      method: "POST",
      body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "getTeleport", params: [] }),
    });
    expect(raw.status).toBe(200);
    expect(await raw.json()).toMatchObject({ jsonrpc: "2.0", id: 7, error: { code: -32601 } });
    const garbage = await fetch(running?.localnet.rpcUrl ?? "", { method: "POST", body: "{not json" });
    expect(await garbage.json()).toMatchObject({ error: { code: -32700 } });
    // Reopen as after a crash: no close(), so no snapshot; only the log carries the fee.
    await running?.localnet.close();
    running = undefined;
    const reopened = await EmbeddedMoltClient.open({ dataDir: dir });
    expect(reopened.account(alice.address)?.lamports).toBe(1_000_000_000n - 5000n);
    reopened.close();
  });
});
