// EmbeddedRuntime: the in-process Solana runtime (LiteSVM) under EmbeddedMoltClient, with its durable
// chain log, transaction history, recent blockhashes and slot clock (a new slot, and blockhash, every
// SLOT_MS), and the wire-level view the localnet server answers RPC from (account reads in
// runtime-accounts.ts, lamport grants in lamport-faucet.ts). Never signs a transaction; reads and
// writes files only through its ChainLog.
import { FailedTransactionMetadata, LiteSVM } from "litesvm";
import type { TransactionMetadata } from "litesvm";
import { getCompiledTransactionMessageDecoder } from "@solana/kit";
import { Amount } from "../../core/amount.js";
import type { Clock } from "../../core/clock.js";
import { parseAddress } from "../../core/address.js";
import type { Address } from "../../core/address.js";
import type { Transaction } from "../transaction.js";
import { transactionIdFromBytes } from "../../core/transaction-id.js";
import type { TransactionId } from "../../core/transaction-id.js";
import { addressBytes } from "../address-bytes.js";
import { base58Encode } from "../base58.js";
import type { BuiltTransaction } from "../transaction-builder.js";
import { sendWithBalances } from "./balanced-send.js";
import type { SendResult, SentMessage } from "./balanced-send.js";
import { ChainLog } from "./chain-log.js";
import type { ChainLogOptions } from "./chain-log.js";
import { OPERATOR_LAMPORTS, OPERATOR_LAMPORTS_LOW, grantLamports } from "./lamport-faucet.js";
import type { BalanceChanges } from "./recent-transactions.js";
import { RecentBlockhashes } from "./recent-blockhashes.js";
import { TransactionHistory } from "./transaction-history.js";
import type { TransactionHistoryReads } from "./transaction-history.js";
import { simulateWire } from "./simulate-wire.js";
import type { SimulateOptions, SimulationResult } from "./simulate-wire.js";
import { decodeWire, feeOf, toRecord } from "./transaction-records.js";
import { replayLog } from "./log-replay.js";
import { RuntimeReads } from "./runtime-accounts.js";
import { nativeOf } from "./native-svm.js";
import type { NativeSvm } from "./native-svm.js";
import { SlotClock } from "./slot-clock.js";

/** Built once: building a codec costs more than decoding with it. */
const messageDecoder = getCompiledTransactionMessageDecoder();

/**
 * The runtime and its log. Invariants: a transaction is reported confirmed (returned, given a status,
 * told to listeners) only once its log entry is on disk; a refused transaction changes nothing and
 * is logged only when it was charged a fee.
 */
export class EmbeddedRuntime {
  /** Records, outcomes, wire bytes and logs of every transaction in the log or sent since start. */
  private readonly memory = new TransactionHistory();
  private readonly recentBlockhashes: RecentBlockhashes;
  /** Set once the log is replayed: slots then follow the clock from where the log left them. */
  private slots: SlotClock | undefined;
  /** The log entry the newest snapshot includes (0: none). */
  private snapshotAt = 0;
  /** The runtime under `svm`'s wrapper: accounts by bytes, transactions as wire bytes. */
  private readonly native: NativeSvm;
  private readonly operatorBytes: Uint8Array;
  /** Account, balance and token-amount reads (see runtime-accounts.ts). */
  readonly reads: RuntimeReads;

  private constructor(
    private readonly svm: LiteSVM,
    private readonly log: ChainLog,
    /** Pays fees and rent; topped up when it runs low. */
    private readonly operator: Address,
    private readonly clock: Clock,
  ) {
    this.recentBlockhashes = new RecentBlockhashes(clock);
    this.native = nativeOf(svm);
    this.operatorBytes = addressBytes(operator);
    this.reads = new RuntimeReads(svm, this.native);
  }

  /** Moves the runtime to the slot its clock says, with a new blockhash when the slot moved (the old one stays recent). */
  private tick(): bigint {
    const current = this.svm.getClock().slot;
    const target = this.slots?.now() ?? current;
    if (target <= current) return current;
    this.svm.warpToSlot(target);
    this.expireBlockhash();
    return target;
  }

  /** Opens the log in `dataDir`, loads its newest snapshot and replays what came after. @throws CHAIN_ERROR (damaged log, replay refused) */
  static open(dataDir: string, operator: Address, clock: Clock, options: ChainLogOptions = {}): EmbeddedRuntime {
    const log = ChainLog.open(dataDir, options);
    const snapshot = log.latestSnapshot();
    const svm = snapshot === undefined ? new LiteSVM() : LiteSVM.fromBytes(snapshot.bytes);
    const runtime = new EmbeddedRuntime(svm, log, operator, clock);
    const entries = log.takeEntries();
    replayLog({ svm, entries, snapshotSeq: snapshot?.seq ?? 0, history: runtime.memory });
    runtime.slots = new SlotClock(clock, svm.getClock().slot);
    runtime.snapshotAt = snapshot?.seq ?? 0;
    return runtime;
  }

  /** fsyncs of the chain log since it was opened. */
  get logFsyncs(): number {
    return this.log.fsyncs;
  }

  /** What this chain remembers of its transactions (a bounded window), read only (see transaction-history.ts). */
  get history(): TransactionHistoryReads {
    return this.memory;
  }

  /** Log entries written since the newest snapshot. */
  get entriesSinceSnapshot(): number {
    return this.log.seq - this.snapshotAt;
  }

  /** Entries in the chain log (0 before the first). */
  get seq(): number {
    return this.log.seq;
  }

  /** Transactions that succeeded since genesis (airdrops included): every logged entry but the failed ones. */
  get transactionCount(): bigint {
    return BigInt(this.log.seq - this.log.failedEntries);
  }

  /** Gives the operator lamports for fees and rent when it runs low; logged like a transaction. @throws CHAIN_ERROR */
  fundOperator(): void {
    if ((this.native.getBalance(this.operatorBytes) ?? 0n) >= OPERATOR_LAMPORTS_LOW) return;
    grantLamports(this.svm, this.operator, OPERATOR_LAMPORTS, "the runtime could not fund the operator");
    // Reported to nobody: the next confirmed transaction's fsync makes it durable.
    this.log.write({ kind: "lamports", to: this.operator, lamports: OPERATOR_LAMPORTS.toString() });
  }

  /**
   * Bookkeeping of a transaction that executed: its log entry is written at once (before any later
   * transaction's), and once it is on disk, shared with the entries written meanwhile (group
   * commit), its record, details and status (which wakes signature subscribers).
   * @throws CHAIN_ERROR (the log could not be written or made durable)
   */
  async confirmed(
    result: TransactionMetadata,
    wire: Uint8Array,
    record: Omit<Transaction, "id" | "status" | "timeMs">,
    balances?: BalanceChanges,
  ): Promise<Transaction> {
    const transaction = this.transactionOf(result, record);
    const logs = result.logs();
    const wireText = Buffer.from(wire).toString("base64");
    await this.log.append({ kind: "transaction", wire: wireText, record: JSON.stringify(toRecord(transaction)) });
    this.remember(transaction, wireText, logs, balances);
    return transaction;
  }

  private transactionOf(result: TransactionMetadata, record: Omit<Transaction, "id" | "status" | "timeMs">): Transaction {
    return {
      ...record,
      id: base58Encode(result.signature()) as TransactionId, // the 64 signature bytes from the runtime
      status: { kind: "Confirmed", slot: this.svm.getClock().slot },
      timeMs: this.clock.now(),
    };
  }

  private remember(transaction: Transaction, wire: string, logs: readonly string[], balances: BalanceChanges | undefined): void {
    this.memory.record(transaction);
    this.memory.noteDetails(transaction.id, { wire, feeLamports: transaction.feeLamports, logs });
    const slot = transaction.status.kind === "Confirmed" ? transaction.status.slot : this.svm.getClock().slot;
    this.memory.setStatus(transaction.id, { slot }, balances);
  }

  /**
   * The next transaction gets a new blockhash, so that a repeat is a new transaction; the old one is
   * still accepted for BLOCKHASH_VALIDITY_MS, as a validator accepts recent blockhashes.
   */
  expireBlockhash(): void {
    this.recentBlockhashes.replaced(this.svm.latestBlockhash());
    this.svm.expireBlockhash();
  }

  /** Does the chain still accept transactions built on `blockhash` (the latest, or one replaced less than BLOCKHASH_VALIDITY_MS ago). */
  isBlockhashValid(blockhash: string): boolean {
    return blockhash === this.svm.latestBlockhash() || this.recentBlockhashes.accepts(blockhash);
  }

  /** Executes a transaction built here (fully signed, version 0) in the current slot; see sendLogged. */
  sendBuilt(built: BuiltTransaction): { readonly result: SendResult; readonly balances: BalanceChanges } {
    return this.sendLogged(() => this.native.sendVersionedTransaction(built.wire), built, built.wire);
  }

  /**
   * Sends a transaction in the current slot; when it fails but its fee was charged (it failed while
   * executing), logs it as failed so a replay charges the same fee. A recent blockhash is accepted
   * like the latest one. Returns the runtime's result and the balances of its accounts around it.
   */
  private sendLogged(
    send: () => SendResult,
    message: SentMessage,
    wire: Uint8Array,
  ): { readonly result: SendResult; readonly balances: BalanceChanges } {
    this.tick();
    const sent = sendWithBalances({
      svm: this.svm,
      native: this.native,
      message,
      send,
      acceptsBlockhash: (blockhash) => this.isBlockhashValid(blockhash),
    });
    // Durable before either caller reports the failure (failures are rare: no group commit for them).
    if (sent.feeCharged) this.log.appendSync({ kind: "failed", wire: Buffer.from(wire).toString("base64") });
    return sent;
  }

  /** Writes a snapshot of the state, every written entry made durable first (restart then replays only what came after). @throws CHAIN_ERROR */
  snapshot(): void {
    this.log.writeSnapshot(this.log.seq, this.svm.toBytes());
    this.snapshotAt = this.log.seq;
  }

  /** The runtime's current slot (it follows the clock: one every SLOT_MS). */
  get slot(): bigint {
    return this.tick();
  }

  /** The blockhash new transactions must use (a new one with every slot). */
  latestBlockhash(): string {
    this.tick();
    return this.svm.latestBlockhash();
  }

  /**
   * Executes a signed transaction from its wire bytes; on success it is logged durably before this
   * returns. A refused transaction changes nothing and its error is returned, not thrown; one that
   * failed but paid its fee landed, and its status shows the error.
   * @throws CHAIN_ERROR (bytes that are no transaction)
   */
  submitWire(wire: Uint8Array): { readonly signature: string; readonly error?: string } {
    const decoded = decodeWire(wire);
    this.fundOperator();
    const seqBefore = this.log.seq;
    const message = messageDecoder.decode(decoded.messageBytes);
    const { result, balances } = this.sendLogged(() => this.svm.sendTransaction(decoded), message, wire);
    const wireText = Buffer.from(wire).toString("base64");
    if (result instanceof FailedTransactionMetadata) {
      // Only a failure that charged its fee landed (and was logged); a refusal leaves no status, so a
      // repeat of a landed transaction (AlreadyProcessed) keeps the first one's.
      const first = Object.values(decoded.signatures)[0];
      const signature =
        this.log.seq > seqBefore
          ? this.memory.noteFailed(decoded, wireText, result, this.svm.getClock().slot, balances)
          : first === null || first === undefined
            ? ""
            : transactionIdFromBytes(first);
      return { signature, error: result.err().toString() };
    }
    // RPC answers at once: this one is made durable in this call (with whatever waits for the next fsync).
    const transaction = this.transactionOf(result, { type: "External", amount: Amount.zero(), feeLamports: feeOf(decoded) });
    this.log.appendSync({ kind: "transaction", wire: wireText, record: JSON.stringify(toRecord(transaction)) });
    this.remember(transaction, wireText, result.logs(), balances);
    return { signature: transaction.id };
  }

  /**
   * Runs a transaction without keeping its effects, in the current slot (see simulate-wire.ts).
   * @throws CHAIN_ERROR (bytes that are no transaction)
   */
  simulateWire(wire: Uint8Array, options: SimulateOptions = {}): SimulationResult {
    this.tick();
    return simulateWire(this.svm, decodeWire(wire), (blockhash) => this.isBlockhashValid(blockhash), options);
  }

  /** Gives an address lamports (SOL for fees), logged like a transaction. @throws CHAIN_ERROR */
  airdropLamports(to: Address, amount: bigint): string {
    this.tick();
    const result = grantLamports(this.svm, parseAddress(to), amount, "airdrop refused");
    this.log.appendSync({ kind: "lamports", to, lamports: amount.toString() });
    const signature = transactionIdFromBytes(result.signature());
    this.memory.setStatus(signature, { slot: this.svm.getClock().slot });
    return signature;
  }

  /** Writes a snapshot and closes the log. */
  close(): void {
    this.snapshot();
    this.log.close();
  }
}
