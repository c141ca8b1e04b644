// RpcMoltClient: the MOLT token over any Solana validator's JSON-RPC (@solana/kit), a localnet or a
// cluster. Confirms by polling signature statuses, with a timeout; retries a send after a transient
// network error with the same signed bytes (same signature), so nothing is ever sent twice.
// Talks to the network; holds no state but the records of what it sent.
import {
  appendTransactionMessageInstructions,
  createSolanaRpc,
  createSolanaRpcSubscriptions,
  createTransactionMessage,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
} from "@solana/kit";
import type { Instruction, Rpc, RpcSubscriptions, Signature, SolanaRpcApi, SolanaRpcSubscriptionsApi } from "@solana/kit";
import {
  TOKEN_PROGRAM_ADDRESS,
  findAssociatedTokenPda,
  getCreateAssociatedTokenIdempotentInstruction,
  getMintToCheckedInstruction,
  getMultisigSize,
  getTokenDecoder,
  getTokenSize,
  getTransferCheckedInstruction,
} from "@solana-program/token";
import { Amount, MOLT_DECIMALS } from "../../core/amount.js";
import { systemClock } from "../../core/clock.js";
import type { Clock } from "../../core/clock.js";
import { MarketError } from "../../core/errors.js";
import { parseAddress } from "../address.js";
import type { Address } from "../address.js";
import { createEscrowInstructions, createMultisigInstructions, escrowAddress, multisigAddress, payoutInstructions } from "../escrow-instructions.js";
import type { EscrowParties } from "../escrow-instructions.js";
import type { EscrowHandle, MoltClient, SettlementPayout } from "../molt-client.js";
import type { Network } from "../network.js";
import { walletSigner } from "../signer.js";
import type { Transaction, TransactionType } from "../transaction.js";
import type { TransactionId } from "../transaction-id.js";
import type { Wallet } from "../wallet.js";

/** How long a transaction may take to confirm by default. */
export const CONFIRM_TIMEOUT_MS_DEFAULT = 60_000;
/** Pause between status polls. */
export const CONFIRM_POLL_MS = 200;
/** Sends of the same signed bytes after transient network errors. */
export const SEND_ATTEMPTS_MAX = 5;
/** Most MOLT one airdrop mints. */
export const RPC_AIRDROP_MAX = Amount.fromMolt(1_000_000);
const SIGNATURE_FEE_LAMPORTS = 5000n;

/** Options of an RPC client. */
export interface RpcClientOptions {
  readonly network: Network;
  /** Pays fees and token-account rent, and is the base of the derived escrow addresses. */
  readonly payer: Wallet;
  readonly mint: Address;
  /** Holds the mint authority: needed for airdrops (never on mainnet). */
  readonly mintAuthority?: Wallet;
  readonly confirmTimeoutMs?: number;
  readonly clock?: Clock;
}

function isTransient(error: unknown): boolean {
  const cause = error instanceof Error ? error.cause : undefined;
  const causeText = cause instanceof Error ? `${cause.name} ${cause.message} ${(cause as { code?: string }).code ?? ""}` : "";
  const text = error instanceof Error ? `${error.name} ${error.message} ${causeText}` : typeof error === "string" ? error : "";
  return /ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|fetch failed|socket hang up|HTTP error \(5\d\d\)|HTTP error \(429\)/i.test(text);
}

/**
 * MoltClient over JSON-RPC. Invariant: a transaction is reported only once a status poll shows it
 * confirmed; one operation signs one transaction, whatever the retries.
 */
export class RpcMoltClient implements MoltClient {
  readonly network: Network;
  readonly mint: Address;
  private readonly rpc: Rpc<SolanaRpcApi>;
  private readonly subscriptions: RpcSubscriptions<SolanaRpcSubscriptionsApi>;
  private readonly payer: Wallet;
  private readonly mintAuthority: Wallet | undefined;
  private readonly confirmTimeoutMs: number;
  private readonly clock: Clock;
  private readonly sent = new Map<string, Transaction>();

  constructor(options: RpcClientOptions) {
    this.network = options.network;
    this.mint = parseAddress(options.mint);
    this.payer = options.payer;
    this.mintAuthority = options.mintAuthority;
    this.confirmTimeoutMs = options.confirmTimeoutMs ?? CONFIRM_TIMEOUT_MS_DEFAULT;
    this.clock = options.clock ?? systemClock;
    this.rpc = createSolanaRpc(options.network.rpcUrl);
    this.subscriptions = createSolanaRpcSubscriptions(options.network.wsUrl);
  }

  /** A promise that settles when the validator announces `signature`, or undefined without a websocket (then polls alone decide). */
  private async watch(signature: Signature): Promise<{ readonly announced: Promise<void>; stop(): void } | undefined> {
    const abort = new AbortController();
    try {
      const notifications = await this.subscriptions.signatureNotifications(signature, { commitment: "confirmed" }).subscribe({ abortSignal: abort.signal });
      const announced = notifications[Symbol.asyncIterator]()
        .next()
        .then(
          () => undefined,
          () => undefined,
        );
      return { announced, stop: () => { abort.abort(); } };
    } catch {
      abort.abort();
      return undefined;
    }
  }

  /** Nothing to release: requests are independent. */
  close(): void {}

  /** The MOLT token account of `owner`. */
  async tokenAccount(owner: Address): Promise<Address> {
    const [account] = await findAssociatedTokenPda({ owner, mint: this.mint, tokenProgram: TOKEN_PROGRAM_ADDRESS });
    return account;
  }

  private async accountData(address: Address): Promise<Uint8Array | undefined> {
    const { value } = await this.rpc.getAccountInfo(address, { encoding: "base64" }).send();
    if (value === null) return undefined;
    return Uint8Array.from(Buffer.from(value.data[0], "base64"));
  }

  /** MOLT held by `owner`. @throws INVALID_ADDRESS */
  async balance(owner: Address): Promise<Amount> {
    const data = await this.accountData(await this.tokenAccount(parseAddress(owner)));
    return data === undefined ? Amount.zero() : Amount.fromLamports(getTokenDecoder().decode(data).amount);
  }

  /**
   * Signs once, sends (again, same bytes, after transient errors) and polls until confirmed.
   * @throws CHAIN_ERROR (refused, or not confirmed before its blockhash expired or the timeout)
   */
  private async execute(instructions: Instruction[], record: Omit<Transaction, "id" | "status" | "feeLamports" | "timeMs">): Promise<Transaction> {
    const { value: latest } = await this.rpc.getLatestBlockhash().send();
    const signed = await pipe(
      createTransactionMessage({ version: 0 }),
      (message) => setTransactionMessageFeePayerSigner(walletSigner(this.payer), message),
      (message) => setTransactionMessageLifetimeUsingBlockhash(latest, message),
      (message) => appendTransactionMessageInstructions(instructions, message),
      (message) => signTransactionMessageWithSigners(message),
    );
    const signature = getSignatureFromTransaction(signed);
    const wire = getBase64EncodedWireTransaction(signed);
    const watcher = await this.watch(signature);
    let announced = watcher?.announced;
    try {
      return await this.sendAndConfirm(signed, signature, wire, latest.lastValidBlockHeight, record, async () => {
        const sleep = new Promise((resolve) => setTimeout(resolve, CONFIRM_POLL_MS));
        if (announced === undefined) await sleep;
        else {
          await Promise.race([announced, sleep]);
          announced = undefined; // announced, or a poll interval passed: plain polling from here on
        }
      });
    } finally {
      watcher?.stop();
    }
  }

  private async sendAndConfirm(
    signed: Awaited<ReturnType<typeof signTransactionMessageWithSigners>>,
    signature: Signature,
    wire: ReturnType<typeof getBase64EncodedWireTransaction>,
    lastValidBlockHeight: bigint,
    record: Omit<Transaction, "id" | "status" | "feeLamports" | "timeMs">,
    pause: () => Promise<void>,
  ): Promise<Transaction> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.rpc.sendTransaction(wire, { encoding: "base64" }).send();
        break;
      } catch (e) {
        // An earlier attempt may have landed before its answer was lost (a repeat is then refused
        // as already processed): the signature's status decides, not the error.
        if ((await this.statusOf(signature).catch(() => undefined)) === "confirmed") break;
        if (!isTransient(e) || attempt >= SEND_ATTEMPTS_MAX) {
          throw new MarketError("CHAIN_ERROR", { reason: e instanceof Error ? e.message : String(e) }, { cause: e });
        }
        await new Promise((resolve) => setTimeout(resolve, CONFIRM_POLL_MS * attempt));
      }
    }
    const deadline = this.clock.now() + this.confirmTimeoutMs;
    for (;;) {
      const status = await this.statusOf(signature);
      if (status === "confirmed") break;
      if (status !== undefined) throw new MarketError("CHAIN_ERROR", { reason: status });
      const height = await this.rpc.getBlockHeight().send();
      if (height > lastValidBlockHeight) throw new MarketError("CHAIN_ERROR", { reason: `transaction ${signature} expired unconfirmed (blockhash too old); nothing was moved` });
      if (this.clock.now() > deadline) throw new MarketError("CHAIN_ERROR", { reason: `transaction ${signature} not confirmed within ${this.confirmTimeoutMs} ms; check it before sending again` });
      await pause();
    }
    const { value: [status] } = await this.rpc.getSignatureStatuses([signature]).send();
    const transaction: Transaction = {
      ...record,
      id: signature as string as TransactionId,
      status: { kind: "Confirmed", slot: status?.slot ?? 0n },
      timeMs: this.clock.now(),
      feeLamports: SIGNATURE_FEE_LAMPORTS * BigInt(Object.keys(signed.signatures).length),
    };
    this.sent.set(transaction.id, transaction);
    return transaction;
  }

  /** "confirmed", an error text, or undefined while unknown. */
  private async statusOf(signature: Signature): Promise<string | undefined> {
    const { value: [status] } = await this.rpc.getSignatureStatuses([signature]).send();
    if (status === null || status === undefined) return undefined;
    if (status.err !== null) return `transaction ${signature} failed: ${JSON.stringify(status.err, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}`;
    return status.confirmationStatus === "confirmed" || status.confirmationStatus === "finalized" ? "confirmed" : undefined;
  }

  /** @throws INVALID_ADDRESS, INVALID_FIELD, INSUFFICIENT_BALANCE, CHAIN_ERROR */
  async transfer(from: Wallet, to: Address, amount: Amount, memo?: string): Promise<Transaction> {
    const recipient = parseAddress(to);
    if (amount.isZero()) throw new MarketError("INVALID_FIELD", { field: "amount", value: "0", allowed: "an amount greater than 0" });
    const available = await this.balance(from.address);
    if (available.lt(amount)) throw new MarketError("INSUFFICIENT_BALANCE", { address: from.address, required: amount.toString(), available: available.toString() });
    const destination = await this.tokenAccount(recipient);
    return this.execute(
      [
        getCreateAssociatedTokenIdempotentInstruction({ payer: walletSigner(this.payer), ata: destination, owner: recipient, mint: this.mint }),
        getTransferCheckedInstruction({ source: await this.tokenAccount(from.address), mint: this.mint, destination, authority: walletSigner(from), amount: amount.baseUnits, decimals: MOLT_DECIMALS }),
      ],
      { type: "Transfer", amount, from: from.address, to: recipient, ...(memo === undefined ? {} : { memo }) },
    );
  }

  /** Mints test MOLT. @throws INVALID_NETWORK (mainnet), WALLET_ERROR (no mint authority), INVALID_FIELD, LIMIT_EXCEEDED, CHAIN_ERROR */
  async airdrop(to: Address, amount: Amount): Promise<Transaction> {
    if (this.network.isProduction()) throw new MarketError("INVALID_NETWORK", { value: this.network.name, reason: "there are no airdrops on mainnet; buy or receive MOLT" });
    const recipient = parseAddress(to);
    if (amount.isZero()) throw new MarketError("INVALID_FIELD", { field: "amount", value: "0", allowed: "an amount greater than 0" });
    if (amount.gt(RPC_AIRDROP_MAX)) throw new MarketError("LIMIT_EXCEEDED", { limit: "airdropMolt", max: Number(RPC_AIRDROP_MAX.asMolt()) });
    if (this.mintAuthority === undefined) throw new MarketError("WALLET_ERROR", { reason: "airdrops need the mint authority's wallet (the localnet's operator.json)" });
    const destination = await this.tokenAccount(recipient);
    return this.execute(
      [
        getCreateAssociatedTokenIdempotentInstruction({ payer: walletSigner(this.payer), ata: destination, owner: recipient, mint: this.mint }),
        getMintToCheckedInstruction({ mint: this.mint, token: destination, mintAuthority: walletSigner(this.mintAuthority), amount: amount.baseUnits, decimals: MOLT_DECIMALS }),
      ],
      { type: "Airdrop", amount, to: recipient },
    );
  }

  /** A transaction this client sent, or undefined. */
  getTransaction(id: TransactionId): Promise<Transaction | undefined> {
    return Promise.resolve(this.sent.get(id));
  }

  /** @throws INVALID_ADDRESS, INVALID_FIELD, ESCROW_ERROR, INSUFFICIENT_BALANCE, CHAIN_ERROR */
  async createEscrow(input: { readonly escrowId: string; readonly buyer: Wallet; readonly provider: Address; readonly arbiter: Address; readonly amount: Amount }): Promise<{ readonly escrow: EscrowHandle; readonly transaction: Transaction }> {
    const parties: EscrowParties = { buyer: input.buyer.address, provider: parseAddress(input.provider), arbiter: parseAddress(input.arbiter) };
    if (input.amount.isZero()) throw new MarketError("INVALID_FIELD", { field: "amount", value: "0", allowed: "an amount greater than 0" });
    const multisig = await multisigAddress(this.payer.address, parties);
    const address = await escrowAddress(this.payer.address, input.escrowId);
    if ((await this.accountData(address)) !== undefined) throw new MarketError("ESCROW_ERROR", { reason: `escrow ${input.escrowId} exists already` });
    const available = await this.balance(input.buyer.address);
    if (available.lt(input.amount)) throw new MarketError("INSUFFICIENT_BALANCE", { address: input.buyer.address, required: input.amount.toString(), available: available.toString() });
    const payer = walletSigner(this.payer);
    const instructions: Instruction[] = [];
    if ((await this.accountData(multisig)) === undefined) {
      const rentLamports = await this.rpc.getMinimumBalanceForRentExemption(BigInt(getMultisigSize())).send();
      instructions.push(...(await createMultisigInstructions({ operator: payer, parties, rentLamports })));
    }
    instructions.push(
      ...(await createEscrowInstructions({
        operator: payer,
        escrowId: input.escrowId,
        mint: this.mint,
        multisig,
        rentLamports: await this.rpc.getMinimumBalanceForRentExemption(BigInt(getTokenSize())).send(),
        buyer: walletSigner(input.buyer),
        buyerTokenAccount: await this.tokenAccount(input.buyer.address),
        amount: input.amount,
      })),
    );
    const transaction = await this.execute(instructions, { type: "EscrowCreate", amount: input.amount, from: input.buyer.address, to: address, memo: input.escrowId });
    return { escrow: { escrowId: input.escrowId, address, multisig, parties, amount: input.amount }, transaction };
  }

  /** @throws ESCROW_ERROR, CHAIN_ERROR */
  async releaseEscrow(escrow: EscrowHandle, provider: Wallet, arbiter: Wallet): Promise<Transaction> {
    expectParty(escrow, provider, "provider");
    expectParty(escrow, arbiter, "arbiter");
    return this.payOut(escrow, [provider, arbiter], [{ owner: escrow.parties.provider, amount: await this.heldBy(escrow) }], "EscrowRelease");
  }

  /** @throws ESCROW_ERROR, CHAIN_ERROR */
  async refundEscrow(escrow: EscrowHandle, buyer: Wallet, arbiter: Wallet): Promise<Transaction> {
    expectParty(escrow, buyer, "buyer");
    expectParty(escrow, arbiter, "arbiter");
    return this.payOut(escrow, [buyer, arbiter], [{ owner: escrow.parties.buyer, amount: await this.heldBy(escrow) }], "EscrowRefund");
  }

  /** @throws ESCROW_ERROR, INVALID_ADDRESS, CHAIN_ERROR */
  async settleEscrow(escrow: EscrowHandle, cosigners: readonly [Wallet, Wallet], payouts: readonly SettlementPayout[]): Promise<Transaction> {
    const members = [escrow.parties.buyer, escrow.parties.provider, escrow.parties.arbiter] as string[];
    if (cosigners[0].address === cosigners[1].address || !cosigners.every((w) => members.includes(w.address))) {
      throw new MarketError("ESCROW_ERROR", { reason: "a settlement is signed by two different parties of the escrow" });
    }
    const held = await this.heldBy(escrow);
    const total = payouts.reduce((sum, payout) => sum.add(payout.amount), Amount.zero());
    if (!total.equals(held)) throw new MarketError("ESCROW_ERROR", { reason: `payouts add up to ${total.toString()} MOLT, the escrow holds ${held.toString()} MOLT` });
    return this.payOut(escrow, cosigners, payouts, "EscrowSettle");
  }

  /** MOLT in the escrow, or undefined once closed. */
  async escrowBalance(escrow: EscrowHandle): Promise<Amount | undefined> {
    const data = await this.accountData(escrow.address);
    return data === undefined ? undefined : Amount.fromLamports(getTokenDecoder().decode(data).amount);
  }

  private async heldBy(escrow: EscrowHandle): Promise<Amount> {
    const held = await this.escrowBalance(escrow);
    if (held === undefined) throw new MarketError("ESCROW_ERROR", { reason: `escrow ${escrow.escrowId} is settled and closed already` });
    return held;
  }

  private async payOut(escrow: EscrowHandle, cosigners: readonly [Wallet, Wallet], payouts: readonly SettlementPayout[], type: TransactionType): Promise<Transaction> {
    const payer = walletSigner(this.payer);
    const destinations = await Promise.all(payouts.map(async (payout) => ({ owner: parseAddress(payout.owner), account: await this.tokenAccount(parseAddress(payout.owner)), amount: payout.amount })));
    const instructions: Instruction[] = [
      ...destinations.filter((d) => !d.amount.isZero()).map((d) => getCreateAssociatedTokenIdempotentInstruction({ payer, ata: d.account, owner: d.owner, mint: this.mint })),
      ...payoutInstructions({
        escrow: escrow.address,
        mint: this.mint,
        multisig: escrow.multisig,
        cosigners: [walletSigner(cosigners[0]), walletSigner(cosigners[1])],
        payouts: destinations.map((d) => ({ destination: d.account, amount: d.amount })),
        rentDestination: this.payer.address,
      }),
    ];
    const total = payouts.reduce((sum, payout) => sum.add(payout.amount), Amount.zero());
    return this.execute(instructions, { type, amount: total, from: escrow.address, memo: escrow.escrowId });
  }
}

function expectParty(escrow: EscrowHandle, wallet: Wallet, role: keyof EscrowParties): void {
  if (escrow.parties[role] !== wallet.address) throw new MarketError("ESCROW_ERROR", { reason: `the ${role} of escrow ${escrow.escrowId} must sign` });
}
