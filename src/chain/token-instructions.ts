// SPL Token TransferChecked, as @solana-program/token's getTransferCheckedInstruction makes it
// (same accounts, roles, signers and data; test/chain/escrow-instructions.test.ts checks they are
// equal), without building its codecs on every call: every transfer and escrow payout makes one.
// Pure, no I/O.
import { AccountRole } from "@solana/kit";
import type { AccountMeta, Address, Instruction, TransactionSigner } from "@solana/kit";
import { TOKEN_PROGRAM_ADDRESS } from "@solana-program/token";

/** TransferChecked's instruction index in the SPL Token program. */
const TRANSFER_CHECKED_DISCRIMINATOR = 12;
const U64_MAX = 2n ** 64n - 1n;

/** An authority that signs, or a multisig's address with the signers that sign for it. */
function authorityMetas(authority: Address | TransactionSigner, multiSigners: readonly TransactionSigner[]): AccountMeta[] {
  const own =
    typeof authority === "string"
      ? Object.freeze({ address: authority, role: AccountRole.READONLY })
      : Object.freeze({ address: authority.address, role: AccountRole.READONLY_SIGNER, signer: authority });
  return [own, ...multiSigners.map((signer) => ({ address: signer.address, role: AccountRole.READONLY_SIGNER, signer }))];
}

/**
 * Moves `amount` base units of `mint` from `source` to `destination`, authorized by `authority`
 * (a signer, or a multisig's address with its `multiSigners`).
 * @throws RangeError (an amount outside u64, or decimals outside u8: a bug, as the codec would refuse it)
 */
export function transferCheckedInstruction(input: {
  readonly source: Address;
  readonly mint: Address;
  readonly destination: Address;
  readonly authority: Address | TransactionSigner;
  readonly amount: bigint;
  readonly decimals: number;
  readonly multiSigners?: readonly TransactionSigner[];
}): Instruction {
  if (input.amount < 0n || input.amount > U64_MAX) throw new RangeError(`amount ${input.amount} is outside u64`);
  if (!Number.isInteger(input.decimals) || input.decimals < 0 || input.decimals > 255)
    throw new RangeError(`decimals ${input.decimals} is outside u8`);
  const data = new Uint8Array(10);
  data[0] = TRANSFER_CHECKED_DISCRIMINATOR;
  new DataView(data.buffer).setBigUint64(1, input.amount, true);
  data[9] = input.decimals;
  return Object.freeze({
    accounts: [
      Object.freeze({ address: input.source, role: AccountRole.WRITABLE }),
      Object.freeze({ address: input.mint, role: AccountRole.READONLY }),
      Object.freeze({ address: input.destination, role: AccountRole.WRITABLE }),
      ...authorityMetas(input.authority, input.multiSigners ?? []),
    ],
    data,
    programAddress: TOKEN_PROGRAM_ADDRESS,
  });
}
