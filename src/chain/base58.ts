// Base58 (Bitcoin alphabet, as Solana writes addresses, blockhashes and signatures) for the
// embedded chain's hot path: the same text and bytes as kit's base58 codec, in small-integer
// arithmetic instead of BigInt (about 10x faster for 32 and 64 bytes). Pure, no I/O.
import { MarketError } from "../core/errors.js";

const ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
/** Digit value of each character code (-1: not a base58 digit). */
const DIGIT_OF = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DIGIT_OF[ALPHABET.charCodeAt(i)] = i;
/** Base-58 digits per limb of the encoder, and the limb's base (58^5). */
const LIMB_DIGITS = 5;
const LIMB = 58 ** LIMB_DIGITS;
/** Longest text or byte string converted (a signature is 64 bytes, 88 characters). */
export const BASE58_LENGTH_MAX = 128;

/**
 * The base58 text of `bytes` (each leading zero byte is a leading "1").
 * @throws OUT_OF_RANGE (more than BASE58_LENGTH_MAX bytes)
 * @example base58Encode(new Uint8Array(32)) // "11111111111111111111111111111111"
 */
export function base58Encode(bytes: Uint8Array): string {
  if (bytes.length > BASE58_LENGTH_MAX)
    throw new MarketError("OUT_OF_RANGE", { field: "bytes", value: String(bytes.length), min: "0", max: String(BASE58_LENGTH_MAX) });
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  // Limbs of 5 base-58 digits (58^5 < 2^30), least significant first; each input byte multiplies
  // them by 256 and adds itself (a limb times 256 plus a carry stays below 2^53).
  const limbs: number[] = [];
  for (let i = zeros; i < bytes.length; i++) {
    let carry = bytes[i] ?? 0;
    for (let j = 0; j < limbs.length; j++) {
      carry += (limbs[j] ?? 0) * 256;
      const quotient = Math.floor(carry / LIMB);
      limbs[j] = carry - quotient * LIMB;
      carry = quotient;
    }
    while (carry !== 0) {
      const quotient = Math.floor(carry / LIMB);
      limbs.push(carry - quotient * LIMB);
      carry = quotient;
    }
  }
  let digits = "";
  for (let j = 0; j < limbs.length; j++) {
    let limb = limbs[j] ?? 0;
    const last = j === limbs.length - 1;
    for (let k = 0; k < LIMB_DIGITS && (!last || limb !== 0); k++) {
      digits = ALPHABET.charAt(limb % 58) + digits;
      limb = Math.floor(limb / 58);
    }
  }
  return "1".repeat(zeros) + digits;
}

/**
 * The bytes of base58 `text`, or undefined when a character is not a base58 digit or the text is
 * longer than BASE58_LENGTH_MAX.
 * @example base58Decode("11111111111111111111111111111111")?.length // 32
 */
export function base58Decode(text: string): Uint8Array | undefined {
  if (text.length > BASE58_LENGTH_MAX) return undefined;
  let zeros = 0;
  while (zeros < text.length && text.charCodeAt(zeros) === 49) zeros++;
  // Bytes, least significant first; each digit multiplies them by 58 and adds itself.
  const bytes = new Uint8Array(Math.ceil(((text.length - zeros) * 733) / 1000) + 1);
  let used = 0;
  for (let i = zeros; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let carry = code < 128 ? (DIGIT_OF[code] ?? -1) : -1;
    if (carry < 0) return undefined;
    let j = 0;
    for (; j < used || carry !== 0; j++) {
      carry += (bytes[j] ?? 0) * 58;
      bytes[j] = carry & 0xff;
      carry >>>= 8;
    }
    used = j;
  }
  const out = new Uint8Array(zeros + used);
  for (let j = 0; j < used; j++) out[zeros + j] = bytes[used - 1 - j] ?? 0;
  return out;
}
