// The escrow operations of MoltTokenClient (create, release, refund, settle, address, balance),
// written over the EscrowLedger a token client hands them. Talks to the chain only through it.
import type { Instruction } from "@solana/kit";
import { getMultisigSize, getTokenSize } from "@solana-program/token";
import { Amount, MOLT_DECIMALS } from "../core/amount.js";
import { MarketError } from "../core/errors.js";
import { parseAddress } from "../core/address.js";
import type { Address } from "../core/address.js";
import { assertDistinctParties, createEscrowInstructions, escrowAccountKeys, payoutInstructions } from "./escrow-instructions.js";
import type { EscrowParties } from "./escrow-instructions.js";
import type { EscrowHandle, SettlementPayout } from "./molt-client.js";
import { presentedBlockhash, walletSigner } from "./signer.js";
import { transferCheckedInstruction } from "./token-instructions.js";
import { tokenAmountOf } from "./token-account.js";
import type { MessageSigner } from "./signer.js";
import type { TransactionRecord } from "./token-client.js";
import type { Transaction, TransactionType } from "./transaction.js";
import type { Wallet } from "./wallet.js";

/**
 * What the escrow operations need of a token client: its mint and fee payer, and its account,
 * balance and execute primitives. Invariant: the same chain and operator for every call.
 */
export interface EscrowLedger {
  readonly mint: Address;
  /** Pays fees and rent, and is the base of the derived escrow addresses. */
  readonly feePayer: Wallet;
  /** Executes instructions in one transaction; see MoltTokenClient.execute. @throws CHAIN_ERROR, SIGNATURE_REQUIRED */
  execute(instructions: Instruction[], record: TransactionRecord, blockhash?: string): Promise<Transaction>;
  accountData(address: Address): Promise<Uint8Array | undefined>;
  rentExempt(space: number): Promise<bigint>;
  lamportsOf(address: Address): Promise<bigint>;
  tokenAccount(owner: Address): Promise<Address>;
  /** @throws INSUFFICIENT_BALANCE */
  requireBalance(owner: MessageSigner, amount: Amount): Promise<void>;
  createTokenAccount(owner: Address): Promise<{ readonly account: Address; readonly instruction: Instruction }>;
}

/** Refuses a zero amount: every transfer, airdrop and escrow moves something. @throws INVALID_FIELD */
export function requirePositive(amount: Amount): void {
  if (amount.isZero()) throw new MarketError("INVALID_FIELD", { field: "amount", value: "0", allowed: "an amount greater than 0" });
}

function sumOf(payouts: readonly SettlementPayout[]): Amount {
  return payouts.reduce((sum, payout) => sum.add(payout.amount), Amount.zero());
}

function expectParty(escrow: EscrowHandle, wallet: MessageSigner, role: keyof EscrowParties): void {
  if (escrow.parties[role] !== wallet.address)
    throw new MarketError("ESCROW_ERROR", { reason: `the ${role} of escrow ${escrow.escrowId} must sign` });
}

/**
 * Funds an escrow in one transaction: creates its 2-of-3 multisig of buyer, provider and arbiter
 * and its token account owned by it, at fresh addresses only the operator can derive (checked to
 * hold nothing), and moves `amount` from the buyer into it. The buyer pays both accounts' rent.
 * @throws INVALID_ADDRESS, INVALID_FIELD (zero), ESCROW_ERROR (parties not distinct, id, exists, address tampered with), INSUFFICIENT_BALANCE, INSUFFICIENT_SOL, CHAIN_ERROR, SIGNATURE_REQUIRED
 */
export async function createEscrow(
  ledger: EscrowLedger,
  input: {
    readonly escrowId: string;
    readonly buyer: MessageSigner;
    readonly provider: Address;
    readonly arbiter: Address;
    readonly amount: Amount;
  },
): Promise<{ readonly escrow: EscrowHandle; readonly transaction: Transaction }> {
  const parties: EscrowParties = {
    buyer: input.buyer.address,
    provider: parseAddress(input.provider),
    arbiter: parseAddress(input.arbiter),
  };
  assertDistinctParties(parties);
  requirePositive(input.amount);
  const keys = escrowAccountKeys(ledger.feePayer, input.escrowId);
  const handle: EscrowHandle = {
    escrowId: input.escrowId,
    address: keys.account.address,
    multisig: keys.multisig.address,
    parties,
    amount: input.amount,
  };
  // Both addresses must hold nothing: a token account there is this escrow funded already, anything else was sent by someone.
  for (const address of [handle.address, handle.multisig]) {
    if ((await ledger.lamportsOf(address)) === 0n) continue;
    if (address === handle.address && (await ledger.accountData(address))?.length === getTokenSize())
      throw new MarketError("ESCROW_ERROR", { reason: `escrow ${input.escrowId} exists already` });
    throw new MarketError("ESCROW_ERROR", {
      reason: `account ${address} of escrow ${input.escrowId} was sent lamports before the escrow was made; nothing was sent, and this order cannot be funded: cancel it and order again`,
    });
  }
  await ledger.requireBalance(input.buyer, input.amount);
  const rent = { multisigLamports: await ledger.rentExempt(getMultisigSize()), accountLamports: await ledger.rentExempt(getTokenSize()) };
  const rentLamports = rent.multisigLamports + rent.accountLamports;
  const solHeld = await ledger.lamportsOf(input.buyer.address);
  if (solHeld < rentLamports)
    throw new MarketError("INSUFFICIENT_SOL", {
      address: input.buyer.address,
      requiredLamports: rentLamports.toString(),
      availableLamports: solHeld.toString(),
    });
  const instructions = createEscrowInstructions({
    keys,
    parties,
    mint: ledger.mint,
    buyer: walletSigner(input.buyer),
    buyerTokenAccount: await ledger.tokenAccount(input.buyer.address),
    amount: input.amount,
    rent,
  });
  const transaction = await ledger.execute(
    instructions,
    { type: "EscrowCreate", amount: input.amount, from: input.buyer.address, to: handle.address, memo: input.escrowId },
    input.buyer.blockhash,
  );
  return { escrow: handle, transaction };
}

/**
 * Adds `amount` to a funded escrow: one TransferChecked from the buyer's token account into the
 * escrow's, signed by the buyer alone (the operator pays the fee). Nothing else moves.
 * @throws INVALID_FIELD (zero), ESCROW_ERROR (signer not the buyer, escrow closed), INSUFFICIENT_BALANCE, CHAIN_ERROR, SIGNATURE_REQUIRED
 */
export async function depositToEscrow(
  ledger: EscrowLedger,
  escrow: EscrowHandle,
  buyer: MessageSigner,
  amount: Amount,
): Promise<Transaction> {
  expectParty(escrow, buyer, "buyer");
  requirePositive(amount);
  await heldBy(ledger, escrow);
  await ledger.requireBalance(buyer, amount);
  return ledger.execute(
    [
      transferCheckedInstruction({
        source: await ledger.tokenAccount(buyer.address),
        mint: ledger.mint,
        destination: escrow.address,
        authority: walletSigner(buyer),
        amount: amount.baseUnits,
        decimals: MOLT_DECIMALS,
      }),
    ],
    { type: "EscrowDeposit", amount, from: buyer.address, to: escrow.address, memo: escrow.escrowId },
    buyer.blockhash,
  );
}

/** Everything in the escrow to the provider, signed by provider and arbiter. @throws ESCROW_ERROR, CHAIN_ERROR */
export async function releaseEscrow(
  ledger: EscrowLedger,
  escrow: EscrowHandle,
  provider: MessageSigner,
  arbiter: MessageSigner,
): Promise<Transaction> {
  expectParty(escrow, provider, "provider");
  expectParty(escrow, arbiter, "arbiter");
  return payOut(
    ledger,
    escrow,
    [provider, arbiter],
    [{ owner: escrow.parties.provider, amount: await heldBy(ledger, escrow) }],
    "EscrowRelease",
  );
}

/** Everything in the escrow back to the buyer, signed by buyer and arbiter. @throws ESCROW_ERROR, CHAIN_ERROR */
export async function refundEscrow(
  ledger: EscrowLedger,
  escrow: EscrowHandle,
  buyer: MessageSigner,
  arbiter: MessageSigner,
): Promise<Transaction> {
  expectParty(escrow, buyer, "buyer");
  expectParty(escrow, arbiter, "arbiter");
  return payOut(ledger, escrow, [buyer, arbiter], [{ owner: escrow.parties.buyer, amount: await heldBy(ledger, escrow) }], "EscrowRefund");
}

/**
 * Pays the escrow out in one transaction (payment, fee, refund), signed by two of its parties.
 * The payouts must add up to what the escrow holds, to the base unit.
 * @throws ESCROW_ERROR (signers, sum, closed, too many payouts), INVALID_ADDRESS, CHAIN_ERROR
 */
export async function settleEscrow(
  ledger: EscrowLedger,
  escrow: EscrowHandle,
  cosigners: readonly [MessageSigner, MessageSigner],
  payouts: readonly SettlementPayout[],
): Promise<Transaction> {
  const members = [escrow.parties.buyer, escrow.parties.provider, escrow.parties.arbiter] as string[];
  if (cosigners[0].address === cosigners[1].address || !cosigners.every((w) => members.includes(w.address))) {
    throw new MarketError("ESCROW_ERROR", { reason: "a settlement is signed by two different parties of the escrow" });
  }
  const held = await heldBy(ledger, escrow);
  const total = sumOf(payouts);
  if (!total.equals(held))
    throw new MarketError("ESCROW_ERROR", {
      reason: `payouts add up to ${total.toString()} MOLT, the escrow holds ${held.toString()} MOLT`,
    });
  return payOut(ledger, escrow, cosigners, payouts, "EscrowSettle");
}

/** The addresses of an escrow's accounts (derived from the operator's secret), whether or not they exist. @throws INVALID_ADDRESS, ESCROW_ERROR (parties not distinct, id) */
export function escrowHandleFor(
  feePayer: Wallet,
  input: {
    readonly escrowId: string;
    readonly buyer: Address;
    readonly provider: Address;
    readonly arbiter: Address;
    readonly amount: Amount;
  },
): EscrowHandle {
  const parties: EscrowParties = {
    buyer: parseAddress(input.buyer),
    provider: parseAddress(input.provider),
    arbiter: parseAddress(input.arbiter),
  };
  assertDistinctParties(parties);
  const keys = escrowAccountKeys(feePayer, input.escrowId);
  return {
    escrowId: input.escrowId,
    address: keys.account.address,
    multisig: keys.multisig.address,
    parties,
    amount: input.amount,
  };
}

/** MOLT in the escrow, or undefined once closed. */
export async function escrowBalance(ledger: EscrowLedger, escrow: EscrowHandle): Promise<Amount | undefined> {
  const data = await ledger.accountData(escrow.address);
  return data === undefined ? undefined : Amount.fromLamports(tokenAmountOf(data));
}

async function heldBy(ledger: EscrowLedger, escrow: EscrowHandle): Promise<Amount> {
  const held = await escrowBalance(ledger, escrow);
  if (held === undefined) throw new MarketError("ESCROW_ERROR", { reason: `escrow ${escrow.escrowId} is settled and closed already` });
  return held;
}

/**
 * The payout transaction. The escrow account's rent goes back to the buyer, who paid it, unless
 * the payout has to create a payee's missing token account (the operator pays that one, and takes
 * the escrow account's rent of the same size instead), so closing a token account to have the
 * market make it again never earns anyone the operator's SOL.
 */
async function payOut(
  ledger: EscrowLedger,
  escrow: EscrowHandle,
  cosigners: readonly [MessageSigner, MessageSigner],
  payouts: readonly SettlementPayout[],
  type: TransactionType,
): Promise<Transaction> {
  const destinations = await Promise.all(
    payouts.map(async (payout) => ({ ...(await ledger.createTokenAccount(parseAddress(payout.owner))), amount: payout.amount })),
  );
  const created = [];
  for (const destination of destinations) {
    if (!destination.amount.isZero() && (await ledger.accountData(destination.account)) === undefined) created.push(destination);
  }
  const instructions: Instruction[] = [
    ...created.map((d) => d.instruction),
    ...payoutInstructions({
      escrow: escrow.address,
      mint: ledger.mint,
      multisig: escrow.multisig,
      cosigners: [walletSigner(cosigners[0]), walletSigner(cosigners[1])],
      payouts: destinations.map((d) => ({ destination: d.account, amount: d.amount })),
      rentDestination: created.length === 0 ? escrow.parties.buyer : ledger.feePayer.address,
    }),
  ];
  return ledger.execute(
    instructions,
    { type, amount: sumOf(payouts), from: escrow.address, memo: escrow.escrowId },
    presentedBlockhash(cosigners),
  );
}
