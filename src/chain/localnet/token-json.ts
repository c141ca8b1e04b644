// jsonParsed form of SPL Token accounts (token account, mint, multisig), as a validator's
// account-decoder writes them for program "spl-token". Pure: decodes bytes it is given.
import { AccountState, getMintDecoder, getMultisigDecoder, getTokenDecoder } from "@solana-program/token";
import type { Option } from "@solana/kit";
import { uiTokenAmount } from "./rpc-params.js";

/** Sizes of the three SPL Token account kinds. */
export const TOKEN_ACCOUNT_SIZE = 165;
const MINT_SIZE = 82;
const MULTISIG_SIZE = 355;

function some<T>(option: Option<T>): T | undefined {
  return option.__option === "Some" ? option.value : undefined;
}

/** The decimals of a mint account's data, or undefined when it is no mint. */
export function mintDecimals(data: Uint8Array | undefined): number | undefined {
  return data?.length === MINT_SIZE ? getMintDecoder().decode(data).decimals : undefined;
}

/**
 * The jsonParsed `data` of an SPL Token account, or undefined when it is not one the parser knows
 * (the caller then falls back to base64, as a validator does). `decimalsOfMint` reads a token
 * account's mint.
 */
export function parsedTokenAccount(data: Uint8Array, decimalsOfMint: (mint: string) => number | undefined): unknown {
  const parsed = (type: string, info: unknown): unknown => ({ program: "spl-token", parsed: { type, info }, space: data.length });
  if (data.length === TOKEN_ACCOUNT_SIZE) {
    const token = getTokenDecoder().decode(data);
    const decimals = decimalsOfMint(token.mint);
    if (decimals === undefined || token.state === AccountState.Uninitialized) return undefined;
    const delegate = some(token.delegate);
    const native = some(token.isNative);
    const closeAuthority = some(token.closeAuthority);
    return parsed("account", {
      isNative: native !== undefined,
      mint: token.mint,
      owner: token.owner,
      state: token.state === AccountState.Frozen ? "frozen" : "initialized",
      tokenAmount: uiTokenAmount(token.amount, decimals),
      ...(delegate === undefined ? {} : { delegate, delegatedAmount: uiTokenAmount(token.delegatedAmount, decimals) }),
      ...(native === undefined ? {} : { rentExemptReserve: uiTokenAmount(native, decimals) }),
      ...(closeAuthority === undefined ? {} : { closeAuthority }),
    });
  }
  if (data.length === MINT_SIZE) {
    const mint = getMintDecoder().decode(data);
    return parsed("mint", {
      decimals: mint.decimals,
      freezeAuthority: some(mint.freezeAuthority) ?? null,
      isInitialized: mint.isInitialized,
      mintAuthority: some(mint.mintAuthority) ?? null,
      supply: mint.supply.toString(),
    });
  }
  if (data.length === MULTISIG_SIZE) {
    const multisig = getMultisigDecoder().decode(data);
    return parsed("multisig", {
      isInitialized: multisig.isInitialized,
      numRequiredSigners: multisig.m,
      numValidSigners: multisig.n,
      signers: multisig.signers.slice(0, multisig.n),
    });
  }
  return undefined;
}
