// The localnet's named bounds: what one request, one batch and one websocket connection may hold.

/** Largest request body read. */
export const RPC_BODY_BYTES_MAX = 1024 * 1024;
/** Most requests in one JSON-RPC batch. */
export const RPC_BATCH_MAX = 100;
/** Most signatures in one getSignatureStatuses call (Solana's limit). */
export const SIGNATURE_STATUSES_MAX = 256;
/** Most signatures one getSignaturesForAddress call returns (Solana's limit, and its default). */
export const SIGNATURES_FOR_ADDRESS_MAX = 1000;
/** Most accounts in one getMultipleAccounts call (Solana's limit). */
export const MULTIPLE_ACCOUNTS_MAX = 100;
/** Most lamports one requestAirdrop grants. */
export const LAMPORT_AIRDROP_MAX = 1000n * 1_000_000_000n;
/** Most accounts one getProgramAccounts or getTokenAccountsByOwner call returns; more is refused. */
export const PROGRAM_ACCOUNTS_MAX = 10_000;
