// MoltTokenClient: the MoltClient operations written once (balances, transfers, airdrops, escrows)
// over four primitives a backend provides: read an account, know the rent, execute instructions,
// and who pays; the escrow operations live in escrow-operations.ts, handed those primitives. The
// embedded and the rpc backends extend it. Talks to the chain only through them.
import type { Instruction } from "@solana/kit";
import {
  TOKEN_PROGRAM_ADDRESS,
  findAssociatedTokenPda,
  getCreateAssociatedTokenIdempotentInstruction,
  getMintToCheckedInstruction,
} from "@solana-program/token";
import { Amount, MOLT_DECIMALS } from "../core/amount.js";
import { MarketError } from "../core/errors.js";
import { parseAddress } from "../core/address.js";
import type { Address } from "../core/address.js";
import {
  createEscrow,
  depositToEscrow,
  escrowBalance,
  escrowHandleFor,
  refundEscrow,
  releaseEscrow,
  requirePositive,
  settleEscrow,
} from "./escrow-operations.js";
import type { EscrowLedger } from "./escrow-operations.js";
import type { EscrowHandle, MoltClient, SettlementPayout } from "./molt-client.js";
import type { Network } from "./network.js";
import { walletSigner } from "./signer.js";
import { transferCheckedInstruction } from "./token-instructions.js";
import { tokenAmountOf } from "./token-account.js";
import type { MessageSigner } from "./signer.js";
import type { Transaction } from "./transaction.js";
import type { TransactionId } from "../core/transaction-id.js";
import type { Wallet } from "./wallet.js";

/** Most MOLT one airdrop mints. */
export const AIRDROP_MAX = Amount.fromMolt(1_000_000);
/** Token account addresses a client remembers at most (then it starts over). */
export const TOKEN_ACCOUNTS_REMEMBERED_MAX = 100_000;
/** Longest memo kept with a transaction. */
export const MEMO_LENGTH_MAX = 256;
/**
 * SOL an airdrop of test MOLT also tops its recipient up to (off mainnet), so a fresh test wallet
 * can pay the rent of an escrow it funds (about 0.0054 SOL) and its own fees.
 */
export const AIRDROP_SOL_FLOOR_LAMPORTS = 100_000_000n;

/** What a transaction is recorded as, before the chain gives it an id, a status and a fee. */
export type TransactionRecord = Omit<Transaction, "id" | "status" | "feeLamports" | "timeMs">;

/**
 * The shared MoltClient. Invariants: nothing is sent that the checks here refuse (balance, roles,
 * sums), and every payout of an escrow goes in the one transaction that closes it.
 */
export abstract class MoltTokenClient implements MoltClient {
  abstract readonly network: Network;
  abstract readonly mint: Address;
  /** Pays fees and rent, and is the base of the derived escrow addresses. */
  protected abstract readonly feePayer: Wallet;
  /** Holds the mint authority, when this client may airdrop. */
  protected abstract readonly mintAuthority: Wallet | undefined;

  /**
   * Executes instructions in one transaction (fee payer signs) and returns it once confirmed. With
   * `blockhash` (a party signed elsewhere on it) the transaction is built on it while the chain
   * still accepts it, else on the latest one (the party's signature then no longer fits, and
   * SIGNATURE_REQUIRED asks for a new one). @throws CHAIN_ERROR, SIGNATURE_REQUIRED
   */
  protected abstract execute(instructions: Instruction[], record: TransactionRecord, blockhash?: string): Promise<Transaction>;
  /** An account's data, or undefined when it does not exist. */
  protected abstract accountData(address: Address): Promise<Uint8Array | undefined>;
  /**
   * Base units the token account at `address` holds, or undefined when it does not exist; read from
   * its data. A backend may answer it from memory only if it sees every change of its chain.
   * @throws SolanaError (data that is no token account)
   */
  protected async tokenAmountAt(address: Address): Promise<bigint | undefined> {
    const data = await this.accountData(address);
    return data === undefined ? undefined : tokenAmountOf(data);
  }
  /** Lamports an account of `space` bytes needs to be rent exempt. */
  protected abstract rentExempt(space: number): Promise<bigint>;
  /** Lamports held at `address` (0 when no account is there). */
  abstract lamportsOf(address: Address): Promise<bigint>;
  /** Gives `to` test SOL (off mainnet): the embedded chain mints it, a cluster's faucet grants it. @throws CHAIN_ERROR */
  protected abstract grantLamports(to: Address, lamports: bigint): Promise<void>;
  abstract getTransaction(id: TransactionId): Promise<Transaction | undefined>;

  /** Token account addresses derived already, by owner (a derivation costs a curve check). */
  private readonly tokenAccounts = new Map<string, Address>();

  /** The MOLT token account of `owner` (its associated token account). */
  async tokenAccount(owner: Address): Promise<Address> {
    const known = this.tokenAccounts.get(owner);
    if (known !== undefined) return known;
    const [account] = await findAssociatedTokenPda({ owner, mint: this.mint, tokenProgram: TOKEN_PROGRAM_ADDRESS });
    if (this.tokenAccounts.size >= TOKEN_ACCOUNTS_REMEMBERED_MAX) this.tokenAccounts.clear();
    this.tokenAccounts.set(owner, account);
    return account;
  }

  /** MOLT held by `owner` (0 without a token account). @throws INVALID_ADDRESS */
  async balance(owner: Address): Promise<Amount> {
    const amount = await this.tokenAmountAt(await this.tokenAccount(parseAddress(owner)));
    return amount === undefined ? Amount.zero() : Amount.fromLamports(amount);
  }

  private async requireBalance(owner: MessageSigner, amount: Amount): Promise<void> {
    const available = await this.balance(owner.address);
    if (available.lt(amount)) {
      throw new MarketError("INSUFFICIENT_BALANCE", {
        address: owner.address,
        required: amount.toString(),
        available: available.toString(),
      });
    }
  }

  private async createTokenAccount(owner: Address): Promise<{ readonly account: Address; readonly instruction: Instruction }> {
    const account = await this.tokenAccount(owner);
    return {
      account,
      instruction: getCreateAssociatedTokenIdempotentInstruction({
        payer: walletSigner(this.feePayer),
        ata: account,
        owner,
        mint: this.mint,
      }),
    };
  }

  /**
   * Moves MOLT from `from` to `to`, creating `to`'s token account when needed.
   * @throws INVALID_ADDRESS, INVALID_FIELD (zero), OUT_OF_RANGE (memo), INSUFFICIENT_BALANCE, CHAIN_ERROR
   */
  async transfer(from: MessageSigner, to: Address, amount: Amount, memo?: string): Promise<Transaction> {
    const recipient = parseAddress(to);
    requirePositive(amount);
    if (memo !== undefined && memo.length > MEMO_LENGTH_MAX) {
      throw new MarketError("OUT_OF_RANGE", { field: "memo", value: `${memo.length} characters`, min: "0", max: String(MEMO_LENGTH_MAX) });
    }
    await this.requireBalance(from, amount);
    const destination = await this.createTokenAccount(recipient);
    return this.execute(
      [
        destination.instruction,
        transferCheckedInstruction({
          source: await this.tokenAccount(from.address),
          mint: this.mint,
          destination: destination.account,
          authority: walletSigner(from),
          amount: amount.baseUnits,
          decimals: MOLT_DECIMALS,
        }),
      ],
      { type: "Transfer", amount, from: from.address, to: recipient, ...(memo === undefined ? {} : { memo }) },
      from.blockhash,
    );
  }

  /**
   * Mints test MOLT to `to`, and tops its SOL up to AIRDROP_SOL_FLOOR_LAMPORTS for escrow rent and fees.
   * @throws INVALID_NETWORK (mainnet), INVALID_ADDRESS, INVALID_FIELD, LIMIT_EXCEEDED (over AIRDROP_MAX), WALLET_ERROR (no mint authority), CHAIN_ERROR
   */
  async airdrop(to: Address, amount: Amount): Promise<Transaction> {
    if (this.network.isProduction())
      throw new MarketError("INVALID_NETWORK", {
        value: this.network.name,
        reason: "there are no airdrops on mainnet; buy or receive MOLT",
      });
    const recipient = parseAddress(to);
    requirePositive(amount);
    if (amount.gt(AIRDROP_MAX)) throw new MarketError("LIMIT_EXCEEDED", { limit: "airdropMolt", max: Number(AIRDROP_MAX.asMolt()) });
    if (this.mintAuthority === undefined)
      throw new MarketError("WALLET_ERROR", { reason: "airdrops need the mint authority's wallet (the localnet's operator.json)" });
    const held = await this.lamportsOf(recipient);
    if (held < AIRDROP_SOL_FLOOR_LAMPORTS) await this.grantLamports(recipient, AIRDROP_SOL_FLOOR_LAMPORTS - held);
    const destination = await this.createTokenAccount(recipient);
    return this.execute(
      [
        destination.instruction,
        getMintToCheckedInstruction({
          mint: this.mint,
          token: destination.account,
          mintAuthority: walletSigner(this.mintAuthority),
          amount: amount.baseUnits,
          decimals: MOLT_DECIMALS,
        }),
      ],
      { type: "Airdrop", amount, to: recipient },
    );
  }

  private escrowLedgerValue: EscrowLedger | undefined;

  /** What the escrow operations use of this client, made on first use (subclasses set their fields after this constructor). */
  private get escrowLedger(): EscrowLedger {
    return (this.escrowLedgerValue ??= {
      mint: this.mint,
      feePayer: this.feePayer,
      execute: (instructions, record, blockhash) => this.execute(instructions, record, blockhash),
      accountData: (address) => this.accountData(address),
      rentExempt: (space) => this.rentExempt(space),
      lamportsOf: (address) => this.lamportsOf(address),
      tokenAccount: (owner) => this.tokenAccount(owner),
      requireBalance: (owner, amount) => this.requireBalance(owner, amount),
      createTokenAccount: (owner) => this.createTokenAccount(owner),
    });
  }

  /**
   * Funds an escrow in one transaction (its 2-of-3 multisig and token account, at fresh derived
   * addresses checked to hold nothing); the buyer pays both accounts' rent. See escrow-operations.
   * @throws INVALID_ADDRESS, INVALID_FIELD (zero), ESCROW_ERROR (parties not distinct, id, exists, address tampered with), INSUFFICIENT_BALANCE, INSUFFICIENT_SOL, CHAIN_ERROR, SIGNATURE_REQUIRED
   */
  createEscrow(input: {
    readonly escrowId: string;
    readonly buyer: MessageSigner;
    readonly provider: Address;
    readonly arbiter: Address;
    readonly amount: Amount;
  }): Promise<{ readonly escrow: EscrowHandle; readonly transaction: Transaction }> {
    return createEscrow(this.escrowLedger, input);
  }

  /**
   * More MOLT from the buyer into a funded escrow, one transfer signed by the buyer alone. See escrow-operations.
   * @throws INVALID_FIELD (zero), ESCROW_ERROR (not the buyer, closed), INSUFFICIENT_BALANCE, CHAIN_ERROR, SIGNATURE_REQUIRED
   */
  depositToEscrow(escrow: EscrowHandle, buyer: MessageSigner, amount: Amount): Promise<Transaction> {
    return depositToEscrow(this.escrowLedger, escrow, buyer, amount);
  }

  /** Everything in the escrow to the provider, signed by provider and arbiter. @throws ESCROW_ERROR, CHAIN_ERROR */
  releaseEscrow(escrow: EscrowHandle, provider: MessageSigner, arbiter: MessageSigner): Promise<Transaction> {
    return releaseEscrow(this.escrowLedger, escrow, provider, arbiter);
  }

  /** Everything in the escrow back to the buyer, signed by buyer and arbiter. @throws ESCROW_ERROR, CHAIN_ERROR */
  refundEscrow(escrow: EscrowHandle, buyer: MessageSigner, arbiter: MessageSigner): Promise<Transaction> {
    return refundEscrow(this.escrowLedger, escrow, buyer, arbiter);
  }

  /**
   * Pays the escrow out in one transaction (payment, fee, refund), signed by two of its parties.
   * The payouts must add up to what the escrow holds, to the base unit.
   * @throws ESCROW_ERROR (signers, sum, closed, too many payouts), INVALID_ADDRESS, CHAIN_ERROR
   */
  settleEscrow(
    escrow: EscrowHandle,
    cosigners: readonly [MessageSigner, MessageSigner],
    payouts: readonly SettlementPayout[],
  ): Promise<Transaction> {
    return settleEscrow(this.escrowLedger, escrow, cosigners, payouts);
  }

  /** The addresses of an escrow's accounts (derived from the operator's secret), whether or not they exist. @throws INVALID_ADDRESS, ESCROW_ERROR (parties not distinct, id) */
  escrowHandleFor(input: {
    readonly escrowId: string;
    readonly buyer: Address;
    readonly provider: Address;
    readonly arbiter: Address;
    readonly amount: Amount;
  }): Promise<EscrowHandle> {
    return Promise.resolve(escrowHandleFor(this.feePayer, input));
  }

  /** MOLT in the escrow, or undefined once closed. */
  escrowBalance(escrow: EscrowHandle): Promise<Amount | undefined> {
    return escrowBalance(this.escrowLedger, escrow);
  }
}
