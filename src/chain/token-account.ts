// The amount an SPL Token account holds, read from its data at the layout's fixed offset instead of
// decoding the whole account (mint, owner and delegate addresses included) on each balance read.
// Pure, no I/O.
import { getTokenDecoder, getTokenSize } from "@solana-program/token";

/** Size of an SPL Token account's data. */
const TOKEN_ACCOUNT_BYTES = getTokenSize();
/** Where a token account's amount (u64, little endian) starts: after its mint and owner. */
const TOKEN_AMOUNT_OFFSET = 64;
/** Built once: building a codec costs more than decoding with it. */
const tokenDecoder = getTokenDecoder();

/**
 * The base units an SPL Token account holds. Data of another size goes through the full decoder,
 * which refuses it as it always did.
 * @throws SolanaError (data that is no token account)
 */
export function tokenAmountOf(data: Uint8Array): bigint {
  if (data.length !== TOKEN_ACCOUNT_BYTES) return tokenDecoder.decode(data).amount;
  return new DataView(data.buffer, data.byteOffset + TOKEN_AMOUNT_OFFSET, 8).getBigUint64(0, true);
}
