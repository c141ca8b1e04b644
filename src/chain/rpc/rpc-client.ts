// RpcMoltClient: the MOLT token over any Solana validator's JSON-RPC (@solana/kit), a localnet or a
// cluster. Confirms by polling signature statuses, with a timeout; retries a send after a transient
// network error with the same signed bytes (same signature), so nothing is ever sent twice.
// Talks to the network; holds no state but the records of what it sent.
import {
  appendTransactionMessageInstructions,
  createSolanaRpc,
  createSolanaRpcSubscriptions,
  lamports,
  createTransactionMessage,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
} from "@solana/kit";
import type { Blockhash, Instruction, Rpc, RpcSubscriptions, Signature, SolanaRpcApi, SolanaRpcSubscriptionsApi } from "@solana/kit";
import { systemClock } from "../../core/clock.js";
import type { Clock } from "../../core/clock.js";
import { MarketError } from "../../core/errors.js";
import { parseAddress } from "../../core/address.js";
import type { Address } from "../../core/address.js";
import type { Network } from "../network.js";
import { walletSigner } from "../signer.js";
import type { Transaction } from "../transaction.js";
import { MoltTokenClient } from "../token-client.js";
import type { TransactionRecord } from "../token-client.js";
import type { TransactionId } from "../../core/transaction-id.js";
import type { Wallet } from "../wallet.js";

/** How long a transaction may take to confirm by default. */
export const CONFIRM_TIMEOUT_MS_DEFAULT = 60_000;
/** Pause between status polls. */
export const CONFIRM_POLL_MS = 200;
/** Sends of the same signed bytes after transient network errors. */
export const SEND_ATTEMPTS_MAX = 5;
const SIGNATURE_FEE_LAMPORTS = 5000n;
/** Blocks a blockhash stays valid on a Solana cluster. */
const BLOCKHASH_LIFETIME_BLOCKS = 150n;

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
 * @example const chain = new RpcMoltClient({ network: Network.devnet(), payer: operator, mint: parseAddress(process.env.MOLT_MINT) })
 */
export class RpcMoltClient extends MoltTokenClient {
  readonly network: Network;
  readonly mint: Address;
  private readonly rpc: Rpc<SolanaRpcApi>;
  private readonly subscriptions: RpcSubscriptions<SolanaRpcSubscriptionsApi>;
  protected readonly feePayer: Wallet;
  protected readonly mintAuthority: Wallet | undefined;
  private readonly confirmTimeoutMs: number;
  private readonly clock: Clock;
  private readonly sent = new Map<string, Transaction>();

  constructor(options: RpcClientOptions) {
    super();
    this.network = options.network;
    this.mint = parseAddress(options.mint);
    this.feePayer = options.payer;
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
      const notifications = await this.subscriptions
        .signatureNotifications(signature, { commitment: "confirmed" })
        .subscribe({ abortSignal: abort.signal });
      const announced = notifications[Symbol.asyncIterator]()
        .next()
        .then(
          () => undefined,
          () => undefined,
        );
      return {
        announced,
        stop: () => {
          abort.abort();
        },
      };
    } catch {
      abort.abort();
      return undefined;
    }
  }

  /** Nothing to release: requests are independent. */
  close(): void {}

  protected async accountData(address: Address): Promise<Uint8Array | undefined> {
    const { value } = await this.rpc.getAccountInfo(address, { encoding: "base64" }).send();
    if (value === null) return undefined;
    return Uint8Array.from(Buffer.from(value.data[0], "base64"));
  }

  protected rentExempt(space: number): Promise<bigint> {
    return this.rpc.getMinimumBalanceForRentExemption(BigInt(space)).send();
  }

  /** Lamports held at `address` (0 when no account is there). */
  async lamportsOf(address: Address): Promise<bigint> {
    return (await this.rpc.getBalance(address).send()).value;
  }

  /** Asks the cluster's faucet (requestAirdrop) and waits until the grant is confirmed. @throws CHAIN_ERROR */
  protected async grantLamports(to: Address, amount: bigint): Promise<void> {
    let signature: Signature;
    try {
      signature = await this.rpc.requestAirdrop(to, lamports(amount)).send();
    } catch (e) {
      throw new MarketError("CHAIN_ERROR", {
        reason: `the cluster's faucet refused ${amount} lamports for ${to}: ${e instanceof Error ? e.message : String(e)}`,
      });
    }
    const deadline = Date.now() + this.confirmTimeoutMs;
    while (Date.now() < deadline) {
      const [status] = (await this.rpc.getSignatureStatuses([signature]).send()).value;
      if (status !== null && status !== undefined && status.err !== null)
        throw new MarketError("CHAIN_ERROR", { reason: `the faucet's grant to ${to} failed` });
      if (status !== null && status !== undefined) return;
      await new Promise((resolve) => setTimeout(resolve, CONFIRM_POLL_MS));
    }
    throw new MarketError("CHAIN_ERROR", { reason: `the faucet's grant to ${to} was not confirmed within ${this.confirmTimeoutMs} ms` });
  }

  /**
   * Signs once, sends (again, same bytes, after transient errors) and polls until confirmed.
   * @throws CHAIN_ERROR (refused, or not confirmed before its blockhash expired or the timeout)
   */
  protected async execute(instructions: Instruction[], record: TransactionRecord, blockhash?: string): Promise<Transaction> {
    const latest = await this.lifetimeFor(blockhash);
    const signed = await pipe(
      createTransactionMessage({ version: 0 }),
      (message) => setTransactionMessageFeePayerSigner(walletSigner(this.feePayer), message),
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

  /** The presented blockhash while the cluster still accepts it (bounded by the 150 blocks a blockhash lives), else the latest. */
  private async lifetimeFor(
    blockhash: string | undefined,
  ): Promise<{ readonly blockhash: Blockhash; readonly lastValidBlockHeight: bigint }> {
    if (blockhash !== undefined) {
      const { value: valid } = await this.rpc.isBlockhashValid(blockhash as Blockhash).send();
      if (valid)
        return {
          blockhash: blockhash as Blockhash,
          lastValidBlockHeight: (await this.rpc.getBlockHeight().send()) + BLOCKHASH_LIFETIME_BLOCKS,
        };
    }
    return (await this.rpc.getLatestBlockhash().send()).value;
  }

  private async sendAndConfirm(
    signed: Awaited<ReturnType<typeof signTransactionMessageWithSigners>>,
    signature: Signature,
    wire: ReturnType<typeof getBase64EncodedWireTransaction>,
    lastValidBlockHeight: bigint,
    record: TransactionRecord,
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
      if (height > lastValidBlockHeight)
        throw new MarketError("CHAIN_ERROR", {
          reason: `transaction ${signature} expired unconfirmed (blockhash too old); nothing was moved`,
        });
      if (this.clock.now() > deadline)
        throw new MarketError("CHAIN_ERROR", {
          reason: `transaction ${signature} not confirmed within ${this.confirmTimeoutMs} ms; check it before sending again`,
        });
      await pause();
    }
    const {
      value: [status],
    } = await this.rpc.getSignatureStatuses([signature]).send();
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
    const {
      value: [status],
    } = await this.rpc.getSignatureStatuses([signature]).send();
    if (status === null || status === undefined) return undefined;
    if (status.err !== null)
      return `transaction ${signature} failed: ${JSON.stringify(status.err, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}`;
    return status.confirmationStatus === "confirmed" || status.confirmationStatus === "finalized" ? "confirmed" : undefined;
  }

  /** A transaction this client sent, or undefined. */
  getTransaction(id: TransactionId): Promise<Transaction | undefined> {
    return Promise.resolve(this.sent.get(id));
  }
}
