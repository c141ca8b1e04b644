// EmbeddedMoltClient: the MOLT token on an in-process Solana runtime (LiteSVM, with the real SPL
// Token program), kept in a data directory. Every confirmed transaction is in the fsync'd chain log
// before it is reported; a restart, even after kill -9, loads the newest snapshot and replays the log.
// Reads and writes files in its data directory only.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { FailedTransactionMetadata } from "litesvm";
import { createAddressWithSeed } from "@solana/kit";
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
import { buildSignedTransaction } from "../transaction-builder.js";
import type { Transaction } from "../transaction.js";
import type { TransactionId } from "../../core/transaction-id.js";
import { Wallet } from "../wallet.js";
import { MoltTokenClient } from "../token-client.js";
import type { TransactionRecord } from "../token-client.js";
import { EmbeddedRuntime } from "./embedded-runtime.js";
import type { RecentTransaction, SignaturePage } from "./recent-transactions.js";
import type { ProgramAccount, RuntimeAccount } from "./runtime-accounts.js";
import type { SignatureStatus, TransactionDetails } from "./transaction-history.js";
import { feeOf } from "./transaction-records.js";

/** Seed of the MOLT mint's address, derived from the operator's. */
export const MINT_SEED = "molt-mint";
/** Log entries between snapshots by default. */
export const SNAPSHOT_EVERY_DEFAULT = 1000;

/** Options of the embedded chain. */
export interface EmbeddedClientOptions {
  /** Directory holding the operator key, the chain log and snapshots. */
  readonly dataDir: string;
  readonly clock?: Clock;
  /** Log entries between snapshots (restart time vs. write volume). */
  readonly snapshotEvery?: number;
  /**
   * true (the default): transactions confirmed together share one fsync of the chain log. false:
   * one fsync per transaction (the baseline of bench:chain).
   */
  readonly groupCommit?: boolean;
  /**
   * Log entries kept on disk before the newest snapshot, to restore the RPC history window on
   * start; older ones are removed when a snapshot is written. Default RECENT_TRANSACTIONS_MAX.
   */
  readonly retainedLogEntries?: number;
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
  private readonly snapshotEvery: number;

  private constructor(
    /** The runtime, its log and history; also the wire-level view the localnet server uses. */
    private readonly runtime: EmbeddedRuntime,
    /** Pays fees and rent, holds the mint authority, and is the base of derived escrow addresses. */
    readonly operator: Wallet,
    /** The MOLT mint. */
    readonly mint: Address,
    snapshotEvery: number,
  ) {
    super();
    this.snapshotEvery = snapshotEvery;
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
    const runtime = EmbeddedRuntime.open(options.dataDir, operator.address, options.clock ?? systemClock, {
      groupCommit: options.groupCommit ?? true,
      ...(options.retainedLogEntries === undefined ? {} : { retainedEntries: options.retainedLogEntries }),
    });
    const client = new EmbeddedMoltClient(runtime, operator, mint, options.snapshotEvery ?? SNAPSHOT_EVERY_DEFAULT);
    if (runtime.seq === 0) await client.createMint();
    return client;
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
          amount: this.runtime.reads.rentExemptMinimum(BigInt(space)),
          space,
          programAddress: TOKEN_PROGRAM_ADDRESS,
        }),
        getInitializeMint2Instruction({ mint: this.mint, decimals: MOLT_DECIMALS, mintAuthority: this.operator.address }),
      ],
      { type: "Setup", amount: Amount.zero() },
    );
  }

  /**
   * Builds and signs (operator as fee payer; see transaction-builder.ts), executes, logs durably
   * (sharing the fsync with transactions confirmed meanwhile), then reports. A refused transaction
   * changes nothing and is not logged.
   * @throws CHAIN_ERROR, SIGNATURE_REQUIRED (a party's presented signature is for another message)
   */
  protected async execute(instructions: Instruction[], record: TransactionRecord, blockhash?: string): Promise<Transaction> {
    this.runtime.fundOperator();
    const started = process.hrtime.bigint();
    const lifetime = blockhash !== undefined && this.isBlockhashValid(blockhash) ? blockhash : this.runtime.latestBlockhash();
    const built = buildSignedTransaction({ feePayer: this.operator, blockhash: lifetime, instructions });
    const signedAt = process.hrtime.bigint();
    const { result, balances } = this.runtime.sendBuilt(built);
    if (result instanceof FailedTransactionMetadata) {
      throw new MarketError("CHAIN_ERROR", { reason: result.err().toString() });
    }
    const executedAt = process.hrtime.bigint();
    // The entry is written now (in execution order); the next transaction gets a new blockhash at
    // once, and this one is reported when its entry is on disk.
    const durable = this.runtime.confirmed(result, built.wire, { ...record, feeLamports: feeOf(built) }, balances);
    this.runtime.expireBlockhash();
    const transaction = await durable;
    const loggedAt = process.hrtime.bigint();
    this.timings.transactions++;
    this.timings.buildSignNs += signedAt - started;
    this.timings.executeNs += executedAt - signedAt;
    this.timings.durableLogNs += loggedAt - executedAt;
    if (this.runtime.entriesSinceSnapshot >= this.snapshotEvery) this.snapshot();
    return transaction;
  }

  /** Signatures whose status, record or details this chain still remembers: at most RECENT_TRANSACTIONS_MAX. */
  get rememberedSignatures(): number {
    return this.runtime.history.size;
  }

  /** fsyncs of the chain log since it was opened (fewer than transactions when they share them). */
  get logFsyncs(): number {
    return this.runtime.logFsyncs;
  }

  /** Does the chain still accept transactions built on `blockhash` (the latest, or one replaced less than BLOCKHASH_VALIDITY_MS ago). */
  isBlockhashValid(blockhash: string): boolean {
    return this.runtime.isBlockhashValid(blockhash);
  }

  /** Writes a snapshot of the state (restart then replays only what came after). */
  snapshot(): void {
    this.runtime.snapshot();
  }

  protected accountData(address: Address): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.runtime.reads.account(address)?.data);
  }

  /** From the runtime's memory of token amounts, which every change of the state makes stale (see token-amounts.ts). */
  protected override tokenAmountAt(address: Address): Promise<bigint | undefined> {
    return Promise.resolve(this.runtime.reads.tokenAmount(address));
  }

  protected rentExempt(space: number): Promise<bigint> {
    return Promise.resolve(this.runtime.reads.rentExemptMinimum(BigInt(space)));
  }

  /** Lamports held at `address` (0 when no account is there). */
  lamportsOf(address: Address): Promise<bigint> {
    return Promise.resolve(this.runtime.reads.lamportsOf(parseAddress(address)));
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
    return Promise.resolve(this.runtime.history.transaction(id));
  }

  // ------------------------------------------------------------------ runtime view for the localnet server (see EmbeddedRuntime)

  /** The runtime's current slot (one every SLOT_MS of the clock). */
  get slot(): bigint {
    return this.runtime.slot;
  }

  /** Transactions that succeeded since genesis (airdrops included). */
  get transactionCount(): bigint {
    return this.runtime.transactionCount;
  }

  /** The blockhash new transactions must use. */
  latestBlockhash(): string {
    return this.runtime.latestBlockhash();
  }

  /** An account as the runtime holds it, or undefined. */
  account(address: Address): RuntimeAccount | undefined {
    return this.runtime.reads.account(address);
  }

  /** Every account `program` owns, with its address (a scan of the whole state). */
  programAccounts(program: Address): ProgramAccount[] {
    return this.runtime.reads.programAccounts(program);
  }

  /** Lamports an account of `space` bytes needs to be rent exempt. */
  rentExemptMinimum(space: bigint): bigint {
    return this.runtime.reads.rentExemptMinimum(space);
  }

  /** Executes a signed transaction from its wire bytes, logged durably on success; a refusal is returned. @throws CHAIN_ERROR (bytes that are no transaction) */
  submitWire(wire: Uint8Array): { readonly signature: string; readonly error?: string } {
    return this.runtime.submitWire(wire);
  }

  /** Runs a transaction without keeping its effects (see EmbeddedRuntime.simulateWire). @throws CHAIN_ERROR (bytes that are no transaction) */
  simulateWire(wire: Uint8Array, options?: Parameters<EmbeddedRuntime["simulateWire"]>[1]): ReturnType<EmbeddedRuntime["simulateWire"]> {
    return this.runtime.simulateWire(wire, options);
  }

  /** A transaction of the recent window, with its balances when known, or undefined. */
  recentTransaction(signature: string): RecentTransaction | undefined {
    return this.runtime.history.recentTransaction(signature);
  }

  /** Transactions of the recent window naming `address` among their accounts, newest first. */
  recentFor(address: string, page: SignaturePage): RecentTransaction[] {
    return this.runtime.history.recentFor(address, page);
  }

  /** A transaction's wire bytes (base64), fee and logs, when this chain has it. */
  transactionDetails(signature: string): TransactionDetails | undefined {
    return this.runtime.history.detailsOf(signature);
  }

  /** Calls `listener` with each signature whose outcome becomes known; returns the unsubscribe function. */
  onStatus(listener: (signature: string) => void): () => void {
    return this.runtime.history.onStatus(listener);
  }

  /** Where a transaction this process knows ended: its slot, and its error when it failed. */
  signatureStatus(signature: string): SignatureStatus | undefined {
    return this.runtime.history.statusOf(signature);
  }

  /** Gives an address lamports (SOL for fees), logged like a transaction. @throws CHAIN_ERROR */
  airdropLamports(to: Address, amount: bigint): string {
    return this.runtime.airdropLamports(to, amount);
  }

  /** Writes a snapshot and closes the log. */
  close(): void {
    this.runtime.close();
  }
}
