// The canonical encoding of signed statements (fields in one fixed order, length-prefixed UTF-8,
// fixed-width big-endian integers, raw bytes, after a domain tag) and the check of their hex
// signatures. Pure: no I/O.
import { MarketError } from "../core/errors.js";
import { addressToBytes, isAddress } from "../core/address.js";
import type { Address } from "../core/address.js";
import { verifySigned } from "../core/signer.js";

/** Longest string field (ids, model names, reasons) in a statement. */
export const STATEMENT_TEXT_BYTES_MAX = 256;

/** Writes fields in one fixed order: length-prefixed UTF-8, fixed-width big-endian integers, raw bytes. */
export class StatementWriter {
  private readonly parts: Buffer[] = [];

  text(field: string, value: string): this {
    const bytes = Buffer.from(value, "utf8");
    if (bytes.length > STATEMENT_TEXT_BYTES_MAX) {
      throw new MarketError("INVALID_FIELD", {
        field,
        value: `${bytes.length} bytes`,
        allowed: `at most ${STATEMENT_TEXT_BYTES_MAX} bytes of UTF-8`,
      });
    }
    const length = Buffer.alloc(2);
    length.writeUInt16BE(bytes.length);
    this.parts.push(length, bytes);
    return this;
  }

  u32(field: string, value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
      throw new MarketError("OUT_OF_RANGE", { field, value: String(value), min: "0", max: String(0xffffffff) });
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(value);
    this.parts.push(bytes);
    return this;
  }

  i32(field: string, value: number): this {
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff)
      throw new MarketError("OUT_OF_RANGE", { field, value: String(value), min: String(-0x80000000), max: String(0x7fffffff) });
    const bytes = Buffer.alloc(4);
    bytes.writeInt32BE(value);
    this.parts.push(bytes);
    return this;
  }

  u64(field: string, value: number): this {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new MarketError("OUT_OF_RANGE", { field, value: String(value), min: "0", max: String(Number.MAX_SAFE_INTEGER) });
    const bytes = Buffer.alloc(8);
    bytes.writeBigUInt64BE(BigInt(value));
    this.parts.push(bytes);
    return this;
  }

  bool(value: boolean): this {
    this.parts.push(Buffer.from([value ? 1 : 0]));
    return this;
  }

  address(field: string, value: string): this {
    if (!isAddress(value)) throw new MarketError("INVALID_ADDRESS", { value: value.slice(0, 64), reason: `${field} is not an address` });
    this.parts.push(Buffer.from(addressToBytes(value)));
    return this;
  }

  digest(field: string, value: string): this {
    if (!/^[0-9a-f]{64}$/.test(value))
      throw new MarketError("INVALID_FIELD", {
        field,
        value: JSON.stringify(value.slice(0, 80)),
        allowed: "a SHA-256 digest as 64 lowercase hex digits",
      });
    this.parts.push(Buffer.from(value, "hex"));
    return this;
  }

  bytes(): Uint8Array {
    return Uint8Array.from(Buffer.concat(this.parts));
  }
}

/** A writer that starts with `tag`, so that bytes made for one kind of statement never read as another. */
export function tagged(tag: string): StatementWriter {
  return new StatementWriter().text("domainTag", tag);
}

/** Does `signatureHex` (64 bytes, lowercase hex) verify for `signer` over the bytes `message` builds. Never throws: a malformed statement is false. */
export function verifyStatementHex(signer: Address, message: () => Uint8Array, signatureHex: string): boolean {
  if (!/^[0-9a-f]{128}$/.test(signatureHex)) return false;
  try {
    return verifySigned(signer, message(), Uint8Array.from(Buffer.from(signatureHex, "hex")));
  } catch {
    return false;
  }
}
