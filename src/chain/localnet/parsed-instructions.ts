// jsonParsed instructions as a validator's transaction-status parsers write them, for the programs
// this chain's transactions use: System (transfers, account creation), SPL Token (mint, account and
// multisig setup, transfers, mint, burn, close, approve), the Associated Token Account program and
// Memo. Any other instruction is written partially decoded ({ programId, accounts, data }), which is
// also what a validator writes for a program it cannot parse. Pure.
import { getBase58Decoder, getUtf8Decoder } from "@solana/kit";
import { uiTokenAmount } from "./rpc-params.js";

const SYSTEM_PROGRAM = "11111111111111111111111111111111";
const TOKEN_PROGRAM = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";
const ASSOCIATED_TOKEN_PROGRAM = "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL";
/** The SPL Memo program (v2) and its first version. */
export const MEMO_PROGRAMS: ReadonlySet<string> = new Set([
  "MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr",
  "Memo1UhkJRfHyvLMcVucJwxXeuD728EqVDDwQDxFMNo",
]);

type Info = Record<string, unknown>;
type Parsed = { readonly type: string; readonly info: Info } | undefined;

/** Little-endian reads that answer undefined past the end (a malformed instruction is left unparsed). */
function reader(data: Uint8Array) {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return {
    u8: (at: number) => (at + 1 <= data.length ? view.getUint8(at) : undefined),
    u32: (at: number) => (at + 4 <= data.length ? view.getUint32(at, true) : undefined),
    u64: (at: number) => (at + 8 <= data.length ? view.getBigUint64(at, true) : undefined),
    key: (at: number) => (at + 32 <= data.length ? getBase58Decoder().decode(data.subarray(at, at + 32)) : undefined),
  };
}

function complete(type: string, info: Info): Parsed {
  return Object.values(info).includes(undefined) ? undefined : { type, info };
}

function parseSystem(data: Uint8Array, accounts: readonly string[]): Parsed {
  const read = reader(data);
  switch (read.u32(0)) {
    case 0:
      return complete("createAccount", {
        source: accounts[0],
        newAccount: accounts[1],
        lamports: read.u64(4),
        space: read.u64(12),
        owner: read.key(20),
      });
    case 1:
      return complete("assign", { account: accounts[0], owner: read.key(4) });
    case 2:
      return complete("transfer", { source: accounts[0], destination: accounts[1], lamports: read.u64(4) });
    case 3: {
      const seedLength = Number(read.u64(36) ?? -1n);
      if (seedLength < 0 || 44 + seedLength + 48 > data.length) return undefined;
      const at = 44 + seedLength;
      return complete("createAccountWithSeed", {
        source: accounts[0],
        newAccount: accounts[1],
        base: read.key(4),
        seed: getUtf8Decoder().decode(data.subarray(44, at)),
        lamports: read.u64(at),
        space: read.u64(at + 8),
        owner: read.key(at + 16),
      });
    }
    case 8:
      return complete("allocate", { account: accounts[0], space: read.u64(4) });
    default:
      return undefined;
  }
}

/** The authority of a token instruction: one signer, or a multisig and the signers after it. */
function authority(name: string, multisigName: string, accounts: readonly string[], at: number): Info {
  const signers = accounts.slice(at + 1);
  return signers.length === 0 ? { [name]: accounts[at] } : { [multisigName]: accounts[at], signers };
}

function parseToken(data: Uint8Array, accounts: readonly string[]): Parsed {
  const read = reader(data);
  const amount = read.u64(1)?.toString();
  const checked = (decimals: number | undefined) => {
    const raw = read.u64(1);
    return raw === undefined || decimals === undefined ? undefined : uiTokenAmount(raw, decimals);
  };
  switch (read.u8(0)) {
    case 3:
      return complete("transfer", {
        source: accounts[0],
        destination: accounts[1],
        amount,
        ...authority("authority", "multisigAuthority", accounts, 2),
      });
    case 4:
      return complete("approve", {
        source: accounts[0],
        delegate: accounts[1],
        amount,
        ...authority("owner", "multisigOwner", accounts, 2),
      });
    case 5:
      return complete("revoke", { source: accounts[0], ...authority("owner", "multisigOwner", accounts, 1) });
    case 7:
      return complete("mintTo", {
        mint: accounts[0],
        account: accounts[1],
        amount,
        ...authority("mintAuthority", "multisigMintAuthority", accounts, 2),
      });
    case 8:
      return complete("burn", {
        account: accounts[0],
        mint: accounts[1],
        amount,
        ...authority("authority", "multisigAuthority", accounts, 2),
      });
    case 9:
      return complete("closeAccount", {
        account: accounts[0],
        destination: accounts[1],
        ...authority("owner", "multisigOwner", accounts, 2),
      });
    case 12:
      return complete("transferChecked", {
        source: accounts[0],
        mint: accounts[1],
        destination: accounts[2],
        tokenAmount: checked(read.u8(9)),
        ...authority("authority", "multisigAuthority", accounts, 3),
      });
    case 14:
      return complete("mintToChecked", {
        mint: accounts[0],
        account: accounts[1],
        tokenAmount: checked(read.u8(9)),
        ...authority("mintAuthority", "multisigMintAuthority", accounts, 2),
      });
    case 15:
      return complete("burnChecked", {
        account: accounts[0],
        mint: accounts[1],
        tokenAmount: checked(read.u8(9)),
        ...authority("authority", "multisigAuthority", accounts, 2),
      });
    case 17:
      return complete("syncNative", { account: accounts[0] });
    case 18:
      return complete("initializeAccount3", { account: accounts[0], mint: accounts[1], owner: read.key(1) });
    case 19:
      return complete("initializeMultisig2", { multisig: accounts[0], signers: accounts.slice(1), m: read.u8(1) });
    case 20: {
      const freezeAuthority = read.u8(34) === 1 ? { freezeAuthority: read.key(35) } : {};
      return complete("initializeMint2", { mint: accounts[0], decimals: read.u8(1), mintAuthority: read.key(2), ...freezeAuthority });
    }
    default:
      return undefined;
  }
}

function parseAssociatedToken(data: Uint8Array, accounts: readonly string[]): Parsed {
  const kind = data.length === 0 ? 0 : data[0];
  if (kind !== 0 && kind !== 1) return undefined;
  return complete(kind === 0 ? "create" : "createIdempotent", {
    source: accounts[0],
    account: accounts[1],
    wallet: accounts[2],
    mint: accounts[3],
    systemProgram: accounts[4],
    tokenProgram: accounts[5],
  });
}

/** One instruction in jsonParsed form: parsed when its program is one of the above and its data reads, else partially decoded. */
export function parsedInstruction(programId: string, accounts: readonly string[], data: Uint8Array): unknown {
  const parsers: Record<string, [string, (data: Uint8Array, accounts: readonly string[]) => Parsed]> = {
    [SYSTEM_PROGRAM]: ["system", parseSystem],
    [TOKEN_PROGRAM]: ["spl-token", parseToken],
    [ASSOCIATED_TOKEN_PROGRAM]: ["spl-associated-token-account", parseAssociatedToken],
  };
  if (MEMO_PROGRAMS.has(programId)) return { program: "spl-memo", programId, parsed: getUtf8Decoder().decode(data), stackHeight: null };
  const parser = parsers[programId];
  const parsed = parser?.[1](data, accounts);
  if (parser !== undefined && parsed !== undefined) return { program: parser[0], programId, parsed, stackHeight: null };
  return { programId, accounts, data: getBase58Decoder().decode(data), stackHeight: null };
}
