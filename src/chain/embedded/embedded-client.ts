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
  getBase64Encoder,
  getCompiledTransactionMessageDecoder,
  getTransactionDecoder,
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
import type { Transaction, TransactionType } from "../transaction.js";
import { transactionIdFromBytes } from "../../core/transaction-id.js";
import type { TransactionId } from "../../core/transaction-id.js";
import { Wallet } from "../wallet.js";
import { MoltTokenClient } from "../token-client.js";
import type { TransactionRecord } from "../token-client.js";
import { ChainLog } from "./chain-log.js";

/** Seed of the MOLT mint's address, derived from the operator's. */
export const MINT_SEED = "molt-mint";
/** Lamports the operator starts with, to pay fees and rent. */
export const OPERATOR_LAMPORTS = 1000n * 1_000_000_000n;
/** Below this the operator is topped up again (the runtime faucet grants at most about 10^14). */
export const OPERATOR_LAMPORTS_LOW = 10n * 1_000_000_000n;
/** Fee per signature on the embedded runtime, in lamports. */
export const SIGNATURE_FEE_LAMPORTS = 5000n;
/** Log entries between snapshots by default. */
export const SNAPSHOT_EVERY_DEFAULT = 1000;
/** How long a replaced blockhash is still accepted (a validator accepts one for about 150 slots, 60 s). */
export const BLOCKHASH_VALIDITY_MS = 60_000;
/** Replaced blockhashes remembered at most (the oldest are forgotten first). */
export const RECENT_BLOCKHASHES_MAX = 10_000;

/** Options of the embedded chain. */
export interface EmbeddedClientOptions {
  /** Directory holding the operator key, the chain log and snapshots. */
  readonly dataDir: string;
  readonly clock?: Clock;
  /** Log entries between snapshots (restart time vs. write volume). */
  readonly snapshotEvery?: number;
}

interface StoredRecord {
  readonly id: string;
  readonly slot: string;
  readonly type: TransactionType;
  readonly amount: string;
  readonly from?: string;
  readonly to?: string;
  readonly timeMs: number;
  readonly feeLamports: string;
  readonly memo?: string;
}

function toRecord(transaction: Transaction): StoredRecord {
  return {
    id: transaction.id,
    slot: transaction.status.kind === "Confirmed" ? transaction.status.slot.toString() : "0",
    type: transaction.type,
    amount: transaction.amount.toString(),
    ...(transaction.from === undefined ? {} : { from: transaction.from }),
    ...(transaction.to === undefined ? {} : { to: transaction.to }),
    timeMs: transaction.timeMs,
    feeLamports: transaction.feeLamports.toString(),
    ...(transaction.memo === undefined ? {} : { memo: transaction.memo }),
  };
}

function fromRecord(record: StoredRecord): Transaction {
  return {
    id: record.id as TransactionId,
    status: { kind: "Confirmed", slot: BigInt(record.slot) },
    type: record.type,
    amount: Amount.parse(record.amount),
    ...(record.from === undefined ? {} : { from: parseAddress(record.from) }),
    ...(record.to === undefined ? {} : { to: parseAddress(record.to) }),
    timeMs: record.timeMs,
    feeLamports: BigInt(record.feeLamports),
    ...(record.memo === undefined ? {} : { memo: record.memo }),
  };
}

/** A transaction decoded from its wire bytes. */
type WireTransaction = ReturnType<ReturnType<typeof getTransactionDecoder>["decode"]>;

/** The network fee of a transaction: one fee per signature. */
function feeOf(transaction: { readonly signatures: Readonly<Record<string, unknown>> }): bigint {
  return SIGNATURE_FEE_LAMPORTS * BigInt(Object.keys(transaction.signatures).length);
}

/** Decodes wire bytes into a transaction. @throws CHAIN_ERROR (bytes that are no transaction) */
function decodeWire(wire: Uint8Array): WireTransaction {
  try {
    return getTransactionDecoder().decode(wire);
  } catch (e) {
    throw new MarketError("CHAIN_ERROR", { reason: "the bytes are not a serialized transaction" }, { cause: e });
  }
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
  private readonly transactions = new Map<string, Transaction>();
  /** Outcome of every transaction this process executed or replayed, by signature. */
  private readonly statuses = new Map<string, { readonly slot: bigint; readonly error?: string }>();
  /** Wire bytes (base64), fee and logs of every transaction in the log or sent since start, by signature. */
  private readonly details = new Map<string, { readonly wire: string; readonly feeLamports: bigint; readonly logs: readonly string[] }>();
  private readonly statusListeners = new Set<(signature: string) => void>();
  private readonly snapshotEvery: number;
  /** Blockhashes replaced less than BLOCKHASH_VALIDITY_MS ago, with the time they stop being accepted, oldest first. */
  private readonly recentBlockhashes = new Map<string, number>();

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
  }

  /**
   * Opens (or creates, on first start) the chain in `dataDir`.
   * @throws WALLET_ERROR (operator key), CHAIN_ERROR (damaged log, replay refused)
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
    const client = new EmbeddedMoltClient(svm, log, operator, mint, options.clock ?? systemClock, options.snapshotEvery ?? SNAPSHOT_EVERY_DEFAULT);
    client.replay(snapshot?.seq ?? 0);
    if (log.seq === 0) await client.createMint();
    return client;
  }

  private replay(snapshotSeq: number): void {
    const decoder = getTransactionDecoder();
    const base64 = getBase64Encoder();
    this.svm.withBlockhashCheck(false); // logged transactions carry blockhashes long gone; signatures are still checked
    for (const entry of this.log.entries) {
      const recorded = entry.kind === "transaction" ? fromRecord(JSON.parse(entry.record) as StoredRecord) : undefined;
      if (recorded !== undefined) this.transactions.set(recorded.id, recorded);
      if (entry.kind === "lamports") {
        if (entry.seq > snapshotSeq) this.svm.airdrop(parseAddress(entry.to), lamports(BigInt(entry.lamports)));
        continue;
      }
      if (entry.seq <= snapshotSeq) {
        // In the snapshot already: restore what RPC callers may ask about it, without executing it.
        if (recorded !== undefined) {
          this.noteDetails(recorded.id, entry.wire, recorded.feeLamports, []);
          this.statuses.set(recorded.id, { slot: recorded.status.kind === "Confirmed" ? recorded.status.slot : 0n });
        } else {
          const transaction = decoder.decode(base64.encode(entry.wire));
          const first = Object.values(transaction.signatures)[0];
          if (first !== null && first !== undefined) {
            const signature = transactionIdFromBytes(first);
            this.noteDetails(signature, entry.wire, feeOf(transaction), []);
            this.statuses.set(signature, { slot: 0n, error: "failed (before the last snapshot)" });
          }
        }
        continue;
      }
      const transaction = decoder.decode(base64.encode(entry.wire));
      const result = this.svm.sendTransaction(transaction);
      if (entry.kind === "failed") {
        if (!(result instanceof FailedTransactionMetadata)) {
          throw new MarketError("CHAIN_ERROR", { reason: `replay of log entry ${entry.seq} succeeded where it had failed` });
        }
        this.noteFailed(transaction, entry.wire, result);
        continue;
      }
      if (result instanceof FailedTransactionMetadata) {
        throw new MarketError("CHAIN_ERROR", { reason: `replay of log entry ${entry.seq} failed: ${result.err().toString()}` });
      }
      const signature = transactionIdFromBytes(result.signature());
      this.noteDetails(signature, entry.wire, recorded?.feeLamports ?? feeOf(transaction), result.logs());
      this.setStatus(signature, { slot: this.svm.getClock().slot });
    }
    this.svm.withBlockhashCheck(true);
  }

  /** Gives the operator lamports for fees and rent when it runs low; logged like a transaction. @throws CHAIN_ERROR */
  private fundOperator(): void {
    if ((this.svm.getBalance(this.operator.address) ?? 0n) >= OPERATOR_LAMPORTS_LOW) return;
    const funded = this.svm.airdrop(this.operator.address, lamports(OPERATOR_LAMPORTS));
    if (funded === null || funded instanceof FailedTransactionMetadata) {
      throw new MarketError("CHAIN_ERROR", { reason: `the runtime could not fund the operator${funded === null ? "" : `: ${funded.err().toString()}`}` });
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
      (message) => setTransactionMessageLifetimeUsingBlockhash({ blockhash: lifetime as Blockhash, lastValidBlockHeight: this.svm.getClock().slot + 150n }, message),
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
    this.transactions.set(transaction.id, transaction);
    this.noteDetails(transaction.id, wire, transaction.feeLamports, result.logs());
    this.setStatus(transaction.id, { slot: this.svm.getClock().slot });
    return transaction;
  }

  /**
   * The next transaction gets a new blockhash, so that a repeat is a new transaction; the old one is
   * still accepted for BLOCKHASH_VALIDITY_MS, as a validator accepts recent blockhashes.
   */
  private expireBlockhash(): void {
    const nowMs = this.clock.now();
    this.recentBlockhashes.set(this.svm.latestBlockhash(), nowMs + BLOCKHASH_VALIDITY_MS);
    for (const [hash, until] of this.recentBlockhashes) {
      if (until > nowMs && this.recentBlockhashes.size <= RECENT_BLOCKHASHES_MAX) break;
      this.recentBlockhashes.delete(hash);
    }
    this.svm.expireBlockhash();
  }

  /** Does the chain still accept transactions built on `blockhash` (the latest, or one replaced less than BLOCKHASH_VALIDITY_MS ago). */
  isBlockhashValid(blockhash: string): boolean {
    return blockhash === this.svm.latestBlockhash() || (this.recentBlockhashes.get(blockhash) ?? 0) > this.clock.now();
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
    return Promise.resolve(this.transactions.get(id));
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
  account(address: Address): { readonly lamports: bigint; readonly owner: Address; readonly data: Uint8Array; readonly executable: boolean } | undefined {
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
      return { signature: this.noteFailed(decoded, wireText, result), error: result.err().toString() };
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

  private noteDetails(signature: string, wire: string, feeLamports: bigint, logs: readonly string[]): void {
    this.details.set(signature, { wire, feeLamports, logs });
  }

  /** Records a failed transaction's outcome; returns its signature ("" when unsigned). */
  private noteFailed(transaction: WireTransaction, wire: string, result: FailedTransactionMetadata): string {
    const first = Object.values(transaction.signatures)[0];
    if (first === null || first === undefined) return "";
    const signature = transactionIdFromBytes(first);
    this.noteDetails(signature, wire, feeOf(transaction), result.meta().logs());
    this.setStatus(signature, { slot: this.svm.getClock().slot, error: result.err().toString() });
    return signature;
  }

  /** A transaction's wire bytes (base64), fee and logs, when this chain has it. */
  transactionDetails(signature: string): { readonly wire: string; readonly feeLamports: bigint; readonly logs: readonly string[] } | undefined {
    return this.details.get(signature);
  }

  private setStatus(signature: string, status: { readonly slot: bigint; readonly error?: string }): void {
    this.statuses.set(signature, status);
    for (const listener of this.statusListeners) listener(signature);
  }

  /** Calls `listener` with each signature whose outcome becomes known; returns the unsubscribe function. */
  onStatus(listener: (signature: string) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Where a transaction this process knows ended: its slot, and its error when it failed. */
  signatureStatus(signature: string): { readonly slot: bigint; readonly error?: string } | undefined {
    return this.statuses.get(signature);
  }

  /** Gives an address lamports (SOL for fees), logged like a transaction. @throws CHAIN_ERROR */
  airdropLamports(to: Address, amount: bigint): string {
    const result = this.svm.airdrop(parseAddress(to), lamports(amount));
    if (result === null || result instanceof FailedTransactionMetadata) {
      throw new MarketError("CHAIN_ERROR", { reason: `airdrop refused${result === null ? "" : `: ${result.err().toString()}`}` });
    }
    this.log.append({ kind: "lamports", to, lamports: amount.toString() });
    const signature = transactionIdFromBytes(result.signature());
    this.setStatus(signature, { slot: this.svm.getClock().slot });
    return signature;
  }

  /** Writes a snapshot and closes the log. */
  close(): void {
    this.snapshot();
    this.log.close();
  }
}
