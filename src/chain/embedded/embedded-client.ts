// EmbeddedMoltClient: the MOLT token on an in-process Solana runtime (LiteSVM, with the real SPL
// Token program), kept in a data directory. Every confirmed transaction is in the fsync'd chain log
// before it is reported; a restart, even after kill -9, loads the newest snapshot and replays the log.
// Reads and writes files in its data directory only.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { FailedTransactionMetadata, LiteSVM } from "litesvm";
import type { TransactionMetadata } from "litesvm";
import {
  appendTransactionMessageInstructions,
  createAddressWithSeed,
  createTransactionMessage,
  getBase64Decoder,
  getCompiledTransactionMessageDecoder,
  getTransactionEncoder,
  lamports,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
} from "@solana/kit";
import type { Blockhash } from "@solana/kit";
import type { Instruction } from "@solana/kit";
import { getCreateAccountWithSeedInstruction } from "@solana-program/system";
import { TOKEN_PROGRAM_ADDRESS, getInitializeMint2Instruction, getMintSize } from "@solana-program/token";
import { Amount, MOLT_DECIMALS } from "../../core/amount.js";
import { systemClock } from "../../core/clock.js";
import type { Clock } from "../../core/clock.js";
import { MarketError } from "../../core/errors.js";
import { parseAddress } from "../../core/address.js";
import type { Address } from "../../core/address.js";
import { Network } from "../network.js";
import { walletSigner } from "../signer.js";
import type { Transaction } from "../transaction.js";
import { transactionIdFromBytes } from "../../core/transaction-id.js";
import type { TransactionId } from "../../core/transaction-id.js";
import { Wallet } from "../wallet.js";
import { MoltTokenClient } from "../token-client.js";
import type { TransactionRecord } from "../token-client.js";
import { ChainLog } from "./chain-log.js";
import { RecentBlockhashes } from "./recent-blockhashes.js";
import { TransactionHistory } from "./transaction-history.js";
import type { SignatureStatus, TransactionDetails } from "./transaction-history.js";
import { decodeWire, feeOf, toRecord } from "./transaction-records.js";
import { replayLog } from "./log-replay.js";

/** Seed of the MOLT mint's address, derived from the operator's. */
export const MINT_SEED = "molt-mint";
/** Lamports the operator starts with, to pay fees and rent. */
export const OPERATOR_LAMPORTS = 1000n * 1_000_000_000n;
/** Below this the operator is topped up again (the runtime faucet grants at most about 10^14). */
export const OPERATOR_LAMPORTS_LOW = 10n * 1_000_000_000n;
/** Log entries between snapshots by default. */
export const SNAPSHOT_EVERY_DEFAULT = 1000;

/** Options of the embedded chain. */
export interface EmbeddedClientOptions {
  /** Directory holding the operator key, the chain log and snapshots. */
  readonly dataDir: string;
  readonly clock?: Clock;
  /** Log entries between snapshots (restart time vs. write volume). */
  readonly snapshotEvery?: number;
}

/**
 * The embedded MOLT chain. Invariants: a transaction is reported confirmed only once its log
 * entry is on disk; the state after a restart equals the state before it, confirmed
 * transactions and balances included.
 */
export class EmbeddedMoltClient extends MoltTokenClient {
  readonly network = Network.localnet();
  /** Where the time of confirmed transactions went, in nanoseconds: for benchmarks and metrics. */
  readonly timings = { transactions: 0, buildSignNs: 0n, executeNs: 0n, durableLogNs: 0n };
  /** Records, outcomes, wire bytes and logs of every transaction in the log or sent since start. */
  private readonly history = new TransactionHistory();
  private readonly snapshotEvery: number;
  private readonly recentBlockhashes: RecentBlockhashes;

  private constructor(
    private svm: LiteSVM,
    private readonly log: ChainLog,
    /** Pays fees and rent, holds the mint authority, and is the base of derived escrow addresses. */
    readonly operator: Wallet,
    /** The MOLT mint. */
    readonly mint: Address,
    private readonly clock: Clock,
    snapshotEvery: number,
  ) {
    super();
    this.snapshotEvery = snapshotEvery;
    this.recentBlockhashes = new RecentBlockhashes(clock);
  }

  /**
   * Opens (or creates, on first start) the chain in `dataDir`.
   * @throws WALLET_ERROR (operator key), CHAIN_ERROR (damaged log, replay refused)
   * @example const chain = await EmbeddedMoltClient.open({ dataDir: ".molt-market/chain" }); await chain.airdrop(buyer.address, Amount.parse("10"))
   */
  static async open(options: EmbeddedClientOptions): Promise<EmbeddedMoltClient> {
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    const operatorPath = join(options.dataDir, "operator.json");
    if (!existsSync(operatorPath)) Wallet.generate().save(operatorPath);
    const operator = Wallet.fromFile(operatorPath);
    const mint = await createAddressWithSeed({ baseAddress: operator.address, programAddress: TOKEN_PROGRAM_ADDRESS, seed: MINT_SEED });
    const log = ChainLog.open(options.dataDir);
    const snapshot = log.latestSnapshot();
    const svm = snapshot === undefined ? new LiteSVM() : LiteSVM.fromBytes(snapshot.bytes);
    const client = new EmbeddedMoltClient(
      svm,
      log,
      operator,
      mint,
      options.clock ?? systemClock,
      options.snapshotEvery ?? SNAPSHOT_EVERY_DEFAULT,
    );
    replayLog({ svm, entries: log.entries, snapshotSeq: snapshot?.seq ?? 0, history: client.history });
    if (log.seq === 0) await client.createMint();
    return client;
  }

  /** Gives the operator lamports for fees and rent when it runs low; logged like a transaction. @throws CHAIN_ERROR */
  private fundOperator(): void {
    if ((this.svm.getBalance(this.operator.address) ?? 0n) >= OPERATOR_LAMPORTS_LOW) return;
    const funded = this.svm.airdrop(this.operator.address, lamports(OPERATOR_LAMPORTS));
    if (funded === null || funded instanceof FailedTransactionMetadata) {
      throw new MarketError("CHAIN_ERROR", {
        reason: `the runtime could not fund the operator${funded === null ? "" : `: ${funded.err().toString()}`}`,
      });
    }
    this.log.append({ kind: "lamports", to: this.operator.address, lamports: OPERATOR_LAMPORTS.toString() });
  }

  private async createMint(): Promise<void> {
    const space = getMintSize();
    await this.execute(
      [
        getCreateAccountWithSeedInstruction({
          payer: walletSigner(this.operator),
          newAccount: this.mint,
          base: this.operator.address,
          seed: MINT_SEED,
          amount: this.svm.minimumBalanceForRentExemption(BigInt(space)),
          space,
          programAddress: TOKEN_PROGRAM_ADDRESS,
        }),
        getInitializeMint2Instruction({ mint: this.mint, decimals: MOLT_DECIMALS, mintAuthority: this.operator.address }),
      ],
      { type: "Setup", amount: Amount.zero() },
    );
  }

  /**
   * Signs (operator as fee payer), executes, logs durably, then reports. A refused transaction
   * changes nothing and is not logged.
   * @throws CHAIN_ERROR
   */
  protected async execute(instructions: Instruction[], record: TransactionRecord, blockhash?: string): Promise<Transaction> {
    this.fundOperator();
    const started = process.hrtime.bigint();
    const lifetime = blockhash !== undefined && this.isBlockhashValid(blockhash) ? blockhash : this.svm.latestBlockhash();
    const signed = await pipe(
      createTransactionMessage({ version: 0 }),
      (message) => setTransactionMessageFeePayerSigner(walletSigner(this.operator), message),
      (message) =>
        setTransactionMessageLifetimeUsingBlockhash(
          { blockhash: lifetime as Blockhash, lastValidBlockHeight: this.svm.getClock().slot + 150n },
          message,
        ),
      (message) => appendTransactionMessageInstructions(instructions, message),
      (message) => signTransactionMessageWithSigners(message),
    );
    const signedAt = process.hrtime.bigint();
    const wireBytes = getTransactionEncoder().encode(signed);
    const result = this.sendLogged(signed, Uint8Array.from(wireBytes));
    if (result instanceof FailedTransactionMetadata) {
      throw new MarketError("CHAIN_ERROR", { reason: result.err().toString() });
    }
    const executedAt = process.hrtime.bigint();
    const transaction = this.confirmed(result, getBase64Decoder().decode(wireBytes), { ...record, feeLamports: feeOf(signed) });
    const loggedAt = process.hrtime.bigint();
    this.timings.transactions++;
    this.timings.buildSignNs += signedAt - started;
    this.timings.executeNs += executedAt - signedAt;
    this.timings.durableLogNs += loggedAt - executedAt;
    this.expireBlockhash();
    if (this.log.seq % this.snapshotEvery === 0) this.snapshot();
    return transaction;
  }

  /**
   * Bookkeeping of a transaction that executed: its durable log entry first, then its record,
   * details and status (which wakes signature subscribers).
   */
  private confirmed(result: TransactionMetadata, wire: string, record: Omit<Transaction, "id" | "status" | "timeMs">): Transaction {
    const transaction: Transaction = {
      ...record,
      id: transactionIdFromBytes(result.signature()),
      status: { kind: "Confirmed", slot: this.svm.getClock().slot },
      timeMs: this.clock.now(),
    };
    this.log.append({ kind: "transaction", wire, record: JSON.stringify(toRecord(transaction)) });
    this.history.record(transaction);
    this.history.noteDetails(transaction.id, { wire, feeLamports: transaction.feeLamports, logs: result.logs() });
    this.history.setStatus(transaction.id, { slot: this.svm.getClock().slot });
    return transaction;
  }

  /**
   * The next transaction gets a new blockhash, so that a repeat is a new transaction; the old one is
   * still accepted for BLOCKHASH_VALIDITY_MS, as a validator accepts recent blockhashes.
   */
  private expireBlockhash(): void {
    this.recentBlockhashes.replaced(this.svm.latestBlockhash());
    this.svm.expireBlockhash();
  }

  /** Does the chain still accept transactions built on `blockhash` (the latest, or one replaced less than BLOCKHASH_VALIDITY_MS ago). */
  isBlockhashValid(blockhash: string): boolean {
    return blockhash === this.svm.latestBlockhash() || this.recentBlockhashes.accepts(blockhash);
  }

  /**
   * Sends a transaction; when it fails but its fee was charged (it failed while executing), logs it
   * as failed so a replay charges the same fee. A recent blockhash is accepted like the latest one.
   */
  private sendLogged(transaction: Parameters<LiteSVM["sendTransaction"]>[0], wire: Uint8Array): ReturnType<LiteSVM["sendTransaction"]> {
    const message = getCompiledTransactionMessageDecoder().decode(transaction.messageBytes);
    const feePayer = message.staticAccounts[0];
    const before = feePayer === undefined ? null : this.svm.getBalance(feePayer);
    // The runtime knows only its latest blockhash: a recent one is let through here (signatures and
    // repeats are still checked by the runtime).
    const recent = message.lifetimeToken !== this.svm.latestBlockhash() && this.isBlockhashValid(message.lifetimeToken);
    if (recent) this.svm.withBlockhashCheck(false);
    let result: ReturnType<LiteSVM["sendTransaction"]>;
    try {
      result = this.svm.sendTransaction(transaction);
    } finally {
      if (recent) this.svm.withBlockhashCheck(true);
    }
    if (result instanceof FailedTransactionMetadata && feePayer !== undefined && this.svm.getBalance(feePayer) !== before) {
      this.log.append({ kind: "failed", wire: getBase64Decoder().decode(wire) });
    }
    return result;
  }

  /** Writes a snapshot of the state (restart then replays only what came after). */
  snapshot(): void {
    this.log.writeSnapshot(this.log.seq, this.svm.toBytes());
  }

  protected accountData(address: Address): Promise<Uint8Array | undefined> {
    const account = this.svm.getAccount(address);
    return Promise.resolve(account.exists ? Uint8Array.from(account.data) : undefined);
  }

  protected rentExempt(space: number): Promise<bigint> {
    return Promise.resolve(this.svm.minimumBalanceForRentExemption(BigInt(space)));
  }

  /** Lamports held at `address` (0 when no account is there). */
  lamportsOf(address: Address): Promise<bigint> {
    return Promise.resolve(this.svm.getBalance(parseAddress(address)) ?? 0n);
  }

  protected grantLamports(to: Address, amount: bigint): Promise<void> {
    this.airdropLamports(to, amount);
    return Promise.resolve();
  }

  /** The operator pays fees and rent. */
  protected get feePayer(): Wallet {
    return this.operator;
  }

  /** The operator holds the mint authority: the embedded chain is a local network, never mainnet. */
  protected get mintAuthority(): Wallet {
    return this.operator;
  }

  /** A transaction this chain confirmed, or undefined. */
  getTransaction(id: TransactionId): Promise<Transaction | undefined> {
    return Promise.resolve(this.history.transaction(id));
  }

  // ------------------------------------------------------------------ runtime view for the localnet server

  /** The runtime's current slot. */
  get slot(): bigint {
    return this.svm.getClock().slot;
  }

  /** The blockhash new transactions must use. */
  latestBlockhash(): string {
    return this.svm.latestBlockhash();
  }

  /** An account as the runtime holds it, or undefined. */
  account(
    address: Address,
  ): { readonly lamports: bigint; readonly owner: Address; readonly data: Uint8Array; readonly executable: boolean } | undefined {
    const found = this.svm.getAccount(address);
    if (!found.exists) return undefined;
    return { lamports: found.lamports, owner: found.programAddress, data: Uint8Array.from(found.data), executable: found.executable };
  }

  /** Lamports an account of `space` bytes needs to be rent exempt. */
  rentExemptMinimum(space: bigint): bigint {
    return this.svm.minimumBalanceForRentExemption(space);
  }

  /**
   * Executes a signed transaction from its wire bytes; on success it is logged durably before this
   * returns. A refused transaction changes nothing and its error is returned, not thrown.
   * @throws CHAIN_ERROR (bytes that are no transaction)
   */
  submitWire(wire: Uint8Array): { readonly signature: string; readonly error?: string } {
    const decoded = decodeWire(wire);
    this.fundOperator();
    const result = this.sendLogged(decoded, wire);
    const wireText = getBase64Decoder().decode(wire);
    if (result instanceof FailedTransactionMetadata) {
      return { signature: this.history.noteFailed(decoded, wireText, result, this.svm.getClock().slot), error: result.err().toString() };
    }
    const transaction = this.confirmed(result, wireText, { type: "External", amount: Amount.zero(), feeLamports: feeOf(decoded) });
    return { signature: transaction.id };
  }

  /** Runs a signed transaction without keeping its effects. @throws CHAIN_ERROR (bytes that are no transaction) */
  simulateWire(wire: Uint8Array): { readonly error?: string; readonly logs: readonly string[]; readonly unitsConsumed: bigint } {
    const result = this.svm.simulateTransaction(decodeWire(wire));
    if (result instanceof FailedTransactionMetadata) {
      return { error: result.err().toString(), logs: result.meta().logs(), unitsConsumed: result.meta().computeUnitsConsumed() };
    }
    return { logs: result.meta().logs(), unitsConsumed: result.meta().computeUnitsConsumed() };
  }

  /** A transaction's wire bytes (base64), fee and logs, when this chain has it. */
  transactionDetails(signature: string): TransactionDetails | undefined {
    return this.history.detailsOf(signature);
  }

  /** Calls `listener` with each signature whose outcome becomes known; returns the unsubscribe function. */
  onStatus(listener: (signature: string) => void): () => void {
    return this.history.onStatus(listener);
  }

  /** Where a transaction this process knows ended: its slot, and its error when it failed. */
  signatureStatus(signature: string): SignatureStatus | undefined {
    return this.history.statusOf(signature);
  }

  /** Gives an address lamports (SOL for fees), logged like a transaction. @throws CHAIN_ERROR */
  airdropLamports(to: Address, amount: bigint): string {
    const result = this.svm.airdrop(parseAddress(to), lamports(amount));
    if (result === null || result instanceof FailedTransactionMetadata) {
      throw new MarketError("CHAIN_ERROR", { reason: `airdrop refused${result === null ? "" : `: ${result.err().toString()}`}` });
    }
    this.log.append({ kind: "lamports", to, lamports: amount.toString() });
    const signature = transactionIdFromBytes(result.signature());
    this.history.setStatus(signature, { slot: this.svm.getClock().slot });
    return signature;
  }

  /** Writes a snapshot and closes the log. */
  close(): void {
    this.snapshot();
    this.log.close();
  }
}
