// Stock Solana clients, unchanged, against `molt-market localnet` (the embedded chain over JSON-RPC
// and websocket): @solana/kit's send-and-confirm, airdrop and readers, and @solana/web3.js v1's
// Connection. Every balance is checked to the exact lamport or base unit moved.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Connection,
  Keypair,
  PublicKey,
  SystemProgram,
  Transaction as LegacyTransaction,
  TransactionInstruction,
  sendAndConfirmTransaction,
} from "@solana/web3.js";
import {
  address,
  airdropFactory,
  appendTransactionMessageInstructions,
  assertIsTransactionWithBlockhashLifetime,
  createSolanaRpc,
  createSolanaRpcSubscriptions,
  createTransactionMessage,
  generateKeyPairSigner,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  lamports,
  pipe,
  sendAndConfirmTransactionFactory,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
} from "@solana/kit";
import type { Instruction, KeyPairSigner } from "@solana/kit";
import { getTransferSolInstruction } from "@solana-program/system";
import { TOKEN_PROGRAM_ADDRESS, findAssociatedTokenPda, getTransferCheckedInstruction } from "@solana-program/token";
import { afterEach, describe, expect, it } from "vitest";
import { EmbeddedMoltClient } from "../../src/chain/embedded/embedded-client.js";
import { startLocalnet } from "../../src/chain/localnet/rpc-server.js";
import type { Localnet } from "../../src/chain/localnet/rpc-server.js";
import { Amount } from "../../src/core/amount.js";
import type { Address } from "../../src/core/address.js";

const FEE_LAMPORTS = 5000n;
const SOL = 1_000_000_000n;

let running: { localnet: Localnet; chain: EmbeddedMoltClient } | undefined;

afterEach(async () => {
  await running?.localnet.close();
  running?.chain.close();
  running = undefined;
});

async function start(): Promise<{ chain: EmbeddedMoltClient; localnet: Localnet }> {
  const chain = await EmbeddedMoltClient.open({ dataDir: mkdtempSync(join(tmpdir(), "molt-localnet-stock-")) });
  const localnet = await startLocalnet(chain, { port: 0 });
  running = { localnet, chain };
  return { chain, localnet };
}

/** The MOLT account of `owner` (its associated token account, as the embedded chain makes them). */
async function moltAccount(chain: EmbeddedMoltClient, owner: string): Promise<Address> {
  const [account] = await findAssociatedTokenPda({ owner: address(owner), mint: chain.mint, tokenProgram: TOKEN_PROGRAM_ADDRESS });
  return account;
}

describe("@solana/kit against the localnet", () => {
  function kit(localnet: Localnet) {
    const rpc = createSolanaRpc(localnet.rpcUrl);
    const rpcSubscriptions = createSolanaRpcSubscriptions(localnet.wsUrl);
    const sendAndConfirm = sendAndConfirmTransactionFactory({ rpc, rpcSubscriptions });
    const signAndSend = async (payer: KeyPairSigner, instructions: Instruction[]) => {
      const { value: latest } = await rpc.getLatestBlockhash().send();
      const signed = await pipe(
        createTransactionMessage({ version: 0 }),
        (m) => setTransactionMessageFeePayerSigner(payer, m),
        (m) => setTransactionMessageLifetimeUsingBlockhash(latest, m),
        (m) => appendTransactionMessageInstructions(instructions, m),
        (m) => signTransactionMessageWithSigners(m),
      );
      assertIsTransactionWithBlockhashLifetime(signed);
      await sendAndConfirm(signed, { commitment: "confirmed" });
      return { signature: getSignatureFromTransaction(signed), wire: getBase64EncodedWireTransaction(signed) };
    };
    return { rpc, rpcSubscriptions, airdrop: airdropFactory({ rpc, rpcSubscriptions }), signAndSend };
  }

  it("airdrops and confirms, then sends and confirms a SOL transfer and a MOLT transferChecked", async () => {
    const { chain, localnet } = await start();
    const { rpc, airdrop, signAndSend } = kit(localnet);
    const alice = await generateKeyPairSigner();
    const bob = await generateKeyPairSigner();
    await airdrop({ recipientAddress: alice.address, lamports: lamports(2n * SOL), commitment: "confirmed" });
    expect((await rpc.getBalance(alice.address).send()).value).toBe(2n * SOL);

    const sol = await signAndSend(alice, [getTransferSolInstruction({ source: alice, destination: bob.address, amount: 123_456_789n })]);
    expect((await rpc.getBalance(alice.address).send()).value).toBe(2n * SOL - 123_456_789n - FEE_LAMPORTS);
    expect((await rpc.getBalance(bob.address).send()).value).toBe(123_456_789n);

    // The embedded chain mints test MOLT into associated token accounts (its mint authority is the operator).
    const minted = await chain.airdrop(alice.address, Amount.parse("10"));
    await chain.airdrop(bob.address, Amount.parse("1"));
    const aliceMolt = await moltAccount(chain, alice.address);
    const bobMolt = await moltAccount(chain, bob.address);
    const molt = await signAndSend(alice, [
      getTransferCheckedInstruction({
        source: aliceMolt,
        mint: chain.mint,
        destination: bobMolt,
        authority: alice,
        amount: 2_500_000_001n,
        decimals: 9,
      }),
    ]);
    expect((await rpc.getTokenAccountBalance(aliceMolt).send()).value).toEqual({
      amount: "7499999999",
      decimals: 9,
      uiAmount: 7.499999999,
      uiAmountString: "7.499999999",
    });
    expect((await rpc.getTokenAccountBalance(bobMolt).send()).value.amount).toBe("3500000001");
    const owned = await rpc.getTokenAccountsByOwner(bob.address, { mint: chain.mint }, { encoding: "jsonParsed" }).send();
    expect(owned.value.map(({ pubkey }) => pubkey)).toEqual([bobMolt]);
    expect(owned.value[0]?.account.data.parsed.info.tokenAmount.amount).toBe("3500000001");

    // Both are in alice's history, newest first, with the chain's own mint into her account between
    // them; getTransaction returns what was sent.
    const history = await rpc.getSignaturesForAddress(alice.address).send();
    expect(history.map(({ signature }) => signature)).toEqual([molt.signature, minted.id, sol.signature]);
    const page = await rpc.getSignaturesForAddress(alice.address, { before: molt.signature, limit: 1 }).send();
    expect(page.map(({ signature }) => signature)).toEqual([minted.id]);
    expect(history.every(({ err, confirmationStatus }) => err === null && confirmationStatus === "finalized")).toBe(true);
    const asBase64 = await rpc.getTransaction(molt.signature, { encoding: "base64", maxSupportedTransactionVersion: 0 }).send();
    expect(asBase64?.transaction[0]).toBe(molt.wire);
    expect(asBase64?.meta?.postTokenBalances?.find((balance) => balance.owner === bob.address)?.uiTokenAmount.amount).toBe("3500000001");
    const asJson = await rpc.getTransaction(sol.signature, { encoding: "json", maxSupportedTransactionVersion: 0 }).send();
    expect(asJson?.transaction.message.accountKeys.slice(0, 2)).toEqual([alice.address, bob.address]);
    expect(asJson?.transaction.signatures).toEqual([sol.signature]);
    expect(asJson?.meta?.fee).toBe(FEE_LAMPORTS);
    const [pre, post] = [asJson?.meta?.preBalances ?? [], asJson?.meta?.postBalances ?? []];
    expect([(pre[0] ?? 0n) - (post[0] ?? 0n), (post[1] ?? 0n) - (pre[1] ?? 0n)]).toEqual([123_456_789n + FEE_LAMPORTS, 123_456_789n]);
    // jsonParsed: the System transfer and the SPL Token transferChecked are parsed, as a validator does.
    const parsedSol = await rpc.getTransaction(sol.signature, { encoding: "jsonParsed", maxSupportedTransactionVersion: 0 }).send();
    expect(parsedSol?.transaction.message.instructions[0]).toMatchObject({
      program: "system",
      parsed: { type: "transfer", info: { source: alice.address, destination: bob.address, lamports: 123_456_789n } },
    });
    expect(parsedSol?.transaction.message.accountKeys[0]).toEqual({
      pubkey: alice.address,
      signer: true,
      writable: true,
      source: "transaction",
    });
    const parsedMolt = await rpc.getTransaction(molt.signature, { encoding: "jsonParsed", maxSupportedTransactionVersion: 0 }).send();
    expect(parsedMolt?.transaction.message.instructions[0]).toMatchObject({
      program: "spl-token",
      parsed: {
        type: "transferChecked",
        info: { source: aliceMolt, destination: bobMolt, authority: alice.address, tokenAmount: { amount: "2500000001" } },
      },
    });
    // A v0 transaction asked for without maxSupportedTransactionVersion is refused as a validator does.
    await expect(rpc.getTransaction(sol.signature, { encoding: "json" }).send()).rejects.toThrow(/maxSupportedTransactionVersion/);
  }, 20_000);

  it("keeps one clock: slots, block height and epoch info agree, and slot notifications come one slot at a time", async () => {
    const { localnet } = await start();
    const { rpc, rpcSubscriptions } = kit(localnet);
    const abort = new AbortController();
    const slots = await rpcSubscriptions.slotNotifications().subscribe({ abortSignal: abort.signal });
    const seen: bigint[] = [];
    for await (const notification of slots) {
      seen.push(notification.slot);
      if (seen.length === 3) break;
    }
    abort.abort();
    expect(seen.slice(1)).toEqual([(seen[0] ?? 0n) + 1n, (seen[0] ?? 0n) + 2n]);
    const info = await rpc.getEpochInfo().send();
    const slot = await rpc.getSlot().send();
    expect(info.absoluteSlot).toBeGreaterThanOrEqual(seen[2] ?? 0n);
    expect(info.blockHeight).toBe(info.absoluteSlot);
    expect(slot).toBeGreaterThanOrEqual(info.absoluteSlot);
    expect(await rpc.getBlockHeight().send()).toBeGreaterThanOrEqual(slot);
    expect(info.slotIndex).toBeLessThan(info.slotsInEpoch);
    expect(info.transactionCount).toBe(2n); // the operator's funding and the mint's creation
    await rpc.requestAirdrop((await generateKeyPairSigner()).address, lamports(SOL)).send();
    expect((await rpc.getEpochInfo().send()).transactionCount).toBe(3n);
    const { value: latest } = await rpc.getLatestBlockhash().send();
    expect(latest.lastValidBlockHeight - 150n).toBeGreaterThanOrEqual(slot);
    expect((await rpc.isBlockhashValid(latest.blockhash).send()).value).toBe(true);
    expect(await rpc.getHealth().send()).toBe("ok");
    expect((await rpc.getVersion().send())["solana-core"]).toMatch(/^\d+\.\d+\.\d+$/);
    expect(await rpc.getGenesisHash().send()).toBe(await rpc.getGenesisHash().send());
    expect(await rpc.getMinimumBalanceForRentExemption(0n).send()).toBe(890_880n);
  }, 20_000);
});

describe("@solana/web3.js v1 against the localnet", () => {
  it("requestAirdrop + confirmTransaction, sendAndConfirmTransaction, token balances, history and transactions", async () => {
    const { chain, localnet } = await start();
    const connection = new Connection(localnet.rpcUrl, { commitment: "confirmed", wsEndpoint: localnet.wsUrl });
    const payer = Keypair.generate();
    const payee = Keypair.generate();
    const airdropped = await connection.requestAirdrop(payer.publicKey, Number(2n * SOL));
    const latest = await connection.getLatestBlockhash();
    const confirmed = await connection.confirmTransaction({ signature: airdropped, ...latest });
    expect(confirmed.value.err).toBeNull();
    // The legacy strategy (a signature alone) confirms too.
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the legacy strategy is what this checks
    expect((await connection.confirmTransaction(airdropped, "confirmed")).value.err).toBeNull();
    expect(await connection.getBalance(payer.publicKey)).toBe(Number(2n * SOL));

    const transfer = new LegacyTransaction().add(
      SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: payee.publicKey, lamports: 987_654_321 }),
    );
    const signature = await sendAndConfirmTransaction(connection, transfer, [payer]);
    expect(await connection.getBalance(payer.publicKey)).toBe(Number(2n * SOL - 987_654_321n - FEE_LAMPORTS));
    expect(await connection.getBalance(payee.publicKey)).toBe(987_654_321);

    // MOLT: minted by the embedded chain, then moved by a hand-built transferChecked (SPL Token
    // instruction 12: amount u64 little-endian, then decimals).
    const minted = await chain.airdrop(payer.publicKey.toBase58() as Address, Amount.parse("5"));
    await chain.airdrop(payee.publicKey.toBase58() as Address, Amount.parse("0.5"));
    const payerMolt = new PublicKey(await moltAccount(chain, payer.publicKey.toBase58()));
    const payeeMolt = new PublicKey(await moltAccount(chain, payee.publicKey.toBase58()));
    const data = Buffer.alloc(10);
    data.writeUInt8(12, 0);
    data.writeBigUInt64LE(1_250_000_000n, 1);
    data.writeUInt8(9, 9);
    const moltTransfer = new TransactionInstruction({
      programId: new PublicKey(TOKEN_PROGRAM_ADDRESS),
      keys: [
        { pubkey: payerMolt, isSigner: false, isWritable: true },
        { pubkey: new PublicKey(chain.mint), isSigner: false, isWritable: false },
        { pubkey: payeeMolt, isSigner: false, isWritable: true },
        { pubkey: payer.publicKey, isSigner: true, isWritable: false },
      ],
      data,
    });
    const moltSignature = await sendAndConfirmTransaction(connection, new LegacyTransaction().add(moltTransfer), [payer]);
    expect((await connection.getTokenAccountBalance(payerMolt)).value).toMatchObject({
      amount: "3750000000",
      decimals: 9,
      uiAmountString: "3.75",
    });
    expect((await connection.getTokenAccountBalance(payeeMolt)).value.amount).toBe("1750000000");
    const parsed = await connection.getParsedTokenAccountsByOwner(payee.publicKey, { mint: new PublicKey(chain.mint) });
    expect(parsed.value.map(({ pubkey }) => pubkey.toBase58())).toEqual([payeeMolt.toBase58()]);

    const history = await connection.getSignaturesForAddress(payer.publicKey);
    expect(history.map((entry) => entry.signature)).toEqual([moltSignature, minted.id, signature]);
    const fetched = await connection.getTransaction(signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
    expect(fetched?.meta?.err).toBeNull();
    expect(fetched?.meta?.fee).toBe(Number(FEE_LAMPORTS));
    expect(fetched?.transaction.signatures).toEqual([signature]);
    const keys = fetched?.transaction.message.staticAccountKeys.map((key) => key.toBase58());
    expect(keys?.slice(0, 2)).toEqual([payer.publicKey.toBase58(), payee.publicKey.toBase58()]);
    expect((fetched?.meta?.postBalances[1] ?? 0) - (fetched?.meta?.preBalances[1] ?? 0)).toBe(987_654_321);
    // The cluster and account readers parse (web3.js checks every answer's shape).
    const epoch = await connection.getEpochInfo();
    expect(epoch.blockHeight).toBe(epoch.absoluteSlot);
    expect(await connection.getSlot()).toBeGreaterThanOrEqual(epoch.absoluteSlot);
    expect(await connection.getBlockHeight()).toBeGreaterThanOrEqual(epoch.absoluteSlot);
    expect((await connection.getVersion())["solana-core"]).toMatch(/^\d+\.\d+\.\d+$/);
    expect(await connection.getGenesisHash()).toMatch(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/);
    const message = new LegacyTransaction({ feePayer: payer.publicKey, ...(await connection.getLatestBlockhash()) })
      .add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: payee.publicKey, lamports: 1 }))
      .compileMessage();
    expect((await connection.getFeeForMessage(message)).value).toBe(Number(FEE_LAMPORTS));
    expect((await connection.getAccountInfo(payee.publicKey))?.lamports).toBe(987_654_321);
    const parsedAccount = await connection.getParsedAccountInfo(payeeMolt);
    expect(parsedAccount.value?.data).toMatchObject({
      program: "spl-token",
      parsed: { type: "account", info: { owner: payee.publicKey.toBase58() } },
    });
    const parsedTransfer = await connection.getParsedTransaction(signature, { maxSupportedTransactionVersion: 0 });
    expect(parsedTransfer?.transaction.message.instructions[0]).toMatchObject({
      program: "system",
      parsed: {
        type: "transfer",
        info: { source: payer.publicKey.toBase58(), destination: payee.publicKey.toBase58(), lamports: 987_654_321 },
      },
    });
    const moltFetched = await connection.getTransaction(moltSignature, { maxSupportedTransactionVersion: 0 });
    expect(moltFetched?.meta?.postTokenBalances?.map((balance) => balance.uiTokenAmount.amount).sort()).toEqual([
      "1750000000",
      "3750000000",
    ]);
  }, 20_000);
});
