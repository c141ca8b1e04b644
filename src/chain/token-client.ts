// MoltTokenClient: the MoltClient operations written once (balances, transfers, airdrops, escrows)
// over four primitives a backend provides: read an account, know the rent, execute instructions,
// and who pays. The embedded and the rpc backends extend it. Talks to the chain only through them.
import type { Instruction } from "@solana/kit";
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
import { Amount, MOLT_DECIMALS } from "../core/amount.js";
import { MarketError } from "../core/errors.js";
import { parseAddress } from "../core/address.js";
import type { Address } from "../core/address.js";
import { assertDistinctParties, createEscrowInstructions, escrowAccountKeys, payoutInstructions } from "./escrow-instructions.js";
import type { EscrowParties } from "./escrow-instructions.js";
import type { EscrowHandle, MoltClient, SettlementPayout } from "./molt-client.js";
import type { Network } from "./network.js";
import { presentedBlockhash, walletSigner } from "./signer.js";
import type { MessageSigner } from "./signer.js";
import type { Transaction, TransactionType } from "./transaction.js";
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

function sumOf(payouts: readonly SettlementPayout[]): Amount {
  return payouts.reduce((sum, payout) => sum.add(payout.amount), Amount.zero());
}

function positive(amount: Amount): void {
  if (amount.isZero()) throw new MarketError("INVALID_FIELD", { field: "amount", value: "0", allowed: "an amount greater than 0" });
}

function expectParty(escrow: EscrowHandle, wallet: MessageSigner, role: keyof EscrowParties): void {
  if (escrow.parties[role] !== wallet.address)
    throw new MarketError("ESCROW_ERROR", { reason: `the ${role} of escrow ${escrow.escrowId} must sign` });
}

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
    const data = await this.accountData(await this.tokenAccount(parseAddress(owner)));
    return data === undefined ? Amount.zero() : Amount.fromLamports(getTokenDecoder().decode(data).amount);
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
    positive(amount);
    if (memo !== undefined && memo.length > MEMO_LENGTH_MAX) {
      throw new MarketError("OUT_OF_RANGE", { field: "memo", value: `${memo.length} characters`, min: "0", max: String(MEMO_LENGTH_MAX) });
    }
    await this.requireBalance(from, amount);
    const destination = await this.createTokenAccount(recipient);
    return this.execute(
      [
        destination.instruction,
        getTransferCheckedInstruction({
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
    positive(amount);
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

  /**
   * Funds an escrow in one transaction: creates its 2-of-3 multisig of buyer, provider and arbiter
   * and its token account owned by it, at fresh addresses only the operator can derive (checked to
   * hold nothing), and moves `amount` from the buyer into it. The buyer pays both accounts' rent.
   * @throws INVALID_ADDRESS, INVALID_FIELD (zero), ESCROW_ERROR (parties not distinct, id, exists, address tampered with), INSUFFICIENT_BALANCE, INSUFFICIENT_SOL, CHAIN_ERROR, SIGNATURE_REQUIRED
   */
  async createEscrow(input: {
    readonly escrowId: string;
    readonly buyer: MessageSigner;
    readonly provider: Address;
    readonly arbiter: Address;
    readonly amount: Amount;
  }): Promise<{ readonly escrow: EscrowHandle; readonly transaction: Transaction }> {
    const parties: EscrowParties = {
      buyer: input.buyer.address,
      provider: parseAddress(input.provider),
      arbiter: parseAddress(input.arbiter),
    };
    assertDistinctParties(parties);
    positive(input.amount);
    const keys = escrowAccountKeys(this.feePayer, input.escrowId);
    const handle: EscrowHandle = {
      escrowId: input.escrowId,
      address: keys.account.address,
      multisig: keys.multisig.address,
      parties,
      amount: input.amount,
    };
    // Both addresses must hold nothing: a token account there is this escrow funded already, anything else was sent by someone.
    for (const address of [handle.address, handle.multisig]) {
      if ((await this.lamportsOf(address)) === 0n) continue;
      if (address === handle.address && (await this.accountData(address))?.length === getTokenSize())
        throw new MarketError("ESCROW_ERROR", { reason: `escrow ${input.escrowId} exists already` });
      throw new MarketError("ESCROW_ERROR", {
        reason: `account ${address} of escrow ${input.escrowId} was sent lamports before the escrow was made; nothing was sent, and this order cannot be funded: cancel it and order again`,
      });
    }
    await this.requireBalance(input.buyer, input.amount);
    const rent = { multisigLamports: await this.rentExempt(getMultisigSize()), accountLamports: await this.rentExempt(getTokenSize()) };
    const rentLamports = rent.multisigLamports + rent.accountLamports;
    const solHeld = await this.lamportsOf(input.buyer.address);
    if (solHeld < rentLamports)
      throw new MarketError("INSUFFICIENT_SOL", {
        address: input.buyer.address,
        requiredLamports: rentLamports.toString(),
        availableLamports: solHeld.toString(),
      });
    const instructions = createEscrowInstructions({
      keys,
      parties,
      mint: this.mint,
      buyer: walletSigner(input.buyer),
      buyerTokenAccount: await this.tokenAccount(input.buyer.address),
      amount: input.amount,
      rent,
    });
    const transaction = await this.execute(
      instructions,
      { type: "EscrowCreate", amount: input.amount, from: input.buyer.address, to: handle.address, memo: input.escrowId },
      input.buyer.blockhash,
    );
    return { escrow: handle, transaction };
  }

  /** Everything in the escrow to the provider, signed by provider and arbiter. @throws ESCROW_ERROR, CHAIN_ERROR */
  async releaseEscrow(escrow: EscrowHandle, provider: MessageSigner, arbiter: MessageSigner): Promise<Transaction> {
    expectParty(escrow, provider, "provider");
    expectParty(escrow, arbiter, "arbiter");
    return this.payOut(
      escrow,
      [provider, arbiter],
      [{ owner: escrow.parties.provider, amount: await this.heldBy(escrow) }],
      "EscrowRelease",
    );
  }

  /** Everything in the escrow back to the buyer, signed by buyer and arbiter. @throws ESCROW_ERROR, CHAIN_ERROR */
  async refundEscrow(escrow: EscrowHandle, buyer: MessageSigner, arbiter: MessageSigner): Promise<Transaction> {
    expectParty(escrow, buyer, "buyer");
    expectParty(escrow, arbiter, "arbiter");
    return this.payOut(escrow, [buyer, arbiter], [{ owner: escrow.parties.buyer, amount: await this.heldBy(escrow) }], "EscrowRefund");
  }

  /**
   * Pays the escrow out in one transaction (payment, fee, refund), signed by two of its parties.
   * The payouts must add up to what the escrow holds, to the base unit.
   * @throws ESCROW_ERROR (signers, sum, closed, too many payouts), INVALID_ADDRESS, CHAIN_ERROR
   */
  async settleEscrow(
    escrow: EscrowHandle,
    cosigners: readonly [MessageSigner, MessageSigner],
    payouts: readonly SettlementPayout[],
  ): Promise<Transaction> {
    const members = [escrow.parties.buyer, escrow.parties.provider, escrow.parties.arbiter] as string[];
    if (cosigners[0].address === cosigners[1].address || !cosigners.every((w) => members.includes(w.address))) {
      throw new MarketError("ESCROW_ERROR", { reason: "a settlement is signed by two different parties of the escrow" });
    }
    const held = await this.heldBy(escrow);
    const total = sumOf(payouts);
    if (!total.equals(held))
      throw new MarketError("ESCROW_ERROR", {
        reason: `payouts add up to ${total.toString()} MOLT, the escrow holds ${held.toString()} MOLT`,
      });
    return this.payOut(escrow, cosigners, payouts, "EscrowSettle");
  }

  /** The addresses of an escrow's accounts (derived from the operator's secret), whether or not they exist. @throws INVALID_ADDRESS, ESCROW_ERROR (parties not distinct, id) */
  escrowHandleFor(input: {
    readonly escrowId: string;
    readonly buyer: Address;
    readonly provider: Address;
    readonly arbiter: Address;
    readonly amount: Amount;
  }): Promise<EscrowHandle> {
    const parties: EscrowParties = {
      buyer: parseAddress(input.buyer),
      provider: parseAddress(input.provider),
      arbiter: parseAddress(input.arbiter),
    };
    assertDistinctParties(parties);
    const keys = escrowAccountKeys(this.feePayer, input.escrowId);
    return Promise.resolve({
      escrowId: input.escrowId,
      address: keys.account.address,
      multisig: keys.multisig.address,
      parties,
      amount: input.amount,
    });
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

  /**
   * The payout transaction. The escrow account's rent goes back to the buyer, who paid it, unless
   * the payout has to create a payee's missing token account (the operator pays that one, and takes
   * the escrow account's rent of the same size instead), so closing a token account to have the
   * market make it again never earns anyone the operator's SOL.
   */
  private async payOut(
    escrow: EscrowHandle,
    cosigners: readonly [MessageSigner, MessageSigner],
    payouts: readonly SettlementPayout[],
    type: TransactionType,
  ): Promise<Transaction> {
    const destinations = await Promise.all(
      payouts.map(async (payout) => ({ ...(await this.createTokenAccount(parseAddress(payout.owner))), amount: payout.amount })),
    );
    const created = [];
    for (const destination of destinations) {
      if (!destination.amount.isZero() && (await this.accountData(destination.account)) === undefined) created.push(destination);
    }
    const instructions: Instruction[] = [
      ...created.map((d) => d.instruction),
      ...payoutInstructions({
        escrow: escrow.address,
        mint: this.mint,
        multisig: escrow.multisig,
        cosigners: [walletSigner(cosigners[0]), walletSigner(cosigners[1])],
        payouts: destinations.map((d) => ({ destination: d.account, amount: d.amount })),
        rentDestination: created.length === 0 ? escrow.parties.buyer : this.feePayer.address,
      }),
    ];
    return this.execute(
      instructions,
      { type, amount: sumOf(payouts), from: escrow.address, memo: escrow.escrowId },
      presentedBlockhash(cosigners),
    );
  }
}
